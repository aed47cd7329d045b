/* `dodo auto`: run the selected tasks, watch what they depend on, and run again what a
 * change made out of date; long-running actions stay running in their own process
 * groups and are stopped before their task runs again.
 *
 * One interpreter for the whole session: each run loads the task file anew (the loader's
 * release/refresh hooks, frontend.h); local modules are imported anew when their files
 * changed. The watcher (watch.h) is armed before a run, so changes made while tasks run
 * are seen; the files the run wrote (targets) are told apart from edits by their stat
 * signature after the run. */
#include "cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "frontend.h"
#include "graph.h"
#include "proc.h"
#include "report.h"
#include "run.h"
#include "state.h"
#include "watch.h"

const struct optdef cmd_auto_opts[] = {
	{"verbosity", 'v', "verbosity", OPT_INT, NULL, "0 capture (do not print) stdout/stderr "
	 "from task.\n1 capture stdout only.\n2 do not capture anything (print everything "
	 "immediately).\n[default: 1]", NULL, NULL, NULL},
	{"reporter", 0, "reporter", OPT_STR, "executed-only", "Choose output reporter.\n"
	 "[default: %(default)s]", NULL, NULL, reporter_choices},
	{"success_callback", 0, "success", OPT_STR, "", "", NULL, NULL, NULL},
	{"failure_callback", 0, "failure", OPT_STR, "", "", NULL, NULL, NULL},
	{"debounce", 0, "debounce", OPT_INT, "50", "milliseconds without changes before a "
	 "run starts (a lone save seen complete: 5) [default: %(default)s]", NULL, NULL, NULL},
	{"grace", 0, "grace", OPT_INT, "2000", "milliseconds a long-running process has to "
	 "end after SIGTERM before SIGKILL [default: %(default)s]", NULL, NULL, NULL},
	{"poll", 0, "poll", OPT_BOOL, NULL, "poll the file system instead of using inotify "
	 "[default: %(default)s]", NULL, NULL, NULL},
	{0},
};

const char cmd_auto_description[] =
	"Run the tasks, then run again whatever a change of their file_dep, their watch\n"
	"entries, the task file or its local modules makes out of date. Long-running\n"
	"actions (LongRunning) keep running in their own process group; they are stopped\n"
	"(SIGTERM, then SIGKILL after the grace period) before their task runs again.\n"
	"Ctrl-C stops everything.";

/* A path armed in the watcher. */
struct wpath {
	char *path;         /* absolute, normalised */
	bool recursive;
};

/* A file the last run wrote (a target): its stat signature after the run. */
struct tsig {
	char *path;
	int64_t mtime_ns, size;
	uint64_t ino;
	bool exists;
};

struct autoctx {
	struct cmd_env *env;
	int argc;
	char **argv;
	struct optdef *defs;
	int cwd0;               /* where dodo started: every load starts there */
	char *home;             /* the task file's folder (or -d) */
	char *state_path;       /* absolute path of the state file */
	struct watch *w;
	struct groups *gs;
	struct vec armed;       /* struct wpath *, as armed in w */
	struct strmap armed_map;
	struct vec tsigs;       /* struct tsig * of the last run's targets */
	struct strmap tsig_map;
	struct vec code;        /* char *: the task file and its local modules (absolute) */
	struct vec forget;      /* char *: tasks whose success must be forgotten */
	struct vec changed;     /* char *: the relevant changes that start the next run */
	bool code_changed;      /* the task file or a local module changed since the load */
	bool pending;           /* run again without waiting */
};

static int lock_timeout_ms(void)
{
	const char *s = getenv("DODO_LOCK_TIMEOUT");

	return s && *s ? (int)(atof(s) * 1000) : 10000;
}

static void names_free(struct vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	vec_free(v);
}

static bool names_has(const struct vec *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i], name) == 0)
			return true;
	return false;
}

static void names_add(struct vec *v, const char *name)
{
	if (!names_has(v, name))
		vec_push(v, xstrdup(name));
}

/* ---- the tasks a run involves ---- */

static bool has_long_action(const struct task *t)
{
	size_t i;

	for (i = 0; i < t->actions.n; i++) {
		const struct action *a = t->actions.v[i];
		if (a->kind == ACTION_CMD && a->mode == MODE_LONG)
			return true;
	}
	return false;
}

/* ---- what to watch ---- */

static void wpaths_free(struct vec *v, struct strmap *m)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		struct wpath *p = v->v[i];
		free(p->path);
		free(p);
	}
	vec_free(v);
	strmap_free(m);
}

