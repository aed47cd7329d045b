/* Unit tests of the no-op cache's engine parts: the stored graph's round trip and damage
 * handling (graphcache), the inputs' fingerprints (inputs: files, racy contents, folder
 * listings, environment), native command templates (expand) and the recording reporter. */
#include "graphcache.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "expand.h"
#include "frontend.h"
#include "fs.h"
#include "graph.h"
#include "inputs.h"
#include "report.h"
#include "report_record.h"
#include "unit.h"
#include "util.h"

static char tmp[64];

static struct task *add(struct graph *g, const char *name)
{
	struct err e = {0};
	struct task *t = graph_add_task(g, name, &e);

	if (!t)
		fatal("add %s: %s", name, e.msg);
	return t;
}

static char **argv_of(const char *a, const char *b)
{
	char **v = xcalloc(3, sizeof(*v));

	v[0] = xstrdup(a);
	v[1] = b ? xstrdup(b) : NULL;
	return v;
}

/* A graph using every field the engine reads, finalized. */
static struct graph *sample(void)
{
	struct graph *g = graph_new();
	struct task *cc = add(g, "cc"), *link = add(g, "link"), *grp = add(g, "group");
	struct task *sub = add(g, "group:one"), *later = add(g, "later");
	struct action *a;
	struct uptodate *u;
	struct err e = {0};

	cc->doc = xstrdup("compile");
	cc->verbosity = 2;
	task_add_file_dep(g, cc, "a.c");
	task_add_file_dep(g, cc, "a.h");
	task_add_target(g, cc, "a.o");
	a = task_add_action(cc, ACTION_CMD, false);
	a->shell = a->expand = a->native = true;
	a->cmd = xstrdup("cc -c %(dependencies)s -o %(targets)s");
	a = task_add_action(cc, ACTION_CMD, false);
	a->mode = MODE_LONG;
	a->expand = a->native = true;
	a->argv = argv_of("touch", "stamp");
	task_add_action(cc, ACTION_CALL, true);
	u = task_add_uptodate(cc, UTD_CONST);
	u->value = -1;
	u = task_add_uptodate(cc, UTD_SHELL);
	u->cmd = xstrdup("test -e a.c");
	u->index = 1;
	u = task_add_uptodate(cc, UTD_FRONTEND);
	u->index = 2;
	task_add_file_dep(g, link, "a.o");
	task_add_target(g, link, "app");
	task_add_action(link, ACTION_CALL, false);
	link->custom_title = true;
	link->capture = 0;
	namelist_add(&link->setup, "cc");
	namelist_add(&link->calc_dep, "cc");
	grp->has_subtask = true;
	vec_push(&grp->task_dep, xstrdup("group:one"));
	sub->subtask_of = xstrdup("group");
	vec_push(&sub->wild_dep, xstrdup("c*"));
	later->loader = LOADER_PENDING;
	later->target_regex = xstrdup(".*\\.x");
	later->delayed_base = xstrdup("later");
	later->abort_msg = xstrdup("bad task");
	if (graph_finalize(g, &e) < 0)
		fatal("finalize: %s", e.msg);
	return g;
}

static void sample_cache(struct graphcache *c)
{
	struct input *it;

	vec_push(&c->key, xstrdup("cwd=/x"));
	vec_push(&c->key, xstrdup("var=a=1"));
	it = inputs_add(&c->in, IN_FILE, "/x/dodo.py");
	it->exists = it->has_hash = true;
	it->mtime_ns = -5;
	it->size = 42;
	it->ino = UINT64_MAX;
	it->hash = 0x1234567890abcdefULL;
	it = inputs_add(&c->in, IN_ENV, "HOME");
	it->exists = true;
	it->value = xstrdup("/root");
	inputs_add(&c->in, IN_LIST_IMPORT, "/x");
	vec_push(&c->in.config, xstrdup("verbosity"));
	vec_push(&c->in.config, xstrdup("2"));
	vec_push(&c->in.task_args, xstrdup("link"));
	c->in.argv_read = true;
	vec_push(&c->def_tasks, xstrdup("link"));
	vec_push(&c->settings, xstrdup("GLOBAL"));
	vec_push(&c->settings, xstrdup("verbosity"));
	vec_push(&c->settings, NULL);
}

static char *joined(const struct vec *v, bool nodes)
{
	struct buf b = {0};
	size_t i;

	for (i = 0; i < v->n; i++)
		buf_printf(&b, "%s%s", i ? " " : "",
		           nodes ? ((struct node *)v->v[i])->path : (char *)v->v[i]);
	return buf_take(&b);
}

