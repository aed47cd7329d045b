#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "graph.h"

enum { PH_START, PH_DEPS, PH_LOADER, PH_SELF, PH_SETUP, PH_SETUP_RUN, PH_SELF_AGAIN, PH_END };
enum step { STEP_NONE, STEP_TASK, STEP_WAIT, STEP_ERROR };

struct dispatch {
	struct graph *g;
	struct strmap nodes;        /* name -> struct dnode * */
	struct vec all;             /* every node, for freeing */
	struct vec to_run;          /* selected names, used as a stack (reversed) */
	struct dnode **ready;       /* FIFO */
	size_t ready_head, ready_n, ready_cap;
	size_t nwaiting;
	struct dnode *cur;
};

static void ready_push(struct dispatch *d, struct dnode *n)
{
	if (d->ready_head + d->ready_n == d->ready_cap) {
		if (d->ready_head > 0) {
			memmove(d->ready, d->ready + d->ready_head, d->ready_n * sizeof(*d->ready));
			d->ready_head = 0;
		}
		if (d->ready_n == d->ready_cap) {
			d->ready_cap = d->ready_cap ? d->ready_cap * 2 : 16;
			d->ready = xreallocarray(d->ready, d->ready_cap, sizeof(*d->ready));
		}
	}
	d->ready[d->ready_head + d->ready_n++] = n;
}

static struct dnode *ready_pop(struct dispatch *d)
{
	if (!d->ready_n)
		return NULL;
	d->ready_n--;
	return d->ready[d->ready_head++];
}

static void copy_names(struct vec *dst, const struct vec *src)
{
	size_t i;

	dst->n = 0;
	for (i = 0; i < src->n; i++)
		vec_push(dst, src->v[i]);
}

struct dispatch *dispatch_new(struct graph *g, const struct vec *selected)
{
	struct dispatch *d = xcalloc(1, sizeof(*d));
	size_t i;

	d->g = g;
	for (i = selected->n; i-- > 0;)
		vec_push(&d->to_run, selected->v[i]);
	return d;
}

static void node_free(struct dnode *n)
{
	vec_free(&n->task_dep);
	vec_free(&n->calc_dep);
	ptrset_free(&n->wait_run);
	ptrset_free(&n->wait_run_calc);
	vec_free(&n->waiting_me);
	ptrset_free(&n->waiting_set);
	vec_free(&n->bad_deps);
	vec_free(&n->ignored_deps);
	free(n);
}

void dispatch_free(struct dispatch *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->all.n; i++)
		node_free(d->all.v[i]);
	vec_free(&d->all);
	vec_free(&d->to_run);
	strmap_free(&d->nodes);
	free(d->ready);
	free(d);
}

struct dnode *dispatch_node(struct dispatch *d, const char *name)
{
	return strmap_get(&d->nodes, name, strlen(name));
}

static void node_reset(struct dnode *n, struct task *t)
{
	n->task = t;
	copy_names(&n->task_dep, &t->task_dep);
	copy_names(&n->calc_dep, &t->calc_dep);
	n->phase = PH_START;
}

static int cycle_error(struct dnode *parent, const char *name, struct err *e)
{
	struct vec chain = {0};
	struct buf b = {0};
	struct dnode *a;
	size_t i;

	for (a = parent; a; a = a->parent)
		vec_push(&chain, a->task->name);
	for (i = chain.n; i-- > 0;)
		buf_printf(&b, "%s -> ", (char *)chain.v[i]);
	buf_puts(&b, name);
	seterr(e, 3, "Cyclic/recursive dependencies for task %s: [%s]", name, buf_str(&b));
	buf_free(&b);
	vec_free(&chain);
	return -1;
}

static bool is_ancestor(struct dnode *parent, const char *name)
{
	for (; parent; parent = parent->parent)
		if (strcmp(parent->task->name, name) == 0)
			return true;
	return false;
}

/* doit's _gen_node: *out is the new node, or NULL when it already existed. */
static int gen_node(struct dispatch *d, struct dnode *parent, const char *name,
                    struct dnode **out, struct err *e)
{
	struct dnode *n = dispatch_node(d, name);
	struct task *t;

	*out = NULL;
	if (n) {
		if (parent && is_ancestor(parent, name))
			return cycle_error(parent, name, e);
		return 0;
	}
	t = graph_find(d->g, name);
	if (!t)
		return seterr(e, 3, "Task '%s' does not exist.", name);
	n = xcalloc(1, sizeof(*n));
	n->parent = parent;
	node_reset(n, t);
	strmap_put(&d->nodes, t->name, strlen(t->name), n);
	vec_push(&d->all, n);
	*out = n;
	return 0;
}

static void parent_status(struct dnode *n, struct dnode *dep)
{
	if (dep->run_status == RS_FAILURE)
		vec_push(&n->bad_deps, dep);
	else if (dep->run_status == RS_IGNORE)
		vec_push(&n->ignored_deps, dep);
}

