#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "frontend.h"
#include "graph.h"
#include "proc.h"
#include "report.h"
#include "state.h"

enum { RESULT_SUCCESS = 0, RESULT_FAILURE = 1, RESULT_ERROR = 2 };

struct runner {
	struct graph *g;
	struct state *st;
	struct reporter *rep;
	const struct run_opts *o;
	struct plan plan;
	struct dispatch *d;
	struct vec teardown;        /* struct task * in execution order */
	int final;
	bool stop;
	bool exit;              /* an action asked dodo to exit with exit_code */
	int exit_code;
};

void outcome_set(struct outcome *o, int status, const char *kind, const char *msg)
{
	outcome_clear(o);
	o->status = status;
	o->kind = kind ? xstrdup(kind) : NULL;
	o->msg = msg ? xstrdup(msg) : NULL;
}

void outcome_clear(struct outcome *o)
{
	free(o->kind);
	free(o->msg);
	memset(o, 0, sizeof(*o));
}

void cmdspec_free(struct cmdspec *s)
{
	size_t i;

	free(s->cmd);
	free(s->cwd);
	for (i = 0; i < s->argv.n; i++)
		free(s->argv.v[i]);
	vec_free(&s->argv);
	for (i = 0; i < s->env.n; i++)
		free(s->env.v[i]);
	vec_free(&s->env);
	memset(s, 0, sizeof(*s));
}

static void handle_error(struct runner *r, struct dnode *n, struct outcome *o)
{
	struct err e;

	n->run_status = RS_FAILURE;
	if (state_remove_success(r->st, n->task->name, &e) < 0)
		warn("%s", e.msg);
	r->rep->ops->add_failure(r->rep, n->task, o);
	if (o->status == OUT_FAILED && r->final != RESULT_ERROR)
		r->final = RESULT_FAILURE;
	else
		r->final = RESULT_ERROR;
	if (!r->o->continue_)
		r->stop = true;
}

/* Fail n with an exception that has no traceback (get_msg() is the message and "\n"). */
static void fail_with(struct runner *r, struct dnode *n, const char *kind, const char *msg)
{
	struct outcome o = {0};
	char *full = xasprintf("%s\n", msg);

	outcome_set(&o, OUT_ERROR, kind, full);
	handle_error(r, n, &o);
	outcome_clear(&o);
	free(full);
}

static int effective_verbosity(const struct run_opts *o, int task_verbosity)
{
	int v = o->verbosity >= 0 ? o->verbosity : 1;

	if (o->force_verbosity && o->verbosity >= 0)
		return v;
	return task_verbosity >= 0 ? task_verbosity : v;
}

static void unmet_dependency(struct runner *r, struct dnode *n)
{
	struct buf b = {0};
	size_t i;

	for (i = 0; i < n->bad_deps.n; i++) {
		struct dnode *bad = n->bad_deps.v[i];
		buf_printf(&b, "%s%s", i ? " " : "", bad->task->name);
	}
	{
		struct outcome o = {0};
		buf_putc(&b, '\n');
		outcome_set(&o, OUT_FAILED, "UnmetDependency", buf_str(&b));
		handle_error(r, n, &o);
		outcome_clear(&o);
	}
	buf_free(&b);
}

/* First selection of a node: decide ignore / unmet / up to date / run. */
static bool first_select(struct runner *r, struct dnode *n)
{
	struct task *t = n->task;
	struct task_record rec = {0};
	struct frontend *fe = r->g->fe;
	struct err e = {0};
	bool run = false;

	r->rep->ops->get_status(r->rep, t);
	t->verbosity = effective_verbosity(r->o, t->verbosity);
	if (state_load(r->st, t->name, &rec, &e) < 0) {
		fail_with(r, n, "DependencyError", e.msg);
		return false;
	}
	if (n->ignored_deps.n || rec.ignored) {
		n->run_status = RS_IGNORE;
		r->rep->ops->skip_ignore(r->rep, t);
		goto out;
	}
	if (n->bad_deps.n) {
		unmet_dependency(r, n);
		goto out;
	}
	if (plan_status(&r->plan, t, &rec, &e) < 0 || r->plan.status == STATUS_ERROR) {
		char *msg = xasprintf("ERROR: Task '%s' checking dependencies: %s", t->name,
		                      r->plan.status == STATUS_ERROR ? r->plan.error : e.msg);
		fail_with(r, n, "DependencyError", msg);
		free(msg);
		goto out;
	}
	if (r->plan.forget && state_forget(r->st, t->name, &e) < 0)
		warn("%s", e.msg);
	n->run_status = r->o->always || r->plan.status == STATUS_RUN ? RS_RUN : RS_UPTODATE;
	if (n->run_status == RS_UPTODATE) {
		r->rep->ops->skip_uptodate(r->rep, t);
		if (t->fe && fe && fe->ops->restore)
			fe->ops->restore(fe, t, rec.values_json);
		goto out;
	}
	run = !t->setup.n;
out:
	task_record_free(&rec);
	return run;
}

