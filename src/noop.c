#include "noop.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "frontend.h"
#include "fs.h"
#include "graph.h"
#include "graphcache.h"
#include "hash.h"
#include "inputs.h"
#include "report.h"
#include "report_record.h"
#include "state.h"

struct noop {
	struct frontend fe;         /* the stand-in front-end */
	struct cmd_env *env;
	struct graph *g;
	char *cwd;                  /* where dodo started */
	char *file, *workdir;       /* the task file, the folder the load runs in */
	bool moved;                 /* the current folder is workdir */
	bool config_ours;           /* env->config was made here */
	struct state *st;
	struct buf blob;
	struct graphcache gc;
	size_t graph_at;
	bool need;                  /* the run reached something only the loader knows */
	const char *why;
};

struct noop_save {
	struct buf blob;            /* what to store, or empty */
	bool forget;                /* no blob: delete the stored one */
	char *why;                  /* why nothing is stored */
	size_t ntasks;
};

/* The options that decide which task file loads and where the state is. */
static const char *const loader_opts[] = {"dodoFile", "cwdPath", "seek_file", "dep_file",
                                          NULL};

/* Environment variables the interpreter reads before the task file loads. */
static const char *const python_env[] = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME",
                                         "PYTHONSAFEPATH", "PYTHONNOUSERSITE",
                                         "PYTHONUSERBASE", "PYTHONPLATLIBDIR", NULL};

/* The load was validated in this process: a normal load after NOOP_AGAIN stores nothing. */
static bool validated;

