/* watch: inotify on folders with a wd -> folder map, a stat-polling fallback, and
 * a debounced batch of changed paths.
 *
 * Every watched path is a target. A folder target is watched itself (and, when
 * recursive, every folder below it); a file target through its parent folder; a
 * target whose folder does not exist yet through its nearest existing ancestor,
 * until a folder appears and it can be resolved again. Folder records are never
 * freed while events may still name them: a removed record is marked dead and the
 * dead are freed in bulk once they outnumber the living (memory stays bounded). */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

enum {
	DEFAULT_DEBOUNCE_MS = 50,
	DEFAULT_POLL_MS = 200,
	MAX_DELAY_QUIETS = 10,  /* a batch waits at most this many quiet periods */
	SETTLE_MS = 5,          /* quiet period after a lone completed save (inotify) */
	SETTLE_EVENTS = 8,      /* more events than this in a batch: a stream, debounced */
	MAX_READS = 64,         /* inotify reads per wake-up before deadlines are checked */
	MIN_DEAD = 64,          /* dead folder records tolerated before a compaction */
};

#define MS ((int64_t)1000000)
#define DIR_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | \
                  IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define LIMIT_WATCHES "inotify limit reached (max_user_watches)"

/* Why a target is being (re)resolved. */
enum mode {
	SETUP,    /* watch_add: the present state is the baseline */
	RUNTIME,  /* its folder appeared or vanished: report what is new */
	RESCAN,   /* events were lost: re-watch, report whatever may have changed */
};

/* What polling and rescans compare. Folders compare by identity only: their own
 * mtime moves with their entries, which are reported by name. */
struct sig {
	int64_t mtime_ns, size;
	uint64_t dev, ino;
	unsigned mode;  /* 0: missing */
};

/* A folder watched by inotify. */
struct wdir {
	char *path;
	size_t len;
	char wdkey[16];  /* decimal wd, the key in wd_map */
	int wd;
	uint64_t dev, ino;
	bool rec;        /* in a recursive folder target: report entries, watch sub-folders */
	bool listed;     /* a folder target: report entries */
	bool dead;       /* forgotten; freed by dir_compact() */
};

/* A polled folder listing, sorted by path. */
struct entry {
	char *path;
	struct sig sig;
};

struct snap {
	struct entry *e;
	size_t n, cap;
};

/* A path the caller asked to watch. */
struct target {
	char *path;
	size_t len;
	bool recursive;
	bool settled;       /* inotify: watched through its own folder or its parent */
	struct wdir *host;  /* inotify: the folder watched on its behalf */
	struct sig sig;     /* as last seen */
	struct snap snap;   /* polling: listing of a folder target */
};

struct watch {
	int fd;  /* inotify descriptor; -1: polling */
	int debounce_ms, poll_ms, watch_limit;
	bool limit_hit, overflow, resolve_needed;
	char *unwarned;  /* why inotify could not start: warned at first use */
	struct vec targets;  /* struct target * */
	struct strmap target_map;
	struct vec dirs;     /* struct wdir *, live and dead */
	size_t nlive, ndead, npending;
	struct strmap dir_map, wd_map;
	struct vec batch;    /* char *: the changes gathered so far */
	struct strmap batch_map;
	/* inotify: a batch of few events, each leaving its file complete (closed
	   after writing, renamed into place), is due SETTLE_MS after the last */
	int batch_events;
	struct strmap unsettled;   /* path -> path while created or removed, not yet
	                              closed or replaced; NULL once settled */
	size_t nunsettled;
	int64_t first_ns, last_ns, next_scan_ns;
	struct buf scratch;
	_Alignas(struct inotify_event) char evbuf[16 * 1024];
};

static void fall_back(struct watch *w, const char *why, bool runtime);

/* ---- paths ---- */

/* b = name inside folder dir ("." joins to name alone). */
static void path_join(struct buf *b, const char *dir, const char *name)
{
	buf_reset(b);
	if (strcmp(dir, ".") != 0) {
		buf_puts(b, dir);
		if (b->data[b->len - 1] != '/')
			buf_putc(b, '/');
	}
	buf_puts(b, name);
}

