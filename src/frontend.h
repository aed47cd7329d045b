#ifndef DODO_FRONTEND_H
#define DODO_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util.h"

/* What the engine asks of the front-end that made a task. Every hook is optional: a task
 * with fe == NULL never reaches the front-end. Hooks return 0, or -1 with e filled. */

struct action;
struct proc;
struct frontend;
struct graph;
struct task;

/* How an action or check ended. */
enum { OUT_OK = 0, OUT_FAILED = 1, OUT_ERROR = 2 };
struct outcome {
	int status;
	char *kind;     /* exception name for the report ("TaskFailed"), malloc'd or NULL */
	char *msg;      /* full message (with traceback), malloc'd or NULL */
	/* The action raised an exception doit lets out of its runner (SystemExit,
	 * KeyboardInterrupt): how it ends dodo. msg is what Python prints for it there,
	 * kind what doit prints when its worker (-n) sends it back (remade from its str()). */
	enum err_raise raised;
	int exit_code;  /* RAISE_EXIT: the exit status */
};

/* A command to spawn, all malloc'd; free with cmdspec_free. */
struct cmdspec {
	char *cmd;          /* shell text, run with /bin/sh -c; or NULL */
	struct vec argv;    /* char *, when cmd is NULL */
	char *cwd;          /* or NULL */
	struct vec env;     /* "K=V" strings; used when has_env */
	bool has_env;
};

void cmdspec_free(struct cmdspec *s);

void outcome_set(struct outcome *o, int status, const char *kind, const char *msg);
void outcome_clear(struct outcome *o);

struct frontend_ops {
	/* The final command of an `expand` action. Returns 0; on failure fills o (status
	 * OUT_ERROR) and returns -1. */
	int (*expand)(struct frontend *fe, struct task *t, struct action *a,
	              struct cmdspec *spec, struct outcome *o);
	/* A CMD action finished with exit status rc (output in a->out/err): record it, and
	 * decide the outcome (the engine pre-fills o with its own decision). */
	int (*cmd_done)(struct frontend *fe, struct task *t, struct action *a, int rc,
	                struct outcome *o);
	/* Run a CALL action with the task's effective verbosity; output captured into
	 * a->out / a->err (and shown live as verbosity says). */
	int (*run_call)(struct frontend *fe, struct task *t, struct action *a, int verbosity,
	                struct outcome *o);
	/* Start a CALL action in a forked copy of this process (doit's -P process):
	 * p is the child, its reply arriving on p->fd[0] into reply. 0, or -1 with
	 * e (then nothing runs). */
	int (*fork_call)(struct frontend *fe, struct task *t, struct action *a, int verbosity,
	                 struct proc *p, struct buf *reply, struct err *e);
	/* The forked CALL ended (rc as struct proc's) having sent reply: take over
	 * what the action kept, and decide the outcome as run_call would have. */
	void (*forked_done)(struct frontend *fe, struct task *t, struct action *a,
	                    const struct buf *reply, int rc, struct outcome *o);
	/* t failed with its Python actions forked (doit's -P process, whose worker
	 * sends back nothing of them): its actions keep no output, result or values. */
	void (*forget_run)(struct frontend *fe, struct task *t);
	/* Evaluate a FRONTEND uptodate entry: *res = 1 up to date, 0 not, -1 no opinion. */
	int (*uptodate)(struct frontend *fe, struct task *t, size_t index, int *res,
	                struct err *e);
	/* The task's custom title (malloc'd); NULL when it raised (take_raised has the
	 * exception). */
	char *(*title)(struct frontend *fe, struct task *t);
	/* An exception met where no error could be returned (a custom title's): 1 with e
	 * filled (once), else 0. */
	int (*take_raised)(struct frontend *fe, struct err *e);
	/* Task options on the command line: consume what belongs to t from args[0..n). */
	int (*parse_args)(struct frontend *fe, struct task *t, char **args, size_t n,
	                  size_t *consumed, struct err *e);
	/* Just before a task executes: options, getargs. */
	int (*prepare)(struct frontend *fe, struct task *t, struct err *e);
	/* After success: what to save (malloc'd; NULL for none). -2 with e when the values
	 * cannot be stored (doit fails at the end of the run, closing its state: e is what
	 * it prints then). */
	int (*finish)(struct frontend *fe, struct task *t, char **values_json, char **result,
	              struct err *e);
	/* A task was found up to date: its saved values (JSON text or NULL). */
	void (*restore)(struct frontend *fe, struct task *t, const char *values_json);
	/* calc_dep task `calc` finished: merge its results into t (the front-end updates t's
	 * file_dep/task_dep/calc_dep/uptodate through the graph API). */
	int (*calc_dep)(struct frontend *fe, struct graph *g, struct task *t, struct task *calc,
	                struct err *e);
	/* Does target match the target_regex of delayed task t? 1 yes, 0 no. */
	int (*match_target)(struct frontend *fe, struct task *t, const char *target);
	/* Run the delayed loader of placeholder t, adding tasks to g. */
	int (*create_delayed)(struct frontend *fe, struct graph *g, struct task *t,
	                      struct err *e);
};

