#ifndef DODO_JOBSERVER_H
#define DODO_JOBSERVER_H

#include <stdbool.h>

/* The GNU make jobserver: a pipe of tokens shared by every build tool of one build.
 * Each process has one implicit token; every further job needs a byte read from the
 * pipe, written back when the job ends. Under `make -jN` dodo is a client; with -n N it
 * serves its own pool to the commands it runs (nested make, ninja 1.13+, ...). */

struct jobserver;

/* Join the jobserver named in MAKEFLAGS (--jobserver-auth=R,W or fifo:PATH), or, when
 * there is none and jobs > 1, create one with jobs-1 tokens and name it in MAKEFLAGS for
 * the children. NULL when there is nothing to share (jobs <= 1 and no jobserver). */
struct jobserver *jobserver_open(int jobs);
/* Return the tokens still held and free (closing a pool we created and putting back the
 * MAKEFLAGS it replaced). NULL is fine. */
void jobserver_close(struct jobserver *js);

/* Take a token without blocking: true when one was taken. */
bool jobserver_acquire(struct jobserver *js);
/* Give a token back. */
void jobserver_release(struct jobserver *js);
/* A descriptor that polls readable when a token may be available. */
int jobserver_fd(const struct jobserver *js);
/* Whether dodo serves the pool (false: a client of an outer make). */
bool jobserver_is_server(const struct jobserver *js);

#endif