/* Add path (absolute; malloc'd, taken) to the set. */
static void wpaths_add(struct vec *v, struct strmap *m, char *path, bool recursive)
{
	struct wpath *p = strmap_get(m, path, strlen(path));

	if (p) {
		p->recursive |= recursive;
		free(path);
		return;
	}
	p = xcalloc(1, sizeof(*p));
	p->path = path;
	p->recursive = recursive;
	vec_push(v, p);
	strmap_put(m, p->path, strlen(p->path), p);
}

/* The paths a run of the tasks ts depends on: their file_dep and watch entries, the
 * task file, its local modules and the folders it listed. Fills a->code. */
static void watch_set(struct autoctx *a, struct graph *g, const struct vec *ts,
                      struct vec *set, struct strmap *map)
{
	struct frontend *fe = g->fe;
	struct loader *l = a->env->loader;
	struct vec files = {0}, dirs = {0}, entries = {0};
	struct err e = {0};
	size_t i, j;

	for (i = 0; i < ts->n; i++) {
		struct task *t = ts->v[i];
		for (j = 0; j < t->file_dep.n; j++) {
			struct node *nd = t->file_dep.v[j];
			wpaths_add(set, map, auto_path(a->home, nd->path), false);
		}
		if (t->fe && fe && fe->cmd_ops && fe->cmd_ops->watch &&
		    fe->cmd_ops->watch(fe, t, &entries, &e) < 0)
			warn("%s", e.msg);
		for (j = 0; j < entries.n; j++)
			wpaths_add(set, map, auto_path(a->home, entries.v[j]), true);
		names_free(&entries);
	}
	if (l->sources && l->sources(l, &files, &dirs) == 0) {
		names_free(&a->code);
		for (i = 0; i < files.n; i++) {
			vec_push(&a->code, auto_path(a->home, files.v[i]));
			wpaths_add(set, map, auto_path(a->home, files.v[i]), false);
		}
		for (i = 0; i < dirs.n; i++)
			wpaths_add(set, map, auto_path(a->home, dirs.v[i]), false);
	}
	names_free(&files);
	names_free(&dirs);
}

/* Arm the watcher for set: add what is new; start afresh when something must go.
 * Returns true when it started afresh (changes queued until now were dropped). */
static bool arm(struct autoctx *a, struct vec *set, struct strmap *map)
{
	struct err e = {0};
	bool fresh = false;
	size_t i;

	for (i = 0; i < a->armed.n && !fresh; i++) {
		struct wpath *p = a->armed.v[i], *q = strmap_get(map, p->path, strlen(p->path));
		fresh = !q || q->recursive != p->recursive;
	}
	if (fresh) {
		watch_clear(a->w);
		wpaths_free(&a->armed, &a->armed_map);
	}
	for (i = 0; i < set->n; i++) {
		struct wpath *p = set->v[i];
		if (strmap_get(&a->armed_map, p->path, strlen(p->path)))
			continue;
		if (watch_add(a->w, p->path, p->recursive, &e) < 0)
			warn("warning: %s", e.msg);
		wpaths_add(&a->armed, &a->armed_map, xstrdup(p->path), p->recursive);
	}
	return fresh;
}

/* ---- stat signatures ---- */

static void tsig_stat(struct tsig *s)
{
	struct stat st;

	s->exists = stat(s->path, &st) == 0;
	s->mtime_ns = s->exists ? (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec : 0;
	s->size = s->exists ? st.st_size : 0;
	s->ino = s->exists ? st.st_ino : 0;
}

static bool tsig_same(const struct tsig *s)
{
	struct tsig now = {.path = s->path};

	tsig_stat(&now);
	return now.exists == s->exists && now.mtime_ns == s->mtime_ns &&
	       now.size == s->size && now.ino == s->ino;
}

static void tsigs_free(struct vec *v, struct strmap *m)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		struct tsig *s = v->v[i];
		free(s->path);
		free(s);
	}
	vec_free(v);
	strmap_free(m);
}

/* Record the signature of each path (malloc'd, taken) unless recorded. */
static void tsigs_add(struct vec *v, struct strmap *m, char *path)
{
	struct tsig *s;

	if (strmap_get(m, path, strlen(path))) {
		free(path);
		return;
	}
	s = xcalloc(1, sizeof(*s));
	s->path = path;
	tsig_stat(s);
	vec_push(v, s);
	strmap_put(m, s->path, strlen(s->path), s);
}

