#ifndef DODO_CMD_H
#define DODO_CMD_H

#include "cli.h"
#include "util.h"

/* Subcommands. Each takes the arguments after its name and returns the exit code. */

struct loader;
struct graph;

struct cmd_env {
	struct loader *loader;      /* how task files are loaded */
	const char *bin_name;       /* for messages: "dodo" */
};

int cmd_run(struct cmd_env *env, int argc, char **argv);

/* Options every task-file command takes (terminated by {0}); commands append theirs. */
extern const struct optdef cmd_loader_opts[];

/* Common steps. Print the error and return the exit code (0 on success). */
int cmd_load(struct cmd_env *env, struct opts *o, struct graph *g, struct vec *def_tasks);
/* The task names a command line selects (doit's TaskControl._filter_tasks): names,
 * patterns, targets; task options parsed by the front-end. out gets borrowed names. */
int cmd_select(struct cmd_env *env, struct graph *g, struct vec *args, struct vec *out,
               struct err *e);
/* Report an error the doit way ("ERROR: msg" on stderr) and return its code. */
int cmd_error(const struct err *e);

#endif
