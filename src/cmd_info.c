/* info TASK: a task's fields and why it is not up to date (doit's cmd_info). */
#include "cmd.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdctx.h"
#include "frontend.h"
#include "graph.h"
#include "state.h"

const struct optdef cmd_info_opts[] = {
	{"hide_status", 0, "no-status", OPT_BOOL, NULL, "Hides reasons why this task would be "
	 "executed.\n [default: %(default)s]", NULL, NULL, NULL},
	{0},
};

/* Records which front-end uptodate entries evaluate to false: plan's reasons do not say
 * which entry they come from, and info prints each one. */
struct recorder {
	struct frontend fe;
	struct frontend_ops ops;
	struct frontend *real;
	struct vec falses;      /* size_t indexes, stored as pointers */
};

static int record_uptodate(struct frontend *fe, struct task *t, size_t index, int *res,
                           struct err *e)
{
	struct recorder *r = fe->ctx;
	int rc = r->real->ops->uptodate(r->real, t, index, res, e);

	if (rc == 0 && *res == 0)
		vec_push(&r->falses, (void *)(uintptr_t)index);
	return rc;
}

static bool recorded(struct recorder *r, size_t index)
{
	size_t i;

	for (i = 0; i < r->falses.n; i++)
		if ((size_t)(uintptr_t)r->falses.v[i] == index)
			return true;
	return false;
}

/* Print one reason group: " * sentence" and its entries. */
static void group(struct plan *p, enum reason_kind k, const char *sentence, bool *first)
{
	size_t i;
	bool head = false;

	for (i = 0; i < p->reasons.n; i++) {
		struct reason *r = p->reasons.v[i];
		if (r->kind != k)
			continue;
		if (!head)
			printf("%s * %s", *first ? "" : "\n", sentence);
		head = true;
		*first = false;
		printf("\n    - %s", r->detail ? r->detail : "");
	}
}

static bool has(struct plan *p, enum reason_kind k)
{
	size_t i;

	for (i = 0; i < p->reasons.n; i++)
		if (((struct reason *)p->reasons.v[i])->kind == k)
			return true;
	return false;
}

/* The uptodate entries that evaluated to false, in order (doit's uptodate_false). */
static void uptodate_false(struct cmdctx *c, struct plan *p, struct task *t,
                           struct recorder *rec, bool *first)
{
	size_t i, next = 0;
	bool head = false;

	for (i = 0; i < t->uptodate.n; i++) {
		struct uptodate *u = t->uptodate.v[i];
		bool is_false = false;

		if (u->kind == UTD_CONST)
			is_false = u->value == 0;
		else if (u->kind == UTD_FRONTEND)
			is_false = recorded(rec, u->index);
		else {
			/* a shell check's reason carries its command */
			for (; next < p->reasons.n; next++) {
				struct reason *r = p->reasons.v[next];
				if (r->kind == R_UPTODATE_FALSE && r->detail &&
				    strcmp(r->detail, u->cmd) == 0) {
					is_false = true;
					next++;
					break;
				}
			}
		}
		if (!is_false)
			continue;
		if (!head)
			printf("%s * The following uptodate objects evaluate to false:",
			       *first ? "" : "\n");
		head = true;
		*first = false;
		printf("\n");
		fflush(stdout);
		cmd_print_text(c->g, t, FE_TEXT_UPTODATE, u->index);
	}
}

static void print_reasons(struct cmdctx *c, struct plan *p, struct task *t,
                          struct recorder *rec)
{
	bool first = true;
	size_t i;

	if (has(p, R_NO_DEPS)) {
		printf(" * The task has no dependencies.");
		first = false;
	}
	if (has(p, R_UNFINISHED)) {
		printf("%s * Its last run started and did not finish (interrupted, killed, or its"
		       " outcome could not be saved).", first ? "" : "\n");
		first = false;
	}
	uptodate_false(c, p, t, rec, &first);
	for (i = 0; i < p->reasons.n; i++) {
		struct reason *r = p->reasons.v[i];
		if (r->kind == R_CHECKER_CHANGED) {
			printf("%s * The file_dep checker changed from %s to %s.", first ? "" : "\n",
			       r->detail ? r->detail : "", checker_name(p->checker));
			first = false;
		}
	}
	group(p, R_MISSING_TARGET, "The following targets do not exist:", &first);
	group(p, R_CHANGED_DEP, "The following file dependencies have changed:", &first);
	group(p, R_MISSING_DEP, "The following file dependencies are missing:", &first);
	group(p, R_REMOVED_DEP, "The following file dependencies were removed:", &first);
	group(p, R_ADDED_DEP, "The following file dependencies were added:", &first);
}

static const char *status_name(struct plan *p)
{
	return p->status == STATUS_UPTODATE ? "up-to-date" :
	       p->status == STATUS_RUN ? "run" : "error";
}

/* "status : ..." and the reasons; returns 1 when the task is not up to date. */
static int show_status(struct cmdctx *c, struct task *t)
{
	struct recorder rec = {0};
	struct plan p = {0};
	struct task_record saved = {0};
	struct err e = {0};
	int rc;

	rec.real = c->g->fe;
	if (rec.real && rec.real->ops->uptodate) {
		rec.ops = *rec.real->ops;
		rec.ops.uptodate = record_uptodate;
		rec.fe = *rec.real;
		rec.fe.ops = &rec.ops;
		rec.fe.ctx = &rec;
		c->g->fe = &rec.fe;
	}
	p.g = c->g;
	p.io = &plan_io_real;
	p.checker = c->checker;
	p.get_log = true;
	/* as doit, the ignored flag is not looked at */
	rc = state_load(c->st, t->name, &saved, &e);
	if (rc == 0)
		rc = plan_status(&p, t, &saved, &e);
	c->g->fe = rec.real;
	task_record_free(&saved);
	if (rc < 0) {
		rc = cmd_error(&e);
		goto out;
	}
	printf("\n%-11s: %s\n", "status", status_name(&p));
	if (p.status != STATUS_UPTODATE) {
		print_reasons(c, &p, t, &rec);
		printf("\n");
		rc = 1;
	}
out:
	vec_free(&rec.falses);
	plan_clear(&p);
	return rc;
}

static int info(struct cmdctx *c)
{
	struct task *t;
	struct err e = {0};
	int rc = 0;

	if (c->o.args.n != 1) {
		seterr(&e, 3, "`info` failed, must select *one* task.\nCheck `%s help info`.",
		       c->env->bin_name);
		return cmd_error(&e);
	}
	if ((rc = cmdctx_check_tasks(c, &c->o.args)) != 0)
		return rc;
	t = graph_find(c->g, c->o.args.v[0]);
	printf("\n%s\n", t->name);
	if (t->doc && *t->doc)
		printf("\n%s\n", t->doc);
	if (!opts_int(&c->o, "hide_status")) {
		if ((rc = cmdctx_state(c, STATE_READONLY)) != 0)
			return rc;
		rc = show_status(c, t);
		if (rc > 1)
			return rc;
	}
	fflush(stdout);
	cmd_print_text(c->g, t, FE_TEXT_INFO, 0);
	fflush(stdout);
	return rc;
}

int cmd_info(struct cmd_env *env, int argc, char **argv)
{
	struct cmdctx c;
	int rc = cmdctx_open(&c, env, argc, argv, -1);

	if (rc == 0)
		rc = info(&c);
	cmdctx_close(&c);
	return rc;
}
