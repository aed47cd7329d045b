#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "graph.h"

const struct optdef cmd_loader_opts[] = {
	{"dodoFile", 'f', "file", OPT_STR, "dodo.py", "load task from dodo FILE"},
	{"cwdPath", 'd', "dir", OPT_STR, NULL, "set path to be used as cwd directory"},
	{"seek_file", 'k', "seek-file", OPT_BOOL, NULL, "seek dodo file on parent folders"},
	{"dep_file", 0, "db-file", OPT_STR, ".dodo.db", "file used to save successful runs"},
	{"backend", 0, "backend", OPT_STR, "sqlite3", "accepted for doit compatibility"},
	{"check_file_uptodate", 0, "check_file_uptodate", OPT_STR, "md5",
	 "how to check if files are up to date: md5 (content) or timestamp"},
	{0},
};

int cmd_error(const struct err *e)
{
	if (!e->printed) {
		fflush(stdout);
		fprintf(stderr, "ERROR: %s\n", e->msg);
	}
	return e->code ? e->code : 3;
}

int cmd_load(struct cmd_env *env, struct opts *o, struct graph *g, struct vec *def_tasks)
{
	struct load_request rq = {0};
	struct err e = {0};

	rq.file = opts_str(o, "dodoFile");
	rq.dir = opts_str(o, "cwdPath");
	rq.seek = opts_int(o, "seek_file");
	rq.vars = &o->vars;
	if (env->loader->load(env->loader, &rq, g, o, def_tasks, &e) < 0)
		return cmd_error(&e);
	if (graph_finalize(g, &e) < 0)
		return cmd_error(&e);
	return 0;
}

static int not_found(struct cmd_env *env, const char *name, struct err *e)
{
	return seterr(e, 3, "Invalid parameter: \"%s\". Must be a command, task, or a "
	              "target.\nType \"%s help\" to see available commands.\n"
	              "Type \"%s list\" to see available tasks.\n",
	              name, env->bin_name, env->bin_name);
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
		else {
			rc = not_found(env, name, e);
			break;
		}
	}
	vec_free(&names);
	return rc;
}
