/* tabcompletion: bash and zsh completion scripts (doit's cmd_completion). Without
 * --hardcode-tasks the script asks `dodo list` for the task names each time. */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdctx.h"
#include "graph.h"

static const char *const shells[] = {"bash", "", "zsh", "", NULL};

const struct optdef cmd_completion_opts[] = {
	{"shell", 's', "shell", OPT_STR, "bash", "Completion code for SHELL. "
	 "[default: %(default)s]", NULL, NULL, shells},
	{"hardcode_tasks", 0, "hardcode-tasks", OPT_BOOL, NULL, "Hardcode tasks from current "
	 "task list.", NULL, NULL, NULL},
	{0},
};

static bool ident_char(char ch, bool first)
{
	return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (!first && ch >= '0' && ch <= '9');
}

/* Python's Template.safe_substitute: "$name" from vars (name, value pairs); unknown
 * names stay as they are. */
static void substitute(const char *tmpl, const char *const *vars)
{
	const char *p = tmpl;
	size_t i, n;

	while (*p) {
		if (p[0] != '$' || !ident_char(p[1], true)) {
			putchar(*p++);
			continue;
		}
		for (n = 1; ident_char(p[1 + n], false); n++)
			;
		for (i = 0; vars[i]; i += 2)
			if (strlen(vars[i]) == n && strncmp(p + 1, vars[i], n) == 0)
				break;
		if (vars[i])
			fputs(vars[i + 1], stdout);
		else
			fwrite(p, 1, n + 1, stdout);
		p += n + 1;
	}
}

static const char bash_start[] =
	"# bash completion for $pt_bin_name\n"
	"# auto-generate by `$pt_bin_name tabcompletion`\n"
	"\n"
	"# to activate it you need to 'source' the generate script\n"
	"# $ source <generated-script>\n"
	"\n"
	"# reference => http://www.debian-administration.org/articles/317\n"
	"# patch => http://bugs.debian.org/cgi-bin/bugreport.cgi?bug=711879\n"
	"\n"
	"_$pt_bin_name()\n"
	"{\n"
	"    local cur prev words cword basetask sub_cmds tasks i dodof\n"
	"    COMPREPLY=() # contains list of words with suitable completion\n"
	"    # remove colon from word separator list because doit uses colon on task names\n"
	"    _get_comp_words_by_ref -n : cur prev words cword\n"
	"    # list of sub-commands\n"
	"    sub_cmds=\"$pt_cmds\"\n"
	"\n"
	"\n"
	"    # options that take file/dir as values should complete file-system\n"
	"    if [[ \"$prev\" == \"-f\" || \"$prev\" == \"-d\" || \"$prev\" == \"-o\" ]]; then\n"
	"        _filedir\n"
	"        return 0\n"
	"    fi\n"
	"    if [[ \"$cur\" == *=* ]]; then\n"
	"        prev=${cur/=*/}\n"
	"        cur=${cur/*=/}\n"
	"        if [[ \"$prev\" == \"--file=\" || \"$prev\" == \"--dir=\" || \"$prev\" == "
	"\"--output-file=\" ]]; then\n"
	"            _filedir -o nospace\n"
	"            return 0\n"
	"        fi\n"
	"    fi\n"
	"\n"
	"\n"
	"    # get name of the dodo file\n"
	"    for (( i=0; i < ${#words[@]}; i++)); do\n"
	"        case \"${words[i]}\" in\n"
	"        -f)\n"
	"            dodof=${words[i+1]}\n"
	"            break\n"
	"            ;;\n"
	"        --file=*)\n"
	"            dodof=${words[i]/*=/}\n"
	"            break\n"
	"            ;;\n"
	"        esac\n"
	"    done\n"
	"    # dodo file not specified, use default\n"
	"    if [ ! $dodof ]\n"
	"      then\n"
	"         dodof=\"dodo.py\"\n"
	"    fi\n"
	"\n"
	"\n"
	"    # get task list\n"
	"    # if it there is colon it is getting a subtask, complete only subtask names\n"
	"    if [[ \"$cur\" == *:* ]]; then\n"
	"        # extract base task name (remove everything after colon)\n"
	"        basetask=${cur%:*}\n"
	"        # sub-tasks\n"
	"        tasks=$($pt_bin_name list $pt_list_param --quiet --all ${basetask} "
	"2>/dev/null)\n"
	"        COMPREPLY=( $(compgen -W \"${tasks}\" -- ${cur}) )\n"
	"        __ltrim_colon_completions \"$cur\"\n"
	"        return 0\n"
	"    # without colons get only top tasks\n"
	"    else\n"
	"        tasks=$pt_tasks\n"
	"    fi\n"
	"\n"
	"\n"
	"    # match for first parameter must be sub-command or task\n"
	"    # FIXME doit accepts options \"-\" in the first parameter but we ignore this case\n"
	"    if [[ ${cword} == 1 ]] ; then\n"
	"        COMPREPLY=( $(compgen -W \"${sub_cmds} ${tasks}\" -- ${cur}) )\n"
	"        return 0\n"
	"    fi\n";