/* Remember the signatures of every target of g, as the run left them. */
static void note_targets(struct autoctx *a, struct graph *g)
{
	size_t i, j;

	tsigs_free(&a->tsigs, &a->tsig_map);
	for (i = 0; i < g->tasks.n; i++) {
		struct task *t = g->tasks.v[i];
		for (j = 0; j < t->targets.n; j++) {
			struct node *nd = t->targets.v[j];
			tsigs_add(&a->tsigs, &a->tsig_map, auto_path(a->home, nd->path));
		}
	}
}

/* ---- changes ---- */

static bool is_code(const struct autoctx *a, const char *path)
{
	return names_has(&a->code, path);
}

/* Does a change of path call for a run? (Not noise, not the state file, not a target
 * as the last run left it.) */
static bool relevant(struct autoctx *a, const char *path)
{
	struct tsig *s = strmap_get(&a->tsig_map, path, strlen(path));
	size_t n = strlen(a->state_path);

	if (auto_path_ignored(path))
		return false;
	if (strncmp(path, a->state_path, n) == 0)
		return false;   /* the state file and its -wal, -shm, -journal */
	return !s || !tsig_same(s);
}

/* Keep the relevant paths of changed (freed) in a->changed. */
static void take_changes(struct autoctx *a, struct vec *changed)
{
	size_t i;

	for (i = 0; i < changed->n; i++) {
		char *p = changed->v[i];
		if (relevant(a, p)) {
			a->code_changed |= is_code(a, p);
			names_add(&a->changed, p);
		}
		free(p);
	}
	vec_free(changed);
}

/* Servers that ended by themselves: reported; their tasks run again next time. */
static void reap(struct autoctx *a)
{
	struct vec ended = {0};
	size_t i;

	groups_reap(a->gs, &ended);
	for (i = 0; i < ended.n; i++)
		names_add(&a->forget, ended.v[i]);
	names_free(&ended);
}

/* Wait for a relevant change. Returns 1, 0 when a stopping signal came, -1 on error. */
static int wait_change(struct autoctx *a)
{
	struct err e = {0};

	while (!a->changed.n && !a->pending) {
		struct pollfd pfd[2];
		struct vec changed = {0};
		int n = 0, r;

		if (auto_stop_signal())
			return 0;
		reap(a);
		pfd[n].fd = auto_wake_fd();
		pfd[n++].events = POLLIN;
		if (watch_fd(a->w) >= 0) {
			pfd[n].fd = watch_fd(a->w);
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n, watch_timeout_ms(a->w)) < 0 && errno != EINTR)
			fatal("poll:");
		if (pfd[0].revents)
			auto_wake_clear();
		r = watch_wait(a->w, 0, &changed, &e);
		if (r < 0) {
			names_free(&changed);
			warn("%s", e.msg);
			return -1;
		}
		take_changes(a, &changed);
	}
	return auto_stop_signal() ? 0 : 1;
}

/* ---- process groups, from the runner's hooks ---- */

static bool pick_name(void *arg, const char *task)
{
	return strcmp(arg, task) == 0;
}

static bool pick_any(void *arg, const char *task)
{
	return true;
}

/* Tasks that are not in the loaded graph any more. */
static bool pick_gone(void *arg, const char *task)
{
	return !graph_find(arg, task);
}

static void on_proc(void *arg, struct task *t, const struct proc *p, bool running)
{
	struct autoctx *a = arg;
	size_t i;
	bool long_running = false;

	if (!running) {
		groups_exited(a->gs, p->pid);
		return;
	}
	for (i = 0; i < t->actions.n && !long_running; i++) {
		const struct action *act = t->actions.v[i];
		long_running = act->kind == ACTION_CMD && act->mode == MODE_LONG;
	}
	/* a detached long-running action has no exit to wait for */
	groups_add(a->gs, t->name, p->pid, long_running && p->fd[0] < 0 && p->fd[1] < 0);
}

static void before_task(void *arg, struct task *t)
{
	struct autoctx *a = arg;

	groups_stop(a->gs, pick_name, t->name, NULL);
}

/* Stop the servers pick() chooses; their tasks are forgotten (run again next time). */
static void stop_servers(struct autoctx *a, bool (*pick)(void *, const char *), void *arg)
{
	struct vec stopped = {0};
	size_t i;

	groups_stop(a->gs, pick, arg, &stopped);
	for (i = 0; i < stopped.n; i++)
		names_add(&a->forget, stopped.v[i]);
	names_free(&stopped);
}

