/* Plugin commands: doit's [COMMAND] configuration section (name = module:Class), run by
 * the front-end that can import them. */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "frontend.h"

/* The configuration files, read once (NULL when they do not parse: the command that
 * applies them reports it). */
static struct config *config_of(struct cmd_env *env)
{
	struct err e = {0};

	if (!env->config)
		env->config = config_read(env->loader, &e);
	return env->config;
}

bool cmd_is_plugin(struct cmd_env *env, const char *name)
{
	if (!env->config && !config_may_name_commands())
		return false;   /* not worth starting Python to parse them */
	return config_get(config_of(env), "COMMAND", name) != NULL &&
	       env->loader->plugin_command != NULL;
}

int cmd_plugin_run(struct cmd_env *env, const char *name, int argc, char **argv)
{
	fflush(stdout);
	return env->loader->plugin_command(env->loader, name, argc, argv);
}

static void add_name(void *arg, const char *key, const char *value)
{
	vec_push(arg, (void *)key);
}

void cmd_plugin_names(struct cmd_env *env, struct vec *out)
{
	if (env->loader->plugin_command)
		config_each(config_of(env), "COMMAND", add_name, out);
}

char *cmd_plugin_purpose(struct cmd_env *env, const char *name)
{
	char *s = env->loader->plugin_purpose ?
	          env->loader->plugin_purpose(env->loader, name) : NULL;

	return s ? s : xstrdup("");
}
