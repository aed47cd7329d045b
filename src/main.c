/* dodo: run doit task files with a C engine. main: a table of subcommands. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "py/pyfront.h"
#include "util.h"

static const struct {
	const char *name;
	int (*fn)(struct cmd_env *env, int argc, char **argv);
} commands[] = {
	{"run", cmd_run},
};

int main(int argc, char **argv)
{
	struct cmd_env env = {0};
	size_t i;
	int rc;

	env.bin_name = "dodo";
	env.loader = pyfront_loader(argc, argv);
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("dodo %s (doit-compatible task runner)\n", DODO_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (argc > 1 && strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(&env, argc - 2, argv + 2);
	rc = cmd_run(&env, argc - 1, argv + 1);
	return rc;
}
