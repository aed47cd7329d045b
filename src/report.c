#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "graph.h"

const char *const reporter_choices[] = {
	"console", "console output",
	"executed-only", "console, no output for skipped (up-to-date) and group tasks",
	"json", "output in JSON format",
	"zero", "report only internal errors from doit",
	"error-only", "output only errors",
	"*", NULL,      /* others: the front-end's reporters, checked when the run starts */
	NULL,
};

const char *const reporter_names[] = {"console", "executed-only", "json", "zero",
                                      "error-only", NULL};


static void nop_task(struct reporter *r, struct task *t)
{
}

/* An SGR colour sequence when the reporter colours its lines, else "". */
static const char *sgr(struct reporter *r, const char *code)
{
	return r->colour ? code : "";
}

#define SGR_RESET "\033[0m"
#define SGR_RUN "\033[1;32m"       /* bold green: a task runs */
#define SGR_SKIP "\033[2m"         /* dim: up to date */
#define SGR_IGNORE "\033[33m"      /* yellow: ignored */
#define SGR_FAIL "\033[1;31m"      /* bold red: failures */

/* A line "<mark><title>" in colour code; none when the custom title raised (the run
 * ends on that, as doit's reporter lets the exception out before writing). */
static void title_line(struct reporter *r, const char *code, const char *mark, struct task *t)
{
	const char *title = task_title(r->g, t);

	if (title)
		fprintf(r->out, "%s%s%s%s\n", sgr(r, code), mark, title, sgr(r, SGR_RESET));
}

static void con_execute(struct reporter *r, struct task *t)
{
	if (t->actions.n && t->name[0] != '_')
		title_line(r, SGR_RUN, ".  ", t);
}

static void write_failure(struct reporter *r, struct failure *f, bool with_msg)
{
	fprintf(r->out, "%s%s - taskid:%s%s\n", sgr(r, SGR_FAIL), f->kind, f->task->name,
	        sgr(r, SGR_RESET));
	if (with_msg)
		fprintf(r->out, "%s\n", f->msg);
}

static void con_failure(struct reporter *r, struct task *t, const struct outcome *o)
{
	struct failure *f = xmalloc(sizeof(*f));

	f->task = t;
	f->kind = xstrdup(o->kind ? o->kind : "TaskError");
	f->msg = xstrdup(o->msg ? o->msg : "");
	vec_push(&r->failures, f);
	write_failure(r, f, true);
}

static void con_uptodate(struct reporter *r, struct task *t)
{
	if (t->name[0] != '_')
		title_line(r, SGR_SKIP, "-- ", t);
}

static void con_ignore(struct reporter *r, struct task *t)
{
	title_line(r, SGR_IGNORE, "!! ", t);
}

static void con_cleanup_error(struct reporter *r, const char *msg)
{
	fflush(r->out);
	fputs(msg, stderr);
}

static void con_runtime_error(struct reporter *r, const char *msg)
{
	vec_push(&r->runtime_errors, xstrdup(msg));
}

static void join_output(struct task *t, int which, struct buf *b)
{
	size_t i;

	for (i = 0; i < t->actions.n; i++) {
		struct action *a = t->actions.v[i];
		struct buf *s = which ? &a->err : &a->out;
		if (s->len)
			buf_add(b, s->data, s->len);
	}
}

