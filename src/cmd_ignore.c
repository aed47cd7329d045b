/* ignore: skip tasks (and their dependents) on later runs (doit's cmd_ignore). */
#include "cmd.h"

#include <stdio.h>

#include "cmdctx.h"
#include "graph.h"
#include "state.h"

const struct optdef cmd_no_opts[] = {
	{0},
};

static int ignore(struct cmdctx *c)
{
	struct err e = {0};
	size_t i, j;
	int rc;

	if (!c->o.args.n) {
		printf("You cant ignore all tasks! Please select a task.\n");
		return 0;
	}
	if ((rc = cmdctx_check_tasks(c, &c->o.args)) != 0 || (rc = cmdctx_state(c, 0)) != 0)
		return rc;
	if (state_begin(c->st, &e) < 0)
		return cmd_error(&e);
	for (i = 0; i < c->o.args.n; i++) {
		struct task *t = graph_find(c->g, c->o.args.v[i]);
		struct vec list = {0};

		vec_push(&list, t);
		cmd_subtasks(c->g, t, &list);
		for (j = 0; j < list.n; j++) {
			struct task *s = list.v[j];
			if (state_set_ignored(c->st, s->name, true, &e) < 0) {
				vec_free(&list);
				return cmd_error(&e);
			}
			printf("ignoring %s\n", s->name);
		}
		vec_free(&list);
	}
	if (state_commit(c->st, &e) < 0)
		return cmd_error(&e);
	return 0;
}

int cmd_ignore(struct cmd_env *env, int argc, char **argv)
{
	struct cmdctx c;
	int rc = cmdctx_open(&c, env, argc, argv, -1);

	if (rc == 0)
		rc = ignore(&c);
	fflush(stdout);
	cmdctx_close(&c);
	return rc;
}
