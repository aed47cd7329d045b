#include "run.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dispatch.h"
#include "expand.h"
#include "jobserver.h"
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
	struct err raised;      /* the exception the run ends on (doit's runner lets it out) */
	struct err unsaved;     /* values that cannot be stored: doit fails closing its state */
	struct vec jobs;        /* struct job *, running */
	struct jobserver *js;   /* tokens for jobs beyond the first, or NULL */
	bool want_token;        /* a task waits for a jobserver token */
	struct strmap heads;    /* task name -> struct head *, read ahead (preload) */
	struct vec head_list;   /* struct head *, for freeing */
};

/* A task's saved record read ahead of its first selection. */
struct head {
	char *name;
	struct task_record rec;
	bool taken;
};

/* A task being executed: its actions run in order; a command runs without blocking. */
struct job {
	struct dnode *n;
	size_t ai;              /* the action running, or next */
	struct outcome o;
	struct cmdspec spec;
	struct proc p;
	bool busy;              /* p is running */
	bool done;
	bool token;             /* holds a jobserver token */
	bool forked;            /* p is a forked Python action, its reply into reply */
	struct buf reply;
};

enum { PRELOAD_MIN = 64 };     /* tasks to check before preload_heads pays */

/* The signal that interrupted the run (SIGINT, SIGTERM), or 0. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

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

/* An exception doit lets out of its runner: the run stops (running jobs end), is wound
 * up, and dodo ends as the first one says (run_tasks returns it). */
static void raise_from(struct runner *r, struct dnode *n, const struct err *e)
{
	if (r->raised.raised == RAISE_NONE)
		r->raised = *e;
	if (n)
		n->run_status = RS_FAILURE;
	r->stop = true;
}

/* An action raised SystemExit or KeyboardInterrupt. doit's -n workers send it back
 * as its type and str(), which the main process raises again. */
static void action_raised(struct runner *r, struct dnode *n, const struct outcome *o)
{
	struct err e = {0};
	bool worker = r->o->jobs > 0;
	const char *text = worker ? o->kind : o->msg;

	seterr(&e, worker && o->raised == RAISE_EXIT ? 1 : o->exit_code, "%s",
	       text ? text : "");
	e.raw = true;
	e.raised = o->raised;
	raise_from(r, n, &e);
}