/* Replace b by its parent folder ("a" -> ".", "/a" -> "/"). */
static void path_up(struct buf *b)
{
	char *s = strrchr(buf_str(b), '/');

	if (!s)
		buf_reset(b), buf_puts(b, ".");
	else
		b->len = s == b->data ? 1 : (size_t)(s - b->data);
	b->data[b->len] = '\0';
}

static bool path_is_top(const char *p)
{
	return strcmp(p, ".") == 0 || strcmp(p, "/") == 0;
}

/* Whether p lies strictly inside folder d. */
static bool path_under(const char *p, const char *d, size_t dlen)
{
	if (strcmp(d, ".") == 0)
		return *p != '/' && strcmp(p, ".") != 0 && strcmp(p, "..") != 0 &&
		       strncmp(p, "../", 3) != 0;
	if (strcmp(d, "/") == 0)
		return *p == '/' && p[1];
	return strncmp(p, d, dlen) == 0 && p[dlen] == '/';
}

/* ---- stat signatures ---- */

static struct sig sig_of(const struct stat *st)
{
	struct sig s = {0};

	s.dev = st->st_dev;
	s.ino = st->st_ino;
	s.mode = st->st_mode;
	if (!S_ISDIR(st->st_mode)) {
		s.mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
		s.size = st->st_size;
	}
	return s;
}

static struct sig sig_path(const char *path)
{
	struct stat st;
	struct sig none = {0};

	return stat(path, &st) == 0 ? sig_of(&st) : none;
}

static bool sig_same(const struct sig *a, const struct sig *b)
{
	return a->mtime_ns == b->mtime_ns && a->size == b->size && a->dev == b->dev &&
	       a->ino == b->ino && a->mode == b->mode;
}

/* ---- the batch ---- */

/* Record a change of path (once per batch); settled: the event leaves the
 * file complete (false: in progress, or not known). */
static void note_event(struct watch *w, const char *path, bool settled)
{
	size_t n = strlen(path);
	char *s;
	const char *was;

	w->last_ns = now_ns();
	if (!w->batch.n)
		w->first_ns = w->last_ns;
	w->batch_events++;
	if (!(s = strmap_get(&w->batch_map, path, n))) {
		s = xstrndup(path, n);
		vec_push(&w->batch, s);
		strmap_put(&w->batch_map, s, n, s);
	}
	was = strmap_get(&w->unsettled, s, n);
	if (settled && was) {
		strmap_put(&w->unsettled, s, n, NULL);
		w->nunsettled--;
	} else if (!settled && !was) {
		strmap_put(&w->unsettled, s, n, s);
		w->nunsettled++;
	}
}

static void note(struct watch *w, const char *path)
{
	note_event(w, path, false);
}

/* When the gathered batch is due: after a quiet period, or at the latest after
 * MAX_DELAY_QUIETS of them. A lone save seen complete through inotify (the
 * file closed after writing or renamed into place, nothing left half-way)
 * needs no debounce: its quiet period is SETTLE_MS. */
static int64_t batch_due(const struct watch *w)
{
	bool lone = w->fd >= 0 && !w->nunsettled && w->batch_events <= SETTLE_EVENTS;
	int64_t quiet = w->last_ns + (lone && w->debounce_ms > SETTLE_MS ? SETTLE_MS :
	                              w->debounce_ms) * MS;
	int64_t cap = w->first_ns + MAX_DELAY_QUIETS * w->debounce_ms * MS;

	return quiet < cap ? quiet : cap;
}

/* Hand the batch to out (NULL: discard it); returns its size. */
static int batch_take(struct watch *w, struct vec *out)
{
	size_t i, n = w->batch.n;

	strmap_free(&w->batch_map);
	strmap_free(&w->unsettled);
	w->nunsettled = 0;
	w->batch_events = 0;
	for (i = 0; i < n; i++) {
		if (out)
			vec_push(out, w->batch.v[i]);
		else
			free(w->batch.v[i]);
	}
	w->batch.n = 0;
	if (w->batch.cap > 4096)
		vec_free(&w->batch);
	return n > INT_MAX ? INT_MAX : (int)n;
}

/* ---- inotify folder records ---- */

static struct wdir *dir_find(const struct watch *w, const char *path)
{
	struct wdir *d = strmap_get(&w->dir_map, path, strlen(path));

	return d && !d->dead ? d : NULL;
}

