/* clean: remove targets / run clean actions, dependents before their dependencies
 * (doit's cmd_clean and its CleanDepTree). */
#include "cmd.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdctx.h"
#include "frontend.h"
#include "graph.h"
#include "state.h"

const char cmd_clean_description[] =
	"If no task is specified clean default tasks and set --clean-dep automatically.";

const struct optdef cmd_clean_opts[] = {
	{"cleandep", 'c', "clean-dep", OPT_BOOL, NULL, "clean task dependencies too", NULL, NULL, NULL},
	{"cleanall", 'a', "clean-all", OPT_BOOL, NULL, "clean all task", NULL, NULL, NULL},
	{"dryrun", 'n', "dry-run", OPT_BOOL, NULL, "print actions without really executing "
	 "them", NULL, NULL, NULL},
	{"cleanforget", 0, "forget", OPT_BOOL, NULL, "also forget tasks after cleaning", NULL, NULL, NULL},
	{0},
};

/* The upside-down tree: each task with the tasks that depend on it (its "children"),
 * kept in insertion order. Leaves are cleaned first. */
struct cnode {
	const char *name;
	struct vec children;    /* const char * */
	bool popped;
};

struct tree {
	struct vec nodes;       /* struct cnode *, insertion order */
	struct strmap byname;
	struct strmap processed;
};

static struct cnode *node(struct tree *tr, const char *name)
{
	struct cnode *n = strmap_get(&tr->byname, name, strlen(name));

	if (!n) {
		n = xcalloc(1, sizeof(*n));
		n->name = name;
		vec_push(&tr->nodes, n);
		strmap_put(&tr->byname, name, strlen(name), n);
	}
	return n;
}

/* build_nodes_with_deps: the task, and recursively its setup and task_dep. */
static void with_deps(struct tree *tr, struct graph *g, const char *name)
{
	struct task *t = graph_find(g, name);
	struct vec deps = {0};
	size_t i;

	if (!t || strmap_get(&tr->processed, name, strlen(name)))
		return;
	strmap_put(&tr->processed, t->name, strlen(t->name), t);
	node(tr, t->name);
	for (i = 0; i < t->setup.n; i++)
		vec_push(&deps, t->setup.v[i]);
	for (i = 0; i < t->task_dep.n; i++)
		vec_push(&deps, t->task_dep.v[i]);
	for (i = deps.n; i-- > 0;) {
		struct task *d = graph_find(g, deps.v[i]);
		if (!d)
			continue;
		vec_push(&node(tr, d->name)->children, t->name);
		with_deps(tr, g, d->name);
	}
	vec_free(&deps);
}

/* build_nodes: the tasks and their sub-tasks, no other dependency. */
static void without_deps(struct tree *tr, struct graph *g, struct vec *names)
{
	size_t i, j;

	for (i = 0; i < names->n; i++) {
		struct task *t = graph_find(g, names->v[i]);
		struct vec subs = {0};

		node(tr, t->name);
		cmd_subtasks(g, t, &subs);
		for (j = subs.n; j-- > 0;)
			vec_push(&node(tr, ((struct task *)subs.v[j])->name)->children, t->name);
		vec_free(&subs);
	}
}

/* _get_leafs: the children still in the tree (recursively), then the node. */
static void leaves(struct tree *tr, struct cnode *n, struct vec *out)
{
	size_t i;

	for (i = 0; i < n->children.n; i++) {
		struct cnode *c = strmap_get(&tr->byname, n->children.v[i],
		                             strlen(n->children.v[i]));
		if (c && !c->popped) {
			c->popped = true;
			leaves(tr, c, out);
		}
	}
	vec_push(out, (void *)n->name);
}

/* flat: the order in which to clean. */
static void flatten(struct tree *tr, struct vec *out)
{
	size_t i;

	for (i = 0; i < tr->nodes.n; i++) {
		struct cnode *n = tr->nodes.v[i];
		if (n->popped)
			continue;
		n->popped = true;
		leaves(tr, n, out);
	}
}

static void tree_free(struct tree *tr)
{
	size_t i;

	for (i = 0; i < tr->nodes.n; i++) {
		struct cnode *n = tr->nodes.v[i];
		vec_free(&n->children);
		free(n);
	}
	vec_free(&tr->nodes);
	strmap_free(&tr->byname);
	strmap_free(&tr->processed);
}

static bool is_kind(const char *path, mode_t kind)
{
	struct stat st;

	return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == kind;
}

static bool dir_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *ent;
	bool empty = true;

	if (!d)
		return false;
	while (empty && (ent = readdir(d)))
		empty = strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/* doit's clean_targets: the target files, then the target folders that are empty. */