/* Forget the success of tasks whose server is not running, so that they run. */
static void forget_tasks(struct autoctx *a, struct state *st, const struct vec *ts)
{
	struct err e = {0};
	size_t i;

	for (i = 0; i < ts->n; i++) {
		struct task *t = ts->v[i];
		if (has_long_action(t) && !groups_has_server(a->gs, t->name))
			names_add(&a->forget, t->name);
	}
	for (i = 0; i < a->forget.n; i++)
		if (state_remove_success(st, a->forget.v[i], &e) < 0)
			warn("%s", e.msg);
	names_free(&a->forget);
}

/* At the end: the servers stopped; their tasks must run when auto starts again. */
static void forget_at_exit(struct autoctx *a, const char *dep_file)
{
	struct err e = {0};
	struct state *st;

	if (!a->forget.n)
		return;
	if (fchdir(a->cwd0) < 0 || chdir(a->home) < 0) {
		warn("cannot change to '%s':", a->home);
		return;
	}
	st = state_open(dep_file, 0, lock_timeout_ms(), &e);
	if (!st) {
		warn("%s", e.msg);
		return;
	}
	forget_tasks(a, st, &(struct vec){0});
	state_close(st);
}

/* ---- one run ---- */

/* doit's --success / --failure: a shell command run after each run. */
static void callback(const char *cmd)
{
	struct cmdspec spec = {0};
	struct proc p;
	struct err e = {0};

	if (!cmd || !*cmd)
		return;
	spec.cmd = (char *)cmd;
	fflush(stdout);
	if (proc_spawn(&p, &spec, false, false, NULL, NULL, false, false, &e) < 0)
		warn("%s", e.msg);
	else
		proc_wait(&p);
}

static struct reporter *new_reporter(struct opts *o, struct graph *g, struct err *e)
{
	struct reporter *rep = reporter_new(opts_str(o, "reporter"), g, stdout, 0);
	struct buf names = {0};
	size_t i;

	if (rep)
		return rep;
	for (i = 0; reporter_names[i]; i++)
		buf_printf(&names, "%s'%s'", i ? ", " : "", reporter_names[i]);
	seterr(e, 3, "Error parsing parameter 'reporter'. Provided '%s' but available "
	       "choices are: %s.", opts_str(o, "reporter"), buf_str(&names));
	buf_free(&names);
	return NULL;
}

/* Run the tasks of a loaded graph; returns doit's result code (or the error's). */
static int execute(struct autoctx *a, struct graph *g, struct opts *o, struct vec *sel,
                   struct vec *ts, int *sig)
{
	struct run_opts ro = {0};
	struct reporter *rep;
	struct state *st;
	struct err e = {0};
	int rc;

	st = state_open(opts_str(o, "dep_file"), 0, lock_timeout_ms(), &e);
	if (!st)
		return cmd_error(&e);
	forget_tasks(a, st, ts);
	if (!(rep = new_reporter(o, g, &e))) {
		state_close(st);
		return cmd_error(&e);
	}
	reporter_initialize(rep, sel);
	ro.checker = strcmp(opts_str(o, "check_file_uptodate"), "timestamp") == 0 ?
	             CHECK_TIMESTAMP : CHECK_MD5;
	ro.verbosity = opts_get(o, "verbosity")->set ? (int)opts_int(o, "verbosity") : -1;
	ro.force_verbosity = opts_given(o, "verbosity");
	ro.detach_long = ro.group_cmds = true;
	ro.on_proc = on_proc;
	ro.before_task = before_task;
	ro.hook_arg = a;
	ro.signalled = sig;
	rc = run_tasks(g, st, rep, &ro, sel, &e);
	if (rc < 0)
		rc = cmd_error(&e);
	reporter_free(rep);
	state_close(st);
	return rc;
}