static struct wdir *dir_find_wd(const struct watch *w, int wd)
{
	char key[16];
	int n = snprintf(key, sizeof(key), "%d", wd);
	struct wdir *d = strmap_get(&w->wd_map, key, (size_t)n);

	return d && !d->dead ? d : NULL;
}

static void dir_kill(struct watch *w, struct wdir *d, bool rm)
{
	if (rm)
		inotify_rm_watch(w->fd, d->wd);
	d->dead = true;
	w->nlive--;
	w->ndead++;
	w->resolve_needed = true;
}

/* Forget d and, unless it was deleted (a deleted folder was empty), every record
 * below it. rm: also remove d's kernel watch (the records below always lose theirs). */
static void dir_drop(struct watch *w, struct wdir *d, bool rm, bool deleted)
{
	size_t i;

	if (d->dead)
		return;
	for (i = 0; i < w->dirs.n && !deleted; i++) {
		struct wdir *c = w->dirs.v[i];
		if (!c->dead && c != d && path_under(c->path, d->path, d->len))
			dir_kill(w, c, true);
	}
	dir_kill(w, d, rm);
}

static struct wdir *dir_new(struct watch *w, const char *path, int wd, const struct stat *st)
{
	struct wdir *d = xcalloc(1, sizeof(*d));

	d->len = strlen(path);
	d->path = xstrndup(path, d->len);
	d->wd = wd;
	snprintf(d->wdkey, sizeof(d->wdkey), "%d", wd);
	d->dev = st->st_dev;
	d->ino = st->st_ino;
	vec_push(&w->dirs, d);
	w->nlive++;
	strmap_put(&w->dir_map, d->path, d->len, d);
	strmap_put(&w->wd_map, d->wdkey, strlen(d->wdkey), d);
	return d;
}

/* The record watching folder path, adding a kernel watch if needed; NULL with errno
 * set if path is no folder that can be watched (ENOSPC: the limit was hit).
 * follow: path may be a symlink to a folder. */
static struct wdir *dir_watch(struct watch *w, const char *path, bool follow)
{
	struct wdir *d = dir_find(w, path), *old;
	struct stat st, ost;
	int wd;

	if (d)
		return d;
	if (w->limit_hit || (w->watch_limit > 0 && w->nlive >= (size_t)w->watch_limit)) {
		w->limit_hit = true;
		errno = ENOSPC;
		return NULL;
	}
	wd = inotify_add_watch(w->fd, path, DIR_MASK | (follow ? 0 : IN_DONT_FOLLOW));
	if (wd < 0) {
		if (errno == ENOSPC)
			w->limit_hit = true;
		return NULL;
	}
	old = dir_find_wd(w, wd);
	if (old) {
		if (stat(old->path, &ost) == 0 && ost.st_dev == old->dev && ost.st_ino == old->ino)
			return old;  /* one folder under two names: the first name wins */
		dir_drop(w, old, false, false);  /* it moved here; the wd now serves path */
	}
	if ((follow ? stat(path, &st) : lstat(path, &st)) != 0) {
		inotify_rm_watch(w->fd, wd);
		return NULL;
	}
	return dir_new(w, path, wd, &st);
}

static bool entry_is_dir(const struct dirent *de, const char *path)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* List folder d (its watch is in place, so nothing falls between): report its
 * entries when report; when d->rec, watch its sub-folders and list those newly
 * watched (all of them when force). */
static void dir_scan(struct watch *w, struct wdir *d, bool report, bool force)
{
	struct buf p = {0};
	struct dirent *de;
	DIR *dir = opendir(d->path);

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		struct wdir *c;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path_join(&p, d->path, de->d_name);
		if (report)
			note(w, p.data);
		if (!d->rec || !entry_is_dir(de, p.data))
			continue;
		c = dir_watch(w, p.data, false);
		if (c && (force || !c->rec)) {
			c->rec = true;
			dir_scan(w, c, report, force);
		}
	}
	closedir(dir);
	buf_free(&p);
}

static void dirs_free(struct watch *w)
{
	size_t i;

	for (i = 0; i < w->dirs.n; i++) {
		struct wdir *d = w->dirs.v[i];
		free(d->path);
		free(d);
	}
	vec_free(&w->dirs);
	strmap_free(&w->dir_map);
	strmap_free(&w->wd_map);
	w->nlive = w->ndead = 0;
}

/* ---- targets ---- */

