/* Unit tests of graph: interning, task names, finalize (wildcards, unknown names,
 * common targets, implicit task_dep), replacement, matching and name lists.
 * Expected messages and orders are doit 0.31.1's (control.py TaskControl). */
#include "graph.h"

#include <stdlib.h>

#include "unit.h"
#include "util.h"

static struct task *add(struct graph *g, const char *name)
{
	struct err e = {0};
	struct task *t = graph_add_task(g, name, &e);

	if (!t)
		fatal("add %s: %s", name, e.msg);
	return t;
}

/* The names of a name list joined by spaces (malloc'd). */
static char *names(const struct vec *v)
{
	struct buf b = {0};
	size_t i;

	for (i = 0; i < v->n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", (char *)v->v[i]);
	return buf_take(&b);
}

#define CHECK_NAMES(vec, expected) do { \
	char *unit_s = names(vec); \
	CHECK_STR(unit_s, expected); \
	free(unit_s); \
} while (0)

TEST(intern_same_pointer)
{
	struct graph *g = graph_new();
	struct node *a = graph_node(g, "src/a.c"), *b, *c, *d;
	char path[] = "src/a.c";

	b = graph_node(g, path);
	path[0] = 'X';               /* the node owns its copy */
	CHECK(a == b);
	CHECK_STR(a->path, "src/a.c");
	CHECK_INT(a->len, 7);
	CHECK(a->producer == NULL);
	c = graph_node(g, "./src/a.c");   /* as given, like doit: no normalisation */
	CHECK(c != a);
	d = graph_node(g, "src/a.h");
	CHECK(d != a && d != c);
	CHECK(graph_node(g, "src/a.h") == d);
	graph_free(g);
}

TEST(intern_many_nodes_survive_rehash)
{
	struct graph *g = graph_new();
	struct node *first[300];
	char path[32];
	int i, same = 0;

	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "f%d.txt", i);
		first[i] = graph_node(g, path);
	}
	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "f%d.txt", i);
		same += graph_node(g, path) == first[i];
	}
	CHECK_INT(same, 300);
	CHECK_INT(g->nodes.n, 300);
	graph_free(g);
}

TEST(add_task_defaults_and_order)
{
	struct graph *g = graph_new();
	struct task *a = add(g, "a"), *p = add(g, "_private"), *s = add(g, "gen:sub");

	CHECK_INT(g->tasks.n, 3);
	CHECK(g->tasks.v[0] == a && g->tasks.v[1] == p && g->tasks.v[2] == s);
	CHECK_INT(a->order, 0);
	CHECK_INT(p->order, 1);
	CHECK_INT(s->order, 2);
	CHECK_INT(a->verbosity, -1);
	CHECK_INT(a->capture, -1);
	CHECK(!a->private_);
	CHECK(p->private_);
	CHECK(graph_find(g, "a") == a);
	CHECK(graph_find(g, "gen:sub") == s);
	CHECK(graph_find(g, "gen") == NULL);
	CHECK(graph_find(g, "") == NULL);
	CHECK_STR(task_title(g, a), "a");  /* no front-end: the name */
	graph_free(g);
}

TEST(duplicate_name)
{
	struct graph *g = graph_new();
	struct err e = {0};
	struct task *a = add(g, "x");

	CHECK(graph_add_task(g, "x", &e) == NULL);
	CHECK_STR(e.msg, "Task names must be unique. x");
	CHECK_INT(e.code, 3);
	CHECK_INT(g->tasks.n, 1);
	CHECK(graph_find(g, "x") == a);
	graph_free(g);
}

TEST(file_dep_unique_targets_interned)
{
	struct graph *g = graph_new();
	struct task *t = add(g, "t");

	task_add_file_dep(g, t, "a");
	task_add_file_dep(g, t, "b");
	task_add_file_dep(g, t, "a");
	CHECK_INT(t->file_dep.n, 2);
	CHECK(t->file_dep.v[0] == graph_node(g, "a"));
	CHECK(t->file_dep.v[1] == graph_node(g, "b"));
	task_add_target(g, t, "out");
	CHECK_INT(t->targets.n, 1);
	CHECK(t->targets.v[0] == graph_node(g, "out"));
	graph_free(g);
}