/* Did the front-end meet an exception it could not return (a custom title's)? */
static bool frontend_raised(struct runner *r, struct dnode *n)
{
	struct frontend *fe = r->g->fe;
	struct err e = {0};

	if (!fe || !fe->ops->take_raised || !fe->ops->take_raised(fe, &e))
		return false;
	raise_from(r, n, &e);
	return true;
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

/* An up-to-date task whose deps' stat differs from the saved one (a file
 * touched but not changed, a state file from before depsig): save the stat
 * of now with the same hashes, so the next run knows it from the digest
 * alone. Its outcome is unchanged, so a failure is only a warning. */
static void refresh_signatures(struct runner *r, struct task *t, const struct task_record *rec)
{
	struct filesig *sigs = NULL;
	size_t nsigs = 0;
	struct err e = {0};

	if (plan_signatures(&r->plan, t, rec, &sigs, &nsigs, &e) < 0 ||
	    state_save_success(r->st, t->name, rec->checker, sigs, nsigs, rec->values_json,
	                       rec->result, &e) < 0)
		warn("%s", e.msg);
	free(sigs);
}

static void free_heads(struct runner *r);

static void keep_head(void *arg, const char *name, struct task_record *rec)
{
	struct runner *r = arg;
	struct head *h = xcalloc(1, sizeof(*h));

	h->name = xstrdup(name);
	h->rec = *rec;
	strmap_put(&r->heads, h->name, strlen(h->name), h);
	vec_push(&r->head_list, h);
}

/* Read every task's saved record in one pass over the state file: cheaper
 * than a query per task once many tasks are to be checked. A failure only
 * leaves the queries per task to do the work (and report it). */
static void preload_heads(struct runner *r)
{
	struct err e = {0};

	strmap_reserve(&r->heads, r->g->tasks.n);
	if (state_foreach_head(r->st, keep_head, r, &e) < 0)
		free_heads(r);
}

/* Move the read-ahead record of name into rec (once). */
static bool take_head(struct runner *r, const char *name, struct task_record *rec)
{
	struct head *h = strmap_get(&r->heads, name, strlen(name));

	if (!h || h->taken)
		return false;
	*rec = h->rec;
	memset(&h->rec, 0, sizeof(h->rec));
	h->taken = true;
	return true;
}

static void free_heads(struct runner *r)
{
	size_t i;

	for (i = 0; i < r->head_list.n; i++) {
		struct head *h = r->head_list.v[i];
		task_record_free(&h->rec);
		free(h->name);
		free(h);
	}
	vec_free(&r->head_list);
	strmap_free(&r->heads);
	memset(&r->heads, 0, sizeof(r->heads));
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
	if (!take_head(r, t->name, &rec) && state_load_head(r->st, t->name, &rec, &e) < 0) {
		fail_with(r, n, "DependencyError", e.msg);
		return false;
	}
	if (n->ignored_deps.n || rec.ignored) {
		n->run_status = RS_IGNORE;
		r->rep->ops->skip_ignore(r->rep, t);
		frontend_raised(r, n);
		goto out;
	}
	if (n->bad_deps.n) {
		unmet_dependency(r, n);
		goto out;
	}
	/* The saved digest of the deps' stat answers for an unchanged task;
	   only a changed one reads its dep rows. */
	if (plan_deps_match(&r->plan, t, &rec, &e) < 0 || (!rec.deps_match &&
	    state_load_deps(r->st, &rec, &e) < 0) || plan_status(&r->plan, t, &rec, &e) < 0 ||
	    r->plan.status == STATUS_ERROR) {
		char *msg;

		if (e.raised != RAISE_NONE) {   /* an uptodate callable raised */
			raise_from(r, n, &e);
			goto out;
		}
		msg = xasprintf("ERROR: Task '%s' checking dependencies: %s", t->name,
		                r->plan.status == STATUS_ERROR ? r->plan.error : e.msg);
		fail_with(r, n, "DependencyError", msg);
		free(msg);
		goto out;
	}
	if (r->plan.forget && state_forget(r->st, t->name, &e) < 0)
		warn("%s", e.msg);
	n->run_status = r->o->always || r->plan.status == STATUS_RUN ? RS_RUN : RS_UPTODATE;
	if (n->run_status == RS_UPTODATE) {
		if (rec.found && !rec.deps_match && t->file_dep.n)
			refresh_signatures(r, t, &rec);
		r->rep->ops->skip_uptodate(r->rep, t);
		if (t->fe && fe && fe->ops->restore)
			fe->ops->restore(fe, t, rec.values_json);
		frontend_raised(r, n);
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
		if (e.raised != RAISE_NONE)
			raise_from(r, n, &e);
		else
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

	if (a->native && action_expand_native(t, a, spec) == 0)
		return 0;
	cmdspec_free(spec);
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

/* The verbosity t's actions show their output live with: none when doit's -P
 * process worker would print into its copy of the json reporter's buffers. */
static int live_verbosity(const struct runner *r, const struct task *t)
{
	return r->o->fork_calls && r->rep->buffers_stdio ? 0 : t->verbosity;
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
			run_cmd(r, t, a, live_verbosity(r, t), o);
		} else if (fe && fe->ops->run_call) {
			fflush(stdout);
			fe->ops->run_call(fe, t, a, live_verbosity(r, t), o);
		} else {
			outcome_set(o, OUT_ERROR, "TaskError", "no front-end to run this action\n");
		}
	}
}

/* n succeeded but its values cannot be stored: doit reports the success, goes on, and
 * fails when it closes its state at the end of the run. The task keeps no saved state. */
static void unsavable(struct runner *r, struct dnode *n, const struct err *e)
{
	struct err se;

	if (r->unsaved.raised == RAISE_NONE)
		r->unsaved = *e;
	if (state_remove_success(r->st, n->task->name, &se) < 0)
		warn("%s", se.msg);
	n->run_status = RS_SUCCESS;
	r->rep->ops->add_success(r->rep, n->task);
}

static void save_success(struct runner *r, struct dnode *n)
{
	struct task *t = n->task;
	struct frontend *fe = r->g->fe;
	struct task_record rec = {0};
	struct filesig *sigs = NULL;
	char *values = NULL, *result = NULL;
	size_t nsigs = 0;
	struct err e = {0}, se;
	int rc = t->fe && fe && fe->ops->finish ? fe->ops->finish(fe, t, &values, &result, &e) : 0;

	if (rc == -2) {
		unsavable(r, n, &e);
		goto out;
	}
	if (rc < 0 && e.raised != RAISE_NONE) {
		if (state_remove_success(r->st, t->name, &se) < 0)
			warn("%s", se.msg);
		raise_from(r, n, &e);
		goto out;
	}
	if (rc < 0)
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

static void job_cmd_done(struct runner *r, struct job *j);

/* Start action j->ai and those after it until one runs in the background or all ran. */
static void job_advance(struct runner *r, struct job *j)
{
	struct task *t = j->n->task;
	struct frontend *fe = r->g->fe;
	struct err e = {0};
	int live = live_verbosity(r, t);
	bool detach, group;

	for (; j->o.status == OUT_OK && j->ai < t->actions.n; j->ai++) {
		struct action *a = t->actions.v[j->ai];

		buf_reset(&a->out);
		buf_reset(&a->err);
		if (a->kind == ACTION_CMD) {
			if (build_spec(r, t, a, &j->spec, &j->o) < 0) {
				cmdspec_free(&j->spec);
				continue;
			}
			fflush(stdout);
			detach = a->mode == MODE_LONG && r->o->detach_long;
			group = detach || (a->mode == MODE_NORMAL && r->o->group_cmds);
			if (proc_spawn(&j->p, &j->spec, a->mode == MODE_NORMAL, group, &a->out,
			               &a->err, live >= 2, live >= 1, &e) < 0) {
				outcome_set(&j->o, OUT_ERROR, "TaskError", e.msg);
				cmdspec_free(&j->spec);
				continue;
			}
			if (group && r->o->on_proc)
				r->o->on_proc(r->o->hook_arg, t, &j->p, true);
			j->busy = true;
			if (detach) {   /* left running: done as far as the run goes */
				proc_release(&j->p);
				j->p.rc = 0;
				job_cmd_done(r, j);
			}
			return;
		}
		if (r->o->fork_calls && fe && fe->ops->fork_call) {
			buf_reset(&j->reply);
			if (fe->ops->fork_call(fe, t, a, live, &j->p, &j->reply, &e) < 0) {
				outcome_set(&j->o, OUT_ERROR, "TaskError", e.msg);
				continue;
			}
			j->forked = j->busy = true;
			return;
		} else if (fe && fe->ops->run_call) {
			fflush(stdout);
			fe->ops->run_call(fe, t, a, t->verbosity, &j->o);
		} else {
			outcome_set(&j->o, OUT_ERROR, "TaskError", "no front-end to run this action\n");
		}
	}
	j->done = true;
}

/* The job's command exited: record it and go on with the next action. */
static void job_cmd_done(struct runner *r, struct job *j)
{
	struct task *t = j->n->task;
	struct action *a = t->actions.v[j->ai];
	struct frontend *fe = r->g->fe;
	char *shown;

	j->busy = false;
	if (j->forked) {
		j->forked = false;
		fe->ops->forked_done(fe, t, a, &j->reply, j->p.rc, &j->o);
		buf_free(&j->reply);
		j->ai++;
		job_advance(r, j);
		return;
	}
	shown = shown_command(&j->spec);
	if (r->o->group_cmds && r->o->on_proc && a->mode == MODE_NORMAL)
		r->o->on_proc(r->o->hook_arg, t, &j->p, false);
	native_outcome(a, shown, j->p.rc, &j->o);
	free(shown);
	if (t->fe && fe && fe->ops->cmd_done)
		fe->ops->cmd_done(fe, t, a, j->p.rc, &j->o);
	cmdspec_free(&j->spec);
	j->ai++;
	job_advance(r, j);
}

/* Start executing a selected node; NULL when there is nothing to execute. */
static struct job *job_start(struct runner *r, struct dnode *n)
{
	struct task *t = n->task;
	struct job *j;

	if (t->abort_msg) {
		abort_run(r, t->abort_msg);
		return NULL;
	}
	if (t->teardown.n)
		vec_push(&r->teardown, t);
	if (r->o->before_task)
		r->o->before_task(r->o->hook_arg, t);
	r->rep->ops->execute_task(r->rep, t);
	if (frontend_raised(r, n))
		return NULL;
	/* doit's -P process runs the whole task in a worker: its own Task object
	   is marked executed only by a success's reply (see job_finish) */
	t->executed = !r->o->fork_calls;
	j = xcalloc(1, sizeof(*j));
	j->n = n;
	job_advance(r, j);
	return j;
}

/* doit's -P process worker sends a failure back without the task's output. */
static void forget_output(struct runner *r, struct task *t)
{
	struct frontend *fe = r->g->fe;
	size_t i;

	for (i = 0; i < t->actions.n; i++) {
		struct action *a = t->actions.v[i];
		buf_reset(&a->out);
		buf_reset(&a->err);
	}
	if (t->fe && fe && fe->ops->forget_run)
		fe->ops->forget_run(fe, t);
}

/* A job's actions are over: save or report, and free it. */
static void job_finish(struct runner *r, struct job *j)
{
	if (j->token)
		jobserver_release(r->js);
	if (j->n->task->actions.n)   /* an action may have changed any file */
		r->g->epoch++;
	if (j->o.raised != RAISE_NONE) {
		action_raised(r, j->n, &j->o);
	} else if (j->o.status == OUT_OK) {
		/* doit's worker replies to a success with its executed Task and the
		   actions' output: shown if saving the success fails */
		j->n->task->executed = true;
		save_success(r, j->n);
	} else {
		if (r->o->fork_calls)
			forget_output(r, j->n->task);
		handle_error(r, j->n, &j->o);
	}
	outcome_clear(&j->o);
	buf_free(&j->reply);
	free(j);
}

static void kill_jobs(struct runner *r, int sig)
{
	size_t i;

	for (i = 0; i < r->jobs.n; i++) {
		struct job *j = r->jobs.v[i];
		if (j->busy)
			proc_kill(&j->p, sig);
	}
}

/* Wait until a running job finishes; returns it (removed from r->jobs), or NULL when
 * interrupted by a signal or when a jobserver token may be available. */
static struct job *wait_job(struct runner *r)
{
	struct pollfd *pfd = xreallocarray(NULL, 2 * r->jobs.n + 2, sizeof(*pfd));
	int *count = xreallocarray(NULL, r->jobs.n + 1, sizeof(*count));
	struct job *done = NULL;

	while (!done && !interrupted) {
		size_t i, k = 0;
		bool reap = false;

		for (i = 0; i < r->jobs.n; i++) {
			struct job *j = r->jobs.v[i];
			count[i] = j->busy ? proc_pollfds(&j->p, pfd + k) : 0;
			k += (size_t)count[i];
			reap |= j->busy && count[i] == 0;
		}
		if (r->want_token) {
			pfd[k].fd = jobserver_fd(r->js);
			pfd[k].events = POLLIN;
			pfd[k].revents = 0;
		}
		if (poll(pfd, (nfds_t)(k + r->want_token), reap ? 5 : -1) < 0 && errno != EINTR)
			fatal("poll:");
		if (r->want_token && pfd[k].revents) {
			r->want_token = false;
			break;
		}
		for (i = 0, k = 0; i < r->jobs.n && !done; i++) {
			struct job *j = r->jobs.v[i];
			if (count[i])
				proc_handle(&j->p, pfd + k, count[i]);
			k += (size_t)count[i];
			if (j->busy && proc_reap(&j->p, false))
				job_cmd_done(r, j);
			if (j->done) {
				done = j;
				r->jobs.v[i] = r->jobs.v[--r->jobs.n];
			}
		}
	}
	free(pfd);
	free(count);
	return done;
}

/* Let running jobs finish after an interruption: ask them to stop, then reap. */
static void drain_jobs(struct runner *r)
{
	size_t i;

	kill_jobs(r, interrupted == SIGINT ? SIGINT : SIGTERM);
	for (i = 0; i < r->jobs.n; i++) {
		struct job *j = r->jobs.v[i];
		if (j->busy) {
			proc_wait(&j->p);
			cmdspec_free(&j->spec);
		}
		outcome_clear(&j->o);
		buf_free(&j->reply);
		free(j);
	}
	r->jobs.n = 0;
}

/* The runner is done with n: tell the dispatcher. */
static int processed(struct runner *r, struct dnode *n, struct err *e)
{
	if (dispatch_update(r->d, n, e) == 0)
		return 0;
	if (e->code == 2) {
		abort_run(r, e->msg);
		return 0;
	}
	r->stop = true;
	return -1;
}

/* Is the job slot that needs no token in use? (A jobserver's client always
 * has one job of its own; whichever job ends first gives its slot back.) */
static bool free_slot_taken(const struct runner *r)
{
	size_t i;

	for (i = 0; i < r->jobs.n; i++)
		if (!((struct job *)r->jobs.v[i])->token)
			return true;
	return false;
}

/* Start pending (a node selected to execute); false when it must wait for a token. */
static bool start(struct runner *r, struct dnode *pending, struct err *e, int *rc)
{
	bool token = false;
	struct job *j;

	if (r->js && free_slot_taken(r)) {
		if (!jobserver_acquire(r->js)) {
			r->want_token = true;
			return false;
		}
		token = true;
	}
	j = job_start(r, pending);
	if (!j) {
		if (token)
			jobserver_release(r->js);
		return true;
	}
	j->token = token;
	if (!j->done) {
		vec_push(&r->jobs, j);
		return true;
	}
	job_finish(r, j);    /* gives back its token */
	if (processed(r, pending, e) < 0)
		*rc = -1;
	return true;
}

/* doit's run_tasks (Runner and MRunner): offer tasks, keep up to `jobs` executing. */
static int run_loop(struct runner *r, struct err *e)
{
	size_t max = r->o->jobs > 0 ? (size_t)r->o->jobs : 1;
	struct dnode *pending = NULL, *n;
	bool more = true;
	int rc = 0;

	for (;;) {
		while ((more || pending) && !r->stop && !interrupted && r->jobs.n < max) {
			int got;

			if (pending) {
				if (!start(r, pending, e, &rc))
					break;
				pending = NULL;
				continue;
			}
			got = dispatch_next(r->d, NULL, &n, e);
			if (got == 1) {
				if (select_task(r, n))
					pending = n;
				else if (processed(r, n, e) < 0)
					rc = -1;
				continue;
			}
			if (got < 0 && e->code == 2) {
				abort_run(r, e->msg);
			} else if (got < 0) {
				rc = -1;
				r->stop = true;
			}
			more = got == DISPATCH_HOLD;
			break;
		}
		if (interrupted)
			break;
		if (!r->jobs.n) {
			if (pending && !r->stop)
				continue;
			if (more && !r->stop) {
				/* every remaining task waits for another and none runs */
				rc = seterr(e, 3, "Cyclic/recursive dependencies: every remaining task "
				            "waits for another one");
			}
			break;
		}
		{
			struct job *j = wait_job(r);
			if (!j && interrupted)
				break;
			if (!j)
				continue;       /* a jobserver token may be free */
			n = j->n;
			job_finish(r, j);
			if (processed(r, n, e) < 0)
				rc = -1;
			more = true;
		}
	}
	if (interrupted)
		drain_jobs(r);
	return rc;
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

/* Does doit run the teardown actions? Its -n workers do when the run ends well, before
 * the state is closed; an exception ends its -P process workers first; else its
 * runner does, after closing the state (which fails on values it cannot store). */
static bool runs_teardown(const struct runner *r)
{
	bool raised = r->raised.raised != RAISE_NONE;

	if (r->o->jobs > 0 && !raised)
		return true;
	if (r->o->fork_calls)
		return false;
	return r->unsaved.raised == RAISE_NONE;
}

/* Stat, threads at once, every file the selected tasks and those they
 * depend on will check: their file_dep and targets; when they are many,
 * read their saved records in one pass. */
static void prefetch(struct runner *r, const struct vec *selected)
{
	struct ptrset seen_nodes = {0};
	struct vec tasks = {0}, nodes = {0};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct prefetch *pf;
	size_t i, k;

	graph_closure(r->g, selected, &tasks);
	for (i = 0; i < tasks.n; i++) {
		struct task *t = tasks.v[i];
		const struct vec *lists[2] = {&t->file_dep, &t->targets};

		for (k = 0; k < 2; k++) {
			size_t j;
			for (j = 0; j < lists[k]->n; j++)
				if (ptrset_add(&seen_nodes, lists[k]->v[j]))
					vec_push(&nodes, lists[k]->v[j]);
		}
	}
	/* the other cores stat while this one reads the saved records */
	pf = plan_prefetch_start(&r->plan, &nodes, ncpu > 4 ? 3 : (int)ncpu - 1);
	if (tasks.n >= PRELOAD_MIN)
		preload_heads(r);
	plan_prefetch_finish(pf);
	vec_free(&nodes);
	vec_free(&tasks);
	ptrset_free(&seen_nodes);
}

int run_tasks(struct graph *g, struct state *st, struct reporter *rep,
              const struct run_opts *o, const struct vec *selected, struct err *e)
{
	struct runner r = {0};
	struct sigaction sa = {0}, old_int, old_term;
	int rc, sig;

	r.g = g;
	r.st = st;
	r.rep = rep;
	r.o = o;
	r.plan.g = g;
	r.plan.io = &plan_io_real;
	r.plan.checker = o->checker;
	r.d = dispatch_new(g, selected);
	r.js = o->jobs > 1 ? jobserver_open(o->jobs) : NULL;
	g->st = st;
	interrupted = 0;
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	prefetch(&r, selected);
	rc = run_loop(&r, e);
	fflush(stdout);
	if (runs_teardown(&r))
		teardown(&r);
	if (r.unsaved.raised == RAISE_NONE)     /* else doit fails before its report */
		rep->ops->complete_run(rep);
	plan_clear(&r.plan);
	free_heads(&r);
	vec_free(&r.teardown);
	dispatch_free(r.d);
	vec_free(&r.jobs);
	jobserver_close(r.js);
	g->st = NULL;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if ((sig = interrupted) != 0 && o->signalled) {
		*o->signalled = sig;
	} else if (sig != 0) {
		/* die of the same signal, as Python (and so doit) does on Ctrl-C */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	if (r.unsaved.raised != RAISE_NONE || r.raised.raised != RAISE_NONE) {
		*e = r.unsaved.raised != RAISE_NONE ? r.unsaved : r.raised;
		return -1;
	}
	if (rc < 0)
		return -1;
	return r.final;
}