static struct target *target_find(const struct watch *w, const char *path)
{
	return strmap_get(&w->target_map, path, strlen(path));
}

static void target_host(struct watch *w, struct target *t, struct wdir *d, bool settled)
{
	if (t->settled != settled)
		w->npending += settled ? (size_t)-1 : 1;
	t->settled = settled;
	t->host = d;
}

/* Free dead folder records once they outnumber the living. Targets still hosted by
 * a dead record are left to the next resolve_all(). */
static void dir_compact(struct watch *w)
{
	size_t i, n = 0;

	if (w->ndead < MIN_DEAD || w->ndead < w->nlive)
		return;
	for (i = 0; i < w->targets.n; i++) {
		struct target *t = w->targets.v[i];
		if (t->host && t->host->dead) {
			target_host(w, t, NULL, false);
			w->resolve_needed = true;
		}
	}
	strmap_free(&w->dir_map);
	strmap_free(&w->wd_map);
	for (i = 0; i < w->dirs.n; i++) {
		struct wdir *d = w->dirs.v[i];
		if (d->dead) {
			free(d->path);
			free(d);
			continue;
		}
		w->dirs.v[n++] = d;
		strmap_put(&w->dir_map, d->path, d->len, d);
		strmap_put(&w->wd_map, d->wdkey, strlen(d->wdkey), d);
	}
	w->dirs.n = n;
	w->ndead = 0;
}

/* Watch t's folder (a folder target), else its parent, else its nearest existing
 * ancestor (t is then pending). Reports as mode m says. */
static void target_resolve(struct watch *w, struct target *t, enum mode m)
{
	struct stat st;
	struct sig s = {0};
	struct buf up = {0};
	struct wdir *d = NULL;
	bool isdir = false, settled = true;

	if (stat(t->path, &st) == 0) {
		s = sig_of(&st);
		isdir = S_ISDIR(st.st_mode);
	}
	if (isdir && (d = dir_watch(w, t->path, true))) {
		d->rec |= t->recursive;
		d->listed |= !t->recursive;
		if (m != SETUP || t->recursive)
			dir_scan(w, d, m == RUNTIME, m != SETUP);
	}
	if (!d && !path_is_top(t->path)) {
		buf_puts(&up, t->path);
		do {
			path_up(&up);
			if (!(d = dir_watch(w, up.data, true)))
				settled = false;
		} while (!d && !w->limit_hit && !path_is_top(up.data));
	}
	target_host(w, t, d, d && settled);
	if ((m != SETUP && !sig_same(&t->sig, &s)) || (m == RESCAN && isdir))
		note(w, t->path);
	t->sig = s;
	buf_free(&up);
}

/* Re-resolve the targets whose folder record died or that are pending. */
static void resolve_all(struct watch *w)
{
	size_t i;
	int round;

	for (round = 0; round < 3 && w->resolve_needed && !w->limit_hit; round++) {
		w->resolve_needed = false;
		for (i = 0; i < w->targets.n; i++) {
			struct target *t = w->targets.v[i];
			if (!t->settled || !t->host || t->host->dead)
				target_resolve(w, t, RUNTIME);
		}
	}
	if (!w->limit_hit)
		dir_compact(w);
}

/* Events were lost: forget folders that are gone, re-watch everything, report what
 * may have changed (changed files, watched folders as a whole). */
static void rescan(struct watch *w)
{
	size_t i;

	w->overflow = false;
	for (i = 0; i < w->dirs.n; i++) {
		struct wdir *d = w->dirs.v[i];
		struct stat st;
		if (!d->dead && (stat(d->path, &st) != 0 || st.st_dev != d->dev ||
		                 st.st_ino != d->ino))
			dir_drop(w, d, true, false);
	}
	for (i = 0; i < w->targets.n && !w->limit_hit; i++)
		target_resolve(w, w->targets.v[i], RESCAN);
	resolve_all(w);
}

static void targets_free(struct watch *w)
{
	size_t i;

	for (i = 0; i < w->targets.n; i++) {
		struct target *t = w->targets.v[i];
		size_t j;
		for (j = 0; j < t->snap.n; j++)
			free(t->snap.e[j].path);
		free(t->snap.e);
		free(t->path);
		free(t);
	}
	vec_free(&w->targets);
	strmap_free(&w->target_map);
	w->npending = 0;
}

