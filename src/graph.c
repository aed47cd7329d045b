#include "graph.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"

struct graph *graph_new(void)
{
	return xcalloc(1, sizeof(struct graph));
}

void action_free(struct action *a)
{
	char **p;

	free(a->cmd);
	if (a->argv) {
		for (p = a->argv; *p; p++)
			free(*p);
		free(a->argv);
	}
	buf_free(&a->out);
	buf_free(&a->err);
	free(a);
}

static void free_names(struct vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	vec_free(v);
}

static void task_free(struct task *t)
{
	size_t i;

	free(t->name);
	for (i = 0; i < t->actions.n; i++)
		action_free(t->actions.v[i]);
	for (i = 0; i < t->teardown.n; i++)
		action_free(t->teardown.v[i]);
	vec_free(&t->actions);
	vec_free(&t->teardown);
	vec_free(&t->file_dep);
	vec_free(&t->targets);
	free_names(&t->task_dep);
	free_names(&t->wild_dep);
	free_names(&t->setup);
	free_names(&t->calc_dep);
	for (i = 0; i < t->uptodate.n; i++) {
		struct uptodate *u = t->uptodate.v[i];
		free(u->cmd);
		free(u);
	}
	vec_free(&t->uptodate);
	vec_free(&t->dep_changed);
	free(t->doc);
	free(t->target_regex);
	free(t->delayed_base);
	free(t->subtask_of);
	free(t->abort_msg);
	free(t->title);
	free(t);
}

void graph_free(struct graph *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->tasks.n; i++)
		task_free(g->tasks.v[i]);
	vec_free(&g->tasks);
	for (i = 0; i < g->replaced.n; i++)
		task_free(g->replaced.v[i]);
	vec_free(&g->replaced);
	for (i = 0; i < g->groups.n; i++) {
		struct regex_group *rg = g->groups.v[i];
		free(rg->target);
		free_names(&rg->tasks);
		free(rg);
	}
	vec_free(&g->groups);
	for (i = 0; i < g->nodes.cap; i++) {
		struct node *n = g->nodes.ent[i].val;
		if (g->nodes.ent[i].key) {
			free(n->path);
			free(n);
		}
	}
	strmap_free(&g->nodes);
	strmap_free(&g->byname);
	strmap_free(&g->targets);
	free(g);
}

struct node *graph_node(struct graph *g, const char *path)
{
	size_t len = strlen(path);
	struct node *n = strmap_get(&g->nodes, path, len);

	if (n)
		return n;
	n = xcalloc(1, sizeof(*n));
	n->path = xstrndup(path, len);
	n->len = len;
	strmap_put(&g->nodes, n->path, len, n);
	return n;
}

static struct task *task_new(const char *name)
{
	struct task *t = xcalloc(1, sizeof(*t));

	t->name = xstrdup(name);
	t->verbosity = -1;
	t->capture = -1;
	t->private_ = name[0] == '_';
	return t;
}

struct task *graph_add_task(struct graph *g, const char *name, struct err *e)
{
	struct task *t;

	if (strmap_get(&g->byname, name, strlen(name))) {
		seterr(e, 3, "Task names must be unique. %s", name);
		return NULL;
	}
	t = task_new(name);
	t->order = g->tasks.n;
	vec_push(&g->tasks, t);
	strmap_put(&g->byname, t->name, strlen(t->name), t);
	return t;
}

struct task *graph_replace_task(struct graph *g, const char *name)
{
	struct task *old = graph_find(g, name), *t;
	size_t i;

	if (!old) {
		t = task_new(name);
		t->order = g->tasks.n;
		vec_push(&g->tasks, t);
		strmap_put(&g->byname, t->name, strlen(t->name), t);
		return t;
	}
	t = task_new(name);
	t->order = old->order;
	for (i = 0; i < g->tasks.n; i++)
		if (g->tasks.v[i] == old)
			g->tasks.v[i] = t;
	for (i = 0; i < old->targets.n; i++) {
		struct node *n = old->targets.v[i];
		if (n->producer == old)
			n->producer = NULL;
		if (strmap_get(&g->targets, n->path, n->len) == old)
			strmap_put(&g->targets, n->path, n->len, NULL);
	}
	strmap_put(&g->byname, t->name, strlen(t->name), t);
	vec_push(&g->replaced, old);
	return t;
}

struct task *graph_find(const struct graph *g, const char *name)
{
	return strmap_get(&g->byname, name, strlen(name));
}

void task_add_file_dep(struct graph *g, struct task *t, const char *path)
{
	struct node *n = graph_node(g, path);
	size_t i;

	for (i = 0; i < t->file_dep.n; i++)
		if (t->file_dep.v[i] == n)
			return;
	vec_push(&t->file_dep, n);
}

void task_add_target(struct graph *g, struct task *t, const char *path)
{
	vec_push(&t->targets, graph_node(g, path));
}

struct action *task_add_action(struct task *t, enum action_kind kind, bool teardown)
{
	struct action *a = xcalloc(1, sizeof(*a));

	a->kind = kind;
	vec_push(teardown ? &t->teardown : &t->actions, a);
	return a;
}

struct uptodate *task_add_uptodate(struct task *t, enum utd_kind kind)
{
	struct uptodate *u = xcalloc(1, sizeof(*u));

	u->kind = kind;
	vec_push(&t->uptodate, u);
	return u;
}

