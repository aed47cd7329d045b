/* help: usage, a command's options, the task dictionary, a task's parameters (doit's
 * cmd_help and CmdOption.help_doc). */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdctx.h"
#include "frontend.h"
#include "graph.h"

static const char help_task[] =
	"\n"
	"\n"
	"Task Dictionary parameters\n"
	"--------------------------\n"
	"\n"
	"Tasks are defined by functions starting with the string ``task_``. It must return a "
	"dictionary describing the task with the following fields:\n"
	"\n"
	"actions [required]:\n"
	"  - type: Python-Task -> callable or tuple (callable, `*args`, `**kwargs`)\n"
	"  - type: Cmd-Task -> string or list of strings (each item is a different command). "
	"to be executed by shell.\n"
	"  - type: Group-Task -> None.\n"
	"\n"
	"basename:\n"
	"  - type: string. if present use it as task name instead of taking name from python "
	"function\n"
	"\n"
	"name [required for sub-task]:\n"
	"  - type: string. sub-task identifier\n"
	"\n"
	"file_dep:\n"
	"  - type: list. items:\n"
	"    * file (string) path relative to the dodo file\n"
	"\n"
	"task_dep:\n"
	"  - type: list. items:\n"
	"    * task name (string)\n"
	"\n"
	"setup:\n"
	" - type: list. items:\n"
	"   * task name (string)\n"
	"\n"
	"targets:\n"
	"  - type: list of strings\n"
	"  - each item is file-path relative to the dodo file (accepts both files and folders)\n"
	"\n"
	"uptodate:\n"
	"  - type: list. items:\n"
	"    * None - None values are just ignored\n"
	"    * bool - False indicates task is not up-to-date\n"
	"    * callable - returns bool or None. must take 2 positional parameters (task, "
	"values)\n"
	"\n"
	"calc_dep:\n"
	"  - type: list. items:\n"
	"    * task name (string)\n"
	"\n"
	"getargs:\n"
	"  - type: dictionary\n"
	"    * key: string with the name of the function argument (used in a python-action)\n"
	"    * value: tuple of (<task-name>, <variable-name>)\n"
	"\n"
	"teardown:\n"
	" - type: (list) of actions (see above)\n"
	"\n"
	"doc:\n"
	" - type: string -> the description text\n"
	"\n"
	"clean:\n"
	" - type: (True bool) remove target files\n"
	" - type: (list) of actions (see above)\n"
	"\n"
	"params:\n"
	" - type: (list) of dictionaries containing:\n"
	"   - name [required] (string) parameter identifier\n"
	"   - default [required] default value for parameter\n"
	"   - short [optional] (string - 1 letter) short option string\n"
	"   - long [optional] (string) long option string\n"
	"   - type [optional] (callable) the option will be converted to this type\n"
	"   - env_var [optional] (string) name OS environment variable\n"
	"   - choices [optional] (list of 2-tuple str) limit option values,\n"
	"          second tuple element is a help description for value\n"
	"   - help [optional] (string) description displayed by help command\n"
	"   - inverse [optional] (string) for a bool parameter set value to False\n"
	"\n"
	"pos_arg:\n"
	" - type: string -> name of the function argument to receive list of positional "
	"arguments\n"
	"\n"
	"verbosity:\n"
	" - type: int\n"
	"   -  0: capture (do not print) stdout/stderr from task.\n"
	"   -  1: (default) capture stdout only.\n"
	"   -  2: do not capture anything (print everything immediately).\n"
	"\n"
	"title:\n"
	" - type: callable taking one parameter as argument (the task reference)\n"
	"\n"
	"watch:\n"
	" - type: list. items:\n"
	"   * (string) path to be watched when using the `auto` command\n"
	"\n";

/* The text of an option's default, as Python's str() shows it. */
static const char *default_text(const struct optdef *d)
{
	if (d->type == OPT_BOOL)
		return d->def && strcmp(d->def, "0") != 0 ? "True" : "False";
	return d->def ? d->def : "None";
}

