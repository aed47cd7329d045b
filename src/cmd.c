#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "frontend.h"
#include "graph.h"

static const char *const backends[] = {"dbm", "", "json", "", "sqlite3", "", NULL};

/* doit's order: the state options, then the loader's. */
const struct optdef cmd_loader_opts[] = {
	{"dep_file", 0, "db-file", OPT_STR, ".dodo.db", "file used to save successful runs "
	 "[default: %(default)s]", NULL, NULL, NULL},
	{"backend", 0, "backend", OPT_STR, "sqlite3", "Select dependency file backend. "
	 "[default: %(default)s]\n(accepted for doit compatibility: dodo always keeps its "
	 "state in SQLite)", NULL, NULL, backends},
	{"check_file_uptodate", 0, "check_file_uptodate", OPT_STR, "md5",
	 "Choose how to check if files have been modified.\nAvailable options [default: "
	 "%(default)s]:\n  'md5': use the md5sum\n  'timestamp': use the timestamp\n", NULL, NULL, NULL},
	{"dodoFile", 'f', "file", OPT_STR, "dodo.py", "load task from dodo FILE "
	 "[default: %(default)s]", NULL, NULL, NULL},
	{"cwdPath", 'd', "dir", OPT_STR, NULL, "set path to be used as cwd directory (file "
	 "paths on dodo file are relative to dodo.py location).", NULL, NULL, NULL},
	{"seek_file", 'k', "seek-file", OPT_BOOL, NULL, "seek dodo file on parent folders "
	 "[default: %(default)s]", "DOIT_SEEK_FILE", NULL, NULL},
	{0},
};

int cmd_error(const struct err *e)
{
	if (!e->printed) {
		fflush(stdout);
		fprintf(stderr, e->raw ? "%s" : "ERROR: %s\n", e->msg);
	}
	if (e->raised == RAISE_SIGINT)
		return CMD_DIE_SIGINT;
	if (e->raised == RAISE_EXIT)
		return e->code & 0xff ? e->code & 0xff : CMD_EXIT_ZERO;
	return e->code ? e->code : 3;
}

int cmd_load(struct cmd_env *env, struct opts *o, struct graph *g, struct vec *def_tasks)
{
	struct load_request rq = {0};
	struct err e = {0};
	int rc;

	/* the configuration files may set the loader's options: read them after it */
	if ((rc = cmd_config(env, o)) != 0)
		return rc;
	rq.file = opts_str(o, "dodoFile");
	rq.dir = opts_str(o, "cwdPath");
	rq.seek = opts_int(o, "seek_file");
	rq.vars = &o->vars;
	rq.args = &o->args;
	rq.create_all = env->cmd && !env->cmd->execute;
	if (env->loader->load(env->loader, &rq, g, o, def_tasks, &e) < 0)
		return cmd_error(&e);
	if (graph_finalize(g, &e) < 0)
		return cmd_error(&e);
	return 0;
}


/* doit's _process_filter: names and patterns, with each task's options consumed. */
static int filter(struct cmd_env *env, struct graph *g, struct vec *args, struct vec *out,
                  struct err *e)
{
	struct frontend *fe = g->fe;
	size_t i = 0;

	while (i < args->n) {
		char *name = args->v[i++];
		struct task *t;
		size_t used = 0;

		if (strchr(name, '*')) {
			graph_match(g, name, out);
			continue;
		}
		vec_push(out, name);
		t = graph_find(g, name);
		if (!t || !t->fe || !fe || !fe->ops->parse_args)
			continue;
		if (fe->ops->parse_args(fe, t, (char **)args->v + i, args->n - i, &used, e) < 0)
			return -1;
		i += used;
	}
	return 0;
}

/* A task standing for one that a delayed loader has not created yet. */
static struct task *placeholder(struct graph *g, const char *name, struct task *base)
{
	struct task *t = graph_add_task(g, name, NULL);
	size_t i;

	t->loader = LOADER_PENDING;
	t->delayed_base = xstrdup(base->name);
	for (i = 0; i < base->task_dep.n; i++)
		vec_push(&t->task_dep, xstrdup(base->task_dep.v[i]));
	return t;
}