/* Load, run, re-arm the watcher. Returns the run's code; *fatal: auto must stop. */
static int cycle(struct autoctx *a, bool first, bool *fatal_)
{
	struct cmd_env *env = a->env;
	struct graph *g = graph_new();
	struct opts o = {0};
	struct vec def_tasks = {0}, sel = {0}, ts = {0}, set = {0};
	struct strmap set_map = {0};
	struct err e = {0};
	char cwd[4096];
	int rc, sig = 0;

	*fatal_ = false;
	if (fchdir(a->cwd0) < 0)
		fatal("cannot return to the starting folder:");
	if (opts_parse(&o, a->defs, a->argc, a->argv, &e) < 0) {
		rc = cmd_error(&e);
		*fatal_ = true;
		goto out;
	}
	g->prog = env->bin_name;
	if (!first && env->loader->refresh)
		env->loader->refresh(env->loader, &a->changed);
	names_free(&a->changed);
	if ((rc = cmd_load(env, &o, g, &def_tasks)) != 0 ||
	    (rc = cmd_select_default(env, g, &o, &def_tasks, &sel, &e) < 0 ? cmd_error(&e) : 0)) {
		*fatal_ = first;
		goto out;
	}
	if (first && getcwd(cwd, sizeof(cwd)))
		a->home = xstrdup(cwd);
	if (first)
		a->state_path = auto_path(a->home, opts_str(&o, "dep_file"));
	stop_servers(a, a->code_changed ? pick_any : pick_gone, g);
	a->code_changed = false;
	graph_closure(g, &sel, &ts);
	watch_set(a, g, &ts, &set, &set_map);
	arm(a, &set, &set_map);
	rc = execute(a, g, &o, &sel, &ts, &sig);
	auto_set_stop_signal(sig);
	*fatal_ = first && rc == 3;     /* doit: a failure before execution ends auto */
	if (!sig && !*fatal_) {
		callback(opts_str(&o, rc == 0 ? "success_callback" : "failure_callback"));
		/* calc_dep results and delayed tasks are known now */
		ts.n = 0;
		graph_closure(g, &sel, &ts);
		watch_set(a, g, &ts, &set, &set_map);
		if (arm(a, &set, &set_map))
			a->pending = true;      /* changes during the run may have been dropped */
		note_targets(a, g);
	}
out:
	if (env->loader->release)
		env->loader->release(env->loader);
	graph_free(g);
	names_free(&def_tasks);
	vec_free(&sel);
	vec_free(&ts);
	wpaths_free(&set, &set_map);
	opts_free(&o);
	return rc;
}

/* ---- the command ---- */

static int setup(struct autoctx *a, struct cmd_env *env, int argc, char **argv)
{
	struct opts o = {0};
	struct err e = {0};
	const char *lim = getenv("DODO_AUTO_WATCH_LIMIT");    /* testing aid */
	int rc;

	a->env = env;
	a->argc = argc;
	a->argv = argv;
	if ((rc = cmd_parse(env, &o, &a->defs, argc, argv)) != 0) {
		opts_free(&o);
		return rc;
	}
	a->w = watch_new((int)opts_int(&o, "debounce"), opts_int(&o, "poll"), &e);
	a->gs = groups_new((int)opts_int(&o, "grace"));
	opts_free(&o);
	if (!a->w)
		return cmd_error(&e);
	if (lim && *lim)
		watch_set_watch_limit(a->w, atoi(lim));
	if ((a->cwd0 = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		warn("cannot open the current folder:");
		return 3;
	}
	if (auto_signals_start() < 0) {
		warn("cannot set up signal handling:");
		return 3;
	}
	return 0;
}

static void teardown(struct autoctx *a)
{
	struct cmd_env *env = a->env;
	struct opts o = {0};
	struct err e = {0};

	stop_servers(a, pick_any, NULL);
	if (a->home && opts_parse(&o, a->defs, a->argc, a->argv, &e) == 0)
		forget_at_exit(a, opts_str(&o, "dep_file"));
	opts_free(&o);
	auto_signals_stop();
	if (env->loader->unload)
		env->loader->unload(env->loader);
	watch_free(a->w);
	groups_free(a->gs);
	wpaths_free(&a->armed, &a->armed_map);
	tsigs_free(&a->tsigs, &a->tsig_map);
	names_free(&a->code);
	names_free(&a->forget);
	names_free(&a->changed);
	free(a->defs);
	free(a->home);
	free(a->state_path);
	if (a->cwd0 >= 0)
		close(a->cwd0);
}

int cmd_auto(struct cmd_env *env, int argc, char **argv)
{
	struct autoctx a = {.cwd0 = -1};
	bool first = true, fatal_ = false;
	int rc, sig, w = 1;

	if ((rc = setup(&a, env, argc, argv)) != 0)
		goto out;
	for (;;) {
		a.pending = false;
		rc = cycle(&a, first, &fatal_);
		if (fatal_ || auto_stop_signal())
			break;
		first = false;
		fflush(stdout);
		if ((w = wait_change(&a)) <= 0)
			break;
	}
	if (!fatal_)
		rc = w < 0 ? 3 : 0;
out:
	fflush(stdout);
	sig = auto_stop_signal();
	teardown(&a);
	if (sig == SIGTERM || sig == SIGHUP) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return rc;
}
