#include "plan.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <spawn.h>
#include <time.h>

#include "frontend.h"
#include "fs.h"
#include "graph.h"
#include "hash.h"
#include "state.h"

extern char **environ;

static int real_stat(void *ctx, const char *path, struct fsinfo *fi, struct err *e)
{
	return fs_stat(path, fi, e);
}

static int real_hash(void *ctx, const char *path, uint64_t *h, struct err *e)
{
	return hash_file(path, h, e);
}

static int real_shell(void *ctx, const char *cmd)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
	pid_t pid;
	int st, rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

const struct plan_io plan_io_real = {
	.stat = real_stat, .hash = real_hash, .shell = real_shell, .now = NULL,
};

/* The wall clock (mtimes are on it), through the test's fake when there is one. */
static int64_t plan_now(struct plan *p)
{
	struct timespec ts;

	if (p->io->now)
		return p->io->now(p->io->ctx);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Is a stat with this mtime, taken at now, racy (fs.h)? */
static bool racy(int64_t mtime_ns, int64_t now)
{
	return mtime_ns >= now - FS_RACY_NS;
}

const char *checker_name(enum checker c)
{
	return c == CHECK_MD5 ? "MD5Checker" : "TimestampChecker";
}

int plan_stat(struct plan *p, struct node *n, struct err *e)
{
	struct fsinfo fi;

	if (n->stat_epoch == p->g->epoch + 1)
		return 0;
	if (p->io->stat(p->io->ctx, n->path, &fi, e) < 0)
		return -1;
	n->exists = fi.exists;
	n->mtime_ns = fi.mtime_ns;
	n->size = fi.size;
	n->ino = fi.ino;
	n->stat_epoch = p->g->epoch + 1;
	return 0;
}

enum { PREFETCH_MAXT = 16, PREFETCH_CHUNK = 256 };

struct prefetch {
	struct node **v;
	size_t n;
	uint64_t epoch;             /* stat_epoch to give the nodes */
	_Atomic size_t next;        /* first node no thread has taken yet */
	pthread_t tid[PREFETCH_MAXT];
	size_t nthreads;
};

/* Stat chunks of nodes until none is left (any number of threads at once). */
static void *prefetch_work(void *arg)
{
	struct prefetch *pf = arg;
	size_t i, at, end;

	while ((at = atomic_fetch_add(&pf->next, PREFETCH_CHUNK)) < pf->n) {
		end = at + PREFETCH_CHUNK < pf->n ? at + PREFETCH_CHUNK : pf->n;
		for (i = at; i < end; i++) {
			struct node *n = pf->v[i];
			struct fsinfo fi;
			struct err e;

			if (fs_stat(n->path, &fi, &e) < 0)
				continue;   /* left for plan_stat, which reports it */
			n->exists = fi.exists;
			n->mtime_ns = fi.mtime_ns;
			n->size = fi.size;
			n->ino = fi.ino;
			n->stat_epoch = pf->epoch;
		}
	}
	return NULL;
}

struct prefetch *plan_prefetch_start(struct plan *p, const struct vec *nodes, int nthreads)
{
	struct prefetch *pf;
	size_t k, want;

	if (p->io != &plan_io_real || !nodes->n)
		return NULL;    /* a test's fake file system is not for threads */
	pf = xcalloc(1, sizeof(*pf));
	pf->v = (struct node **)nodes->v;
	pf->n = nodes->n;
	pf->epoch = p->g->epoch + 1;
	atomic_init(&pf->next, 0);
	want = nthreads < 1 ? 0 : nthreads > PREFETCH_MAXT ? PREFETCH_MAXT : (size_t)nthreads;
	if (want > pf->n / (2 * PREFETCH_CHUNK))
		want = pf->n / (2 * PREFETCH_CHUNK);    /* a thread is worth a few chunks */
	for (k = 0; k < want; k++)
		if (pthread_create(&pf->tid[pf->nthreads], NULL, prefetch_work, pf) == 0)
			pf->nthreads++;
	return pf;
}

void plan_prefetch_finish(struct prefetch *pf)
{
	size_t k;

	if (!pf)
		return;
	prefetch_work(pf);      /* this thread takes what is left */
	for (k = 0; k < pf->nthreads; k++)
		pthread_join(pf->tid[k], NULL);
	free(pf);
}

/* The content hash of n, computed at most once per stat signature. */
static int node_hash(struct plan *p, struct node *n, uint64_t *h, struct err *e)
{
	if (n->hashed && n->hash_mtime_ns == n->mtime_ns && n->hash_size == n->size &&
	    n->hash_ino == n->ino) {
		*h = n->hash;
		return 0;
	}
	if (p->io->hash(p->io->ctx, n->path, &n->hash, e) < 0)
		return -1;
	n->hashed = true;
	n->hash_mtime_ns = n->mtime_ns;
	n->hash_size = n->size;
	n->hash_ino = n->ino;
	*h = n->hash;
	return 0;
}

static void add_reason(struct plan *p, enum reason_kind k, const char *detail)
{
	struct reason *r;

	if (!p->get_log)
		return;
	r = xmalloc(sizeof(*r));
	r->kind = k;
	r->detail = detail ? xstrdup(detail) : NULL;
	vec_push(&p->reasons, r);
}

void plan_clear(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->reasons.n; i++) {
		struct reason *r = p->reasons.v[i];
		free(r->detail);
		free(r);
	}
	vec_free(&p->reasons);
	free(p->error);
	p->error = NULL;
	p->forget = false;
	p->status = STATUS_UPTODATE;
}

