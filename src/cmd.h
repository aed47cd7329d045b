#ifndef DODO_CMD_H
#define DODO_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "util.h"

/* Subcommands. Each takes the arguments after its name and returns the exit code. */

struct loader;
struct graph;
struct config;

struct command;

struct cmd_env {
	struct loader *loader;      /* how task files are loaded */
	const char *bin_name;       /* for messages: "dodo" */
	bool auto_delayed_regex;    /* every delayed loader may create any target */
	const struct command *cmd;  /* the command running (NULL: run, as a default) */
	bool cmd_given;             /* its name was on the command line */
	const struct command *commands;     /* every command, for help and completion */
	size_t ncommands;
	struct config *config;      /* the configuration files, once read (or NULL) */
};

/* A subcommand: doit's name, help texts and options. */
struct command {
	const char *name;
	int (*fn)(struct cmd_env *env, int argc, char **argv);
	const char *purpose;        /* one line, for `help` */
	const char *usage;          /* arguments, for `help COMMAND` */
	const char *description;    /* long text, or NULL */
	const struct optdef *opts;  /* its own options, {0}-terminated */
	bool tasks;                 /* loads the task file: takes the loader options */
	bool execute;               /* executes tasks (delayed task creation stays delayed) */
};

int cmd_run(struct cmd_env *env, int argc, char **argv);
int cmd_list(struct cmd_env *env, int argc, char **argv);
int cmd_info(struct cmd_env *env, int argc, char **argv);
int cmd_clean(struct cmd_env *env, int argc, char **argv);
int cmd_forget(struct cmd_env *env, int argc, char **argv);
int cmd_ignore(struct cmd_env *env, int argc, char **argv);
int cmd_resetdep(struct cmd_env *env, int argc, char **argv);
int cmd_dumpdb(struct cmd_env *env, int argc, char **argv);
int cmd_strace(struct cmd_env *env, int argc, char **argv);
int cmd_completion(struct cmd_env *env, int argc, char **argv);
int cmd_help(struct cmd_env *env, int argc, char **argv);
int cmd_auto(struct cmd_env *env, int argc, char **argv);

/* Each command's own options and long description. */
extern const struct optdef cmd_run_opts[], cmd_list_opts[], cmd_info_opts[], cmd_clean_opts[],
	cmd_forget_opts[], cmd_no_opts[], cmd_dumpdb_opts[], cmd_strace_opts[],
	cmd_completion_opts[];
extern const char cmd_clean_description[], cmd_resetdep_description[],
	cmd_strace_description[];
extern const struct optdef cmd_auto_opts[];
extern const char cmd_auto_description[];

/* Print doit's usage text (`--help`, `help`); returns 0. */
int cmd_usage(struct cmd_env *env);

/* Plugin commands of the configuration ([COMMAND] name = module:Class). */
bool cmd_is_plugin(struct cmd_env *env, const char *name);
/* Run one (argc < 0: print its help); returns its exit code. */
int cmd_plugin_run(struct cmd_env *env, const char *name, int argc, char **argv);
/* Their names (borrowed), appended to out; their purpose (malloc'd). */
void cmd_plugin_names(struct cmd_env *env, struct vec *out);
char *cmd_plugin_purpose(struct cmd_env *env, const char *name);

/* The command named name, or NULL. */
const struct command *cmd_find(const struct cmd_env *env, const char *name);

/* A command's full option table (the loader options first when it loads tasks),
 * malloc'd and {0}-terminated; free() it. */
struct optdef *cmd_optdefs(const struct command *c);

/* Apply the configuration files' [GLOBAL] and [command] sections to o (the command
 * line and the environment win). 0, or the exit code after printing the error. */
int cmd_config(struct cmd_env *env, struct opts *o);

/* Parse argv against the running command's options and apply the configuration files.
 * *defs gets the table (free it after opts_free). 0, or the exit code after printing. */
int cmd_parse(struct cmd_env *env, struct opts *o, struct optdef **defs, int argc,
              char **argv);

/* Options every task-file command takes (terminated by {0}); commands append theirs. */
extern const struct optdef cmd_loader_opts[];

/* Common steps. Print the error and return the exit code (0 on success). */
int cmd_load(struct cmd_env *env, struct opts *o, struct graph *g, struct vec *def_tasks);
/* The task names a command line selects (doit's TaskControl._filter_tasks): names,
 * patterns, targets; task options parsed by the front-end. out gets borrowed names. */
int cmd_select(struct cmd_env *env, struct graph *g, struct vec *args, struct vec *out,
               struct err *e);
/* The tasks a run-like command works on: those named on the command line, else
 * default_tasks, else every task in definition order (borrowed names into sel). */
int cmd_select_default(struct cmd_env *env, struct graph *g, struct opts *o,
                       struct vec *def_tasks, struct vec *sel, struct err *e);
/* What a command returns to end dodo as Python ends on an exception the task file let
 * out: exit status 0 (SystemExit(0): a command's 0 would mean "go on"), or death by
 * SIGINT (KeyboardInterrupt). main turns them into that. */
#define CMD_EXIT_ZERO (-3)
#define CMD_DIE_SIGINT (-4)

/* Report an error the doit way ("ERROR: msg" on stderr) and return its code (for
 * e->raised, as Python would end: see CMD_EXIT_ZERO). */
int cmd_error(const struct err *e);

#endif