static void clean_targets(struct task *t, bool dryrun)
{
	struct vec files = {0}, dirs = {0};
	size_t i;

	for (i = 0; i < t->targets.n; i++) {
		const char *p = ((struct node *)t->targets.v[i])->path;
		if (is_kind(p, S_IFREG))
			vec_push(&files, (void *)p);
		else if (is_kind(p, S_IFDIR))
			vec_push(&dirs, (void *)p);
	}
	for (i = 0; i < files.n; i++) {
		printf("%s - removing file '%s'\n", t->name, (char *)files.v[i]);
		if (!dryrun && unlink(files.v[i]) < 0)
			warn("cannot remove '%s':", (char *)files.v[i]);
	}
	for (i = 0; i < dirs.n; i++) {
		if (!dir_empty(dirs.v[i])) {
			printf("%s - cannot remove (it is not empty) '%s'\n", t->name,
			       (char *)dirs.v[i]);
			continue;
		}
		printf("%s - removing dir '%s'\n", t->name, (char *)dirs.v[i]);
		if (!dryrun && rmdir(dirs.v[i]) < 0)
			warn("cannot remove '%s':", (char *)dirs.v[i]);
	}
	vec_free(&files);
	vec_free(&dirs);
}

static int clean_one(struct cmdctx *c, struct task *t, bool dryrun, bool forget)
{
	struct frontend *fe = c->g->fe;
	struct err e = {0};
	int r = 0;

	if (t->fe && fe && fe->cmd_ops && fe->cmd_ops->clean)
		r = fe->cmd_ops->clean(fe, t, dryrun, &e);
	if (r < 0)
		return cmd_error(&e);
	if (r == 1)
		clean_targets(t, dryrun);
	fflush(stdout);
	if (forget && state_forget(c->st, t->name, &e) < 0)
		return cmd_error(&e);
	return 0;
}

/* The names that are not tasks are an error; patterns (with `*`) are not checked. */
static int check_names(struct cmdctx *c, const struct vec *names)
{
	struct vec plain = {0};
	size_t i;
	int rc;

	for (i = 0; i < names->n; i++)
		if (!strchr(names->v[i], '*'))
			vec_push(&plain, names->v[i]);
	rc = cmdctx_check_tasks(c, &plain);
	vec_free(&plain);
	return rc;
}

/* names with each pattern replaced by the tasks it matches (doit 0.35), in order. */
static void expand(struct cmdctx *c, const struct vec *names, struct vec *out)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		if (strchr(names->v[i], '*'))
			graph_match(c->g, names->v[i], out);
		else
			vec_push(out, names->v[i]);
}

/* The tasks to clean, before ordering: the named ones, or (with clean_dep forced) the
 * default tasks or every task, last first. */
static void base_list(struct cmdctx *c, bool *cleandep, struct vec *out)
{
	struct vec *from = c->o.args.n ? &c->o.args : &c->def_tasks;
	struct vec names = {0};
	size_t i;

	if (c->o.args.n && !opts_int(&c->o, "cleanall")) {
		expand(c, &c->o.args, out);
		return;
	}
	*cleandep = true;
	if (from->n) {
		expand(c, from, &names);
		for (i = names.n; i-- > 0;)
			vec_push(out, names.v[i]);
		vec_free(&names);
		return;
	}
	for (i = c->g->tasks.n; i-- > 0;)
		vec_push(out, ((struct task *)c->g->tasks.v[i])->name);
}

static int clean(struct cmdctx *c)
{
	bool cleandep = opts_int(&c->o, "cleandep"), dryrun = opts_int(&c->o, "dryrun");
	bool forget = opts_int(&c->o, "cleanforget") && !dryrun;
	struct vec names = {0}, order = {0};
	struct strmap done = {0};
	struct tree tr = {0};
	size_t i;
	int rc;

	if ((rc = check_names(c, &c->o.args)) != 0 || (rc = check_names(c, &c->def_tasks)) != 0)
		return rc;
	base_list(c, &cleandep, &names);
	if (cleandep)
		for (i = 0; i < names.n; i++)
			with_deps(&tr, c->g, names.v[i]);
	else
		without_deps(&tr, c->g, &names);
	flatten(&tr, &order);
	/* open for --forget, and for clean actions using doit.Globals.dep_manager */
	if ((rc = cmdctx_state(c, 0)) != 0)
		goto out;
	for (i = 0; i < order.n && rc == 0; i++) {
		struct task *t = graph_find(c->g, order.v[i]);
		if (strmap_get(&done, t->name, strlen(t->name)))
			continue;
		strmap_put(&done, t->name, strlen(t->name), t);
		rc = clean_one(c, t, dryrun, forget);
	}
out:
	fflush(stdout);
	strmap_free(&done);
	tree_free(&tr);
	vec_free(&names);
	vec_free(&order);
	return rc;
}

int cmd_clean(struct cmd_env *env, int argc, char **argv)
{
	struct cmdctx c;
	int rc = cmdctx_open(&c, env, argc, argv, -1);

	if (rc == 0)
		rc = clean(&c);
	cmdctx_close(&c);
	return rc;
}
