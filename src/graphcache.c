#include "graphcache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

/* Layout: magic, version, then sections of varints (LEB128; signed ones zigzag) and
 * strings (length, the bytes, a NUL; a nullable string stores length + 1, 0 for NULL).
 *   key: n, strings    inputs: n, items; config; task_args; argv_read; uncacheable;
 *   the load's output (length, raw bytes)
 *   def_tasks; settings (nullable triples)
 *   graph: n nodes (paths), then n tasks; file_dep and targets are node indexes. */

static const char magic[8] = "DODOGC\0";

/* --- writing ------------------------------------------------------------------------ */

static void put_u(struct buf *b, uint64_t v)
{
	unsigned char c[10];
	size_t n = 0;

	do {
		c[n] = v & 0x7f;
		v >>= 7;
		if (v)
			c[n] |= 0x80;
		n++;
	} while (v);
	buf_add(b, c, n);
}

static void put_i(struct buf *b, int64_t v)
{
	put_u(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void put_s(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	put_u(b, n);
	buf_add(b, s, n + 1);
}

static void put_ns(struct buf *b, const char *s)
{
	if (!s) {
		put_u(b, 0);
		return;
	}
	put_u(b, strlen(s) + 1);
	buf_add(b, s, strlen(s) + 1);
}

static void put_strings(struct buf *b, const struct vec *v)
{
	size_t i;

	put_u(b, v->n);
	for (i = 0; i < v->n; i++)
		put_s(b, v->v[i]);
}

static void put_input(struct buf *b, const struct input *it)
{
	put_u(b, it->kind);
	put_s(b, it->name);
	put_u(b, (it->exists ? 1 : 0) | (it->is_dir ? 2 : 0) | (it->has_hash ? 4 : 0));
	put_i(b, it->mtime_ns);
	put_i(b, it->size);
	put_u(b, it->ino);
	put_u(b, it->hash);
	put_ns(b, it->value);
}

static void put_header(struct buf *b, const struct graphcache *c)
{
	size_t i;

	buf_add(b, magic, sizeof(magic));
	put_u(b, GRAPHCACHE_VERSION);
	put_strings(b, &c->key);
	put_u(b, c->in.items.n);
	for (i = 0; i < c->in.items.n; i++)
		put_input(b, c->in.items.v[i]);
	put_strings(b, &c->in.config);
	put_strings(b, &c->in.task_args);
	put_u(b, c->in.argv_read);
	put_ns(b, c->in.uncacheable);
	put_u(b, c->in.output.len);
	buf_add(b, c->in.output.data, c->in.output.len);
	put_strings(b, &c->def_tasks);
	put_u(b, c->settings.n);
	for (i = 0; i < c->settings.n; i++)
		put_ns(b, c->settings.v[i]);
}

static void put_action(struct buf *b, const struct action *a)
{
	size_t n = 0;

	put_u(b, a->kind);
	put_u(b, a->mode);
	put_u(b, (a->shell ? 1 : 0) | (a->expand ? 2 : 0) | (a->native ? 4 : 0));
	put_ns(b, a->cmd);
	while (a->argv && a->argv[n])
		n++;
	put_u(b, a->argv ? n + 1 : 0);
	for (n = 0; a->argv && a->argv[n]; n++)
		put_s(b, a->argv[n]);
}

static void put_actions(struct buf *b, const struct vec *v)
{
	size_t i;

	put_u(b, v->n);
	for (i = 0; i < v->n; i++)
		put_action(b, v->v[i]);
}

/* The index of node n, numbering nodes in order of first use. */
static size_t node_index(struct strmap *idx, struct vec *order, struct node *n)
{
	uintptr_t i = (uintptr_t)strmap_get(idx, n->path, n->len);

	if (i)
		return i - 1;
	vec_push(order, n);
	strmap_put(idx, n->path, n->len, (void *)(uintptr_t)order->n);
	return order->n - 1;
}

static void put_nodes(struct buf *b, const struct vec *v, struct strmap *idx,
                      struct vec *order)
{
	size_t i;

	put_u(b, v->n);
	for (i = 0; i < v->n; i++)
		put_u(b, node_index(idx, order, v->v[i]));
}

static void put_task(struct buf *b, const struct task *t, struct strmap *idx,
                     struct vec *order)
{
	size_t i;

	put_s(b, t->name);
	put_ns(b, t->doc);
	put_ns(b, t->target_regex);
	put_ns(b, t->abort_msg);
	put_ns(b, t->delayed_base);
	put_ns(b, t->subtask_of);
	put_u(b, (t->has_subtask ? 1 : 0) | (t->custom_title ? 2 : 0));
	put_i(b, t->verbosity);
	put_i(b, t->capture);
	put_u(b, t->loader);
	put_actions(b, &t->actions);
	put_actions(b, &t->teardown);
	put_nodes(b, &t->file_dep, idx, order);
	put_nodes(b, &t->targets, idx, order);
	put_strings(b, &t->task_dep);
	put_strings(b, &t->wild_dep);
	put_strings(b, &t->setup);
	put_strings(b, &t->calc_dep);
	put_u(b, t->uptodate.n);
	for (i = 0; i < t->uptodate.n; i++) {
		const struct uptodate *u = t->uptodate.v[i];
		put_u(b, u->kind);
		put_i(b, u->value);
		put_ns(b, u->cmd);
		put_u(b, u->index);
	}
}

void graphcache_encode(const struct graphcache *c, const struct graph *g, struct buf *out)
{
	struct buf tasks = {0};
	struct strmap idx = {0};
	struct vec order = {0};
	size_t i;

	put_header(out, c);
	for (i = 0; i < g->tasks.n; i++)
		put_task(&tasks, g->tasks.v[i], &idx, &order);
	put_u(out, order.n);
	for (i = 0; i < order.n; i++)
		put_s(out, ((struct node *)order.v[i])->path);
	put_u(out, g->tasks.n);
	buf_add(out, tasks.data ? tasks.data : "", tasks.len);
	buf_free(&tasks);
	strmap_free(&idx);
	vec_free(&order);
}

/* --- reading ------------------------------------------------------------------------ */

struct rd {
	const unsigned char *p, *end;
	bool bad;
};

static uint64_t get_u(struct rd *r)
{
	uint64_t v = 0;
	int shift = 0;

	while (!r->bad) {
		if (r->p >= r->end || shift > 63) {
			r->bad = true;
			break;
		}
		v |= (uint64_t)(*r->p & 0x7f) << shift;
		shift += 7;
		if (!(*r->p++ & 0x80))
			return v;
	}
	return 0;
}

static int64_t get_i(struct rd *r)
{
	uint64_t u = get_u(r);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* A count that cannot exceed the bytes left (each element takes at least one). */
static size_t get_n(struct rd *r)
{
	uint64_t n = get_u(r);

	if (n > (uint64_t)(r->end - r->p)) {
		r->bad = true;
		return 0;
	}
	return (size_t)n;
}

/* A string of n bytes and its NUL, borrowed from the blob ("" when bad). */
static const char *take(struct rd *r, uint64_t n)
{
	const char *s;

	if (r->bad || n >= (uint64_t)(r->end - r->p) || r->p[n] != '\0' ||
	    memchr(r->p, '\0', n)) {
		r->bad = true;
		return "";
	}
	s = (const char *)r->p;
	r->p += n + 1;
	return s;
}

static const char *get_s(struct rd *r)
{
	return take(r, get_u(r));
}

static const char *get_ns(struct rd *r)
{
	uint64_t n = get_u(r);

	return n && !r->bad ? take(r, n - 1) : NULL;
}

static char *dup_ns(struct rd *r)
{
	const char *s = get_ns(r);

	return s ? xstrdup(s) : NULL;
}

/* Raw bytes (length first) appended to out. */
static void get_bytes(struct rd *r, struct buf *out)
{
	size_t n = get_n(r);

	if (!r->bad && n) {
		buf_add(out, r->p, n);
		r->p += n;
	}
}

static void get_strings(struct rd *r, struct vec *v)
{
	size_t i, n = get_n(r);

	for (i = 0; i < n && !r->bad; i++)
		vec_push(v, xstrdup(get_s(r)));
}

static void get_input(struct rd *r, struct load_inputs *in)
{
	uint64_t kind = get_u(r), flags;
	struct input *it = inputs_add(in, kind <= IN_ENV_ALL ? (enum input_kind)kind : IN_FILE,
	                              get_s(r));

	if (kind > IN_ENV_ALL)
		r->bad = true;
	flags = get_u(r);
	it->exists = flags & 1;
	it->is_dir = flags & 2;
	it->has_hash = flags & 4;
	it->mtime_ns = get_i(r);
	it->size = get_i(r);
	it->ino = get_u(r);
	it->hash = get_u(r);
	it->value = dup_ns(r);
}

static int bad(struct err *e)
{
	return seterr(e, 3, "the stored graph is damaged or of another version");
}

int graphcache_decode(const void *blob, size_t n, struct graphcache *c, size_t *graph_at,
                      struct err *e)
{
	struct rd r = {blob, (const unsigned char *)blob + n, false};
	size_t i, m;

	if (n < sizeof(magic) || memcmp(blob, magic, sizeof(magic)) != 0)
		return bad(e);
	r.p += sizeof(magic);
	if (get_u(&r) != GRAPHCACHE_VERSION)
		return bad(e);
	get_strings(&r, &c->key);
	m = get_n(&r);
	for (i = 0; i < m && !r.bad; i++)
		get_input(&r, &c->in);
	get_strings(&r, &c->in.config);
	get_strings(&r, &c->in.task_args);
	c->in.argv_read = get_u(&r) != 0;
	c->in.uncacheable = dup_ns(&r);
	get_bytes(&r, &c->in.output);
	get_strings(&r, &c->def_tasks);
	m = get_n(&r);
	for (i = 0; i < m && !r.bad; i++)
		vec_push(&c->settings, dup_ns(&r));
	if (r.bad)
		return bad(e);
	*graph_at = (size_t)(r.p - (const unsigned char *)blob);
	return 0;
}

static struct action *get_action(struct rd *r, struct task *t, bool teardown)
{
	uint64_t kind = get_u(r), mode = get_u(r), flags = get_u(r), argc;
	struct action *a = task_add_action(t, kind == ACTION_CALL ? ACTION_CALL : ACTION_CMD,
	                                   teardown);
	size_t i;

	if (kind > ACTION_CALL || mode > MODE_INTERACTIVE)
		r->bad = true;
	a->mode = (enum action_mode)(mode <= MODE_INTERACTIVE ? mode : MODE_NORMAL);
	a->shell = flags & 1;
	a->expand = flags & 2;
	a->native = flags & 4;
	a->cmd = dup_ns(r);
	argc = get_n(r);
	if (argc) {
		a->argv = xreallocarray(NULL, argc, sizeof(*a->argv));
		for (i = 0; i + 1 < argc; i++)
			a->argv[i] = xstrdup(get_s(r));
		a->argv[argc - 1] = NULL;
	}
	return a;
}

static void get_actions(struct rd *r, struct task *t, bool teardown)
{
	size_t i, n = get_n(r);

	for (i = 0; i < n && !r->bad; i++)
		get_action(r, t, teardown);
}

static void get_nodes(struct rd *r, struct vec *v, struct node **nodes, size_t nnodes)
{
	size_t i, n = get_n(r);

	for (i = 0; i < n && !r->bad; i++) {
		uint64_t k = get_u(r);
		if (k >= nnodes)
			r->bad = true;
		else
			vec_push(v, nodes[k]);
	}
}

static void get_uptodate(struct rd *r, struct task *t)
{
	size_t i, n = get_n(r);

	for (i = 0; i < n && !r->bad; i++) {
		uint64_t kind = get_u(r);
		struct uptodate *u = task_add_uptodate(t, kind <= UTD_FRONTEND ?
		                                       (enum utd_kind)kind : UTD_FRONTEND);
		if (kind > UTD_FRONTEND)
			r->bad = true;
		u->value = (int)get_i(r);
		u->cmd = dup_ns(r);
		u->index = (size_t)get_u(r);
	}
}

static int get_task(struct rd *r, struct graph *g, struct node **nodes, size_t nnodes,
                    struct err *e)
{
	struct task *t = graph_add_task(g, get_s(r), e);
	uint64_t flags, loader;

	if (!t)
		return -1;
	t->doc = dup_ns(r);
	t->target_regex = dup_ns(r);
	t->abort_msg = dup_ns(r);
	t->delayed_base = dup_ns(r);
	t->subtask_of = dup_ns(r);
	flags = get_u(r);
	t->has_subtask = flags & 1;
	t->custom_title = flags & 2;
	t->verbosity = (int)get_i(r);
	t->capture = (int)get_i(r);
	loader = get_u(r);
	t->loader = (enum loader_state)(loader <= LOADER_DONE ? loader : LOADER_NONE);
	if (loader > LOADER_DONE)
		r->bad = true;
	get_actions(r, t, false);
	get_actions(r, t, true);
	get_nodes(r, &t->file_dep, nodes, nnodes);
	get_nodes(r, &t->targets, nodes, nnodes);
	get_strings(r, &t->task_dep);
	get_strings(r, &t->wild_dep);
	get_strings(r, &t->setup);
	get_strings(r, &t->calc_dep);
	get_uptodate(r, t);
	return 0;
}

int graphcache_graph(const void *blob, size_t n, size_t graph_at, struct graph *g,
                     struct err *e)
{
	struct rd r = {(const unsigned char *)blob + graph_at, (const unsigned char *)blob + n,
	               graph_at > n};
	struct node **nodes = NULL;
	size_t i, nnodes = get_n(&r), ntasks;
	int rc = -1;

	nodes = xreallocarray(NULL, nnodes ? nnodes : 1, sizeof(*nodes));
	strmap_reserve(&g->nodes, nnodes);
	for (i = 0; i < nnodes && !r.bad; i++)
		nodes[i] = graph_node(g, get_s(&r));
	ntasks = get_n(&r);
	strmap_reserve(&g->byname, ntasks);
	strmap_reserve(&g->targets, ntasks);    /* most tasks have a target or few */
	for (i = 0; i < ntasks && !r.bad; i++)
		if (get_task(&r, g, nodes, nnodes, e) < 0)
			goto out;
	if (r.bad || r.p != r.end) {
		bad(e);
		goto out;
	}
	rc = graph_link_new(g, 0, e);
out:
	free(nodes);
	return rc;
}

void graphcache_free(struct graphcache *c)
{
	size_t i;

	for (i = 0; i < c->key.n; i++)
		free(c->key.v[i]);
	vec_free(&c->key);
	load_inputs_free(&c->in);
	for (i = 0; i < c->def_tasks.n; i++)
		free(c->def_tasks.v[i]);
	vec_free(&c->def_tasks);
	for (i = 0; i < c->settings.n; i++)
		free(c->settings.v[i]);
	vec_free(&c->settings);
}