/* doit's _process_calc_dep_results: merge what calc task `dep` computed into n's task. */
static int calc_results(struct dispatch *d, struct dnode *dep, struct dnode *n, struct err *e)
{
	struct task *t = n->task;
	struct frontend *fe = d->g->fe;
	size_t ntd = t->task_dep.n, nfd = t->file_dep.n, ncd = t->calc_dep.n, i;

	if (fe && fe->ops->calc_dep && fe->ops->calc_dep(fe, d->g, t, dep->task, e) < 0)
		return -1;
	graph_implicit_deps(d->g, t, nfd);
	for (i = ntd; i < t->task_dep.n; i++)
		vec_push(&n->task_dep, t->task_dep.v[i]);
	for (i = ncd; i < t->calc_dep.n; i++)
		vec_push(&n->calc_dep, t->calc_dep.v[i]);
	return 0;
}

static int add_wait_run(struct dispatch *d, struct dnode *n, const struct vec *names,
                        bool calc, struct err *e)
{
	struct vec wait = {0};
	struct ptrset seen = {0};
	size_t i;
	int rc = 0;

	for (i = 0; i < names->n; i++) {
		struct dnode *dep = dispatch_node(d, names->v[i]);
		if (dep->run_status == RS_NONE || dep->run_status == RS_RUN) {
			if (ptrset_add(&seen, dep))
				vec_push(&wait, dep);
			continue;
		}
		parent_status(n, dep);
		if (calc && calc_results(d, dep, n, e) < 0) {
			rc = -1;
			break;
		}
	}
	for (i = 0; rc == 0 && i < wait.n; i++) {
		struct dnode *dep = wait.v[i];
		if (ptrset_add(&dep->waiting_set, n))
			vec_push(&dep->waiting_me, n);
		ptrset_add(calc ? &n->wait_run_calc : &n->wait_run, dep);
	}
	ptrset_free(&seen);
	vec_free(&wait);
	return rc;
}

/* Create the nodes for names (appending new ones to ready) and wait for them. */
static int process_deps(struct dispatch *d, struct dnode *n, struct vec *names, bool calc,
                        struct err *e)
{
	size_t i;

	for (i = 0; i < names->n; i++) {
		struct dnode *child;
		if (gen_node(d, n, names->v[i], &child, e) < 0)
			return -1;
		if (child)
			ready_push(d, child);
	}
	return add_wait_run(d, n, names, calc, e);
}

static int step_deps(struct dispatch *d, struct dnode *n, struct err *e)
{
	struct vec calc = {0}, deps = {0};
	int rc = STEP_NONE;

	for (;;) {
		copy_names(&calc, &n->calc_dep);
		n->calc_dep.n = 0;
		copy_names(&deps, &n->task_dep);
		n->task_dep.n = 0;
		if (process_deps(d, n, &calc, true, e) < 0 ||
		    process_deps(d, n, &deps, false, e) < 0) {
			rc = STEP_ERROR;
			break;
		}
		if (n->calc_dep.n || n->task_dep.n)
			continue;
		if (n->wait_run.n || n->wait_run_calc.n)
			rc = STEP_WAIT;
		else
			n->phase = PH_LOADER;
		break;
	}
	vec_free(&calc);
	vec_free(&deps);
	return rc;
}

/* Run the delayed loader that creates lt's tasks, once. */
static int create_delayed(struct dispatch *d, struct task *lt, struct err *e)
{
	struct frontend *fe = d->g->fe;
	size_t first = d->g->tasks.n, i;
	char *name = xstrdup(lt->name);
	struct task *nt;
	int rc = -1;

	if (fe && fe->ops->create_delayed && fe->ops->create_delayed(fe, d->g, lt, e) < 0)
		goto out;
	if (graph_link_new(d->g, first, e) < 0)
		goto out;
	for (i = first; i < d->g->tasks.n; i++) {
		nt = d->g->tasks.v[i];
		if (nt->loader == LOADER_NONE)
			nt->loader = LOADER_DONE;
	}
	nt = graph_find(d->g, name);
	if (nt && nt->loader == LOADER_PENDING)
		nt->loader = LOADER_DONE;
	lt->loader = LOADER_DONE;
	rc = 0;
out:
	free(name);
	return rc;
}