/* ---- inotify events ---- */

/* Folder d was deleted, moved away or unmounted. */
static void dir_gone(struct watch *w, struct wdir *d, uint32_t mask)
{
	struct stat st;

	if ((mask & IN_MOVE_SELF) && stat(d->path, &st) == 0 && st.st_dev == d->dev &&
	    st.st_ino == d->ino)
		return;  /* moved to where the record already says it is */
	if (d->rec || d->listed || target_find(w, d->path))
		note(w, d->path);
	dir_drop(w, d, (mask & IN_MOVE_SELF) != 0, (mask & IN_MOVE_SELF) == 0);
}

static void handle_event(struct watch *w, const struct inotify_event *ev)
{
	struct wdir *d, *c;
	struct target *t;
	const char *path;

	if (ev->mask & IN_Q_OVERFLOW) {
		w->overflow = true;
		return;
	}
	if (!(d = dir_find_wd(w, ev->wd)))
		return;  /* a forgotten watch */
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)) {
		dir_gone(w, d, ev->mask);
		return;
	}
	if (!ev->len)
		return;  /* the folder's own attributes */
	path_join(&w->scratch, d->path, ev->name);
	path = w->scratch.data;
	if ((t = target_find(w, path)))
		t->sig = sig_path(path);
	if (t || d->rec || d->listed)
		note_event(w, path, !(ev->mask & IN_ISDIR) &&
		           (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_ATTRIB)));
	if (!(ev->mask & IN_ISDIR))
		return;
	if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
		if ((c = dir_find(w, path)))
			dir_drop(w, c, true, false);
		return;
	}
	if (!(ev->mask & (IN_CREATE | IN_MOVED_TO)))
		return;
	if (t) {  /* became a folder: watch it as one */
		target_host(w, t, NULL, false);
		w->resolve_needed = true;
	}
	if (d->rec && (c = dir_watch(w, path, false)) && !c->rec) {
		c->rec = true;
		dir_scan(w, c, true, false);  /* what was created before the watch */
	}
	if (w->npending)
		w->resolve_needed = true;
}

/* Read and handle the queued events; -1 with e filled if reading fails. */
static int inotify_drain(struct watch *w, struct err *e)
{
	int i;

	for (i = 0; i < MAX_READS; i++) {
		ssize_t n = read(w->fd, w->evbuf, sizeof(w->evbuf));
		char *p;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return seterr(e, 3, "reading inotify events: %s",
			              n ? strerror(errno) : "end of file");
		for (p = w->evbuf; p < w->evbuf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			handle_event(w, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
	return 0;
}

/* Act on what the events asked for: a rescan, re-resolution, the polling fallback. */
static void after_events(struct watch *w)
{
	if (w->overflow && !w->limit_hit)
		rescan(w);
	if (w->resolve_needed && !w->limit_hit)
		resolve_all(w);
	if (w->limit_hit)
		fall_back(w, LIMIT_WATCHES, true);
}

static int ms_until(int64_t t)
{
	int64_t d;

	if (t == INT64_MAX)
		return -1;
	d = t - now_ns();
	if (d <= 0)
		return 0;
	d = (d + MS - 1) / MS;
	return d > INT_MAX ? INT_MAX : (int)d;
}

/* Wait until `until` for events and handle them. 1: interrupted; -1: error. */
static int inotify_collect(struct watch *w, int64_t until, struct err *e)
{
	struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
	int r = poll(&pfd, 1, ms_until(until));

	if (r < 0)
		return errno == EINTR ? 1 : seterr(e, 3, "poll: %s", strerror(errno));
	if (r > 0 && inotify_drain(w, e) < 0)
		return -1;
	after_events(w);
	return 0;
}

/* ---- polling ---- */

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

static void snap_free(struct snap *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->e[i].path);
	free(s->e);
	s->e = NULL;
	s->n = s->cap = 0;
}

/* Add the entries of folder p ("" is ".") to s, the whole tree when recursive. */
static void snap_list(struct snap *s, struct buf *p, bool recursive)
{
	size_t len = p->len;
	DIR *dir = opendir(len ? p->data : ".");
	struct dirent *de;
	struct stat st;

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (len && p->data[len - 1] != '/')
			buf_putc(p, '/');
		buf_puts(p, de->d_name);
		if (lstat(p->data, &st) == 0) {
			if (s->n == s->cap) {
				s->cap = s->cap ? s->cap * 2 : 16;
				s->e = xreallocarray(s->e, s->cap, sizeof(*s->e));
			}
			s->e[s->n].path = xstrdup(p->data);
			s->e[s->n++].sig = sig_of(&st);
			if (recursive && S_ISDIR(st.st_mode))
				snap_list(s, p, true);
		}
		p->len = len;
		p->data[len] = '\0';
	}
	closedir(dir);
}

/* Report the entries that differ between listings a (before) and b (after). */
static void snap_diff(struct watch *w, const struct snap *a, const struct snap *b)
{
	size_t i = 0, j = 0;

	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->e[i].path, b->e[j].path);
		if (c < 0)
			note(w, a->e[i++].path);
		else if (c > 0)
			note(w, b->e[j++].path);
		else if (!sig_same(&a->e[i++].sig, &b->e[j++].sig))
			note(w, b->e[j - 1].path);
	}
}