#define CHECK_LIST(vec, nodes, expected) do { \
	char *unit_s = joined(vec, nodes); \
	CHECK_STR(unit_s, expected); \
	free(unit_s); \
} while (0)

static struct graph *round_trip(struct graph *g, struct graphcache *out, struct buf *blob)
{
	struct graphcache c = {0};
	struct graph *back = graph_new();
	struct err e = {0};
	size_t at = 0;

	sample_cache(&c);
	graphcache_encode(&c, g, blob);
	graphcache_free(&c);
	CHECK_INT(graphcache_decode(blob->data, blob->len, out, &at, &e), 0);
	CHECK_INT(graphcache_graph(blob->data, blob->len, at, back, &e), 0);
	return back;
}

TEST(round_trip_tasks)
{
	struct graph *g = sample(), *b;
	struct graphcache c = {0};
	struct buf blob = {0};
	struct task *cc, *link, *later;
	struct action *a;
	struct uptodate *u;

	b = round_trip(g, &c, &blob);
	CHECK_INT(b->tasks.n, 5);
	CHECK_STR(((struct task *)b->tasks.v[3])->name, "group:one");
	cc = graph_find(b, "cc");
	link = graph_find(b, "link");
	later = graph_find(b, "later");
	CHECK(cc && link && later);
	CHECK_STR(cc->doc, "compile");
	CHECK_INT(cc->verbosity, 2);
	CHECK_INT(cc->capture, -1);
	CHECK_INT(link->capture, 0);
	CHECK_LIST(&cc->file_dep, true, "a.c a.h");
	CHECK_LIST(&cc->targets, true, "a.o");
	CHECK_INT(cc->actions.n, 2);
	a = cc->actions.v[0];
	CHECK(a->kind == ACTION_CMD && a->shell && a->expand && a->native && !a->argv);
	CHECK_STR(a->cmd, "cc -c %(dependencies)s -o %(targets)s");
	a = cc->actions.v[1];
	CHECK(a->mode == MODE_LONG && !a->shell && !a->cmd);
	CHECK(a->argv && a->argv[0] && a->argv[1] && !a->argv[2]);
	CHECK_STR(a->argv[1], "stamp");
	CHECK_INT(cc->teardown.n, 1);
	CHECK(((struct action *)cc->teardown.v[0])->kind == ACTION_CALL);
	CHECK_INT(cc->uptodate.n, 3);
	u = cc->uptodate.v[0];
	CHECK(u->kind == UTD_CONST && u->value == -1);
	u = cc->uptodate.v[1];
	CHECK(u->kind == UTD_SHELL && u->index == 1);
	CHECK_STR(u->cmd, "test -e a.c");
	u = cc->uptodate.v[2];
	CHECK(u->kind == UTD_FRONTEND && u->index == 2);
	CHECK(link->custom_title);
	CHECK_LIST(&link->setup, false, "cc");
	CHECK_LIST(&link->calc_dep, false, "cc");
	CHECK(graph_find(b, "group")->has_subtask);
	CHECK_STR(graph_find(b, "group:one")->subtask_of, "group");
	CHECK(!graph_find(b, "group")->subtask_of);
	CHECK_LIST(&graph_find(b, "group:one")->wild_dep, false, "c*");
	CHECK(later->loader == LOADER_PENDING);
	CHECK_STR(later->target_regex, ".*\\.x");
	CHECK_STR(later->delayed_base, "later");
	CHECK_STR(later->abort_msg, "bad task");
	CHECK(later->fe == NULL);
	graph_free(b);
	graph_free(g);
	graphcache_free(&c);
	buf_free(&blob);
}

TEST(round_trip_links_like_finalize)
{
	struct graph *g = sample(), *b;
	struct graphcache c = {0};
	struct buf blob = {0};
	struct task *link;

	b = round_trip(g, &c, &blob);
	link = graph_find(b, "link");
	/* wildcard and implicit deps as finalize made them, not added twice */
	CHECK_LIST(&graph_find(b, "group:one")->task_dep, false, "cc");
	CHECK_LIST(&link->task_dep, false, "cc");
	CHECK(strmap_get(&b->targets, "a.o", 3) == graph_find(b, "cc"));
	CHECK(graph_node(b, "a.o")->producer == graph_find(b, "cc"));
	/* one node per path: link's file_dep is cc's target */
	CHECK(link->file_dep.v[0] == graph_find(b, "cc")->targets.v[0]);
	CHECK(link->linked);
	graph_free(b);
	graph_free(g);
	graphcache_free(&c);
	buf_free(&blob);
}