static const char bash_end[] =
	"\n"
	"    # if there is already one parameter match only tasks (no commands)\n"
	"    COMPREPLY=( $(compgen -W \"${tasks}\" -- ${cur}) )\n"
	"\n"
	"}\n"
	"complete -o filenames -F _$pt_bin_name $pt_bin_name\n";

static const char zsh_start[] =
	"#compdef $pt_bin_name\n"
	"\n"
	"_$pt_bin_name() {\n"
	"    local -a commands tasks\n"
	"    # format is 'completion:description'\n"
	"    commands=(\n"
	"    $pt_cmds\n"
	"    )\n"
	"\n"
	"    # split output by lines to create an array\n"
	"    tasks=$pt_tasks\n"
	"\n"
	"    # complete command or task name\n"
	"    if (( CURRENT == 2 )); then\n"
	"        _arguments -A : '::cmd:(($commands))' '::task:(($tasks))'\n"
	"        return\n"
	"    fi\n"
	"\n"
	"    # revome program name from $words and decrement CURRENT\n"
	"    local curcontext context state state_desc line\n"
	"    _arguments -C '*:: :->'\n"
	"\n"
	"    # complete sub-command or task options\n"
	"    local -a _command_args\n"
	"    case \"$words[1]\" in\n"
	"        $pt_cmds_args\n"
	"\n"
	"        # default completes task names\n"
	"        (*)\n"
	"           _command_args='*::task:(($tasks))'\n"
	"        ;;\n"
	"    esac\n"
	"\n"
	"    # -A no options will be completed after the first non-option argument\n"
	"    _arguments -A : $_command_args\n"
	"    return 0\n"
	"}\n"
	"\n"
	"_$pt_bin_name\n";

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names of the top-level tasks (not sub-tasks), sorted. */
static void task_names(struct graph *g, struct vec *out, bool with_doc)
{
	size_t i;

	for (i = 0; i < g->tasks.n; i++) {
		struct task *t = g->tasks.v[i];
		if (t->subtask_of)
			continue;
		vec_push(out, with_doc ? xasprintf("'%s: %s'", t->name, t->doc ? t->doc : "") :
		         xstrdup(t->name));
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

static void join(struct vec *v, const char *sep, struct buf *out)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		buf_printf(out, "%s%s", i ? sep : "", (char *)v->v[i]);
}

static void free_strings(struct vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	vec_free(v);
}

static void bash_case(const struct command *c, struct buf *out)
{
	bool task = strstr(c->usage, "TASK") != NULL;
	bool cmd = strstr(c->usage, "COMMAND") != NULL;

	buf_printf(out, "\n        %s)\n            COMPREPLY=( $(compgen ", c->name);
	if (task || cmd)
		buf_printf(out, "-W \"%s%s%s\"", task ? "${tasks}" : "", task && cmd ? " " : "",
		           cmd ? "${sub_cmds}" : "");
	else
		buf_puts(out, "-f");
	buf_puts(out, " -- $cur) )\n            return 0\n            ;;");
}

static void bash(struct cmd_env *env, struct cmdctx *c)
{
	struct buf cmds = {0}, tasks = {0}, cases = {0};
	struct vec names = {0};
	size_t i;

	for (i = 0; i < env->ncommands; i++) {
		buf_printf(&cmds, "%s%s", i ? " " : "", env->commands[i].name);
		bash_case(&env->commands[i], &cases);
	}
	if (c->g && opts_int(&c->o, "hardcode_tasks")) {
		task_names(c->g, &names, false);
		buf_putc(&tasks, '"');
		join(&names, " ", &tasks);
		buf_putc(&tasks, '"');
	} else {
		buf_printf(&tasks, "$(%s list --file=\"$dodof\" --quiet 2>/dev/null)",
		           env->bin_name);
	}
	{
		const char *vars[] = {"pt_bin_name", env->bin_name, "pt_cmds", buf_str(&cmds),
		                      "pt_list_param", "--file=\"$dodof\"", "pt_tasks",
		                      buf_str(&tasks), NULL};
		substitute(bash_start, vars);
		printf("\n    case ${words[1]} in\n%s\n    esac\n", buf_str(&cases));
		substitute(bash_end, vars);
	}
	free_strings(&names);
	buf_free(&cmds);
	buf_free(&tasks);
	buf_free(&cases);
}

/* _zsh_arg_line: an option for zsh's _arguments (raw help text, ']' and '"' escaped). */
static void zsh_option(const struct optdef *d, struct buf *out)
{
	struct buf help = {0};
	const char *p;

	if (!d->short_ && !d->long_)
		return;
	for (p = d->help ? d->help : ""; *p; p++) {
		if (*p == ']' || *p == '"')
			buf_putc(&help, '\\');
		buf_putc(&help, *p == '\n' ? ' ' : *p);
	}
	if (d->short_ && d->long_)
		buf_printf(out, "\"(-%c|--%s)\"{-%c,--%s}\"[%s]\" \\", d->short_, d->long_,
		           d->short_, d->long_, buf_str(&help));
	else if (d->long_)
		buf_printf(out, "\"--%s[%s]\" \\", d->long_, buf_str(&help));
	else
		buf_printf(out, "\"-%c[%s]\" \\", d->short_, buf_str(&help));
	buf_free(&help);
}

static void zsh_case(const struct command *c, struct buf *out)
{
	struct optdef *defs = cmd_optdefs(c);
	size_t i;

	buf_printf(out, "\n      (%s)\n          _command_args=(\n", c->name);
	for (i = 0; defs[i].name; i++) {
		buf_puts(out, "            ");
		zsh_option(&defs[i], out);
		buf_putc(out, '\n');
	}
	if (strstr(c->usage, "TASK"))
		buf_puts(out, "            '*::task:(($tasks))'\n");
	if (strstr(c->usage, "COMMAND"))
		buf_puts(out, "            '::cmd:(($commands))'\n");
	buf_puts(out, "            ''\n        )\n      ;;\n");
	free(defs);
}

static void zsh(struct cmd_env *env, struct cmdctx *c)
{
	struct buf cmds = {0}, cases = {0}, tasks = {0};
	struct vec lines = {0};
	size_t i;

	for (i = 0; i < env->ncommands; i++) {
		buf_printf(&cmds, "%s    '%s: %s'", i ? "\n    " : "", env->commands[i].name,
		           env->commands[i].purpose);
		if (i)
			buf_putc(&cases, '\n');
		zsh_case(&env->commands[i], &cases);
	}
	if (c->g && opts_int(&c->o, "hardcode_tasks")) {
		task_names(c->g, &lines, true);
		buf_puts(&tasks, "(\n");
		join(&lines, "\n", &tasks);
		buf_puts(&tasks, "\n)");
	} else {
		buf_printf(&tasks, "(\"${(f)$(%s list --template '{name}: {doc}')}\")",
		           env->bin_name);
	}
	{
		const char *vars[] = {"pt_bin_name", env->bin_name, "pt_cmds_args", buf_str(&cases),
		                      "pt_cmds", buf_str(&cmds), "pt_tasks", buf_str(&tasks), NULL};
		substitute(zsh_start, vars);
	}
	free_strings(&lines);
	buf_free(&cmds);
	buf_free(&cases);
	buf_free(&tasks);
}

int cmd_completion(struct cmd_env *env, int argc, char **argv)
{
	struct cmdctx c = {0};
	int rc;

	c.env = env;
	if ((rc = cmd_parse(env, &c.o, &c.defs, argc, argv)) != 0)
		goto out;
	if (opts_int(&c.o, "hardcode_tasks")) {
		c.g = graph_new();
		if ((rc = cmd_load(env, &c.o, c.g, &c.def_tasks)) != 0)
			goto out;
	}
	if (strcmp(opts_str(&c.o, "shell"), "zsh") == 0)
		zsh(env, &c);
	else
		bash(env, &c);
out:
	fflush(stdout);
	if (!c.g)
		c.env = NULL;
	cmdctx_close(&c);
	return rc;
}
