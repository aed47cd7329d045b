/* dodo: run doit task files with a C engine. main: a table of subcommands. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "py/pyfront.h"
#include "util.h"

#ifdef __SANITIZE_ADDRESS__
/* CPython (and OpenSSL, which its hashlib loads) keep some allocations until the process
 * ends; ours must all be freed. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libpython3\nleak:libcrypto\nleak:libssl\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

/* name, function, purpose, usage, description, options, loads tasks, executes tasks */
static const struct command commands[] = {
	{"auto", cmd_auto, "automatically execute tasks when a dependency changes", "[TASK ...]",
	 cmd_auto_description, cmd_auto_opts, true, true},
	{"clean", cmd_clean, "clean action / remove targets", "[TASK ...]",
	 cmd_clean_description, cmd_clean_opts, true, false},
	{"dumpdb", cmd_dumpdb, "dump dependency DB", "", NULL, cmd_dumpdb_opts, false, false},
	{"forget", cmd_forget, "clear successful run status from internal DB", "[TASK ...]",
	 NULL, cmd_forget_opts, true, false},
	{"help", cmd_help, "show help", "[TASK] [COMMAND]", NULL, cmd_no_opts, true, false},
	{"ignore", cmd_ignore, "ignore task (skip) on subsequent runs", "TASK [TASK ...]",
	 NULL, cmd_no_opts, true, false},
	{"info", cmd_info, "show info about a task", "TASK", NULL, cmd_info_opts, true, false},
	{"list", cmd_list, "list tasks from dodo file", "[TASK ...]", NULL, cmd_list_opts,
	 true, false},
	{"reset-dep", cmd_resetdep, "recompute and save the state of file dependencies "
	 "without executing actions", "[TASK ...]", cmd_resetdep_description, cmd_no_opts,
	 true, false},
	{"run", cmd_run, "run tasks", "[TASK/TARGET...]", NULL, cmd_run_opts, true, true},
	{"strace", cmd_strace, "use strace to list file_deps and targets", "TASK",
	 cmd_strace_description, cmd_strace_opts, true, true},
	{"tabcompletion", cmd_completion, "generate script for tab-completion", "", NULL,
	 cmd_completion_opts, true, false},
};

/* The index of the first argument that is not a NAME=VALUE variable (doit's
 * process_args), or argc. */
static int first_word(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (argv[i][0] == '-' || !strchr(argv[i], '='))
			break;
	return i;
}

/* Run command c, or the plugin command named argv[w] when c is NULL, with the arguments
 * but the command's name (variables before it stay). */
static int run_named(struct cmd_env *env, const struct command *c, int argc, char **argv,
                     int w)
{
	char **args = xcalloc((size_t)argc, sizeof(*args));
	int rc;

	memcpy(args, argv + 1, (size_t)(w - 1) * sizeof(*args));
	memcpy(args + w - 1, argv + w + 1, (size_t)(argc - w - 1) * sizeof(*args));
	env->cmd = c;
	env->cmd_given = true;
	rc = c ? c->fn(env, argc - 2, args) : cmd_plugin_run(env, argv[w], argc - 2, args);
	free(args);
	return rc;
}

/* The process's exit for a command's return (cmd.h: CMD_EXIT_ZERO, CMD_DIE_SIGINT). */
static int exit_status(int rc)
{
	if (rc == CMD_EXIT_ZERO)
		return 0;
	if (rc == CMD_DIE_SIGINT) {
		/* as Python does on an uncaught KeyboardInterrupt */
		fflush(NULL);
		signal(SIGINT, SIG_DFL);
		raise(SIGINT);
		return 128 + SIGINT;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct cmd_env env = {0};
	const struct command *c;
	int w, rc;

	env.bin_name = "dodo";
	env.loader = pyfront_loader(argc, argv);
	env.commands = commands;
	env.ncommands = sizeof(commands) / sizeof(commands[0]);
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("dodo %s (doit-compatible task runner)\n", DODO_VERSION);
		return 0;
	}
	w = first_word(argc, argv);
	c = w < argc ? cmd_find(&env, argv[w]) : NULL;
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		rc = cmd_usage(&env);
	} else if (c || (w < argc && cmd_is_plugin(&env, argv[w]))) {
		rc = run_named(&env, c, argc, argv, w);
	} else {
		env.cmd = cmd_find(&env, "run");
		rc = cmd_run(&env, argc - 1, argv + 1);
	}
	config_free(env.config);
	return exit_status(rc);
}