TEST(round_trip_header)
{
	struct graph *g = sample(), *b;
	struct graphcache c = {0};
	struct buf blob = {0};
	struct input *it;

	b = round_trip(g, &c, &blob);
	CHECK_LIST(&c.key, false, "cwd=/x var=a=1");
	CHECK_INT(c.in.items.n, 3);
	it = c.in.items.v[0];
	CHECK(it->kind == IN_FILE && it->exists && it->has_hash && !it->is_dir);
	CHECK_STR(it->name, "/x/dodo.py");
	CHECK_INT(it->mtime_ns, -5);
	CHECK_INT(it->size, 42);
	CHECK(it->ino == UINT64_MAX && it->hash == 0x1234567890abcdefULL);
	it = c.in.items.v[1];
	CHECK(it->kind == IN_ENV && it->exists);
	CHECK_STR(it->value, "/root");
	it = c.in.items.v[2];
	CHECK(it->kind == IN_LIST_IMPORT && !it->value);
	CHECK_LIST(&c.in.config, false, "verbosity 2");
	CHECK_LIST(&c.in.task_args, false, "link");
	CHECK(c.in.argv_read);
	CHECK(!c.in.uncacheable);
	CHECK_LIST(&c.def_tasks, false, "link");
	CHECK_INT(c.settings.n, 3);
	CHECK(c.settings.v[2] == NULL);
	graph_free(b);
	graph_free(g);
	graphcache_free(&c);
	buf_free(&blob);
}

TEST(empty_graph)
{
	struct graph *g = graph_new(), *b;
	struct graphcache c = {0};
	struct buf blob = {0};

	b = round_trip(g, &c, &blob);
	CHECK_INT(b->tasks.n, 0);
	graph_free(b);
	graph_free(g);
	graphcache_free(&c);
	buf_free(&blob);
}

/* Every truncation and every single-byte change fails cleanly or decodes; none crashes. */
TEST(damaged_blobs)
{
	struct graph *g = sample(), *b;
	struct graphcache c = {0}, d;
	struct buf blob = {0};
	struct err e;
	size_t n, at, ok = 0;
	unsigned char *copy;

	b = round_trip(g, &c, &blob);
	graph_free(b);
	graphcache_free(&c);
	for (n = 0; n < blob.len; n++) {
		struct graph *x = graph_new();
		memset(&d, 0, sizeof(d));
		CHECK(graphcache_decode(blob.data, n, &d, &at, &e) < 0 ||
		      graphcache_graph(blob.data, n, at, x, &e) < 0);
		graphcache_free(&d);
		graph_free(x);
	}
	copy = xmalloc(blob.len);
	for (n = 0; n < blob.len; n++) {
		struct graph *x = graph_new();
		memcpy(copy, blob.data, blob.len);
		copy[n] ^= 0x5a;
		memset(&d, 0, sizeof(d));
		if (graphcache_decode(copy, blob.len, &d, &at, &e) == 0 &&
		    graphcache_graph(copy, blob.len, at, x, &e) == 0)
			ok++;
		graphcache_free(&d);
		graph_free(x);
	}
	CHECK(ok < blob.len);
	copy[0] = 'X';
	memset(&d, 0, sizeof(d));
	CHECK(graphcache_decode(copy, blob.len, &d, &at, &e) < 0);
	graphcache_free(&d);
	free(copy);
	graph_free(g);
	buf_free(&blob);
}

TEST(other_version)
{
	struct graph *g = graph_new();
	struct graphcache c = {0};
	struct buf blob = {0};
	struct err e = {0};
	size_t at;

	graphcache_encode(&c, g, &blob);
	blob.data[8] = GRAPHCACHE_VERSION + 1;   /* the version follows the magic */
	CHECK(graphcache_decode(blob.data, blob.len, &c, &at, &e) < 0);
	graphcache_free(&c);
	graph_free(g);
	buf_free(&blob);
}

/* --- inputs ------------------------------------------------------------------------- */

static char *path_in(const char *name)
{
	return xasprintf("%s/%s", tmp, name);
}

static void write_file(const char *path, const char *text)
{
	struct err e;

	if (fs_write_file(path, text, strlen(text), &e) < 0)
		fatal("%s", e.msg);
}