/* The saved signature of path: state_load returns deps sorted by path
 * (SQLite's binary collation, the order of strcmp). */
static const struct filesig *saved_sig(const struct task_record *rec, const char *path)
{
	size_t lo = 0, hi = rec->found ? rec->ndeps : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(rec->deps[mid].path, path);

		if (c == 0)
			return &rec->deps[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool same_stat(const struct node *n, const struct filesig *s)
{
	return n->mtime_ns == s->mtime_ns && n->size == s->size && n->ino == s->ino;
}

/* Has a file changed since its saved signature? 1 yes, 0 no, -1 error. A racy
 * signature's stat proves nothing: the hash decides. */
static int file_changed(struct plan *p, struct node *n, const struct filesig *s, struct err *e)
{
	uint64_t h;

	if (p->checker == CHECK_TIMESTAMP)
		return n->mtime_ns != s->mtime_ns;
	if (same_stat(n, s) && !s->racy)
		return 0;
	if (n->size != s->size || !s->has_hash)
		return 1;
	if (node_hash(p, n, &h, e) < 0)
		return -1;
	return h != s->hash;
}

static void all_changed(struct task *t)
{
	size_t i;

	t->dep_changed.n = 0;
	for (i = 0; i < t->file_dep.n; i++)
		vec_push(&t->dep_changed, t->file_dep.v[i]);
}

/* Evaluate the uptodate entries. Returns 0 with *nresults the count of non-None results. */
static int check_uptodate(struct plan *p, struct task *t, size_t *nresults, struct err *e)
{
	struct frontend *fe = p->g->fe;
	size_t i;

	*nresults = 0;
	for (i = 0; i < t->uptodate.n; i++) {
		struct uptodate *u = t->uptodate.v[i];
		int res = -1;

		if (u->kind == UTD_CONST)
			res = u->value;
		else if (u->kind == UTD_SHELL)
			res = p->io->shell(p->io->ctx, u->cmd) == 0;
		else if (fe && fe->ops->uptodate &&
		         fe->ops->uptodate(fe, t, u->index, &res, e) < 0)
			return -1;
		if (res < 0)
			continue;
		(*nresults)++;
		if (!res) {
			p->status = STATUS_RUN;
			add_reason(p, R_UPTODATE_FALSE, u->kind == UTD_SHELL ? u->cmd : NULL);
		}
	}
	return 0;
}

static bool same_dep_set(struct task *t, const struct task_record *rec)
{
	size_t i;

	if (rec->ndeps != t->file_dep.n)
		return false;
	for (i = 0; i < t->file_dep.n; i++)
		if (!saved_sig(rec, ((struct node *)t->file_dep.v[i])->path))
			return false;
	return true;
}

static void dep_set_reasons(struct plan *p, struct task *t, const struct task_record *rec)
{
	size_t i, j;

	for (i = 0; i < t->file_dep.n; i++) {
		struct node *n = t->file_dep.v[i];
		if (!saved_sig(rec, n->path))
			add_reason(p, R_ADDED_DEP, n->path);
	}
	for (i = 0; i < rec->ndeps; i++) {
		for (j = 0; j < t->file_dep.n; j++)
			if (strcmp(((struct node *)t->file_dep.v[j])->path, rec->deps[i].path) == 0)
				break;
		if (j == t->file_dep.n)
			add_reason(p, R_REMOVED_DEP, rec->deps[i].path);
	}
}

static int check_files(struct plan *p, struct task *t, const struct task_record *rec,
                       struct err *e)
{
	size_t i;

	t->dep_changed.n = 0;
	for (i = 0; i < t->file_dep.n; i++) {
		struct node *n = t->file_dep.v[i];
		const struct filesig *s;
		int ch;

		if (plan_stat(p, n, e) < 0)
			return -1;
		if (!n->exists) {
			if (!p->error)
				p->error = xasprintf("Dependent file '%s' does not exist.", n->path);
			p->status = STATUS_ERROR;
			add_reason(p, R_MISSING_DEP, n->path);
			if (!p->get_log)
				return 0;
			continue;
		}
		s = saved_sig(rec, n->path);
		ch = s ? file_changed(p, n, s, e) : 1;
		if (ch < 0)
			return -1;
		if (ch)
			vec_push(&t->dep_changed, n);
	}
	if (t->dep_changed.n) {
		p->status = STATUS_RUN;
		for (i = 0; i < t->dep_changed.n; i++)
			add_reason(p, R_CHANGED_DEP, ((struct node *)t->dep_changed.v[i])->path);
	}
	return 0;
}

int plan_status(struct plan *p, struct task *t, const struct task_record *rec, struct err *e)
{
	static const struct task_record none;
	size_t nres, i;

	plan_clear(p);
	t->dep_changed.n = 0;
	if (check_uptodate(p, t, &nres, e) < 0)
		return -1;
	if (!p->get_log && p->status == STATUS_RUN)
		return 0;
	if (!t->file_dep.n && !nres) {
		p->status = STATUS_RUN;
		add_reason(p, R_NO_DEPS, NULL);
		if (!p->get_log)
			return 0;
	}
	for (i = 0; i < t->targets.n; i++) {
		struct node *n = t->targets.v[i];
		if (plan_stat(p, n, e) < 0)
			return -1;
		if (!n->exists) {
			all_changed(t);
			p->status = STATUS_RUN;
			add_reason(p, R_MISSING_TARGET, n->path);
			if (!p->get_log)
				return 0;
		}
	}
	if (rec->found && rec->checker && strcmp(rec->checker, checker_name(p->checker)) != 0) {
		all_changed(t);
		p->forget = true;
		p->status = STATUS_RUN;
		add_reason(p, R_CHECKER_CHANGED, rec->checker);
		if (!p->get_log)
			return 0;
	}
	if (p->forget)
		rec = &none;    /* doit removed the saved state: nothing to compare with */
	else if (rec->deps_match)
		return 0;       /* every file_dep is as saved */
	if (rec->found && rec->ndeps && !same_dep_set(t, rec)) {
		dep_set_reasons(p, t, rec);
		p->status = STATUS_RUN;
	}
	return check_files(p, t, rec, e);
}

int plan_deps_match(struct plan *p, struct task *t, struct task_record *rec, struct err *e)
{
	uint64_t acc = 0;
	size_t i;

	rec->deps_match = false;
	if (!rec->found || !rec->has_depsig || !rec->checker ||
	    strcmp(rec->checker, checker_name(p->checker)) != 0)
		return 0;
	for (i = 0; i < t->file_dep.n; i++) {
		struct node *n = t->file_dep.v[i];

		if (plan_stat(p, n, e) < 0)
			return -1;
		if (!n->exists)
			return 0;
		acc = depsig_add(acc, n->path, n->mtime_ns, n->size, n->ino);
	}
	rec->deps_match = acc == rec->depsig;
	return rec->deps_match;
}

/* The signature to save of n (stat'd), given its saved one s and the one before the
 * actions ran (each may be NULL). */
static int dep_signature(struct plan *p, struct node *n, const struct filesig *s,
                         const struct filesig *before, int64_t now, struct filesig *out,
                         struct err *e)
{
	if (before && !same_stat(n, before)) {
		*out = *before;         /* changed while the actions ran */
		out->path = n->path;
		out->has_hash = out->racy = false;
		return 0;
	}
	out->path = n->path;
	out->mtime_ns = n->mtime_ns;
	out->size = n->size;
	out->ino = n->ino;
	if (p->checker == CHECK_TIMESTAMP)
		return 0;
	if (before && before->has_hash)
		out->hash = before->hash;       /* racy then: the contents before the actions */
	else if (s && s->has_hash && !s->racy && same_stat(n, s))
		out->hash = s->hash;
	else if (node_hash(p, n, &out->hash, e) < 0)
		return -1;
	out->has_hash = true;
	out->racy = (before && before->racy) || racy(n->mtime_ns, now);
	return 0;
}

struct filesig *plan_snapshot(struct plan *p, struct task *t, size_t *n)
{
	struct filesig *sigs = t->file_dep.n ? xcalloc(t->file_dep.n, sizeof(*sigs)) : NULL;
	int64_t now = plan_now(p);
	struct err e;
	size_t i;

	for (i = 0; i < t->file_dep.n; i++) {
		struct node *nd = t->file_dep.v[i];
		struct filesig *b = &sigs[i];

		b->path = nd->path;
		if (plan_stat(p, nd, &e) < 0 || !nd->exists)
			continue;
		if (p->checker == CHECK_MD5 && racy(nd->mtime_ns, now)) {
			if (node_hash(p, nd, &b->hash, &e) < 0)
				continue;
			b->has_hash = b->racy = true;
		}
		b->mtime_ns = nd->mtime_ns;
		b->size = nd->size;
		b->ino = nd->ino;
	}
	*n = t->file_dep.n;
	return sigs;
}

int plan_signatures(struct plan *p, struct task *t, const struct task_record *rec,
                    struct filesig **out, size_t *n, struct err *e)
{
	return plan_signatures_after(p, t, rec, NULL, 0, out, n, e);
}

int plan_signatures_after(struct plan *p, struct task *t, const struct task_record *rec,
                          const struct filesig *before, size_t nbefore,
                          struct filesig **out, size_t *n, struct err *e)
{
	struct filesig *sigs = xcalloc(t->file_dep.n, sizeof(*sigs));
	int64_t now = plan_now(p);
	size_t i;

	for (i = 0; i < t->file_dep.n; i++) {
		struct node *nd = t->file_dep.v[i];
		const struct filesig *b;

		if (plan_stat(p, nd, e) < 0)
			goto fail;
		if (!nd->exists) {
			seterr(e, 2, "Dependent file '%s' does not exist", nd->path);
			goto fail;
		}
		b = i < nbefore && before[i].path == nd->path ? &before[i] : NULL;
		if (dep_signature(p, nd, saved_sig(rec, nd->path), b, now, &sigs[i], e) < 0)
			goto fail;
	}
	*out = sigs;
	*n = t->file_dep.n;
	return 0;
fail:
	free(sigs);
	return -1;
}