TEST(actions_and_uptodate_owned)
{
	struct graph *g = graph_new();
	struct task *t = add(g, "t");
	struct action *a = task_add_action(t, ACTION_CMD, false);
	struct action *td = task_add_action(t, ACTION_CMD, true);
	struct uptodate *u = task_add_uptodate(t, UTD_SHELL);

	a->shell = true;
	a->cmd = xstrdup("echo hi");
	buf_puts(&a->out, "output");
	td->argv = xcalloc(3, sizeof(char *));
	td->argv[0] = xstrdup("rm");
	td->argv[1] = xstrdup("x");
	u->cmd = xstrdup("true");
	CHECK_INT(t->actions.n, 1);
	CHECK_INT(t->teardown.n, 1);
	CHECK(t->actions.v[0] == a);
	CHECK(t->teardown.v[0] == td);
	CHECK_INT(a->kind, ACTION_CMD);
	CHECK_INT(a->mode, MODE_NORMAL);
	CHECK_INT(t->uptodate.n, 1);
	CHECK_INT(u->kind, UTD_SHELL);
	graph_free(g);   /* frees cmd, argv, buffers and uptodate (checked by ASan) */
}

TEST(namelist)
{
	struct vec v = {0};
	char name[] = "b";
	size_t i;

	namelist_add(&v, "a");
	namelist_add(&v, name);
	namelist_add(&v, "a");
	name[0] = 'z';               /* the list owns copies */
	CHECK_INT(v.n, 2);
	CHECK(namelist_has(&v, "a"));
	CHECK(namelist_has(&v, "b"));
	CHECK(!namelist_has(&v, "z"));
	CHECK(!namelist_has(&v, ""));
	CHECK_NAMES(&v, "a b");
	for (i = 0; i < v.n; i++)
		free(v.v[i]);
	vec_free(&v);
	CHECK(!namelist_has(&v, "a"));
}

TEST(match_definition_order)
{
	struct graph *g = graph_new();
	struct vec m = {0};

	add(g, "test_b");
	add(g, "build");
	add(g, "test_a");
	add(g, "test:x");
	graph_match(g, "test*", &m);
	CHECK_NAMES(&m, "test_b test_a test:x");
	m.n = 0;
	graph_match(g, "test_?", &m);
	CHECK_NAMES(&m, "test_b test_a");
	m.n = 0;
	graph_match(g, "[bx]*", &m);
	CHECK_NAMES(&m, "build");
	m.n = 0;
	graph_match(g, "nothing*", &m);
	CHECK_INT(m.n, 0);
	graph_match(g, "build", &m);   /* appends */
	graph_match(g, "*", &m);
	CHECK_NAMES(&m, "build test_b build test_a test:x");
	vec_free(&m);
	graph_free(g);
}

/* doit: Task('all', task_dep=['x', 't*']) with t1, x, t2 -> task_dep [x, t1, t2]. */
TEST(finalize_wildcards_in_definition_order)
{
	struct graph *g = graph_new();
	struct task *all = add(g, "all"), *none;
	struct err e = {0};

	add(g, "t1");
	add(g, "x");
	add(g, "t2");
	none = add(g, "none");
	namelist_add(&all->task_dep, "x");
	namelist_add(&all->wild_dep, "t*");
	namelist_add(&none->wild_dep, "q*");   /* matching nothing is no error */
	CHECK_INT(graph_finalize(g, &e), 0);
	CHECK_NAMES(&all->task_dep, "x t1 t2");
	CHECK_INT(none->task_dep.n, 0);
	graph_free(g);
}