/* doit: a sub-task of a delayed task, or a target a delayed task may create. */
static int select_delayed(struct cmd_env *env, struct graph *g, const char *name,
                          struct vec *out, struct err *e)
{
	struct frontend *fe = g->fe;
	size_t len = strcspn(name, ":"), i, n = g->tasks.n;
	char *base = xstrndup(name, len);
	struct task *bt = graph_find(g, base), *t;
	struct regex_group *rg = NULL;

	free(base);
	if (bt) {
		if (bt->loader != LOADER_PENDING)
			return graph_not_found(g, name, e);
		vec_push(out, placeholder(g, name, bt)->name);
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct task *m = g->tasks.v[i];
		char *rname;

		if (m->loader != LOADER_PENDING || strncmp(m->name, "_regex_target", 13) == 0)
			continue;
		if (m->target_regex ? !(fe && fe->ops->match_target &&
		                        fe->ops->match_target(fe, m, name) == 1) :
		    !env->auto_delayed_regex)
			continue;
		if (!rg)
			rg = graph_regex_group(g, name);
		vec_push(&rg->tasks, xstrdup(m->name));
		rname = xasprintf("_regex_target_%s:%s", name, m->name);
		t = placeholder(g, rname, m);
		free(rname);
		t->rgroup = rg;
		task_add_file_dep(g, t, name);
		vec_push(out, t->name);
	}
	return rg ? 0 : graph_not_found(g, name, e);
}

int cmd_select(struct cmd_env *env, struct graph *g, struct vec *args, struct vec *out,
               struct err *e)
{
	struct vec names = {0};
	size_t i;
	int rc = 0;

	if (filter(env, g, args, &names, e) < 0) {
		vec_free(&names);
		return -1;
	}
	for (i = 0; i < names.n; i++) {
		const char *name = names.v[i];
		struct task *t = graph_find(g, name);
		struct task *p = strmap_get(&g->targets, name, strlen(name));

		if (t)
			vec_push(out, t->name);
		else if (p)
			vec_push(out, p->name);
		else if ((rc = select_delayed(env, g, name, out, e)) < 0) {
			if (env->cmd_given && env->cmd)     /* doit's message names the command */
				seterr(e, 3, "command `%s` invalid parameter: \"%s\". Must be a task, "
				       "or a target.\nType \"%s list\" to see available tasks",
				       env->cmd->name, name, env->bin_name);
			break;
		}
	}
	vec_free(&names);
	return rc;
}

const struct command *cmd_find(const struct cmd_env *env, const char *name)
{
	size_t i;

	for (i = 0; i < env->ncommands; i++)
		if (strcmp(env->commands[i].name, name) == 0)
			return &env->commands[i];
	return NULL;
}

static size_t count_opts(const struct optdef *d)
{
	size_t n = 0;

	while (d && d[n].name)
		n++;
	return n;
}

struct optdef *cmd_optdefs(const struct command *c)
{
	size_t a = c->tasks ? count_opts(cmd_loader_opts) : 0, b = count_opts(c->opts);
	struct optdef *d = xcalloc(a + b + 1, sizeof(*d));

	if (a)
		memcpy(d, cmd_loader_opts, a * sizeof(*d));
	if (b)
		memcpy(d + a, c->opts, b * sizeof(*d));
	return d;
}

int cmd_config(struct cmd_env *env, struct opts *o)
{
	struct err e = {0};

	if (!env->config && !(env->config = config_read(env->loader, &e)))
		return cmd_error(&e);
	if (config_apply(env->config, "GLOBAL", o, &e) < 0 ||
	    (env->cmd && config_apply(env->config, env->cmd->name, o, &e) < 0))
		return cmd_error(&e);
	return 0;
}

int cmd_parse(struct cmd_env *env, struct opts *o, struct optdef **defs, int argc,
              char **argv)
{
	struct err e = {0};

	*defs = cmd_optdefs(env->cmd);
	if (opts_parse(o, *defs, argc, argv, &e) < 0)
		return cmd_error(&e);
	return cmd_config(env, o);
}

int cmd_select_default(struct cmd_env *env, struct graph *g, struct opts *o,
                       struct vec *def_tasks, struct vec *sel, struct err *e)
{
	size_t i;

	if (o->args.n)
		return cmd_select(env, g, &o->args, sel, e);
	if (def_tasks->n)
		return cmd_select(env, g, def_tasks, sel, e);
	for (i = 0; i < g->tasks.n; i++)
		vec_push(sel, ((struct task *)g->tasks.v[i])->name);
	return 0;
}
