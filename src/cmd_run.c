#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "graph.h"
#include "noop.h"
#include "report.h"
#include "run.h"
#include "state.h"

const struct optdef cmd_run_opts[] = {
	{"always", 'a', "always-execute", OPT_BOOL, NULL, "always execute tasks even if "
	 "up-to-date [default: %(default)s]", NULL, NULL, NULL},
	{"continue", 'c', "continue", OPT_BOOL, NULL, "continue executing tasks even after a "
	 "failure [default: %(default)s]", NULL, "no-continue", NULL},
	{"verbosity", 'v', "verbosity", OPT_INT, NULL, "0 capture (do not print) stdout/stderr "
	 "from task.\n1 capture stdout only.\n2 do not capture anything (print everything "
	 "immediately).\n[default: 1]", NULL, NULL, NULL},
	{"reporter", 'r', "reporter", OPT_STR, "console", "Choose output reporter.\n"
	 "[default: %(default)s]", NULL, NULL, reporter_choices},
	{"outfile", 'o', "output-file", OPT_STR, NULL, "write output into file "
	 "[default: stdout]", NULL, NULL, NULL},
	{"num_process", 'n', "process", OPT_INT, "0", "number of subprocesses "
	 "[default: %(default)s]", NULL, NULL, NULL},
	{"par_type", 'P', "parallel-type", OPT_STR, "process", "Tasks can be executed in "
	 "parallel in different ways:\n'process': uses python multiprocessing module\n"
	 "'thread': uses threads\n[default: %(default)s]\n", NULL, NULL, NULL},
	{"pdb", 0, "pdb", OPT_BOOL, NULL, "get into PDB (python debugger) post-mortem in case "
	 "of unhandled exception", NULL, NULL, NULL},
	{"single", 's', "single", OPT_BOOL, NULL, "Execute only specified tasks ignoring their "
	 "task_dep [default: %(default)s]", NULL, NULL, NULL},
	{"auto_delayed_regex", 0, "auto-delayed-regex", OPT_BOOL, NULL, "Uses the default regex "
	 "\".*\" for every delayed task loader for which no regex was explicitly defined",
	 NULL, NULL, NULL},
	{"failure_verbosity", 0, "failure-verbosity", OPT_INT, "0", "Control re-display "
	 "stdout/stderr for failed tasks on report summary.\n0 do not show re-display\n"
	 "1 re-display stderr only\n2 re-display both stderr/stdout\n[default: 0]\n", NULL, NULL, NULL},
	{0},
};

/* The loader options followed by the run options, terminated. */
static struct optdef *all_opts(void)
{
	size_t a = 0, b = 0;
	struct optdef *d;

	while (cmd_loader_opts[a].name)
		a++;
	while (cmd_run_opts[b].name)
		b++;
	d = xcalloc(a + b + 1, sizeof(*d));
	memcpy(d, cmd_loader_opts, a * sizeof(*d));
	memcpy(d + a, cmd_run_opts, b * sizeof(*d));
	return d;
}

/* -s: ignore the task_dep of the selected tasks (of each sub-task for a group). */
static void single(struct graph *g, struct vec *sel)
{
	size_t i, j;

	for (i = 0; i < sel->n; i++) {
		struct task *t = graph_find(g, sel->v[i]);
		if (t->has_subtask) {
			for (j = 0; j < t->task_dep.n; j++) {
				struct task *sub = graph_find(g, t->task_dep.v[j]);
				if (sub)
					namelist_clear(&sub->task_dep);
			}
		} else {
			namelist_clear(&t->task_dep);
		}
	}
}

static int lock_timeout_ms(void)
{
	const char *s = getenv("DODO_LOCK_TIMEOUT");

	return s && *s ? (int)(atof(s) * 1000) : 10000;
}

static int checker_of(struct opts *o, enum checker *c, const char *bin, struct err *e)
{
	const char *s = opts_str(o, "check_file_uptodate");

	if (strcmp(s, "md5") == 0)
		*c = CHECK_MD5;
	else if (strcmp(s, "timestamp") == 0)
		*c = CHECK_TIMESTAMP;
	else
		return seterr(e, 3, "No check_file_uptodate named '%s'. Type '%s help run' to "
		              "see a list of available checkers.", s, bin);
	return 0;
}

