#include "inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "hash.h"
#include "proc.h"

/* Files modified this close to the load (or later) may change again within one tick of
 * the file system's clock: their contents are compared too. */
#define RACY_NS 2000000000LL

struct input *inputs_add(struct load_inputs *in, enum input_kind kind, const char *name)
{
	struct input *it = xcalloc(1, sizeof(*it));

	it->kind = kind;
	it->name = xstrdup(name);
	vec_push(&in->items, it);
	return it;
}

static void free_strings(struct vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	vec_free(v);
}

void load_inputs_free(struct load_inputs *in)
{
	size_t i;

	for (i = 0; i < in->items.n; i++) {
		struct input *it = in->items.v[i];
		free(it->name);
		free(it->value);
		free(it);
	}
	vec_free(&in->items);
	free_strings(&in->config);
	free_strings(&in->task_args);
	free(in->uncacheable);
	free(in->dodo_path);
	free(in->initial_cwd);
	buf_free(&in->output);
	memset(in, 0, sizeof(*in));
}

void inputs_output_add(struct load_inputs *in, int fd, const void *p, size_t n)
{
	unsigned char head[5];

	while (n > 0) {
		uint32_t k = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
		head[0] = (unsigned char)fd;
		memcpy(head + 1, &k, 4);
		buf_add(&in->output, head, 5);
		buf_add(&in->output, p, k);
		p = (const char *)p + k;
		n -= k;
	}
}