static void set_mtime(const char *path, time_t sec, long nsec)
{
	struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};

	if (utimensat(AT_FDCWD, path, ts, 0) < 0)
		fatal("utimensat %s:", path);
}

static int check(const struct input *it, const char *skip)
{
	struct buf why = {0};
	int r = inputs_check(it, skip, &why);

	buf_free(&why);
	return r;
}

static int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

TEST(file_signature)
{
	struct load_inputs in = {0};
	char *p = path_in("f.txt");
	struct input *it;
	struct err e;

	write_file(p, "x = 1\n");
	set_mtime(p, 1000000, 5);               /* long ago: not racy */
	it = inputs_add(&in, IN_FILE, p);
	CHECK_INT(inputs_stat_file(it, wall_ns(), &e), 0);
	CHECK(it->exists && !it->is_dir && !it->has_hash);
	CHECK_INT(check(it, NULL), 1);
	set_mtime(p, 1000000, 6);               /* one nanosecond later */
	CHECK_INT(check(it, NULL), 0);
	set_mtime(p, 1000000, 5);
	write_file(p, "x = 22\n");              /* a new inode, another size */
	set_mtime(p, 1000000, 5);
	CHECK_INT(check(it, NULL), 0);
	unlink(p);
	CHECK_INT(check(it, NULL), 0);
	load_inputs_free(&in);
	free(p);
}

TEST(racy_file_compares_contents)
{
	struct load_inputs in = {0};
	char *p = path_in("racy.txt");
	struct input *it;
	struct fsinfo fi;
	struct err e;

	write_file(p, "x = 1\n");
	it = inputs_add(&in, IN_FILE, p);
	CHECK_INT(inputs_stat_file(it, wall_ns(), &e), 0);
	CHECK(it->has_hash);
	CHECK_INT(check(it, NULL), 1);
	/* same size, same mtime, same inode: only the contents tell */
	fs_stat(p, &fi, &e);
	{
		FILE *f = fopen(p, "r+");
		fputs("x = 2\n", f);
		fclose(f);
	}
	set_mtime(p, (time_t)(fi.mtime_ns / 1000000000), (long)(fi.mtime_ns % 1000000000));
	CHECK_INT(check(it, NULL), 0);
	load_inputs_free(&in);
	free(p);
}

TEST(missing_file_and_folder_type)
{
	struct load_inputs in = {0};
	char *p = path_in("later.txt"), *d = path_in("sub");
	struct input *it, *dir;
	struct err e;

	it = inputs_add(&in, IN_FILE, p);
	CHECK_INT(inputs_stat_file(it, wall_ns(), &e), 0);
	CHECK(!it->exists);
	CHECK_INT(check(it, NULL), 1);
	write_file(p, "");
	CHECK_INT(check(it, NULL), 0);          /* appeared */
	mkdir(d, 0777);
	dir = inputs_add(&in, IN_FILE, d);
	CHECK_INT(inputs_stat_file(dir, wall_ns(), &e), 0);
	CHECK(dir->exists && dir->is_dir && !dir->has_hash);
	{
		char *x = xasprintf("%s/x", d);  /* a folder's mtime does not count */
		write_file(x, "");
		free(x);
	}
	CHECK_INT(check(dir, NULL), 1);
	unlink(p);
	load_inputs_free(&in);
	free(p);
	free(d);
}

static int listing(const char *dir, enum input_kind kind, const char *skip, uint64_t *h)
{
	bool exists;
	struct err e;

	if (inputs_list_dir(dir, kind, skip, &exists, h, &e) < 0)
		return -1;
	return exists;
}

