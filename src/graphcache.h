#ifndef DODO_GRAPHCACHE_H
#define DODO_GRAPHCACHE_H

#include <stddef.h>

#include "inputs.h"
#include "util.h"

/* The stored task graph: a loaded graph with what it was loaded from, serialised into one
 * blob (the state file's meta table keeps it) so that a later run can answer without
 * loading the task file again (noop.c). The format is private and versioned: a blob of
 * another version, or a damaged one, does not decode. */

struct graph;

/* Format version; bump on any change to the encoding or to what a decoded graph means. */
#define GRAPHCACHE_VERSION 3

struct graphcache {
	struct vec key;             /* char *: what must compare equal (noop.c's key strings) */
	struct load_inputs in;      /* what loading read (items, DOIT_CONFIG, task_args, ...) */
	struct vec def_tasks;       /* char *: the task file's default tasks */
	struct vec settings;        /* char *: section, key, value triples of the configuration
	                             * files (a value may be NULL) */
};

void graphcache_free(struct graphcache *c);

/* Serialise c and g (as graph_finalize left it) into out. Never fails. */
void graphcache_encode(const struct graphcache *c, const struct graph *g, struct buf *out);

/* Decode everything but the graph from blob (n bytes) into c (freed by the caller either
 * way); *graph_at is where the graph starts. 0, or -1 with e (a damaged or foreign blob). */
int graphcache_decode(const void *blob, size_t n, struct graphcache *c, size_t *graph_at,
                      struct err *e);

/* Decode the graph of blob from graph_at into g (empty), and link it (targets, implicit
 * deps) as graph_finalize would. Tasks have no front-end objects. 0, or -1 with e. */
int graphcache_graph(const void *blob, size_t n, size_t graph_at, struct graph *g,
                     struct err *e);

#endif
