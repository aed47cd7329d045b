#ifndef DODO_RUN_H
#define DODO_RUN_H

#include <stdbool.h>

#include "plan.h"
#include "util.h"

/* The runner: doit's Runner (runner.py). Takes tasks from the dispatcher, decides with
 * plan, executes actions, saves state, tells the reporter. */

struct graph;
struct proc;
struct reporter;
struct state;
struct task;

struct run_opts {
	bool continue_;         /* -c: go on after a failure */
	bool always;            /* -a: run even if up to date */
	int verbosity;          /* -1: not given */
	bool force_verbosity;   /* given on the command line */
	enum checker checker;
	int jobs;               /* -n: tasks executing at once (0 or 1: one at a time) */
	bool fork_calls;        /* Python actions run in a forked copy of dodo (doit's
	                         * -P process with -n, its MRunner) */
	/* `dodo auto` (cmd_auto.c); all off when zeroed. */
	bool detach_long;       /* long-running actions start in their own process group and
	                         * are left running: the action counts as done once started */
	bool group_cmds;        /* normal (captured) commands in their own process group too */
	/* A command started (running: detach_long handed it over, else it runs in its own
	 * group) or exited (!running, p->rc set). Borrowed pointers. */
	void (*on_proc)(void *arg, struct task *t, const struct proc *p, bool running);
	void (*before_task)(void *arg, struct task *t);    /* a task is about to execute */
	void *hook_arg;
	int *signalled;         /* SIGINT/SIGTERM: stored here, and run_tasks returns after
	                         * winding up instead of dying of the signal */
};

/* Run the selected task names (borrowed). Returns doit's result code: 0 ok, 1 a task failed,
 * 2 error; or -1 with e for errors that abort the run before or outside tasks (cycles: code 3)
 * and for an exception of the task file's code that ends the run (e->raised). */
int run_tasks(struct graph *g, struct state *st, struct reporter *rep,
              const struct run_opts *o, const struct vec *selected, struct err *e);

#endif