TEST(folder_listing)
{
	char *d = path_in("listed"), *a, *wal;
	struct load_inputs in = {0};
	struct input *it;
	uint64_t h = 0;
	char *names[] = {"b.c", "a.c", ".dodo.db"};

	mkdir(d, 0777);
	a = xasprintf("%s/a.c", d);
	write_file(a, "");
	free(a);
	a = xasprintf("%s/b.c", d);
	write_file(a, "");
	it = inputs_add(&in, IN_LIST, d);
	it->exists = true;
	it->hash = inputs_listing_hash(names, 3, IN_LIST, ".dodo.db");
	CHECK_INT(listing(d, IN_LIST, ".dodo.db", &h), 1);
	CHECK(h == it->hash);                   /* order does not matter */
	CHECK_INT(check(it, ".dodo.db"), 1);
	wal = xasprintf("%s/.dodo.db-wal", d);  /* the state file's companions do not count */
	write_file(wal, "");
	CHECK_INT(check(it, ".dodo.db"), 1);
	CHECK_INT(check(it, NULL), 0);
	unlink(a);                              /* a file removed */
	CHECK_INT(check(it, ".dodo.db"), 0);
	write_file(a, "");
	CHECK_INT(check(it, ".dodo.db"), 1);
	free(a);
	a = xasprintf("%s/c.c", d);             /* a file added */
	write_file(a, "");
	CHECK_INT(check(it, ".dodo.db"), 0);
	free(a);
	a = path_in("nowhere");
	CHECK_INT(listing(a, IN_LIST, NULL, &h), 0);
	free(a);
	free(wal);
	free(d);
	load_inputs_free(&in);
}

TEST(import_listing_counts_module_names)
{
	char *d = path_in("imports"), *p;
	uint64_t before, after;

	mkdir(d, 0777);
	CHECK_INT(listing(d, IN_LIST_IMPORT, NULL, &before), 1);
	p = xasprintf("%s/out.o", d);
	write_file(p, "");
	free(p);
	p = xasprintf("%s/__pycache__", d);     /* the import system's own cache */
	mkdir(p, 0777);
	free(p);
	CHECK_INT(listing(d, IN_LIST_IMPORT, NULL, &after), 1);
	CHECK(before == after);
	CHECK_INT(listing(d, IN_LIST, NULL, &after), 1);
	CHECK(before != after);
	p = xasprintf("%s/helpers.py", d);
	write_file(p, "");
	free(p);
	CHECK_INT(listing(d, IN_LIST_IMPORT, NULL, &after), 1);
	CHECK(before != after);
	free(d);
}

TEST(environment)
{
	struct load_inputs in = {0};
	struct input *set, *unset, *all;
	char *env[] = {"B=2", "A=1"};
	char *env2[] = {"A=1", "B=2"};

	setenv("DODO_UNIT_X", "1", 1);
	unsetenv("DODO_UNIT_Y");
	set = inputs_add(&in, IN_ENV, "DODO_UNIT_X");
	set->exists = true;
	set->value = xstrdup("1");
	unset = inputs_add(&in, IN_ENV, "DODO_UNIT_Y");
	CHECK_INT(check(set, NULL), 1);
	CHECK_INT(check(unset, NULL), 1);
	setenv("DODO_UNIT_X", "2", 1);
	setenv("DODO_UNIT_Y", "", 1);
	CHECK_INT(check(set, NULL), 0);
	CHECK_INT(check(unset, NULL), 0);   /* set, even empty */
	CHECK(inputs_env_hash(env, 2, "") == inputs_env_hash(env2, 2, ""));
	all = inputs_add(&in, IN_ENV_ALL, "");
	{
		extern char **environ;
		size_t n = 0;
		char **copy;
		while (environ[n])
			n++;
		copy = xcalloc(n + 1, sizeof(*copy));
		memcpy(copy, environ, n * sizeof(*copy));
		all->hash = inputs_env_hash(copy, n, "");
		free(copy);
	}
	CHECK_INT(check(all, NULL), 1);
	setenv("OLDPWD", "/somewhere/else", 1);     /* volatile, not mentioned */
	setenv("DODO_UNIT_Z", "3", 1);              /* dodo's own prefix */
	CHECK_INT(check(all, NULL), 1);
	setenv("UNIT_ENV_Z", "3", 1);
	CHECK_INT(check(all, NULL), 0);
	unsetenv("UNIT_ENV_Z");
	CHECK_INT(check(all, NULL), 1);
	free(all->name);
	all->name = xstrdup("SHLVL OLDPWD");        /* the sources name OLDPWD */
	CHECK_INT(check(all, NULL), 0);
	unsetenv("DODO_UNIT_X");
	unsetenv("DODO_UNIT_Y");
	unsetenv("DODO_UNIT_Z");
	load_inputs_free(&in);
}

/* --- native command templates ------------------------------------------------------- */

TEST(templates_accepted)
{
	CHECK(expand_template_ok("cc -c %(dependencies)s -o %(targets)s"));
	CHECK(expand_template_ok("echo 100%% %(changed)s"));
	CHECK(expand_template_ok("no percent at all"));
	CHECK(!expand_template_ok("echo %s"));
	CHECK(!expand_template_ok("echo %(name)s"));
	CHECK(!expand_template_ok("echo %(targets)r"));
	CHECK(!expand_template_ok("echo %(targets"));
	CHECK(!expand_template_ok("trailing %"));
}

