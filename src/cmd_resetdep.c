/* reset-dep: record the current state of tasks' file dependencies as up to date, without
 * running anything (doit's cmd_resetdep). */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmdctx.h"
#include "graph.h"
#include "state.h"

const char cmd_resetdep_description[] =
	"\n"
	"This command allows to recompute the informations on file dependencies\n"
	"(timestamp, md5sum, ... depending on the ``check_file_uptodate`` setting), and\n"
	"save this in the database, without executing the actions.\n"
	"\n"
	"The command run on all tasks by default, but it is possible to specify a list\n"
	"of tasks to work on.\n"
	"\n"
	"This is useful when the targets of your tasks already exist, and you want doit\n"
	"to consider your tasks as up-to-date. One use-case for this command is when you\n"
	"change the ``check_file_uptodate`` setting, which cause doit to consider all\n"
	"your tasks as not up-to-date. It is also useful if you start using doit while\n"
	"some of your data as already been computed, or when you add a file dependency\n"
	"to a task that has already run.\n";

/* "failed NAME (Dependent file 'a', 'b' does not exist.)" when file_dep are missing. */
static bool report_missing(struct task *t)
{
	struct buf b = {0};
	struct stat st;
	size_t i, n = 0;

	for (i = 0; i < t->file_dep.n; i++) {
		const char *p = ((struct node *)t->file_dep.v[i])->path;
		if (stat(p, &st) == 0)
			continue;
		buf_printf(&b, "%s%s", n++ ? "', '" : "", p);
	}
	if (n)
		printf("failed %s (Dependent file '%s' does not exist.)\n", t->name, buf_str(&b));
	buf_free(&b);
	return n > 0;
}

static int reset_one(struct cmdctx *c, struct plan *p, struct task *t, struct err *e)
{
	struct task_record rec = {0}, none = {0};
	struct filesig *sigs = NULL;
	size_t nsigs = 0;
	int rc = -1;

	if (report_missing(t))
		return 0;
	if (state_load(c->st, t->name, &rec, e) < 0 || plan_status(p, t, &rec, e) < 0)
		goto out;
	if (p->status == STATUS_UPTODATE) {
		printf("skip %s\n", t->name);
		rc = 0;
		goto out;
	}
	/* a changed checker makes the saved signatures worthless (doit removes the task) */
	if (p->forget && state_forget(c->st, t->name, e) < 0)
		goto out;
	if (plan_signatures(p, t, p->forget ? &none : &rec, &sigs, &nsigs, e) < 0 ||
	    state_save_success(c->st, t->name, checker_name(c->checker), sigs, nsigs,
	                       rec.values_json ? rec.values_json : "{}", rec.result, e) < 0)
		goto out;
	printf("processed %s\n", t->name);
	rc = 0;
out:
	free(sigs);
	task_record_free(&rec);
	return rc;
}

static int reset(struct cmdctx *c)
{
	struct vec list = {0};
	struct plan p = {0};
	struct err e = {0};
	size_t i;
	int rc;

	if ((rc = cmdctx_check_tasks(c, &c->o.args)) != 0)
		return rc;
	for (i = 0; i < c->o.args.n; i++) {
		struct task *t = graph_find(c->g, c->o.args.v[i]);
		vec_push(&list, t);
		cmd_subtasks(c->g, t, &list);
	}
	for (i = 0; !c->o.args.n && i < c->g->tasks.n; i++)
		vec_push(&list, c->g->tasks.v[i]);
	if ((rc = cmdctx_state(c, 0)) != 0)
		goto out;
	p.g = c->g;
	p.io = &plan_io_real;
	p.checker = c->checker;
	for (i = 0; i < list.n && rc == 0; i++) {
		if (reset_one(c, &p, list.v[i], &e) < 0)
			rc = cmd_error(&e);
		plan_clear(&p);
	}
out:
	fflush(stdout);
	vec_free(&list);
	return rc;
}

int cmd_resetdep(struct cmd_env *env, int argc, char **argv)
{
	struct cmdctx c;
	int rc = cmdctx_open(&c, env, argc, argv, -1);

	if (rc == 0)
		rc = reset(&c);
	cmdctx_close(&c);
	return rc;
}
