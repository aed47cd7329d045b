#include "cmdctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "frontend.h"
#include "graph.h"
#include "state.h"

static int lock_timeout_ms(void)
{
	const char *s = getenv("DODO_LOCK_TIMEOUT");

	return s && *s ? (int)(atof(s) * 1000) : 10000;
}

static int checker_of(struct cmdctx *c, struct err *e)
{
	const char *s = opts_str(&c->o, "check_file_uptodate");

	if (!s || strcmp(s, "md5") == 0)
		c->checker = CHECK_MD5;
	else if (strcmp(s, "timestamp") == 0)
		c->checker = CHECK_TIMESTAMP;
	else
		return seterr(e, 3, "No check_file_uptodate named '%s'. Type '%s help run' to "
		              "see a list of available checkers.", s, c->env->bin_name);
	return 0;
}

int cmdctx_open(struct cmdctx *c, struct cmd_env *env, int argc, char **argv,
                int state_flags)
{
	struct err e = {0};
	int rc;

	memset(c, 0, sizeof(*c));
	c->env = env;
	c->g = graph_new();
	if ((rc = cmd_parse(env, &c->o, &c->defs, argc, argv)) != 0)
		return rc;
	if ((rc = cmd_load(env, &c->o, c->g, &c->def_tasks)) != 0)
		return rc;
	if (checker_of(c, &e) < 0)
		return cmd_error(&e);
	return state_flags < 0 ? 0 : cmdctx_state(c, state_flags);
}

int cmdctx_state(struct cmdctx *c, int flags)
{
	struct err e = {0};

	if (c->st)
		return 0;
	c->st = state_open(opts_str(&c->o, "dep_file"), flags, lock_timeout_ms(), &e);
	if (!c->st)
		return cmd_error(&e);
	c->g->st = c->st;
	return 0;
}

void cmdctx_close(struct cmdctx *c)
{
	size_t i;

	if (c->g)
		c->g->st = NULL;
	state_close(c->st);
	if (c->env && c->env->loader->unload)
		c->env->loader->unload(c->env->loader);
	graph_free(c->g);
	for (i = 0; i < c->def_tasks.n; i++)
		free(c->def_tasks.v[i]);
	vec_free(&c->def_tasks);
	opts_free(&c->o);
	free(c->defs);
	memset(c, 0, sizeof(*c));
}

int cmdctx_check_tasks(struct cmdctx *c, const struct vec *names)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		if (!graph_find(c->g, names->v[i])) {
			struct err e = {0};
			seterr(&e, 3, "'%s' is not a task.", (char *)names->v[i]);
			return cmd_error(&e);
		}
	return 0;
}

void cmd_subtasks(struct graph *g, struct task *t, struct vec *out)
{
	size_t i;

	for (i = 0; i < t->task_dep.n; i++) {
		struct task *d = graph_find(g, t->task_dep.v[i]);
		if (d && d->subtask_of && strcmp(d->subtask_of, t->name) == 0)
			vec_push(out, d);
	}
}

int cmdctx_status(struct cmdctx *c, struct plan *p, struct task *t, bool *ignored,
                  struct err *e)
{
	struct task_record rec = {0};
	int rc;

	if (state_load(c->st, t->name, &rec, e) < 0)
		return -1;
	*ignored = rec.ignored;
	rc = *ignored ? 0 : plan_status(p, t, &rec, e);
	task_record_free(&rec);
	return rc;
}

void cmd_print_text(struct graph *g, struct task *t, int what, size_t index)
{
	struct frontend *fe = g->fe;
	char *s;

	if (!t->fe || !fe || !fe->cmd_ops || !fe->cmd_ops->text)
		return;
	fflush(stdout);
	s = fe->cmd_ops->text(fe, t, (enum fe_text)what, index);
	if (s)
		fputs(s, stdout);
	free(s);
}