/* help % {'default': ...}: replace each "%(default)s". */
static void expand_help(const struct optdef *d, struct buf *out)
{
	const char *p = d->help ? d->help : "", *m;

	while ((m = strstr(p, "%(default)s"))) {
		buf_add(out, p, (size_t)(m - p));
		buf_puts(out, default_text(d));
		p = m + strlen("%(default)s");
	}
	buf_puts(out, p);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* help_choices: sorted, one a line when any has a description. */
static void choices_text(const struct optdef *d, struct buf *out)
{
	const char *names[64];
	size_t i, n = 0;
	bool described = false;

	for (i = 0; d->choices && d->choices[i] && n < 64; i += 2) {
		if (strcmp(d->choices[i], "*") == 0)
			continue;
		names[n++] = d->choices[i];
		described |= d->choices[i + 1] && *d->choices[i + 1];
	}
	if (!n)
		return;
	qsort(names, n, sizeof(*names), cmp_str);
	buf_puts(out, described ? "\nchoices:" : "\nchoices: ");
	for (i = 0; i < n; i++) {
		size_t j;
		const char *desc = "";
		for (j = 0; d->choices[j]; j += 2)
			if (d->choices[j] == names[i])
				desc = d->choices[j + 1] ? d->choices[j + 1] : "";
		if (described)
			buf_printf(out, "\n%s: %s", names[i], desc);
		else
			buf_printf(out, "%s%s", i ? ", " : "", names[i]);
	}
}

/* "  COL1 (24 wide)  COL2", continuation lines of COL2 indented to column 28. */
static void two_columns(const char *col1, const char *col2, struct buf *out)
{
	const char *p;

	buf_printf(out, "  %-24s  ", col1);
	for (p = col2; *p; p++) {
		buf_putc(out, *p);
		if (*p == '\n')
			buf_printf(out, "%28s", "");
	}
	buf_putc(out, '\n');
}

void cmd_option_help(const struct optdef *d, struct buf *out)
{
	struct buf names = {0}, desc = {0};

	if (!d->short_ && !d->long_)
		return;
	if (d->short_)
		buf_printf(&names, "-%c%s", d->short_, d->type == OPT_BOOL ? "" : " ARG");
	if (d->long_)
		buf_printf(&names, "%s--%s%s", d->short_ ? ", " : "", d->long_,
		           d->type == OPT_BOOL ? "" : "=ARG");
	expand_help(d, &desc);
	buf_putc(&desc, ' ');
	choices_text(d, &desc);
	buf_printf(&desc, " (config: %s", d->name);
	if (d->env)
		buf_printf(&desc, ", environ: %s", d->env);
	buf_putc(&desc, ')');
	two_columns(buf_str(&names), buf_str(&desc), out);
	if (d->inverse) {
		buf_reset(&names);
		buf_reset(&desc);
		buf_printf(&names, "--%s", d->inverse);
		buf_printf(&desc, "opposite of --%s", d->long_);
		two_columns(buf_str(&names), buf_str(&desc), out);
	}
	buf_free(&names);
	buf_free(&desc);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The commands (with the plugins), sorted by name. */
static void commands_list(struct cmd_env *env)
{
	struct vec names = {0};
	size_t i;

	for (i = 0; i < env->ncommands; i++)
		vec_push(&names, (void *)env->commands[i].name);
	cmd_plugin_names(env, &names);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), by_name);
	for (i = 0; i < names.n; i++) {
		const struct command *c = cmd_find(env, names.v[i]);
		char *purpose = c ? NULL : cmd_plugin_purpose(env, names.v[i]);

		if (i && strcmp(names.v[i], names.v[i - 1]) == 0)
			continue;
		printf("  %s %-16s  %s\n", env->bin_name, (char *)names.v[i],
		       c ? c->purpose : purpose);
		free(purpose);
	}
	vec_free(&names);
}

int cmd_usage(struct cmd_env *env)
{
	const char *b = env->bin_name;

	printf("%s -- automation tool\nhttp://pydoit.org\n\nCommands\n", b);
	commands_list(env);
	printf("\n");
	printf("  %s help              show help / reference\n", b);
	printf("  %s help task         show help on task dictionary fields\n", b);
	printf("  %s help <command>    show command usage\n", b);
	printf("  %s help <task-name>  show task usage\n", b);
	fflush(stdout);
	return 0;
}

/* Command.help(): purpose, usage, options, description. */
static int command_help(struct cmd_env *env, const struct command *c)
{
	struct optdef *defs = cmd_optdefs(c);
	struct buf b = {0};
	size_t i;

	buf_printf(&b, "Purpose: %s\nUsage:   %s %s %s\n\nOptions:\n", c->purpose,
	           env->bin_name, c->name, c->usage);
	for (i = 0; defs[i].name; i++)
		cmd_option_help(&defs[i], &b);
	if (c->description)
		buf_printf(&b, "\nDescription:\n%s\n", c->description);
	fputs(buf_str(&b), stdout);
	fflush(stdout);
	buf_free(&b);
	free(defs);
	return 0;
}

/* help TASK: the task's line and parameters; usage when there is no such task or no
 * task file. */
static int task_help(struct cmd_env *env, struct cmdctx *c, int argc, char **argv)
{
	struct load_request rq = {0};
	struct err e = {0};
	struct task *t;
	int rc;

	memset(c, 0, sizeof(*c));
	c->env = env;
	c->g = graph_new();
	if ((rc = cmd_parse(env, &c->o, &c->defs, argc, argv)) != 0)
		return rc;
	rq.file = opts_str(&c->o, "dodoFile");
	rq.dir = opts_str(&c->o, "cwdPath");
	rq.seek = opts_int(&c->o, "seek_file");
	rq.vars = &c->o.vars;
	rq.args = &c->o.args;
	rq.create_all = true;
	if (env->loader->load(env->loader, &rq, c->g, &c->o, &c->def_tasks, &e) < 0) {
		if (strncmp(e.msg, "Could not find dodo file", 24) == 0 ||
		    strstr(e.msg, "ERROR: Could not find dodo file"))
			return cmd_usage(env);
		return cmd_error(&e);
	}
	if (graph_finalize(c->g, &e) < 0)
		return cmd_error(&e);
	t = graph_find(c->g, c->o.args.v[0]);
	if (!t)
		return cmd_usage(env);
	cmd_print_text(c->g, t, FE_TEXT_HELP, 0);
	fflush(stdout);
	return 0;
}

int cmd_help(struct cmd_env *env, int argc, char **argv)
{
	struct cmdctx c = {0};
	struct optdef *defs;
	struct opts o;
	const struct command *cmd;
	int rc;

	if ((rc = cmd_parse(env, &o, &defs, argc, argv)) != 0)
		goto out;
	if (o.args.n != 1)
		rc = cmd_usage(env);
	else if (strcmp(o.args.v[0], "task") == 0)
		fputs(help_task, stdout);
	else if ((cmd = cmd_find(env, o.args.v[0])))
		rc = command_help(env, cmd);
	else if (cmd_is_plugin(env, o.args.v[0]))
		rc = cmd_plugin_run(env, o.args.v[0], -1, NULL);
	else
		rc = task_help(env, &c, argc, argv);
out:
	fflush(stdout);
	cmdctx_close(&c);
	opts_free(&o);
	free(defs);
	return rc;
}
