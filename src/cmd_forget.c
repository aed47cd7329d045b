/* forget: drop what the state file knows about tasks (doit's cmd_forget, with doit 0.36's
 * --all and --disable-default). */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdctx.h"
#include "frontend.h"
#include "graph.h"
#include "state.h"

const struct optdef cmd_forget_opts[] = {
	{"forget_sub", 's', "follow-sub", OPT_BOOL, NULL, "forget task dependencies too",
	 NULL, NULL, NULL},
	{"forget_disable_default", 0, "disable-default", OPT_BOOL, NULL, "disable forgetting "
	 "default tasks (when no arguments are passed)", NULL, "enable-default", NULL},
	{"forget_all", 'a', "all", OPT_BOOL, NULL, "forget all tasks", NULL, NULL, NULL},
	{0},
};

static bool queued(struct vec *q, size_t from, const char *name)
{
	size_t i;

	for (i = from; i < q->n; i++)
		if (strcmp(((struct task *)q->v[i])->name, name) == 0)
			return true;
	return false;
}

/* The task_dep and setup of t as given in the task file (malloc'd names). */
static void own_deps(struct graph *g, struct task *t, struct vec *deps)
{
	struct frontend *fe = g->fe;
	size_t i;

	if (t->fe && fe && fe->cmd_ops && fe->cmd_ops->own_deps &&
	    fe->cmd_ops->own_deps(fe, t, deps) == 0)
		return;
	for (i = 0; i < t->task_dep.n; i++)
		vec_push(deps, xstrdup(t->task_dep.v[i]));
	for (i = 0; i < t->setup.n; i++)
		vec_push(deps, xstrdup(t->setup.v[i]));
}

/* doit's tasks_and_deps_iter(..., yield_duplicates=True): breadth first over task_dep
 * and setup; a dependency met again is yielded again. */
static void with_deps(struct graph *g, struct vec *names, struct vec *out)
{
	struct vec q = {0};
	struct strmap done = {0};
	size_t head = 0, i;

	for (i = 0; i < names->n; i++)
		vec_push(&q, graph_find(g, names->v[i]));
	while (head < q.n) {
		struct task *t = q.v[head++];
		struct vec deps = {0};

		strmap_put(&done, t->name, strlen(t->name), t);
		vec_push(out, t);
		own_deps(g, t, &deps);
		for (i = 0; i < deps.n; i++) {
			struct task *d = graph_find(g, deps.v[i]);
			if (!d)
				continue;
			if (!strmap_get(&done, d->name, strlen(d->name)) && !queued(&q, head, d->name))
				vec_push(&q, d);
			else
				vec_push(out, d);
		}
		for (i = 0; i < deps.n; i++)
			free(deps.v[i]);
		vec_free(&deps);
	}
	vec_free(&q);
	strmap_free(&done);
}

static int forget_tasks(struct cmdctx *c, struct vec *names)
{
	struct vec list = {0};
	struct err e = {0};
	size_t i;
	int rc;

	if ((rc = cmdctx_check_tasks(c, names)) != 0)
		return rc;
	if (opts_int(&c->o, "forget_sub")) {
		with_deps(c->g, names, &list);
	} else {
		for (i = 0; i < names->n; i++) {
			struct task *t = graph_find(c->g, names->v[i]);
			vec_push(&list, t);
			cmd_subtasks(c->g, t, &list);
		}
	}
	if ((rc = cmdctx_state(c, 0)) == 0 && (rc = state_begin(c->st, &e)) < 0)
		rc = cmd_error(&e);
	for (i = 0; i < list.n && rc == 0; i++) {
		struct task *t = list.v[i];
		if (state_forget(c->st, t->name, &e) < 0)
			rc = cmd_error(&e);
		else
			printf("forgetting %s\n", t->name);
	}
	if (rc == 0 && state_commit(c->st, &e) < 0)
		rc = cmd_error(&e);
	vec_free(&list);
	return rc;
}

static int forget_all(struct cmdctx *c)
{
	struct err e = {0};
	int rc;

	if ((rc = cmdctx_state(c, 0)) != 0)
		return rc;
	if (state_forget(c->st, NULL, &e) < 0)
		return cmd_error(&e);
	printf("forgetting all tasks\n");
	return 0;
}

/* doit 0.36: --all wins over everything; without task names, --disable-default forgets
 * nothing; else the named tasks or the default ones. Without either, everything (doit
 * 0.31; 0.36 fails there). */
static int forget(struct cmdctx *c)
{
	if (opts_int(&c->o, "forget_all"))
		return forget_all(c);
	if (!c->o.args.n && opts_int(&c->o, "forget_disable_default")) {
		printf("no tasks specified, pass task name, --enable-default or --all\n");
		return 0;
	}
	if (c->o.args.n)
		return forget_tasks(c, &c->o.args);
	if (c->def_tasks.n)
		return forget_tasks(c, &c->def_tasks);
	return forget_all(c);
}

int cmd_forget(struct cmd_env *env, int argc, char **argv)
{
	struct cmdctx c;
	int rc = cmdctx_open(&c, env, argc, argv, -1);

	if (rc == 0)
		rc = forget(&c);
	fflush(stdout);
	cmdctx_close(&c);
	return rc;
}