/* doit's delayed creation step of _add_task, then "reset generator". */
static int step_loader(struct dispatch *d, struct dnode *n, struct err *e)
{
	struct task *t = n->task, *lt, *cur;
	struct regex_group *rg = t->rgroup;
	char *name, *base;
	int rc = -1;

	if (t->loader != LOADER_PENDING) {
		n->phase = PH_SELF;
		return 0;
	}
	name = xstrdup(t->name);
	base = xstrdup(t->delayed_base ? t->delayed_base : t->name);
	lt = graph_find(d->g, base);
	if (lt && lt->loader == LOADER_PENDING && create_delayed(d, lt, e) < 0)
		goto out;
	cur = graph_find(d->g, name);
	graph_implicit_deps(d->g, cur, 0);
	if (rg) {
		size_t i;

		cur->file_dep.n = 0;
		if (strmap_get(&d->g->targets, rg->target, strlen(rg->target))) {
			rg->found = true;
		} else {
			for (i = 0; i < rg->tasks.n; i++)
				if (strcmp(rg->tasks.v[i], base) == 0) {
					free(rg->tasks.v[i]);
					rg->tasks.v[i] = rg->tasks.v[--rg->tasks.n];
					break;
				}
			if (!rg->tasks.n) {
				graph_not_found(d->g, rg->target, e);
				goto out;
			}
		}
	}
	cur->loader = LOADER_DONE;
	node_reset(n, cur);
	rc = 0;
out:
	free(name);
	free(base);
	return rc;
}

/* Advance n's generator: STEP_TASK (offer n->task to the runner), STEP_WAIT, STEP_NONE
 * (finished) or STEP_ERROR. */
static int node_step(struct dispatch *d, struct dnode *n, struct err *e)
{
	size_t i;
	int rc;

	for (;;) {
		switch (n->phase) {
		case PH_START:
			n->phase = PH_DEPS;
			if (n->task->loader == LOADER_PENDING && n->task->rgroup &&
			    n->task->rgroup->found) {
				n->phase = PH_END;
				return STEP_NONE;
			}
			break;
		case PH_DEPS:
			rc = step_deps(d, n, e);
			if (rc != STEP_NONE)
				return rc;
			break;
		case PH_LOADER:
			if (step_loader(d, n, e) < 0)
				return STEP_ERROR;
			break;
		case PH_SELF:
			n->phase = PH_SETUP;
			return STEP_TASK;
		case PH_SETUP:
			if (!n->task->setup.n) {
				n->phase = PH_END;
				break;
			}
			n->phase = PH_SETUP_RUN;
			if (n->run_status == RS_NONE) {
				n->wait_select = true;
				return STEP_WAIT;
			}
			break;
		case PH_SETUP_RUN:
			n->phase = PH_END;
			if (n->run_status != RS_RUN)
				break;
			if (process_deps(d, n, &n->task->setup, false, e) < 0)
				return STEP_ERROR;
			n->phase = PH_SELF_AGAIN;
			if (n->wait_run.n)
				return STEP_WAIT;
			break;
		case PH_SELF_AGAIN:
			n->phase = PH_END;
			return STEP_TASK;
		default:
			(void)i;
			return STEP_NONE;
		}
	}
}

static struct dnode *next_node(struct dispatch *d, struct err *e, int *err)
{
	struct dnode *n = ready_pop(d);

	*err = 0;
	while (!n && d->to_run.n) {
		const char *name = d->to_run.v[--d->to_run.n];
		if (gen_node(d, NULL, name, &n, e) < 0) {
			*err = 1;
			return NULL;
		}
	}
	return n;
}

/* doit's _update_waiting after the runner handled a node. */
static int update_waiting(struct dispatch *d, struct dnode *n, struct err *e)
{
	size_t i;

	if (n->wait_select) {
		n->wait_select = false;
		n->in_waiting = false;
		d->nwaiting--;
		ready_push(d, n);
	}
	if (n->run_status == RS_RUN)
		return 0;
	for (i = 0; i < n->waiting_me.n; i++) {
		struct dnode *w = n->waiting_me.v[i];
		bool is_ready;

		parent_status(w, n);
		if (ptrset_del(&w->wait_run, n)) {
			is_ready = !w->wait_run.n && !w->wait_run_calc.n;
		} else {
			ptrset_del(&w->wait_run_calc, n);
			is_ready = true;
			if (calc_results(d, n, w, e) < 0)
				return -1;
		}
		if (is_ready && w->in_waiting) {
			w->in_waiting = false;
			d->nwaiting--;
			ready_push(d, w);
		}
	}
	n->waiting_me.n = 0;
	ptrset_free(&n->waiting_set);
	return 0;
}

int dispatch_update(struct dispatch *d, struct dnode *processed, struct err *e)
{
	return update_waiting(d, processed, e);
}

int dispatch_next(struct dispatch *d, struct dnode *processed, struct dnode **out,
                  struct err *e)
{
	int err;

	if (processed && update_waiting(d, processed, e) < 0)
		return -1;
	for (;;) {
		if (!d->cur) {
			d->cur = next_node(d, e, &err);
			if (err)
				return -1;
			if (!d->cur)
				return d->nwaiting ? DISPATCH_HOLD : 0;
		}
		switch (node_step(d, d->cur, e)) {
		case STEP_TASK:
			*out = d->cur;
			return 1;
		case STEP_WAIT:
			d->cur->in_waiting = true;
			d->nwaiting++;
			d->cur = NULL;
			break;
		case STEP_ERROR:
			return -1;
		default:
			d->cur = NULL;
			break;
		}
	}
}