static void con_complete(struct reporter *r)
{
	struct buf b = {0};
	size_t i;

	for (i = 0; i < r->failures.n; i++) {
		struct failure *f = r->failures.v[i];
		struct task *t = f->task;
		bool show_err, show_out;

		if (!t->executed)
			continue;
		show_err = t->verbosity < 1 || r->failure_verbosity > 0;
		show_out = t->verbosity < 2 || r->failure_verbosity == 2;
		if (show_err || show_out)
			fprintf(r->out, "########################################\n");
		if (show_err) {
			write_failure(r, f, r->failure_verbosity != 0);
			buf_reset(&b);
			join_output(t, 1, &b);
			fprintf(r->out, "%s <stderr>:\n%s\n", t->name, buf_str(&b));
		}
		if (show_out) {
			buf_reset(&b);
			join_output(t, 0, &b);
			fprintf(r->out, "%s <stdout>:\n%s\n", t->name, buf_str(&b));
		}
	}
	if (r->runtime_errors.n) {
		fprintf(r->out, "########################################\n");
		fprintf(r->out, "Execution aborted.\n");
		for (i = 0; i < r->runtime_errors.n; i++)
			fprintf(r->out, "%s%s", i ? "\n" : "", (char *)r->runtime_errors.v[i]);
		fprintf(r->out, "\n");
	}
	buf_free(&b);
	fflush(r->out);
}

static void nop_failure(struct reporter *r, struct task *t, const struct outcome *o)
{
}

static void zero_runtime_error(struct reporter *r, const char *msg)
{
	fflush(r->out);
	fputs(msg, stderr);
}

static void nop_complete(struct reporter *r)
{
	fflush(r->out);
}

static const struct reporter_ops console_ops = {
	nop_task, con_execute, con_failure, nop_task, con_uptodate, con_ignore, nop_task,
	con_cleanup_error, con_runtime_error, con_complete, NULL, NULL,
};

static const struct reporter_ops executed_only_ops = {
	nop_task, con_execute, con_failure, nop_task, nop_task, nop_task, nop_task,
	con_cleanup_error, con_runtime_error, con_complete, NULL, NULL,
};

/* doit's ZeroReporter keeps ConsoleReporter's cleanup_error (stderr). */
static const struct reporter_ops zero_ops = {
	nop_task, nop_task, nop_failure, nop_task, nop_task, nop_task, nop_task,
	con_cleanup_error, zero_runtime_error, nop_complete, NULL, NULL,
};

/* doit 0.37's error-only: failures as they happen, teardown errors. */
static const struct reporter_ops error_only_ops = {
	nop_task, nop_task, con_failure, nop_task, nop_task, nop_task, nop_task,
	con_cleanup_error, zero_runtime_error, nop_complete, NULL, NULL,
};

struct reporter *reporter_new(const char *name, struct graph *g, FILE *out,
                              int failure_verbosity)
{
	static const struct { const char *name; const struct reporter_ops *ops; } table[] = {
		{"console", &console_ops},
		{"executed-only", &executed_only_ops},
		{"zero", &zero_ops},
		{"error-only", &error_only_ops},
	};
	struct reporter *r;
	size_t i;

	if (strcmp(name, "json") == 0)
		return reporter_json_new(g, out, failure_verbosity);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].name, name) == 0)
			break;
	if (i == sizeof(table) / sizeof(table[0])) {
		struct frontend *fe = g ? g->fe : NULL;
		if (fe && fe->cmd_ops && fe->cmd_ops->reporter)
			return fe->cmd_ops->reporter(fe, name, g, out, failure_verbosity);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->ops = table[i].ops;
	r->g = g;
	r->out = out;
	r->failure_verbosity = failure_verbosity;
	if (table[i].ops == &console_ops || table[i].ops == &executed_only_ops)
		r = reporter_tty(r);
	return r;
}

void reporter_initialize(struct reporter *r, const struct vec *selected)
{
	if (r && r->ops->initialize)
		r->ops->initialize(r, selected);
}

void reporter_free(struct reporter *r)
{
	size_t i;

	if (!r)
		return;
	if (r->ops->free)
		r->ops->free(r);
	for (i = 0; i < r->failures.n; i++) {
		struct failure *f = r->failures.v[i];
		free(f->kind);
		free(f->msg);
		free(f);
	}
	vec_free(&r->failures);
	for (i = 0; i < r->runtime_errors.n; i++)
		free(r->runtime_errors.v[i]);
	vec_free(&r->runtime_errors);
	free(r);
}