void inputs_output_replay(const struct load_inputs *in)
{
	const char *p = in->output.data, *end = p + in->output.len;
	uint32_t k;

	while (p && end - p >= 5) {
		memcpy(&k, p + 1, 4);
		if ((size_t)(end - p - 5) < k)
			return;
		write_all(p[0] == 2 ? 2 : 1, p + 5, k);
		p += 5 + k;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* A name the import system may take for a module or package. */
static bool module_like(const char *name)
{
	static const char *const suffixes[] = {".py", ".pyc", ".so", ".pth", NULL};
	size_t i;

	if (!strchr(name, '.'))
		return strcmp(name, "__pycache__") != 0;
	for (i = 0; suffixes[i]; i++)
		if (ends_with(name, suffixes[i]))
			return true;
	return false;
}

static bool keep_name(const char *name, enum input_kind kind, const char *skip)
{
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	if (skip && *skip && strncmp(name, skip, strlen(skip)) == 0)
		return false;
	return kind != IN_LIST_IMPORT || module_like(name);
}

/* XXH3 of the strings, each followed by a NUL, in order. */
static uint64_t hash_strings(char **s, size_t n)
{
	struct buf b = {0};
	uint64_t h;
	size_t i;

	for (i = 0; i < n; i++)
		buf_add(&b, s[i], strlen(s[i]) + 1);
	h = hash_bytes(b.data ? b.data : "", b.len);
	buf_free(&b);
	return h;
}

uint64_t inputs_listing_hash(char **names, size_t n, enum input_kind kind, const char *skip)
{
	char **kept = xreallocarray(NULL, n ? n : 1, sizeof(*kept));
	size_t i, m = 0;
	uint64_t h;

	for (i = 0; i < n; i++)
		if (keep_name(names[i], kind, skip))
			kept[m++] = names[i];
	qsort(kept, m, sizeof(*kept), cmp_str);
	h = hash_strings(kept, m);
	free(kept);
	return h;
}

int inputs_list_dir(const char *path, enum input_kind kind, const char *skip, bool *exists,
                    uint64_t *hash, struct err *e)
{
	DIR *d = opendir(path);
	struct dirent *de;
	struct vec names = {0};

	*hash = 0;
	*exists = d != NULL;
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return seterr(e, 2, "cannot list '%s': %s", path, strerror(errno));
	}
	while ((de = readdir(d)))
		vec_push(&names, xstrdup(de->d_name));
	closedir(d);
	*hash = inputs_listing_hash((char **)names.v, names.n, kind, skip);
	free_strings(&names);
	return 0;
}

/* Variables that change from one invocation to the next without changing what a task
 * file means (the shell's, make's, systemd's bookkeeping, dodo's own knobs). */
const char *const inputs_volatile_env[] = {
	"_", "OLDPWD", "PWD", "SHLVL", "MAKEFLAGS", "MFLAGS", "GNUMAKEFLAGS", "MAKELEVEL",
	"MAKEOVERRIDES", "MAKE_TERMOUT", "MAKE_TERMERR", "INVOCATION_ID", "JOURNAL_STREAM",
	NULL,
};

/* Is the name of NAME=VALUE entry s in the space-separated list words? */
static bool name_in(const char *s, size_t len, const char *words)
{
	const char *w = words;

	while (w && *w) {
		size_t wl = strcspn(w, " ");
		if (wl == len && memcmp(w, s, len) == 0)
			return true;
		w += wl + (w[wl] == ' ');
	}
	return false;
}

static bool volatile_entry(const char *s, const char *mentioned)
{
	size_t len = strcspn(s, "=");
	size_t i;

	if (name_in(s, len, mentioned))
		return false;
	if (len > 5 && memcmp(s, "DODO_", 5) == 0)
		return !name_in("DODO_", 5, mentioned);
	for (i = 0; inputs_volatile_env[i]; i++)
		if (strlen(inputs_volatile_env[i]) == len &&
		    memcmp(inputs_volatile_env[i], s, len) == 0)
			return true;
	return false;
}

uint64_t inputs_env_hash(char *const *env, size_t n, const char *mentioned)
{
	char **kept = xreallocarray(NULL, n ? n : 1, sizeof(*kept));
	size_t i, m = 0;
	uint64_t h;

	for (i = 0; i < n; i++)
		if (!volatile_entry(env[i], mentioned))
			kept[m++] = env[i];
	qsort(kept, m, sizeof(*kept), cmp_str);
	h = hash_strings(kept, m);
	free(kept);
	return h;
}

int inputs_stat_file(struct input *it, int64_t now_ns, struct err *e)
{
	struct fsinfo fi;

	if (fs_stat(it->name, &fi, e) < 0)
		return -1;
	it->exists = fi.exists;
	it->is_dir = fi.is_dir;
	it->mtime_ns = it->size = 0;
	it->ino = 0;
	it->has_hash = false;
	if (!fi.exists || fi.is_dir)
		return 0;
	it->mtime_ns = fi.mtime_ns;
	it->size = fi.size;
	it->ino = fi.ino;
	if (fi.mtime_ns >= now_ns - RACY_NS) {
		if (hash_file(it->name, &it->hash, e) < 0)
			return -1;
		it->has_hash = true;
	}
	return 0;
}

static int changed(struct buf *why, const char *what, const char *name)
{
	buf_printf(why, "%s%s '%s'", why->len ? "; " : "", what, name);
	return 0;
}

static int check_file(const struct input *it, struct buf *why)
{
	struct fsinfo fi;
	struct err e;
	uint64_t h;

	if (fs_stat(it->name, &fi, &e) < 0)
		return changed(why, "cannot stat", it->name);
	if (fi.exists != it->exists || (fi.exists && fi.is_dir != it->is_dir))
		return changed(why, fi.exists ? "appeared" : "disappeared", it->name);
	if (!fi.exists || fi.is_dir)
		return 1;
	if (fi.mtime_ns != it->mtime_ns || fi.size != it->size || fi.ino != it->ino)
		return changed(why, "modified", it->name);
	if (it->has_hash && (hash_file(it->name, &h, &e) < 0 || h != it->hash))
		return changed(why, "modified", it->name);
	return 1;
}

static int check_env(const struct input *it, struct buf *why)
{
	const char *v = getenv(it->name);

	if (!v != !it->exists || (v && strcmp(v, it->value ? it->value : "") != 0))
		return changed(why, "environment variable", it->name);
	return 1;
}

extern char **environ;

static int check_env_all(const struct input *it, struct buf *why)
{
	size_t n = 0;

	while (environ && environ[n])
		n++;
	if (inputs_env_hash(environ, n, it->name) != it->hash)
		return changed(why, "environment", "(all)");
	return 1;
}

int inputs_check(const struct input *it, const char *skip, struct buf *why)
{
	bool exists;
	uint64_t h;
	struct err e;

	switch (it->kind) {
	case IN_FILE:
		return check_file(it, why);
	case IN_LIST:
	case IN_LIST_IMPORT:
		if (inputs_list_dir(it->name, it->kind, skip, &exists, &h, &e) < 0 ||
		    exists != it->exists || h != it->hash)
			return changed(why, "listing of", it->name);
		return 1;
	case IN_ENV:
		return check_env(it, why);
	case IN_ENV_ALL:
		return check_env_all(it, why);
	}
	return changed(why, "unknown input", it->name);
}