bool namelist_has(const struct vec *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i], name) == 0)
			return true;
	return false;
}

void namelist_clear(struct vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	v->n = 0;
}

void namelist_add(struct vec *v, const char *name)
{
	if (!namelist_has(v, name))
		vec_push(v, xstrdup(name));
}

void graph_match(const struct graph *g, const char *pattern, struct vec *out)
{
	size_t i;

	for (i = 0; i < g->tasks.n; i++) {
		struct task *t = g->tasks.v[i];
		if (fnmatch(pattern, t->name, 0) == 0)
			vec_push(out, t->name);
	}
}

void graph_implicit_deps(struct graph *g, struct task *t, size_t from)
{
	size_t i;

	for (i = from; i < t->file_dep.n; i++) {
		struct node *n = t->file_dep.v[i];
		struct task *p = n->producer;   /* kept equal to g->targets' entry */
		if (p && !namelist_has(&t->task_dep, p->name))
			vec_push(&t->task_dep, xstrdup(p->name));
	}
}

static bool is_new(const struct task *t, size_t i, size_t first)
{
	return i >= first || !t->linked;
}

static int map_targets(struct graph *g, size_t first, struct err *e)
{
	size_t i, j;

	for (i = 0; i < g->tasks.n; i++) {
		struct task *t = g->tasks.v[i];
		if (!is_new(t, i, first))
			continue;
		for (j = 0; j < t->targets.n; j++) {
			struct node *n = t->targets.v[j];
			struct task *other = n->producer;
			if (other && other != t)
				return seterr(e, 3, "Two different tasks can't have a common "
				              "target.'%s' is a target for %s and %s.",
				              n->path, t->name, other->name);
			strmap_put(&g->targets, n->path, n->len, t);
			n->producer = t;
		}
	}
	return 0;
}

int graph_link_new(struct graph *g, size_t first, struct err *e)
{
	size_t i;

	if (map_targets(g, first, e) < 0)
		return -1;
	for (i = 0; i < g->tasks.n; i++) {
		struct task *t = g->tasks.v[i];
		if (!is_new(t, i, first))
			continue;
		graph_implicit_deps(g, t, 0);
		t->linked = true;
	}
	return 0;
}

static void expand_wild(struct graph *g, struct task *t)
{
	struct vec m = {0};
	size_t i, j;

	for (i = 0; i < t->wild_dep.n; i++) {
		m.n = 0;
		graph_match(g, t->wild_dep.v[i], &m);
		for (j = 0; j < m.n; j++)
			vec_push(&t->task_dep, xstrdup(m.v[j]));
	}
	vec_free(&m);
}

int graph_finalize(struct graph *g, struct err *e)
{
	size_t i, j;

	for (i = 0; i < g->tasks.n; i++)
		expand_wild(g, g->tasks.v[i]);
	for (i = 0; i < g->tasks.n; i++) {
		struct task *t = g->tasks.v[i];
		for (j = 0; j < t->task_dep.n; j++)
			if (!graph_find(g, t->task_dep.v[j]))
				return seterr(e, 3, "%s. Task dependency '%s' does not exist.",
				              t->name, (char *)t->task_dep.v[j]);
		for (j = 0; j < t->setup.n; j++)
			if (!graph_find(g, t->setup.v[j]))
				return seterr(e, 3, "Task '%s': invalid setup task '%s'.",
				              t->name, (char *)t->setup.v[j]);
	}
	return graph_link_new(g, 0, e);
}

const char *task_title(struct graph *g, struct task *t)
{
	if (t->custom_title && t->fe && g->fe && g->fe->ops->title) {
		free(t->title);
		t->title = g->fe->ops->title(g->fe, t);
		return t->title;
	}
	return t->title ? t->title : t->name;
}

struct regex_group *graph_regex_group(struct graph *g, const char *target)
{
	struct regex_group *rg = xcalloc(1, sizeof(*rg));

	rg->target = xstrdup(target);
	vec_push(&g->groups, rg);
	return rg;
}

int graph_not_found(const struct graph *g, const char *name, struct err *e)
{
	const char *prog = g->prog ? g->prog : "dodo";

	return seterr(e, 3, "Invalid parameter: \"%s\". Must be a command, task, or a "
	              "target.\nType \"%s help\" to see available commands.\n"
	              "Type \"%s list\" to see available tasks.\n", name, prog, prog);
}

static void closure_add(struct graph *g, struct vec *out, struct ptrset *seen,
                        const char *name)
{
	struct task *t = graph_find(g, name);

	if (t && ptrset_add(seen, t))
		vec_push(out, t);
}

void graph_closure(struct graph *g, const struct vec *names, struct vec *out)
{
	struct ptrset seen = {0};
	size_t i, j;

	for (i = 0; i < names->n; i++)
		closure_add(g, out, &seen, names->v[i]);
	for (i = 0; i < out->n; i++) {
		struct task *t = out->v[i];
		for (j = 0; j < t->task_dep.n; j++)
			closure_add(g, out, &seen, t->task_dep.v[j]);
		for (j = 0; j < t->setup.n; j++)
			closure_add(g, out, &seen, t->setup.v[j]);
		for (j = 0; j < t->calc_dep.n; j++)
			closure_add(g, out, &seen, t->calc_dep.v[j]);
	}
	ptrset_free(&seen);
}