/* Look at t again (listing it if it is a folder); report differences when report. */
static void poll_target(struct watch *w, struct target *t, bool report)
{
	struct snap s = {0};
	struct buf p = {0};
	struct sig now = sig_path(t->path);

	if (report && !sig_same(&now, &t->sig))
		note(w, t->path);
	t->sig = now;
	if (S_ISDIR(now.mode)) {
		buf_puts(&p, strcmp(t->path, ".") == 0 ? "" : t->path);
		snap_list(&s, &p, t->recursive);
		if (s.n > 1)
			qsort(s.e, s.n, sizeof(*s.e), entry_cmp);
	}
	if (report)
		snap_diff(w, &t->snap, &s);
	snap_free(&t->snap);
	t->snap = s;
	buf_free(&p);
}

static void poll_scan(struct watch *w)
{
	size_t i;

	for (i = 0; i < w->targets.n; i++)
		poll_target(w, w->targets.v[i], true);
	w->next_scan_ns = now_ns() + w->poll_ms * MS;
}

/* Sleep until t; true if a signal interrupted the sleep. */
static bool sleep_until(int64_t t)
{
	int64_t d = t - now_ns();
	struct timespec ts;

	if (d <= 0)
		return false;
	ts.tv_sec = (time_t)(d / 1000000000);
	ts.tv_nsec = (long)(d % 1000000000);
	return nanosleep(&ts, NULL) != 0 && errno == EINTR;
}

/* Sleep until the next scan (earlier while a batch is gathering, to see whether it
 * has gone quiet) or until `until`, and scan if one is due. 1: interrupted. */
static int poll_collect(struct watch *w, int64_t until)
{
	int64_t at = w->next_scan_ns;

	if (w->batch.n && batch_due(w) < at)
		at = batch_due(w);
	if (at > until)
		return sleep_until(until) ? 1 : 0;
	if (sleep_until(at))
		return 1;
	poll_scan(w);
	return 0;
}

/* Give up inotify for good: warn once, read what is queued, drop the watches and
 * take a polling baseline. Reports files whose signature changed unseen and, when
 * runtime (events may have been lost), every watched folder as a whole. */
static void fall_back(struct watch *w, const char *why, bool runtime)
{
	size_t i;

	warn("warning: %s; falling back to polling every %d ms", why, w->poll_ms);
	free(w->unwarned);  /* may be why: not used below */
	w->unwarned = NULL;
	if (w->fd >= 0) {
		w->limit_hit = true;  /* no more watches while draining */
		inotify_drain(w, NULL);
		close(w->fd);
		w->fd = -1;
	}
	dirs_free(w);
	w->overflow = w->resolve_needed = false;
	for (i = 0; i < w->targets.n; i++) {
		struct target *t = w->targets.v[i];
		struct sig old = t->sig;
		poll_target(w, t, false);
		if (!sig_same(&old, &t->sig) || (runtime && S_ISDIR(t->sig.mode)))
			note(w, t->path);
		target_host(w, t, NULL, true);
	}
	w->next_scan_ns = now_ns() + w->poll_ms * MS;
}

/* ---- the interface ---- */

struct watch *watch_new(int debounce_ms, bool force_poll, struct err *e)
{
	struct watch *w = xcalloc(1, sizeof(*w));