static void debug(const char *fmt, ...)
{
	const char *v = getenv("DODO_DEBUG_LOAD");
	va_list ap;

	if (!v || !*v)
		return;
	va_start(ap, fmt);
	fputs("dodo: load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

bool noop_enabled(void)
{
	const char *v = getenv("DODO_NOOP");

	return !v || strcmp(v, "0") != 0;
}

/* --- where the load happens ---------------------------------------------------------- */

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* The task file and the folder the load runs in (-d, else the file's). 0 or -1. */
static int locate(struct opts *o, const char *cwd, char **file, char **workdir)
{
	const char *d = opts_str(o, "cwdPath");
	char *slash;

	*workdir = NULL;
	*file = fs_find_up(opts_str(o, "dodoFile"), opts_int(o, "seek_file"), cwd);
	if (!*file)
		return -1;
	if (d) {
		*workdir = d[0] == '/' ? xstrdup(d) : xasprintf("%s/%s", cwd, d);
		return 0;
	}
	*workdir = xstrdup(*file);
	slash = strrchr(*workdir, '/');
	if (slash == *workdir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return 0;
}

/* An option's value as text ("" when none). */
static char *opt_text(struct opts *o, const char *name)
{
	struct optval *v = opts_get(o, name);

	if (!v)
		return xstrdup("");
	if (v->def->type == OPT_BOOL)
		return xasprintf("%ld", v->num);
	return xstrdup(v->str ? v->str : "");
}

/* The state file's name: folder listings leave out names starting with it. */
static const char *state_base(struct opts *o)
{
	const char *p = opts_str(o, "dep_file"), *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p ? p : "";
}

/* --- the key: what must be as it was ----------------------------------------------------- */

/* The dodo binary: rebuilding or upgrading it invalidates every stored graph. */
static char *exe_identity(void)
{
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	struct fsinfo fi;
	struct err e;

	if (n <= 0 || fs_stat((path[n] = '\0', path), &fi, &e) < 0 || !fi.exists)
		return NULL;
	return xasprintf("exe=%s:%lld:%lld:%llu", path, (long long)fi.mtime_ns,
	                 (long long)fi.size, (unsigned long long)fi.ino);
}

/* The whole command line (sys.argv), as a hash. */
static char *argv_identity(void)
{
	struct buf b = {0};
	struct err e;
	char hex[17];

	if (fs_read_file("/proc/self/cmdline", &b, &e) < 0) {
		buf_free(&b);
		return NULL;
	}
	hash_hex(hash_bytes(b.data ? b.data : "", b.len), hex);
	buf_free(&b);
	return xasprintf("argv=%s", hex);
}

/* Fill key (empty) for a load of file in workdir from cwd with options o (as parsed, no
 * configuration applied). 0, or -1 when an identity cannot be read. */
static int make_key(struct vec *key, const char *cwd, const char *file, const char *workdir,
                    struct opts *o, bool argv_read)
{
	char *s;
	size_t i;

	if (!(s = exe_identity()))
		return -1;
	vec_push(key, s);
	vec_push(key, xasprintf("cwd=%s", cwd));
	vec_push(key, xasprintf("file=%s", file));
	vec_push(key, xasprintf("workdir=%s", workdir));
	for (i = 0; loader_opts[i]; i++) {
		s = opt_text(o, loader_opts[i]);
		vec_push(key, xasprintf("opt.%s=%s", loader_opts[i], s));
		free(s);
	}
	for (i = 0; i < o->vars.n; i++)
		vec_push(key, xasprintf("var=%s", (char *)o->vars.v[i]));
	if (argv_read) {
		if (!(s = argv_identity()))
			return -1;
		vec_push(key, s);
	}
	return 0;
}

static void free_strings(struct vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	vec_free(v);
}

static bool same_strings(const struct vec *a, const struct vec *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return false;
	return true;
}

/* --- the stand-in front-end: whatever reaches it needs the task file -------------------- */

static int need(struct frontend *fe, const char *why, struct err *e)
{
	struct noop *n = fe->ctx;

	if (!n->need) {
		n->need = true;
		n->why = why;
	}
	if (e)
		seterr(e, 3, "the task file must be loaded (%s)", why);
	return -1;
}

static int sf_expand(struct frontend *fe, struct task *t, struct action *a,
                     struct cmdspec *spec, struct outcome *o)
{
	outcome_set(o, OUT_ERROR, "TaskError", "the task file must be loaded\n");
	return need(fe, "a command to build", NULL);
}

static int sf_cmd_done(struct frontend *fe, struct task *t, struct action *a, int rc,
                       struct outcome *o)
{
	outcome_set(o, OUT_ERROR, "TaskError", "the task file must be loaded\n");
	return need(fe, "a command ran", NULL);
}

static int sf_run_call(struct frontend *fe, struct task *t, struct action *a,
                       int verbosity, struct outcome *o)
{
	outcome_set(o, OUT_ERROR, "TaskError", "the task file must be loaded\n");
	return need(fe, "a Python action", NULL);
}

static int sf_uptodate(struct frontend *fe, struct task *t, size_t index, int *res,
                       struct err *e)
{
	return need(fe, "an uptodate callable", e);
}

static char *sf_title(struct frontend *fe, struct task *t)
{
	need(fe, "a custom title", NULL);
	return xstrdup(t->name);
}

static int sf_parse_args(struct frontend *fe, struct task *t, char **args, size_t n,
                         size_t *consumed, struct err *e)
{
	struct noop *nc = fe->ctx;
	size_t i;

	*consumed = 0;
	if (namelist_has(&nc->gc.in.task_args, t->name))
		return need(fe, "a task taking options", e);
	for (i = 0; i < n; i++)
		if (args[i][0] == '-')
			return need(fe, "options after a task name", e);
	return 0;
}

/* A task without actions (a group) executes as the loader would have it: nothing runs,
 * its success is saved with no values. Anything else needs the loader. */
static int sf_prepare(struct frontend *fe, struct task *t, struct err *e)
{
	struct noop *n = fe->ctx;

	if (t->actions.n || t->teardown.n || namelist_has(&n->gc.in.task_args, t->name))
		return need(fe, "a task to execute", e);
	return 0;
}

static int sf_finish(struct frontend *fe, struct task *t, char **values, char **result,
                     struct err *e)
{
	if (t->actions.n)
		return need(fe, "a task executed", e);
	*values = xstrdup("{}");
	*result = NULL;
	return 0;
}

static void sf_restore(struct frontend *fe, struct task *t, const char *values_json)
{
}

static int sf_calc_dep(struct frontend *fe, struct graph *g, struct task *t,
                       struct task *calc, struct err *e)
{
	return need(fe, "calc_dep", e);
}

static int sf_match_target(struct frontend *fe, struct task *t, const char *target)
{
	need(fe, "a delayed task's target", NULL);
	return 0;
}

static int sf_create_delayed(struct frontend *fe, struct graph *g, struct task *t,
                             struct err *e)
{
	return need(fe, "a delayed task", e);
}

static const struct frontend_ops stand_in_ops = {
	.expand = sf_expand,
	.cmd_done = sf_cmd_done,
	.run_call = sf_run_call,
	.uptodate = sf_uptodate,
	.title = sf_title,
	.parse_args = sf_parse_args,
	.prepare = sf_prepare,
	.finish = sf_finish,
	.restore = sf_restore,
	.calc_dep = sf_calc_dep,
	.match_target = sf_match_target,
	.create_delayed = sf_create_delayed,
};

/* --- using the stored graph ------------------------------------------------------------ */

/* The loader that gives the configuration files' settings as stored. */
static int replay_config(struct loader *l, const char *const *paths,
                         void (*add)(void *arg, const char *section, const char *key,
                                     const char *value),
                         void *arg, struct err *e)
{
	struct noop *n = l->ctx;
	size_t i;

	for (i = 0; i + 2 < n->gc.settings.n; i += 3)
		add(arg, n->gc.settings.v[i], n->gc.settings.v[i + 1], n->gc.settings.v[i + 2]);
	return 0;
}

/* Apply the configuration as the load would: files (stored, or already read), then
 * DOIT_CONFIG; the task file and state file must stay where they were looked for. */
static const char *configure(struct noop *n, struct opts *o)
{
	struct cmd_env *env = n->env;
	struct vec before = {0}, after = {0};
	struct err e = {0};
	const char *why = NULL;
	size_t i;

	for (i = 0; loader_opts[i]; i++)
		vec_push(&before, opt_text(o, loader_opts[i]));
	if (!env->config) {
		struct loader rl = {0};
		rl.read_config = replay_config;
		rl.ctx = n;
		if (chdir(n->cwd) == 0)
			env->config = config_read(&rl, &e);
		n->config_ours = env->config != NULL;
		if (chdir(n->workdir) < 0 || !env->config) {
			why = "the configuration cannot be replayed";
			goto out;
		}
	}
	if (config_apply(env->config, "GLOBAL", o, &e) < 0 ||
	    config_apply(env->config, env->cmd ? env->cmd->name : "run", o, &e) < 0) {
		why = "the configuration does not apply";
		goto out;
	}
	for (i = 0; i + 1 < n->gc.in.config.n; i += 2)
		if (opts_config(o, n->gc.in.config.v[i], n->gc.in.config.v[i + 1], &e) < 0) {
			why = "DOIT_CONFIG does not apply";
			goto out;
		}
	for (i = 0; loader_opts[i]; i++)
		vec_push(&after, opt_text(o, loader_opts[i]));
	if (!same_strings(&before, &after))
		why = "the configuration moves the task file or the state file";
out:
	free_strings(&before);
	free_strings(&after);
	return why;
}

/* Are all inputs as recorded? NULL, or why not (in why). */
static const char *check_inputs(struct noop *n, struct opts *o, struct buf *why)
{
	const char *skip = state_base(o);
	size_t i;

	for (i = 0; i < n->gc.in.items.n; i++)
		if (!inputs_check(n->gc.in.items.v[i], skip, why))
			return buf_str(why);
	return NULL;
}

/* The stored graph for this run, decoded, or why not. */
static const char *open_store(struct noop *n, struct opts *o, struct buf *why)
{
	const char *dep = opts_str(o, "dep_file");
	struct vec key = {0};
	struct err e = {0};
	bool found = false;
	const char *r = NULL;

	if (!dep || !exists(dep))
		return "no state file";
	if (!(n->st = state_open(dep, 0, 0, &e)))
		return "the state file does not open (or another dodo holds it)";
	if (state_meta_get(n->st, NOOP_META_KEY, &n->blob, &found, &e) < 0 || !found)
		return "no stored graph";
	if (graphcache_decode(n->blob.data, n->blob.len, &n->gc, &n->graph_at, &e) < 0)
		return "the stored graph is damaged or of another version";
	if (n->gc.in.uncacheable)
		return n->gc.in.uncacheable;
	if (make_key(&key, n->cwd, n->file, n->workdir, o, n->gc.in.argv_read) < 0)
		r = "the dodo binary or the command line cannot be identified";
	else if (!same_strings(&key, &n->gc.key))
		r = "the command line, the folders or the dodo binary changed";
	free_strings(&key);
	return r ? r : check_inputs(n, o, why);
}

/* Make g from the store, with the stand-in front-end. */
static const char *build(struct noop *n, struct graph *g, struct vec *def_tasks)
{
	struct err e = {0};
	size_t i;

	if (graphcache_graph(n->blob.data, n->blob.len, n->graph_at, g, &e) < 0)
		return "the stored graph does not decode";
	n->fe.ops = &stand_in_ops;
	n->fe.ctx = n;
	g->fe = &n->fe;
	for (i = 0; i < g->tasks.n; i++)
		((struct task *)g->tasks.v[i])->fe = n;
	for (i = 0; i < n->gc.def_tasks.n; i++)
		vec_push(def_tasks, xstrdup(n->gc.def_tasks.v[i]));
	if (state_begin(n->st, &e) < 0)
		return "the state file does not start a transaction";
	return NULL;
}

/* In workdir: the store's graph into g, or why not. */
static const char *use_store(struct noop *n, struct opts *o, struct graph *g,
                             struct vec *def_tasks, struct buf *why)
{
	const char *fail;

	n->moved = true;
	if ((fail = open_store(n, o, why)) || (fail = configure(n, o)))
		return fail;
	return build(n, g, def_tasks);
}

struct noop *noop_load(struct cmd_env *env, struct opts *o, struct graph *g,
                       struct vec *def_tasks)
{
	struct noop *n = xcalloc(1, sizeof(*n));
	struct buf why = {0};
	const char *fail;

	n->env = env;
	n->g = g;
	n->cwd = getcwd(NULL, 0);
	if (!n->cwd || locate(o, n->cwd, &n->file, &n->workdir) < 0)
		fail = "the task file is not found";
	else if (chdir(n->workdir) < 0)
		fail = "the task file's folder is not reachable";
	else
		fail = use_store(n, o, g, def_tasks, &why);
	if (fail) {
		debug("the stored graph is not used: %s", fail);
		buf_free(&why);
		noop_free(n, true);
		return NULL;
	}
	buf_free(&why);
	validated = true;
	debug("the stored graph is current (%zu tasks)", g->tasks.n);
	return n;
}

struct state *noop_state(struct noop *n)
{
	struct state *st = n->st;

	n->st = NULL;
	return st;
}

struct reporter *noop_reporter(struct noop *n, const char *name)
{
	size_t i;

	for (i = 0; reporter_names[i]; i++)
		if (strcmp(reporter_names[i], name) == 0)
			return reporter_record_new(n->g);
	debug("the reporter '%s' is not built in", name);
	return NULL;
}

int noop_finish(struct noop *n, int rc, struct state *st, struct reporter *rec,
                struct opts *o, const struct vec *sel)
{
	const char *outfile = opts_str(o, "outfile");
	struct reporter *real;
	struct err e = {0};
	FILE *out = stdout;

	if (rc != 0 || n->need || !reporter_record_clean(rec)) {
		debug("the run needs the task file: %s", n->need ? n->why :
		      rc != 0 ? "an error" : "a failure, a teardown or a custom title");
		state_rollback(st);
		return NOOP_AGAIN;
	}
	if (state_commit(st, &e) < 0 || (outfile && !(out = fopen(outfile, "w")))) {
		debug("the run cannot end: %s", e.msg);
		return NOOP_AGAIN;
	}
	fflush(stdout);
	inputs_output_replay(&n->gc.in);
	real = reporter_new(opts_str(o, "reporter"), n->g, out,
	                    (int)opts_int(o, "failure_verbosity"));
	if (real) {
		reporter_initialize(real, sel);
		reporter_record_replay(rec, real);
		reporter_free(real);
	}
	if (out != stdout)
		fclose(out);
	else
		fflush(stdout);
	return real ? rc : NOOP_AGAIN;
}

void noop_free(struct noop *n, bool again)
{
	if (!n)
		return;
	state_close(n->st);
	if (again && n->config_ours) {
		config_free(n->env->config);
		n->env->config = NULL;
	}
	if (again && n->moved && chdir(n->cwd) < 0)
		warn("cannot go back to '%s':", n->cwd);
	graphcache_free(&n->gc);
	buf_free(&n->blob);
	free(n->cwd);
	free(n->file);
	free(n->workdir);
	free(n);
}

/* --- storing after a normal load ----------------------------------------------------- */

static int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void add_setting(void *arg, const char *section, const char *key, const char *value)
{
	struct vec *v = arg;

	vec_push(v, xstrdup(section));
	vec_push(v, xstrdup(key));
	vec_push(v, value ? xstrdup(value) : NULL);
}

/* Add the file or folder path to in, as it is now. */
static void stat_input(struct load_inputs *in, char *path, int64_t now)
{
	struct err e;

	if (inputs_stat_file(inputs_add(in, IN_FILE, path), now, &e) < 0 && !in->uncacheable)
		in->uncacheable = xasprintf("cannot stat '%s'", path);
	free(path);
}

/* The virtualenvs the interpreter may start in: $VIRTUAL_ENV, .venv in the starting folder
 * and beside the task file (in dir), each with the pyvenv.cfg that makes it one. */
static void venv_inputs(struct load_inputs *in, const char *cwd, const char *dir, int64_t now)
{
	const char *env = getenv("VIRTUAL_ENV");
	size_t i;

	for (i = 0; i < 2; i++) {
		stat_input(in, xasprintf("%s/.venv", i ? dir : cwd), now);
		stat_input(in, xasprintf("%s/.venv/pyvenv.cfg", i ? dir : cwd), now);
	}
	if (env && *env)
		stat_input(in, env[0] == '/' ? xasprintf("%s/pyvenv.cfg", env)
		                             : xasprintf("%s/%s/pyvenv.cfg", cwd, env), now);
}

/* What the engine and the interpreter read before the task file runs. */
static void engine_inputs(struct load_inputs *in, const char *cwd, const char *file)
{
	int64_t now = wall_ns();
	char *dir = xstrdup(file), *slash = strrchr(dir, '/');
	size_t i;

	if (slash)
		*slash = '\0';
	for (i = 0; config_files[i]; i++)
		stat_input(in, xasprintf("%s/%s", cwd, config_files[i]), now);
	venv_inputs(in, cwd, dir, now);
	for (i = 0; python_env[i]; i++) {
		struct input *it = inputs_add(in, IN_ENV, python_env[i]);
		const char *v = getenv(python_env[i]);
		it->exists = v != NULL;
		it->value = v ? xstrdup(v) : NULL;
	}
	free(dir);
}

static bool same_file(const char *a, const char *b)
{
	struct fsinfo fa, fb;
	struct err e;

	return fs_stat(a, &fa, &e) == 0 && fs_stat(b, &fb, &e) == 0 && fa.exists &&
	       fb.exists && fa.ino == fb.ino && fa.dev == fb.dev;
}

/* Fill gc for this load, or return why it cannot be stored. */
static const char *capture(struct cmd_env *env, struct opts *pre, struct opts *o,
                           struct graphcache *gc, char **file, char **workdir)
{
	struct load_inputs *in = &gc->in;
	size_t i;

	if (!env->loader->inputs || env->loader->inputs(env->loader, state_base(o), in) < 0)
		return "the front-end did not record the load";
	if (in->uncacheable)
		return in->uncacheable;
	for (i = 0; loader_opts[i]; i++) {
		char *a = opt_text(pre, loader_opts[i]), *b = opt_text(o, loader_opts[i]);
		bool same = strcmp(a, b) == 0;
		free(a);
		free(b);
		if (!same)
			return "the configuration moves the task file or the state file";
	}
	if (locate(pre, in->initial_cwd, file, workdir) < 0 ||
	    !same_file(*file, in->dodo_path) || !same_file(*workdir, "."))
		return "the task file is not where the options say";
	if (make_key(&gc->key, in->initial_cwd, *file, *workdir, pre, in->argv_read) < 0)
		return "the dodo binary or the command line cannot be identified";
	engine_inputs(in, in->initial_cwd, *file);
	return in->uncacheable;
}

struct noop_save *noop_capture(struct cmd_env *env, const struct optdef *defs, int argc,
                               char **argv, struct opts *o, struct graph *g,
                               const struct vec *def_tasks)
{
	struct noop_save *s;
	struct graphcache gc = {0};
	struct opts pre;
	struct err e = {0};
	char *file = NULL, *workdir = NULL;
	const char *why;
	size_t i;

	if (!noop_enabled() || validated)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	if (opts_parse(&pre, defs, argc, argv, &e) < 0) {
		s->why = xstrdup("the command line does not parse");
		s->forget = true;
		return s;
	}
	why = capture(env, &pre, o, &gc, &file, &workdir);
	if (why) {
		s->why = xstrdup(why);
		s->forget = true;
	} else {
		config_foreach(env->config, add_setting, &gc.settings);
		for (i = 0; i < def_tasks->n; i++)
			vec_push(&gc.def_tasks, xstrdup(def_tasks->v[i]));
		graphcache_encode(&gc, g, &s->blob);
		s->ntasks = g->tasks.n;
	}
	graphcache_free(&gc);
	opts_free(&pre);
	free(file);
	free(workdir);
	return s;
}

void noop_store(struct noop_save *s, struct state *st)
{
	struct err e = {0};

	if (!s)
		return;
	if (s->blob.len) {
		if (state_meta_put(st, NOOP_META_KEY, s->blob.data, s->blob.len, &e) < 0)
			debug("the graph is not stored: %s", e.msg);
		else
			debug("the graph is stored (%zu tasks, %zu bytes)", s->ntasks, s->blob.len);
	} else if (s->forget) {
		debug("the graph cannot be stored: %s", s->why);
		if (state_meta_del(st, NOOP_META_KEY, &e) < 0)
			debug("the stored graph is not removed: %s", e.msg);
	}
	noop_save_free(s);
}

void noop_save_free(struct noop_save *s)
{
	if (!s)
		return;
	buf_free(&s->blob);
	free(s->why);
	free(s);
}