TEST(finalize_unknown_task_dep)
{
	struct graph *g = graph_new();
	struct task *a = add(g, "a");
	struct err e = {0};

	add(g, "b");
	namelist_add(&a->task_dep, "b");
	namelist_add(&a->task_dep, "zz");
	namelist_add(&a->setup, "yy");    /* task_dep is checked first */
	CHECK_INT(graph_finalize(g, &e), -1);
	CHECK_STR(e.msg, "a. Task dependency 'zz' does not exist.");
	CHECK_INT(e.code, 3);
	graph_free(g);
}

/* doit checks task by task: a's bad setup is reported before b's bad task_dep. */
TEST(finalize_invalid_setup)
{
	struct graph *g = graph_new();
	struct task *a = add(g, "a"), *b = add(g, "b");
	struct err e = {0};

	namelist_add(&a->setup, "yy");
	namelist_add(&b->task_dep, "zz");
	CHECK_INT(graph_finalize(g, &e), -1);
	CHECK_STR(e.msg, "Task 'a': invalid setup task 'yy'.");
	CHECK_INT(e.code, 3);
	graph_free(g);
}

TEST(finalize_common_target)
{
	struct graph *g = graph_new();
	struct task *a = add(g, "a"), *b = add(g, "b");
	struct err e = {0};

	task_add_target(g, a, "f");
	task_add_target(g, b, "f");
	CHECK_INT(graph_finalize(g, &e), -1);
	CHECK_STR(e.msg, "Two different tasks can't have a common target."
	          "'f' is a target for b and a.");
	CHECK_INT(e.code, 3);
	graph_free(g);
}

/* doit: a(file_dep out, o2; task_dep b), b(targets out), c(targets o2) -> a: [b, c]. */
TEST(finalize_implicit_task_dep)
{
	struct graph *g = graph_new();
	struct task *a = add(g, "a"), *b = add(g, "b"), *c = add(g, "c"), *d = add(g, "d");
	struct err e = {0};

	task_add_file_dep(g, a, "out");
	task_add_file_dep(g, a, "o2");
	task_add_file_dep(g, a, "plain");
	namelist_add(&a->task_dep, "b");
	task_add_target(g, b, "out");
	task_add_target(g, c, "o2");
	task_add_file_dep(g, d, "o2");
	CHECK_INT(graph_finalize(g, &e), 0);
	CHECK_NAMES(&a->task_dep, "b c");
	CHECK_NAMES(&d->task_dep, "c");
	CHECK_INT(b->task_dep.n, 0);
	CHECK(graph_node(g, "out")->producer == b);
	CHECK(graph_node(g, "o2")->producer == c);
	CHECK(graph_node(g, "plain")->producer == NULL);
	graph_free(g);
}

/* A task depending on a file it creates gets itself as task_dep (doit does the same;
 * the dispatcher then reports the cycle). */
TEST(finalize_own_target_as_file_dep)
{
	struct graph *g = graph_new();
	struct task *a = add(g, "a");
	struct err e = {0};

	task_add_file_dep(g, a, "f");
	task_add_target(g, a, "f");
	CHECK_INT(graph_finalize(g, &e), 0);
	CHECK_NAMES(&a->task_dep, "a");
	graph_free(g);
}

TEST(implicit_deps_from_index)
{
	struct graph *g = graph_new();
	struct task *a = add(g, "a"), *b = add(g, "b"), *c = add(g, "c");
	struct err e = {0};

	task_add_target(g, b, "x");
	task_add_target(g, c, "y");
	task_add_file_dep(g, a, "x");
	CHECK_INT(graph_finalize(g, &e), 0);
	CHECK_NAMES(&a->task_dep, "b");
	task_add_file_dep(g, a, "y");
	task_add_file_dep(g, a, "x");      /* duplicate: ignored */
	graph_implicit_deps(g, a, 1);      /* only the new file_dep */
	CHECK_NAMES(&a->task_dep, "b c");
	graph_implicit_deps(g, a, 0);      /* no duplicates */
	CHECK_NAMES(&a->task_dep, "b c");
	graph_free(g);
}