/* doit's select_task: should the node's task execute now? */
static bool select_task(struct runner *r, struct dnode *n)
{
	struct task *t = n->task;
	struct frontend *fe = r->g->fe;
	struct err e = {0};

	if (n->run_status == RS_NONE && !first_select(r, n))
		return false;
	if (t->fe && fe && fe->ops->prepare && fe->ops->prepare(fe, t, &e) < 0) {
		fail_with(r, n, "DependencyError", e.msg);
		return false;
	}
	return true;
}

static void native_outcome(struct action *a, const char *shown, int rc, struct outcome *o)
{
	char *msg;

	if (a->mode == MODE_LONG || rc == 0)
		return;
	if (rc > 125) {
		msg = xasprintf("Command error: '%s' returned %d\n", shown, rc);
		outcome_set(o, OUT_ERROR, "TaskError", msg);
	} else {
		msg = xasprintf("Command failed: '%s' returned %d\n", shown, rc);
		outcome_set(o, OUT_FAILED, "TaskFailed", msg);
	}
	free(msg);
}

static int build_spec(struct runner *r, struct task *t, struct action *a,
                      struct cmdspec *spec, struct outcome *o)
{
	struct frontend *fe = r->g->fe;
	char **p;

	if (a->expand && fe && fe->ops->expand)
		return fe->ops->expand(fe, t, a, spec, o);
	if (a->shell) {
		spec->cmd = xstrdup(a->cmd ? a->cmd : "");
		return 0;
	}
	for (p = a->argv; p && *p; p++)
		vec_push(&spec->argv, xstrdup(*p));
	return 0;
}

/* The command as doit's messages show it: the shell text, or Python's list repr. */
static char *shown_command(const struct cmdspec *spec)
{
	struct buf b = {0};
	size_t i;

	if (spec->cmd)
		return xstrdup(spec->cmd);
	buf_putc(&b, '[');
	for (i = 0; i < spec->argv.n; i++)
		buf_printf(&b, "%s'%s'", i ? ", " : "", (char *)spec->argv.v[i]);
	buf_putc(&b, ']');
	return buf_take(&b);
}

static void run_cmd(struct runner *r, struct task *t, struct action *a, int verbosity,
                    struct outcome *o)
{
	struct frontend *fe = r->g->fe;
	struct cmdspec spec = {0};
	struct proc p;
	struct err e = {0};
	bool capture = a->mode == MODE_NORMAL;
	char *shown;
	int rc;

	if (build_spec(r, t, a, &spec, o) < 0)
		goto out;
	fflush(stdout);
	if (proc_spawn(&p, &spec, capture, false, &a->out, &a->err, verbosity >= 2,
	               verbosity >= 1, &e) < 0) {
		outcome_set(o, OUT_ERROR, "TaskError", e.msg);
		goto out;
	}
	rc = proc_wait(&p);
	shown = shown_command(&spec);
	native_outcome(a, shown, rc, o);
	free(shown);
	if (t->fe && fe && fe->ops->cmd_done)
		fe->ops->cmd_done(fe, t, a, rc, o);
out:
	cmdspec_free(&spec);
}

/* Run a list of actions until one fails; o tells how it ended. */
static void run_actions(struct runner *r, struct task *t, struct vec *actions,
                        struct outcome *o)
{
	struct frontend *fe = r->g->fe;
	size_t i;

