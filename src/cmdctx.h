#ifndef DODO_CMDCTX_H
#define DODO_CMDCTX_H

#include <stdbool.h>

#include "cli.h"
#include "plan.h"
#include "util.h"

/* What the commands working on a task file share: the options, the loaded graph and the
 * state file, and doit's helpers over them (check_tasks_exist, subtasks_iter). */

struct cmd_env;
struct graph;
struct state;
struct task;

struct cmdctx {
	struct cmd_env *env;
	struct optdef *defs;
	struct opts o;
	struct graph *g;
	struct vec def_tasks;       /* char *, malloc'd: DOIT_CONFIG default_tasks */
	struct state *st;           /* NULL until opened */
	enum checker checker;
};

/* Parse argv against the command's options and the configuration, load the task file
 * and, unless state_flags < 0, open the state file (STATE_* flags). Returns 0, or the
 * exit code after printing the error; call cmdctx_close either way. */
int cmdctx_open(struct cmdctx *c, struct cmd_env *env, int argc, char **argv,
                int state_flags);
void cmdctx_close(struct cmdctx *c);

/* Open the state file now (flags as cmdctx_open). 0, or the exit code after printing. */
int cmdctx_state(struct cmdctx *c, int flags);

/* doit's check_tasks_exist: 0, or 3 after printing "'X' is not a task.". */
int cmdctx_check_tasks(struct cmdctx *c, const struct vec *names);

/* The sub-tasks of t, in its task_dep order (struct task *, appended to out). */
void cmd_subtasks(struct graph *g, struct task *t, struct vec *out);

/* t's up-to-date status from its saved record (p: a plan of c's graph and checker,
 * get_log as wanted); *ignored tells the task is ignored (then p is not computed).
 * 0, or -1 with e when an uptodate check fails. */
int cmdctx_status(struct cmdctx *c, struct plan *p, struct task *t, bool *ignored,
                  struct err *e);

/* An option's lines in `help COMMAND` (doit's CmdOption.help_doc), appended to out. */
void cmd_option_help(const struct optdef *d, struct buf *out);

/* Print to stdout what the front-end says about t, if anything. */
void cmd_print_text(struct graph *g, struct task *t, int what, size_t index);

#endif