/* Delayed creation: new tasks registered from index `first`. */
TEST(link_new)
{
	struct graph *g = graph_new();
	struct task *a = add(g, "a"), *n1, *n2;
	struct err e = {0};
	size_t first;

	task_add_file_dep(g, a, "gen.c");
	CHECK_INT(graph_finalize(g, &e), 0);
	CHECK_INT(a->task_dep.n, 0);
	first = g->tasks.n;
	n1 = add(g, "gen");
	task_add_target(g, n1, "gen.c");
	n2 = add(g, "use");
	task_add_file_dep(g, n2, "gen.c");
	CHECK_INT(graph_link_new(g, first, &e), 0);
	CHECK_NAMES(&n2->task_dep, "gen");
	/* doit's note: earlier tasks are not revisited */
	CHECK_INT(a->task_dep.n, 0);
	CHECK(graph_node(g, "gen.c")->producer == n1);
	first = g->tasks.n;
	n1 = add(g, "gen2");
	task_add_target(g, n1, "gen.c");
	CHECK_INT(graph_link_new(g, first, &e), -1);
	CHECK_STR(e.msg, "Two different tasks can't have a common target."
	          "'gen.c' is a target for gen2 and gen.");
	graph_free(g);
}

TEST(replace_task_keeps_old_valid)
{
	struct graph *g = graph_new();
	struct task *a = add(g, "a"), *ld = add(g, "loader"), *c = add(g, "c"), *nt, *again;
	struct err e = {0};

	namelist_add(&ld->task_dep, "a");
	task_add_target(g, ld, "out");
	ld->loader = LOADER_PENDING;
	CHECK_INT(graph_finalize(g, &e), 0);
	CHECK(graph_node(g, "out")->producer == ld);
	nt = graph_replace_task(g, "loader");
	CHECK(nt != ld);
	CHECK(graph_find(g, "loader") == nt);
	CHECK_INT(nt->order, 1);
	CHECK_INT(g->tasks.n, 3);
	CHECK(g->tasks.v[0] == a && g->tasks.v[1] == nt && g->tasks.v[2] == c);
	/* the old task is still readable (a dispatcher may hold it) */
	CHECK_STR(ld->name, "loader");
	CHECK_NAMES(&ld->task_dep, "a");
	CHECK_INT(g->replaced.n, 1);
	CHECK(g->replaced.v[0] == ld);
	/* its targets are free for the new task */
	CHECK(graph_node(g, "out")->producer == NULL);
	CHECK_INT(nt->task_dep.n, 0);
	CHECK_INT(nt->loader, LOADER_NONE);
	task_add_target(g, nt, "out");
	CHECK_INT(graph_link_new(g, 1, &e), 0);
	CHECK(graph_node(g, "out")->producer == nt);
	/* replacing a name that does not exist appends a task */
	again = graph_replace_task(g, "fresh");
	CHECK(graph_find(g, "fresh") == again);
	CHECK_INT(again->order, 3);
	CHECK_INT(g->tasks.n, 4);
	CHECK_INT(g->replaced.n, 1);
	graph_free(g);
}

TEST(free_null)
{
	graph_free(NULL);
	CHECK(1);
}

int main(void)
{
	RUN(intern_same_pointer);
	RUN(intern_many_nodes_survive_rehash);
	RUN(add_task_defaults_and_order);
	RUN(duplicate_name);
	RUN(file_dep_unique_targets_interned);
	RUN(actions_and_uptodate_owned);
	RUN(namelist);
	RUN(match_definition_order);
	RUN(finalize_wildcards_in_definition_order);
	RUN(finalize_unknown_task_dep);
	RUN(finalize_invalid_setup);
	RUN(finalize_common_target);
	RUN(finalize_implicit_task_dep);
	RUN(finalize_own_target_as_file_dep);
	RUN(implicit_deps_from_index);
	RUN(link_new);
	RUN(replace_task_keeps_old_valid);
	RUN(free_null);
	return unit_done("graph");
}