/* Texts the commands other than run ask of the front-end. */
enum fe_text {
	FE_TEXT_INFO,       /* `info`: the fields only the front-end knows (getargs, params,
	                     * verbosity, watch), as doit prints them */
	FE_TEXT_UPTODATE,   /* `info`: uptodate entry number index, as doit prints it */
	FE_TEXT_HELP,       /* `help TASK`: the task's line and its parameters */
};

struct reporter;

/* What the commands other than run ask of the front-end. Every hook is optional. */
struct frontend_cmd_ops {
	/* Clean t: return 1 when the engine must remove its targets (clean: True); else run
	 * its clean actions (with dryrun only those taking a `dryrun` argument), printing
	 * doit's lines, and return 0. -1 with e on an internal error. */
	int (*clean)(struct frontend *fe, struct task *t, bool dryrun, struct err *e);
	/* The task_dep then setup names of t as the task file gave them, without the
	 * dependencies the engine added (file_dep on targets, wildcards): malloc'd strings
	 * appended to out (doit's `forget -s` follows only these). 0, or -1. */
	int (*own_deps)(struct frontend *fe, struct task *t, struct vec *out);
	/* A text about t (malloc'd), or NULL for none. */
	char *(*text)(struct frontend *fe, struct task *t, enum fe_text what, size_t index);
	/* A reporter the front-end defines (a class in the task file's configuration, a
	 * plugin), or NULL when it knows no reporter of that name. */
	struct reporter *(*reporter)(struct frontend *fe, const char *name, struct graph *g,
	                             FILE *out, int failure_verbosity);
	/* strace: make t's command actions run under `strace -f -e trace=file` appending to
	 * trace_file, and add the task `strace_report` (printing R/W lines; show_all: also
	 * files outside the folder) to g. 0 or -1 with e. */
	int (*strace)(struct frontend *fe, struct graph *g, struct task *t,
	              const char *trace_file, bool show_all, struct err *e);
	/* auto: t's `watch` entries (malloc'd strings) appended to out. 0 or -1 with e. */
	int (*watch)(struct frontend *fe, struct task *t, struct vec *out, struct err *e);
};

struct frontend {
	const struct frontend_ops *ops;
	void *ctx;
	const struct frontend_cmd_ops *cmd_ops;     /* or NULL */
};

/* Loading a task file (the front door). */
struct opts;

struct load_request {
	const char *file;           /* task file as given (-f), e.g. "dodo.py" */
	const char *dir;            /* -d: the working folder, or NULL (the file's folder) */
	bool seek;                  /* -k: look for the file in parent folders */
	const struct vec *vars;     /* "name=value" command-line variables (char *) */
	const struct vec *args;     /* positional arguments (char *): task names and their
	                             * options, for task_params creators; or NULL */
	bool create_all;            /* run delayed (create_after) creators now: every
	                             * command that does not execute tasks */
};

struct load_inputs;

struct loader {
	/* Find the task file, chdir to its folder (or rq->dir), run it and fill g (setting
	 * g->fe) with its tasks; apply its configuration to o (unless given on the command
	 * line) and append its default task names to default_tasks (malloc'd strings).
	 * Returns 0, or -1 with e (code 3; e->printed when the message was shown). */
	int (*load)(struct loader *l, const struct load_request *rq, struct graph *g,
	            struct opts *o, struct vec *default_tasks, struct err *e);
	/* Release everything load made (tasks' front-end objects, the interpreter). */
	void (*unload)(struct loader *l);
	/* Read the configuration files among paths that exist (NULL-terminated; a later one
	 * overrides an earlier one): add(arg, section, key, value) for each setting, values
	 * as text. Optional. Returns 0, or -1 with e (code 3). */
	int (*read_config)(struct loader *l, const char *const *paths,
	                   void (*add)(void *arg, const char *section, const char *key,
	                               const char *value),
	                   void *arg, struct err *e);
	/* Plugin commands (doit's [COMMAND] configuration section: name = module:Class).
	 * Run command name with its arguments and return its exit code, having printed any
	 * error; with argc < 0 print its help instead. Optional. */
	int (*plugin_command)(struct loader *l, const char *name, int argc, char **argv);
	/* A plugin command's one-line purpose (malloc'd), or NULL. Optional. */
	char *(*plugin_purpose)(struct loader *l, const char *name);
	/* What the last load depended on (inputs.h), for the no-op cache: fills out (free
	 * it with load_inputs_free); folder listings leave out names starting with skip.
	 * Optional. 0, or -1 when nothing is known. */
	int (*inputs)(struct loader *l, const char *skip, struct load_inputs *out);
	/* `dodo auto` (optional, all three or none). release: forget the last load (the
	 * tasks' front-end objects) but keep the interpreter; load may be called again. */
	void (*release)(struct loader *l);
	/* What the last load ran: the task file and the local modules imported (files), and
	 * the folders the task file listed (dirs), as absolute malloc'd paths appended to
	 * files and dirs. 0, or -1 when nothing is known. */
	int (*sources)(struct loader *l, struct vec *files, struct vec *dirs);
	/* These files changed (absolute paths): the next load must read them anew (modules
	 * imported from them are forgotten). */
	void (*refresh)(struct loader *l, const struct vec *changed);
	void *ctx;
};

#endif
