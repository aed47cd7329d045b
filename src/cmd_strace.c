/* strace TASK: the files a task's commands read and write (doit's cmd_strace), by running
 * them under `strace -f -e trace=file`. */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdctx.h"
#include "frontend.h"
#include "graph.h"
#include "report.h"
#include "run.h"
#include "state.h"

#define TRACE_OUT "strace.txt"

const char cmd_strace_description[] =
	"\n"
	"The output is a list of files prefixed with 'R' for open in read mode\n"
	"or 'W' for open in write mode.\n"
	"The files are listed in chronological order.\n"
	"\n"
	"This is a debugging feature with many limitations.\n"
	"  * can strace only one task at a time\n"
	"  * can only strace CmdAction\n"
	"  * the process being traced itself might have some kind of cache,\n"
	"    that means it might not write a target file if it exist\n"
	"  * does not handle chdir\n"
	"\n"
	"So this is NOT 100% reliable, use with care!\n";

const struct optdef cmd_strace_opts[] = {
	{"show_all", 'a', "all", OPT_BOOL, NULL, "display all files (not only from within CWD "
	 "path)", NULL, NULL, NULL},
	{"keep_trace", 0, "keep", OPT_BOOL, NULL, "save strace command output into strace.txt",
	 NULL, NULL, NULL},
	{0},
};

/* Is there an executable `strace` on PATH? */
static bool have_strace(void)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	copy = xstrdup(path && *path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/strace", *dir ? dir : ".");
		found = access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

static int trace(struct cmdctx *c, const char *name)
{
	struct frontend *fe = c->g->fe;
	struct task *t = graph_find(c->g, name);
	struct reporter *rep = NULL;
	struct run_opts ro = {0};
	struct vec sel = {0};
	struct err e = {0};
	int rc;

	if (!t) {
		seterr(&e, 3, "strace_report. Task dependency '%s' does not exist.", name);
		return cmd_error(&e);
	}
	if (!fe || !fe->cmd_ops || !fe->cmd_ops->strace) {
		seterr(&e, 3, "strace: the task file's front-end cannot trace tasks");
		return cmd_error(&e);
	}
	if (fe->cmd_ops->strace(fe, c->g, t, TRACE_OUT, opts_int(&c->o, "show_all"), &e) < 0)
		return cmd_error(&e);
	task_add_uptodate(t, UTD_CONST)->value = 0;  /* traced: always run */
	if ((rc = cmdctx_state(c, 0)) != 0)
		return rc;
	vec_push(&sel, t->name);
	vec_push(&sel, "strace_report");
	rep = reporter_new("console", c->g, stdout, 0);
	reporter_initialize(rep, &sel);
	ro.verbosity = -1;
	ro.checker = c->checker;
	rc = run_tasks(c->g, c->st, rep, &ro, &sel, &e);
	if (rc < 0)
		rc = cmd_error(&e);
	reporter_free(rep);
	vec_free(&sel);
	return rc;
}

int cmd_strace(struct cmd_env *env, int argc, char **argv)
{
	struct cmdctx c;
	struct err e = {0};
	int rc = cmdctx_open(&c, env, argc, argv, -1);

	if (rc != 0)
		goto out;
	if (c.o.args.n != 1) {
		seterr(&e, 3, "strace failed, must select *one* task to strace.\nCheck `%s help "
		       "strace`.", env->bin_name);
		rc = cmd_error(&e);
		goto out;
	}
	if (!have_strace()) {
		seterr(&e, 3, "strace failed: the `strace` program is not installed (it is needed "
		       "to see the files a task reads and writes; e.g. `apt install strace`).");
		rc = cmd_error(&e);
		goto out;
	}
	unlink(TRACE_OUT);
	rc = trace(&c, c.o.args.v[0]);
	if (!opts_int(&c.o, "keep_trace"))
		unlink(TRACE_OUT);
out:
	fflush(stdout);
	cmdctx_close(&c);
	return rc;
}
