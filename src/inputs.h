#ifndef DODO_INPUTS_H
#define DODO_INPUTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* What loading a task file depended on (files read or stat'ed, folders listed,
 * environment variables read), and whether each is still as it was. The front-end records
 * them while it loads; the no-op cache (noop.c) keeps them beside the stored graph. */

enum input_kind {
	IN_FILE,        /* a path: existence, type, and for files the stat signature */
	IN_LIST,        /* a folder's listing (os.listdir, os.scandir, glob) */
	IN_LIST_IMPORT, /* a folder on sys.path listed by the import system: only names that
	                 * can be modules (no dot but __pycache__, .py, .pyc, .so, .pth) count */
	IN_ENV,         /* an environment variable: set or not, its value */
	IN_ENV_ALL,     /* the environment: hash of every NAME=VALUE but volatile ones; name:
	                 * the volatile names the sources mention */
};

struct input {
	enum input_kind kind;
	char *name;         /* path or variable name */
	bool exists;        /* FILE, LIST: exists; ENV: set */
	bool is_dir;        /* FILE: a folder (only existence and type compare) */
	int64_t mtime_ns;   /* FILE */
	int64_t size;
	uint64_t ino;
	bool has_hash;      /* FILE: recently modified ("racy"): compare contents too */
	uint64_t hash;      /* FILE: contents; LIST, ENV_ALL: what it lists */
	char *value;        /* ENV: the value when set */
};

struct load_inputs {
	struct vec items;           /* struct input * */
	struct vec config;          /* char *: DOIT_CONFIG option name, value, name, value... */
	struct vec task_args;       /* char *: tasks Python prepares (options, getargs) */
	bool argv_read;             /* the task file read sys.argv */
	char *uncacheable;          /* why this load cannot be reused, or NULL */
	char *dodo_path;            /* the task file as the front-end loaded it */
	char *initial_cwd;          /* the folder dodo started in */
	struct buf output;          /* what the load wrote to stdout and stderr: chunks of a
	                             * stream byte (1, 2), a 4-byte length, the bytes */
};

/* A new input of kind for name, appended to in (owned by in). */
struct input *inputs_add(struct load_inputs *in, enum input_kind kind, const char *name);

void load_inputs_free(struct load_inputs *in);

/* Append n bytes the load wrote to fd (1 or 2) to in's output. */
void inputs_output_add(struct load_inputs *in, int fd, const void *p, size_t n);
/* Write in's output again, each chunk to its stream, in order. */
void inputs_output_replay(const struct load_inputs *in);

/* The hash of a folder listing: names (n, any order, not "." or "..") filtered for kind
 * (IN_LIST_IMPORT keeps module-like names) and without those starting with skip (the
 * state file and its -wal/-shm companions; NULL: none), sorted bytewise. Sorts names. */
uint64_t inputs_listing_hash(char **names, size_t n, enum input_kind kind, const char *skip);

/* The hash of a folder's listing on disk, as inputs_listing_hash. 0 with *exists, or -1
 * with e when the folder cannot be read. */
int inputs_list_dir(const char *path, enum input_kind kind, const char *skip, bool *exists,
                    uint64_t *hash, struct err *e);

/* Names of environment variables that do not count as an input of a load unless the
 * task file's sources name them (NULL-terminated); names starting DODO_ neither. */
extern const char *const inputs_volatile_env[];
/* The hash of an environment (NAME=VALUE strings, n of them), leaving out
 * the volatile variables except those named in mentioned (space-separated; the word
 * DODO_ keeps every DODO_ variable). */
uint64_t inputs_env_hash(char *const *env, size_t n, const char *mentioned);

/* Fill a FILE input from the file system now (stat; contents hashed when racy, that is
 * modified within 2 s of now_ns or later). 0, or -1 with e. */
int inputs_stat_file(struct input *it, int64_t now_ns, struct err *e);

/* Is it as recorded? 1 yes; 0 no, with a short reason in why (appended). skip: as for
 * inputs_listing_hash. */
int inputs_check(const struct input *it, const char *skip, struct buf *why);

#endif
