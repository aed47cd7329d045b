#include "report_record.h"

#include <stdlib.h>

#include "graph.h"
#include "report.h"

enum event { EV_STATUS, EV_EXECUTE, EV_SUCCESS, EV_UPTODATE, EV_IGNORE, EV_COMPLETE };

struct recorded {
	enum event ev;
	struct task *t;
};

struct record {
	struct vec events;          /* struct recorded * */
	bool dirty;
};

static void push(struct reporter *r, enum event ev, struct task *t)
{
	struct record *rec = r->ctx;
	struct recorded *x = xmalloc(sizeof(*x));

	if (t && t->custom_title)
		rec->dirty = true;
	x->ev = ev;
	x->t = t;
	vec_push(&rec->events, x);
}

static void get_status(struct reporter *r, struct task *t)
{
	push(r, EV_STATUS, t);
}

static void execute_task(struct reporter *r, struct task *t)
{
	push(r, EV_EXECUTE, t);
}

static void add_success(struct reporter *r, struct task *t)
{
	push(r, EV_SUCCESS, t);
}

static void skip_uptodate(struct reporter *r, struct task *t)
{
	push(r, EV_UPTODATE, t);
}

static void skip_ignore(struct reporter *r, struct task *t)
{
	push(r, EV_IGNORE, t);
}

static void complete_run(struct reporter *r)
{
	push(r, EV_COMPLETE, NULL);
}

static void dirty_task(struct reporter *r, struct task *t)
{
	((struct record *)r->ctx)->dirty = true;
}

static void dirty_failure(struct reporter *r, struct task *t, const struct outcome *o)
{
	((struct record *)r->ctx)->dirty = true;
}

static void dirty_msg(struct reporter *r, const char *msg)
{
	((struct record *)r->ctx)->dirty = true;
}

static void free_record(struct reporter *r)
{
	struct record *rec = r->ctx;
	size_t i;

	for (i = 0; i < rec->events.n; i++)
		free(rec->events.v[i]);
	vec_free(&rec->events);
	free(rec);
}

static const struct reporter_ops record_ops = {
	get_status, execute_task, dirty_failure, add_success, skip_uptodate, skip_ignore,
	dirty_task, dirty_msg, dirty_msg, complete_run, free_record, NULL,
};

struct reporter *reporter_record_new(struct graph *g)
{
	struct reporter *r = xcalloc(1, sizeof(*r));

	r->ops = &record_ops;
	r->g = g;
	r->ctx = xcalloc(1, sizeof(struct record));
	return r;
}

bool reporter_record_clean(const struct reporter *r)
{
	return !((struct record *)r->ctx)->dirty;
}

void reporter_record_replay(const struct reporter *r, struct reporter *to)
{
	struct record *rec = r->ctx;
	size_t i;

	for (i = 0; i < rec->events.n; i++) {
		struct recorded *x = rec->events.v[i];
		switch (x->ev) {
		case EV_STATUS:
			to->ops->get_status(to, x->t);
			break;
		case EV_EXECUTE:
			to->ops->execute_task(to, x->t);
			break;
		case EV_SUCCESS:
			to->ops->add_success(to, x->t);
			break;
		case EV_UPTODATE:
			to->ops->skip_uptodate(to, x->t);
			break;
		case EV_IGNORE:
			to->ops->skip_ignore(to, x->t);
			break;
		case EV_COMPLETE:
			to->ops->complete_run(to);
			break;
		}
	}
}
