#ifndef DODO_UTIL_H
#define DODO_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Program name used as the prefix of warn() and fatal() messages. */
extern const char *argv0;

/* Print "dodo: msg" to stderr; a format ending in ':' appends strerror(errno). */
void warn(const char *fmt, ...);
/* Like warn(), then exit(3). Only for out-of-memory, broken invariants and usage. */
_Noreturn void fatal(const char *fmt, ...);

/* Allocators that never return NULL (fatal on exhaustion, overflow-checked). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xreallocarray(void *p, size_t n, size_t sz);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A newly allocated formatted string. */
char *xasprintf(const char *fmt, ...);

/* An exception the task file's code raised that doit lets out of its runner: how it
 * ends dodo (its text is msg, raw). */
enum err_raise {
	RAISE_NONE,     /* not one: an error dodo reports its own way */
	RAISE_ERROR,    /* the traceback is printed, exit code 3 */
	RAISE_EXIT,     /* SystemExit: msg printed as is, exit status code (0 too) */
	RAISE_SIGINT,   /* KeyboardInterrupt: the traceback printed, dodo dies of SIGINT */
};

/* An error carried back to the caller: a message and a doit-style exit code. */
struct err {
	int code;       /* exit code the caller should use (2 or 3 usually) */
	bool printed;   /* the message was already shown to the user */
	bool raw;       /* msg is the whole text to show (no "ERROR: " prefix) */
	enum err_raise raised;
	char msg[4096];
};

/* Fill e with a formatted message and return -1 (for `return seterr(...)`). */
int seterr(struct err *e, int code, const char *fmt, ...);

/* A growable byte buffer, always NUL-terminated when len > 0 or after buf_str(). */
struct buf {
	char *data;
	size_t len, cap;
};

void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
/* Append n bytes of s with each ill-formed UTF-8 subsequence replaced by U+FFFD, as
 * Python's bytes.decode('utf-8', 'replace') reads them. */
void buf_add_utf8(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, int c);
void buf_printf(struct buf *b, const char *fmt, ...);
/* The contents as a C string (never NULL; owned by b). */
const char *buf_str(struct buf *b);
/* Transfer ownership of the contents (NUL-terminated) to the caller; b is emptied. */
char *buf_take(struct buf *b);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* A growable vector of pointers. */
struct vec {
	void **v;
	size_t n, cap;
};

void vec_push(struct vec *v, void *p);
void vec_free(struct vec *v);

/* String hash for interning tables (FNV-1a 64). */
uint64_t strhash(const char *s, size_t n);

/* A string -> pointer hash map with open addressing; keys are borrowed. */
struct strmap {
	struct strmap_ent { const char *key; size_t len; uint64_t h; void *val; } *ent;
	size_t n, cap;
};

void *strmap_get(const struct strmap *m, const char *key, size_t len);
/* Insert or replace; key must outlive the map. */
void strmap_put(struct strmap *m, const char *key, size_t len, void *val);
/* Make room for n entries in all (no rehash while they are added). */
void strmap_reserve(struct strmap *m, size_t n);
void strmap_free(struct strmap *m);

/* A set of pointers (open addressing, with deletion). */
struct ptrset {
	void **slot;
	size_t n, used, cap;    /* members; members + tombstones; slots */
};

bool ptrset_has(const struct ptrset *s, const void *p);
/* Add p; false when it was there already. */
bool ptrset_add(struct ptrset *s, void *p);
/* Remove p; false when it was not there. */
bool ptrset_del(struct ptrset *s, const void *p);
void ptrset_free(struct ptrset *s);

/* Normalise path p lexically into b: no "." components, no repeated or
   trailing slashes ("" and "./" give "."; "/" stays). */
void path_normalize(struct buf *b, const char *p);

/* Whether a one-shot command frees its big structures before the process
   exits: only where a leak checker looks (sanitizer builds, or
   DODO_FREE_AT_EXIT=1 for valgrind); otherwise exit returns it at once. */
bool free_before_exit(void);

/* Monotonic clock in nanoseconds. */
int64_t now_ns(void);

#endif