/* One run; try_fast: from the stored graph (noop.h), or NOOP_AGAIN. */
static int run_once(struct cmd_env *env, int argc, char **argv, bool try_fast)
{
	struct optdef *defs = all_opts();
	struct opts o;
	struct graph *g = graph_new();
	struct vec def_tasks = {0}, sel = {0};
	struct state *st = NULL;
	struct reporter *rep = NULL;
	struct run_opts ro = {0};
	struct err e = {0};
	FILE *out = stdout;
	struct noop *fast = NULL;
	struct noop_save *save = NULL;
	size_t i;
	int rc;

	if (opts_parse(&o, defs, argc, argv, &e) < 0) {
		rc = cmd_error(&e);
		goto out;
	}
	g->prog = env->bin_name;
	env->auto_delayed_regex = opts_int(&o, "auto_delayed_regex");
	if (try_fast) {
		fast = noop_load(env, &o, g, &def_tasks);
		if (!fast) {
			rc = NOOP_AGAIN;
			goto out;
		}
	} else if ((rc = cmd_load(env, &o, g, &def_tasks)) != 0) {
		goto out;
	} else {
		save = noop_capture(env, defs, argc, argv, &o, g, &def_tasks);
	}
	if (checker_of(&o, &ro.checker, env->bin_name, &e) < 0 ||
	    cmd_select_default(env, g, &o, &def_tasks, &sel, &e) < 0) {
		rc = fast ? NOOP_AGAIN : cmd_error(&e);
		goto out;
	}
	if (opts_int(&o, "single"))
		single(g, &sel);
	st = fast ? noop_state(fast) : state_open(opts_str(&o, "dep_file"), 0,
	                                          lock_timeout_ms(), &e);
	if (!st) {
		rc = cmd_error(&e);
		goto out;
	}
	noop_store(save, st);
	save = NULL;
	if (fast) {
		if (!(rep = noop_reporter(fast, opts_str(&o, "reporter")))) {
			rc = NOOP_AGAIN;
			goto out;
		}
	} else if (opts_str(&o, "outfile") && !(out = fopen(opts_str(&o, "outfile"), "w"))) {
		seterr(&e, 3, "cannot write '%s'", opts_str(&o, "outfile"));
		out = stdout;
		rc = cmd_error(&e);
		goto out;
	}
	if (!fast)
		rep = reporter_new(opts_str(&o, "reporter"), g, out,
		                   (int)opts_int(&o, "failure_verbosity"));
	if (!rep) {
		struct buf names = {0};
		for (i = 0; reporter_names[i]; i++)
			buf_printf(&names, "%s'%s'", i ? ", " : "", reporter_names[i]);
		seterr(&e, 3, "Error parsing parameter 'reporter'. Provided '%s' but available "
		       "choices are: %s.", opts_str(&o, "reporter"), buf_str(&names));
		buf_free(&names);
		rc = cmd_error(&e);
		goto out;
	}
	reporter_initialize(rep, &sel);
	ro.continue_ = opts_int(&o, "continue");
	ro.always = opts_int(&o, "always");
	ro.verbosity = opts_get(&o, "verbosity")->set ? (int)opts_int(&o, "verbosity") : -1;
	ro.force_verbosity = opts_given(&o, "verbosity");
	ro.jobs = (int)opts_int(&o, "num_process");
	ro.fork_calls = ro.jobs > 0 && strcmp(opts_str(&o, "par_type"), "process") == 0;
	if (ro.jobs > 0 && !ro.fork_calls && strcmp(opts_str(&o, "par_type"), "thread") != 0) {
		seterr(&e, 3, "Invalid parallel type %s", opts_str(&o, "par_type"));
		rc = fast ? NOOP_AGAIN : cmd_error(&e);
		goto out;
	}
	rc = run_tasks(g, st, rep, &ro, &sel, &e);
	if (fast)
		rc = noop_finish(fast, rc, st, rep, &o, &sel);
	else if (rc < 0)
		rc = cmd_error(&e);
out:
	noop_free(fast, rc == NOOP_AGAIN);
	noop_save_free(save);
	reporter_free(rep);
	if (out != stdout)
		fclose(out);
	state_close(st);
	if (env->loader->unload && rc != NOOP_AGAIN)   /* an interpreter main started stays */
		env->loader->unload(env->loader);
	if (free_before_exit())
		graph_free(g);      /* else the kernel takes it back at once at exit */
	for (i = 0; i < def_tasks.n; i++)
		free(def_tasks.v[i]);
	vec_free(&def_tasks);
	vec_free(&sel);
	opts_free(&o);
	free(defs);
	return rc;
}

int cmd_run(struct cmd_env *env, int argc, char **argv)
{
	int rc = run_once(env, argc, argv, noop_enabled());

	if (rc == NOOP_AGAIN)
		rc = run_once(env, argc, argv, false);
	return rc;
}
