#ifndef DODO_GRAPH_H
#define DODO_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* The task graph: tasks in definition order, files interned once. A front-end (dodo.py,
 * later SConstruct) fills it through graph_add_task(); the engine never knows which one. */

struct frontend;
struct state;

/* A file path, interned: compare pointers. */
struct node {
	char *path;
	size_t len;
	struct task *producer;  /* the task that lists it as a target, or NULL */
	/* stat cache, valid while stat_epoch == graph epoch */
	uint64_t stat_epoch;
	bool exists;
	int64_t mtime_ns, size;
	uint64_t ino;
	/* content hash, valid for the stat signature it was computed on */
	bool hashed;
	int64_t hash_mtime_ns, hash_size;
	uint64_t hash_ino, hash;
};

enum action_kind {
	ACTION_CMD,     /* a process the engine spawns */
	ACTION_CALL,    /* code the front-end runs (a Python callable) */
};

enum action_mode {
	MODE_NORMAL,
	MODE_LONG,        /* long-running: output not captured, exit code ignored */
	MODE_INTERACTIVE, /* output not captured, fails on non-zero */
};

struct action {
	enum action_kind kind;
	enum action_mode mode;
	bool shell;         /* CMD: run cmd through /bin/sh -c */
	bool expand;        /* CMD: ask the front-end for the final command */
	bool native;        /* CMD: cmd (a string) or argv (a list) is a template the engine
	                     * can expand itself (expand.c), even when expand is set */
	char *cmd;          /* CMD: shell text (shell); a native string template */
	char **argv;        /* CMD: NULL-terminated argv (!shell); a native list */
	void *fe;           /* front-end object, or NULL */
	/* results of the last execution */
	struct buf out, err;
};

/* An uptodate entry. */
enum utd_kind { UTD_CONST, UTD_SHELL, UTD_FRONTEND };
struct uptodate {
	enum utd_kind kind;
	int value;          /* CONST: 1 true, 0 false, -1 None */
	char *cmd;          /* SHELL */
	size_t index;       /* FRONTEND: index given to the front-end */
};

enum loader_state { LOADER_NONE, LOADER_PENDING, LOADER_DONE };

/* The delayed tasks that may build a target named on the command line (doit's RegexGroup). */
struct regex_group {
	char *target;
	struct vec tasks;           /* char * names of candidate loaders still possible */
	bool found;
};

struct task {
	char *name;
	size_t order;               /* definition order */
	struct vec actions;         /* struct action * */
	struct vec teardown;        /* struct action * */
	struct vec file_dep;        /* struct node *, unique */
	struct vec targets;         /* struct node * */
	struct vec task_dep;        /* char * names */
	struct vec wild_dep;        /* char * fnmatch patterns */
	struct vec setup;           /* char * names */
	struct vec calc_dep;        /* char * names */
	struct vec uptodate;        /* struct uptodate * */
	char *doc;
	int verbosity;              /* -1: not set */
	int capture;                /* io capture: -1 not set, 0, 1 */
	char *subtask_of;           /* the group task whose generator yielded this one (doit's
	                             * subtask_of), or NULL: never derived from the name */
	bool has_subtask, private_;
	bool custom_title;
	enum loader_state loader;   /* a delayed-creation placeholder */
	bool linked;                /* targets registered by graph_link_new */
	char *target_regex;
	char *abort_msg;            /* the run must abort when this task is reached */
	char *delayed_base;         /* the task whose loader creates this one, or NULL (itself) */
	struct regex_group *rgroup; /* for "_regex_target" tasks */
	void *fe;                   /* front-end object, or NULL */

	/* run-time */
	struct vec dep_changed;     /* struct node * that made it run */
	bool executed;
	bool ignored_now;           /* set by the ignore check */
	char *title;                /* cached title, or NULL */
};

struct graph {
	struct vec tasks;           /* struct task *, definition order */
	struct strmap byname;
	struct strmap nodes;        /* path -> struct node * */
	struct strmap targets;      /* path -> struct task * (same keys as nodes) */
	uint64_t epoch;             /* bumped when a task ran: stat caches expire */
	struct frontend *fe;
	struct state *st;           /* the state of past runs, while a command runs */
	struct vec replaced;        /* tasks replaced by delayed creation (freed with g) */
	struct vec groups;          /* struct regex_group *, owned */
	const char *prog;           /* program name for messages ("dodo") */
};

/* A new, empty graph; free with graph_free. */
struct graph *graph_new(void);
void graph_free(struct graph *g);

/* Intern a path (normalised as given, like doit: no realpath). Never fails. */
struct node *graph_node(struct graph *g, const char *path);

/* A new task owned by the graph, appended in definition order. Returns NULL and fills e
 * (doit's "Task names must be unique." message, code 3) when the name is taken. */
struct task *graph_add_task(struct graph *g, const char *name, struct err *e);

/* A new task in place of the one of the same name (delayed creation); the old one stays
 * valid until graph_free. */
struct task *graph_replace_task(struct graph *g, const char *name);

struct task *graph_find(const struct graph *g, const char *name);

/* Append to out (struct task *) the tasks named in names and everything they
   depend on (task_dep, setup, calc_dep), each once, nearest first. Names
   that are not tasks (yet) are skipped. */
void graph_closure(struct graph *g, const struct vec *names, struct vec *out);

/* Add a file_dep, ignoring duplicates. */
void task_add_file_dep(struct graph *g, struct task *t, const char *path);
void task_add_target(struct graph *g, struct task *t, const char *path);
struct action *task_add_action(struct task *t, enum action_kind kind, bool teardown);
struct uptodate *task_add_uptodate(struct task *t, enum utd_kind kind);
/* Append a name to a name list (task_dep, setup, calc_dep, wild_dep) unless present. */
void namelist_add(struct vec *v, const char *name);
bool namelist_has(const struct vec *v, const char *name);
/* Empty a name list, freeing its names. */
void namelist_clear(struct vec *v);

/* After all tasks are added: expand wildcard task_dep, check task_dep and setup names,
 * map targets (two tasks with one target is an error) and add implicit task_dep from
 * file_dep on targets. Returns 0 or -1 with doit's message (code 3). */
int graph_finalize(struct graph *g, struct err *e);

/* Register the targets of newly created tasks (from index `first`, and tasks that replaced
 * a placeholder) and add implicit deps for them (doit's set_implicit_deps). */
int graph_link_new(struct graph *g, size_t first, struct err *e);

/* Add implicit task_dep to t for each of its file_dep (from index `from`) that is a target. */
void graph_implicit_deps(struct graph *g, struct task *t, size_t from);

/* Append to out (char * names, borrowed) the tasks whose names match an fnmatch pattern,
 * in definition order. */
void graph_match(const struct graph *g, const char *pattern, struct vec *out);

/* doit's InvalidCommand message for a name that is no task, target or command. */
int graph_not_found(const struct graph *g, const char *name, struct err *e);

/* A regex group for a target named on the command line, owned by g. */
struct regex_group *graph_regex_group(struct graph *g, const char *target);

/* The task's title: the front-end's custom title or its name (owned by t, valid until the
 * next call); NULL when the custom title raised (frontend_ops.take_raised has it). */
const char *task_title(struct graph *g, struct task *t);

/* Free an action's owned memory (not the struct's front-end object). */
void action_free(struct action *a);

#endif
