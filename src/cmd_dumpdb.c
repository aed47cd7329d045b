/* dumpdb: print the state file readably (doit's cmd_dumpdb, for dodo's SQLite schema).
 *
 * Output: a first line naming the file, then for each task (in byte order of names)
 *   NAME -> saved (CHECKER) | not saved[, ignored]
 *       values: JSON of the values saved by its actions (getargs, save_out, ...)
 *       result: digest of its result (result_dep), when there is one
 *       dep PATH: mtime_ns=N size=N ino=N xxh3=HEX    (one line per file_dep)
 * These are the columns of the `task` and `dep` tables of src/state.c. */
#include "cmd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"

const struct optdef cmd_dumpdb_opts[] = {
	{"dep_file", 0, "db-file", OPT_STR, ".dodo.db", "file used to save successful runs "
	 "[default: %(default)s]", NULL, NULL, NULL},
	{0},
};

struct dump {
	struct state *st;
	struct err *e;
};

static void print_record(const char *name, const struct task_record *r)
{
	size_t i;

	printf("%s -> %s", name, r->found ? "saved" : "not saved");
	if (r->found && r->checker)
		printf(" (%s)", r->checker);
	printf("%s\n", r->ignored ? ", ignored" : "");
	if (r->values_json)
		printf("    values: %s\n", r->values_json);
	if (r->result)
		printf("    result: %s\n", r->result);
	for (i = 0; i < r->ndeps; i++) {
		const struct filesig *s = &r->deps[i];
		printf("    dep %s: mtime_ns=%" PRId64 " size=%" PRId64 " ino=%" PRIu64, s->path,
		       s->mtime_ns, s->size, s->ino);
		if (s->has_hash)
			printf(" xxh3=%016" PRIx64, s->hash);
		if (s->racy)
			printf(" racy");
		printf("\n");
	}
}

static int dump_task(void *arg, const char *name)
{
	struct dump *d = arg;
	struct task_record r = {0};

	if (state_load(d->st, name, &r, d->e) < 0)
		return -1;
	print_record(name, &r);
	task_record_free(&r);
	return 0;
}

int cmd_dumpdb(struct cmd_env *env, int argc, char **argv)
{
	struct optdef *defs;
	struct opts o;
	struct err e = {0};
	struct dump d = {NULL, &e};
	const char *path;
	int rc;

	if ((rc = cmd_parse(env, &o, &defs, argc, argv)) != 0)
		goto out;
	path = opts_str(&o, "dep_file");
	if (access(path, F_OK) != 0) {
		seterr(&e, 3, "state file '%s' does not exist", path);
		rc = cmd_error(&e);
		goto out;
	}
	d.st = state_open(path, STATE_READONLY, 10000, &e);
	if (!d.st) {
		rc = cmd_error(&e);
		goto out;
	}
	printf("dodo state file '%s' (SQLite)\n", path);
	if (state_foreach_task(d.st, dump_task, &d, &e) != 0)
		rc = cmd_error(&e);
	state_close(d.st);
out:
	fflush(stdout);
	opts_free(&o);
	free(defs);
	return rc;
}