	w->debounce_ms = debounce_ms < 0 ? DEFAULT_DEBOUNCE_MS : debounce_ms;
	w->poll_ms = DEFAULT_POLL_MS;
	w->fd = -1;
	w->next_scan_ns = now_ns() + w->poll_ms * MS;
	if (force_poll)
		return w;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd >= 0)
		return w;
	/* warned at first use, when the caller has set the polling interval */
	if (errno == EMFILE)
		w->unwarned = xstrdup("inotify limit reached (max_user_instances or open files)");
	else if (errno == ENFILE)
		w->unwarned = xstrdup("inotify limit reached (open files in the system)");
	else
		w->unwarned = xasprintf("inotify unavailable (%s)", strerror(errno));
	return w;
}

/* Print the warning deferred by watch_new(), if any. */
static void warn_unwarned(struct watch *w)
{
	if (w->unwarned)
		fall_back(w, w->unwarned, false);
}

void watch_free(struct watch *w)
{
	if (!w)
		return;
	watch_clear(w);
	if (w->fd >= 0)
		close(w->fd);
	free(w->unwarned);
	vec_free(&w->batch);
	buf_free(&w->scratch);
	free(w);
}

void watch_set_poll_interval(struct watch *w, int ms)
{
	int64_t next;

	w->poll_ms = ms < 1 ? DEFAULT_POLL_MS : ms;
	next = now_ns() + w->poll_ms * MS;
	if (next < w->next_scan_ns)
		w->next_scan_ns = next;
}

void watch_set_watch_limit(struct watch *w, int max_watches)
{
	w->watch_limit = max_watches;
}

int watch_add(struct watch *w, const char *path, bool recursive, struct err *e)
{
	struct target *t;

	warn_unwarned(w);
	path_normalize(&w->scratch, path);
	t = target_find(w, w->scratch.data);
	if (t && (t->recursive || !recursive))
		return 0;  /* already watched as asked */
	if (!t) {
		t = xcalloc(1, sizeof(*t));
		t->len = w->scratch.len;
		t->path = xstrndup(w->scratch.data, t->len);
		vec_push(&w->targets, t);
		strmap_put(&w->target_map, t->path, t->len, t);
		w->npending++;
	}
	t->recursive |= recursive;
	if (w->fd < 0) {
		poll_target(w, t, false);
		return 0;
	}
	target_resolve(w, t, SETUP);
	if (w->resolve_needed && !w->limit_hit)
		resolve_all(w);
	if (w->limit_hit) {
		fall_back(w, LIMIT_WATCHES, false);
		return 0;
	}
	if (!t->host)
		return seterr(e, 2, "cannot watch %s or any folder above it", t->path);
	return 0;
}

void watch_clear(struct watch *w)
{
	size_t i;

	for (i = 0; i < w->dirs.n && w->fd >= 0; i++) {
		struct wdir *d = w->dirs.v[i];
		if (!d->dead)
			inotify_rm_watch(w->fd, d->wd);
	}
	dirs_free(w);
	targets_free(w);
	batch_take(w, NULL);
	w->overflow = w->resolve_needed = false;
}

int watch_fd(struct watch *w)
{
	return w->fd;
}

int watch_timeout_ms(const struct watch *w)
{
	int64_t at = INT64_MAX;

	if (w->batch.n)
		at = batch_due(w);
	if (w->fd < 0 && w->next_scan_ns < at)
		at = w->next_scan_ns;
	return ms_until(at);
}

int watch_wait(struct watch *w, int timeout_ms, struct vec *changed, struct err *e)
{
	int64_t deadline = timeout_ms < 0 ? INT64_MAX : now_ns() + timeout_ms * MS;
	int64_t until = now_ns();  /* first look without blocking */

	warn_unwarned(w);
	for (;;) {
		int r = w->fd >= 0 ? inotify_collect(w, until, e) : poll_collect(w, until);
		int64_t now = now_ns();

		if (r < 0)
			return -1;
		if (w->batch.n && now >= batch_due(w))
			return batch_take(w, changed);
		if (r > 0 || now >= deadline)
			return 0;
		until = deadline;
		if (w->batch.n && batch_due(w) < until)
			until = batch_due(w);
	}
}

const char *watch_backend(const struct watch *w)
{
	return w->fd >= 0 ? "inotify" : "poll";
}