TEST(expand_native)
{
	struct graph *g = graph_new();
	struct task *t = add(g, "t");
	struct action *a = task_add_action(t, ACTION_CMD, false);
	struct cmdspec spec = {0};

	task_add_file_dep(g, t, "b.c");
	task_add_file_dep(g, t, "a.c");
	task_add_target(g, t, "out");
	task_add_target(g, t, "out2");
	vec_push(&t->dep_changed, graph_node(g, "a.c"));
	a->shell = a->native = true;
	a->cmd = xstrdup("cc %(dependencies)s -o %(targets)s # %(changed)s 100%%");
	CHECK_INT(action_expand_native(t, a, &spec), 0);
	CHECK_STR(spec.cmd, "cc b.c a.c -o out out2 # a.c 100%");
	cmdspec_free(&spec);
	a->shell = false;                       /* a string without shell: one argv word */
	CHECK_INT(action_expand_native(t, a, &spec), 0);
	CHECK(!spec.cmd && spec.argv.n == 1);
	CHECK_STR(spec.argv.v[0], "cc b.c a.c -o out out2 # a.c 100%");
	cmdspec_free(&spec);
	free(a->cmd);
	a->cmd = NULL;
	a->argv = argv_of("echo", "%(targets)s");   /* lists are taken as they are */
	CHECK_INT(action_expand_native(t, a, &spec), 0);
	CHECK_INT(spec.argv.n, 2);
	CHECK_STR(spec.argv.v[1], "%(targets)s");
	cmdspec_free(&spec);
	a->native = false;
	CHECK_INT(action_expand_native(t, a, &spec), -1);
	graph_free(g);
}

/* --- the recording reporter --------------------------------------------------------- */

static struct buf seen;

static void ev(struct reporter *r, struct task *t)
{
	buf_printf(&seen, "%s;", t->name);
}

static void complete(struct reporter *r)
{
	buf_puts(&seen, "end;");
}

static void nop_failure(struct reporter *r, struct task *t, const struct outcome *o)
{
}

static void nop_msg(struct reporter *r, const char *m)
{
}

TEST(record_and_replay)
{
	static const struct reporter_ops ops = {
		ev, ev, nop_failure, ev, ev, ev, ev, nop_msg, nop_msg, complete, NULL, NULL,
	};
	struct graph *g = graph_new();
	struct task *a = add(g, "a"), *b = add(g, "b");
	struct reporter *rec = reporter_record_new(g), to = {0};
	struct outcome o = {0};

	to.ops = &ops;
	rec->ops->get_status(rec, a);
	rec->ops->skip_uptodate(rec, a);
	rec->ops->get_status(rec, b);
	rec->ops->execute_task(rec, b);
	rec->ops->add_success(rec, b);
	rec->ops->complete_run(rec);
	CHECK(reporter_record_clean(rec));
	reporter_record_replay(rec, &to);
	CHECK_STR(buf_str(&seen), "a;a;b;b;b;end;");
	rec->ops->add_failure(rec, b, &o);
	CHECK(!reporter_record_clean(rec));
	reporter_free(rec);
	rec = reporter_record_new(g);
	b->custom_title = true;                 /* the front-end would compute the title */
	rec->ops->get_status(rec, b);
	CHECK(!reporter_record_clean(rec));
	reporter_free(rec);
	buf_free(&seen);
	graph_free(g);
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/dodo-unit-gc-%d", (int)getpid());
	mkdir(tmp, 0777);
	RUN(round_trip_tasks);
	RUN(round_trip_links_like_finalize);
	RUN(round_trip_header);
	RUN(empty_graph);
	RUN(damaged_blobs);
	RUN(other_version);
	RUN(file_signature);
	RUN(racy_file_compares_contents);
	RUN(missing_file_and_folder_type);
	RUN(folder_listing);
	RUN(import_listing_counts_module_names);
	RUN(environment);
	RUN(templates_accepted);
	RUN(expand_native);
	RUN(record_and_replay);
	{
		char *cmd = xasprintf("rm -rf %s", tmp);
		if (system(cmd) != 0)
			warn("cannot remove %s", tmp);
		free(cmd);
	}
	return unit_done("graphcache");
}