	for (i = 0; i < actions->n && o->status == OUT_OK; i++) {
		struct action *a = actions->v[i];

		buf_reset(&a->out);
		buf_reset(&a->err);
		if (a->kind == ACTION_CMD) {
			run_cmd(r, t, a, t->verbosity, o);
		} else if (fe && fe->ops->run_call) {
			fflush(stdout);
			fe->ops->run_call(fe, t, a, t->verbosity, o);
		} else {
			outcome_set(o, OUT_ERROR, "TaskError", "no front-end to run this action\n");
		}
	}
}

static void save_success(struct runner *r, struct dnode *n)
{
	struct task *t = n->task;
	struct frontend *fe = r->g->fe;
	struct task_record rec = {0};
	struct filesig *sigs = NULL;
	char *values = NULL, *result = NULL;
	size_t nsigs = 0;
	struct err e = {0};

	if (t->fe && fe && fe->ops->finish && fe->ops->finish(fe, t, &values, &result, &e) < 0)
		goto fail;
	if (state_load(r->st, t->name, &rec, &e) < 0)
		goto fail;
	if (plan_signatures(&r->plan, t, &rec, &sigs, &nsigs, &e) < 0) {
		char *msg = xasprintf("ERROR: Task '%s' saving success: %s", t->name, e.msg);
		snprintf(e.msg, sizeof(e.msg), "%s", msg);
		free(msg);
		goto fail;
	}
	if (state_save_success(r->st, t->name, checker_name(r->o->checker), sigs, nsigs,
	                       values, result, &e) < 0)
		goto fail;
	n->run_status = RS_SUCCESS;
	r->rep->ops->add_success(r->rep, t);
	goto out;
fail:
	fail_with(r, n, "DependencyError", e.msg);
out:
	task_record_free(&rec);
	free(sigs);
	free(values);
	free(result);
}

/* doit's runtime errors: reported after everything else, the run stops with 2. */
static void abort_run(struct runner *r, const char *msg)
{
	r->rep->ops->runtime_error(r->rep, msg);
	r->final = RESULT_ERROR;
	r->stop = true;
}

static void execute(struct runner *r, struct dnode *n)
{
	struct task *t = n->task;
	struct outcome o = {0};

	if (t->abort_msg) {
		abort_run(r, t->abort_msg);
		return;
	}
	if (t->teardown.n)
		vec_push(&r->teardown, t);
	r->rep->ops->execute_task(r->rep, t);
	t->executed = true;
	run_actions(r, t, &t->actions, &o);
	r->g->epoch++;
	if (o.exit) {
		r->exit = r->stop = true;
		r->exit_code = o.exit_code;
	} else if (o.status == OUT_OK)
		save_success(r, n);
	else
		handle_error(r, n, &o);
	outcome_clear(&o);
}

static void teardown(struct runner *r)
{
	size_t i;

	for (i = r->teardown.n; i-- > 0;) {
		struct task *t = r->teardown.v[i];
		struct outcome o = {0};

		r->rep->ops->teardown_task(r->rep, t);
		run_actions(r, t, &t->teardown, &o);
		if (o.status != OUT_OK) {
			char *msg = xasprintf("ERROR: task '%s' teardown action\n%s", t->name,
			                      o.msg && strchr(o.msg, '\n') ?
			                      strchr(o.msg, '\n') + 1 : "");
			r->rep->ops->cleanup_error(r->rep, msg);
			free(msg);
		}
		outcome_clear(&o);
	}
}

int run_tasks(struct graph *g, struct state *st, struct reporter *rep,
              const struct run_opts *o, const struct vec *selected, struct err *e)
{
	struct runner r = {0};
	struct dnode *n = NULL;
	int rc = 0;

	r.g = g;
	r.st = st;
	r.rep = rep;
	r.o = o;
	r.plan.g = g;
	r.plan.io = &plan_io_real;
	r.plan.checker = o->checker;
	r.d = dispatch_new(g, selected);
	g->st = st;
	while (!r.stop) {
		rc = dispatch_next(r.d, n, &n, e);
		if (rc < 0 && e->code == 2) {
			abort_run(&r, e->msg);
			rc = 0;
		}
		if (rc <= 0)
			break;
		if (select_task(&r, n))
			execute(&r, n);
	}
	fflush(stdout);
	teardown(&r);
	rep->ops->complete_run(rep);
	plan_clear(&r.plan);
	vec_free(&r.teardown);
	dispatch_free(r.d);
	g->st = NULL;
	if (rc < 0)
		return -1;
	return r.exit ? r.exit_code : r.final;
}
