#include "state.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "statefile.h"
#include "util.h"

enum {
	APP_ID = 0x646f646f,    /* 'dodo' in the SQLite header's application_id */
	SCHEMA_VERSION = 2,     /* PRAGMA user_version this dodo writes */
};

/* migrations[v] turns schema version v into v + 1. */
static const char *const migrations[SCHEMA_VERSION] = {
	"CREATE TABLE task("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" saved INTEGER NOT NULL DEFAULT 0,"
	" ignored INTEGER NOT NULL DEFAULT 0,"
	" checker TEXT,"
	" values_json TEXT,"
	" result TEXT);"
	"CREATE TABLE dep("
	" task INTEGER NOT NULL,"
	" path TEXT NOT NULL,"
	" mtime_ns INTEGER NOT NULL,"
	" size INTEGER NOT NULL,"
	" ino INTEGER NOT NULL,"
	" hash INTEGER NOT NULL,"
	" has_hash INTEGER NOT NULL,"
	" PRIMARY KEY(task, path)) WITHOUT ROWID;"
	"CREATE TABLE meta(key TEXT PRIMARY KEY NOT NULL, value BLOB);",
	/* depsig: depsig_add() over the saved deps in file_dep order, so that an
	   unchanged task is known without reading its dep rows */
	"ALTER TABLE task ADD COLUMN depsig INTEGER;",
};

enum stmt {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_SAVEPOINT, Q_RELEASE, Q_ROLLBACK_TO,
	Q_LOAD_TASK, Q_LOAD_DEPS, Q_SAVE_TASK, Q_DEL_DEPS, Q_ADD_DEP,
	Q_UNSAVE, Q_SET_IGNORED, Q_PRUNE, Q_FORGET_DEPS, Q_FORGET,
	Q_FORGET_ALL_DEPS, Q_FORGET_ALL, Q_NAMES, Q_HEADS,
	Q_META_GET, Q_META_PUT, Q_META_DEL,
	NSTMT
};

static const char *const sql[NSTMT] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_SAVEPOINT] = "SAVEPOINT op",
	[Q_RELEASE] = "RELEASE op",
	[Q_ROLLBACK_TO] = "ROLLBACK TO op",
	[Q_LOAD_TASK] = "SELECT id, saved, ignored, checker, values_json, result, depsig"
	                " FROM task WHERE name = ?1",
	[Q_HEADS] = "SELECT id, saved, ignored, checker, values_json, result, depsig, name"
	            " FROM task",
	[Q_LOAD_DEPS] = "SELECT path, mtime_ns, size, ino, hash, has_hash"
	                " FROM dep WHERE task = ?1 ORDER BY path",
	[Q_SAVE_TASK] = "INSERT INTO task(name, saved, checker, values_json, result, depsig)"
	                " VALUES(?1, 1, ?2, ?3, ?4, ?5) ON CONFLICT(name) DO UPDATE"
	                " SET saved = 1, checker = ?2, values_json = ?3, result = ?4,"
	                " depsig = ?5 RETURNING id",
	[Q_DEL_DEPS] = "DELETE FROM dep WHERE task = ?1",
	[Q_ADD_DEP] = "INSERT OR REPLACE INTO dep"
	              "(task, path, mtime_ns, size, ino, hash, has_hash)"
	              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[Q_UNSAVE] = "UPDATE task SET saved = 0, checker = NULL, values_json = NULL,"
	             " result = NULL, depsig = NULL WHERE name = ?1",
	[Q_SET_IGNORED] = "INSERT INTO task(name, ignored) VALUES(?1, ?2)"
	                  " ON CONFLICT(name) DO UPDATE SET ignored = ?2",
	[Q_PRUNE] = "DELETE FROM task WHERE name = ?1 AND saved = 0 AND ignored = 0",
	[Q_FORGET_DEPS] = "DELETE FROM dep WHERE task = (SELECT id FROM task WHERE name = ?1)",
	[Q_FORGET] = "DELETE FROM task WHERE name = ?1",
	[Q_FORGET_ALL_DEPS] = "DELETE FROM dep",
	[Q_FORGET_ALL] = "DELETE FROM task",
	[Q_NAMES] = "SELECT name FROM task ORDER BY name",
	[Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[Q_META_PUT] = "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
	[Q_META_DEL] = "DELETE FROM meta WHERE key = ?1",
};

/* How commits are kept safe from a crash (see docs/design.md, "The state file"). */
enum journal {
	JOURNAL_WAL,        /* WAL, its -wal and -shm beside the file */
	JOURNAL_WAL_ALONE,  /* the folder takes no new file, a -wal is there: WAL without -shm */
	JOURNAL_MEMORY,     /* the folder takes no new file: a rollback journal in memory */
};

static const char *const journal_sql[] = {
	[JOURNAL_WAL] = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
	[JOURNAL_WAL_ALONE] = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
	[JOURNAL_MEMORY] = "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = FULL",
};

struct state {
	char *path;
	int flags;
	int timeout_ms;
	mode_t mode;        /* permissions of a file this open creates (less the umask) */
	enum journal journal;
	sqlite3 *db;
	sqlite3_stmt *q[NSTMT];
	bool batch;         /* inside state_begin() */
	int rc;             /* primary SQLite code of the last failure */
	char why[1024];     /* its message, for the corruption warning */
	int lockfd;         /* our descriptor of the file, holding the flock(); -1 if none */
	dev_t dev;
	ino_t ino;
	struct state *next; /* in the list of open state files of this process */
};

/* Open state files with a descriptor: never close another descriptor of these
   files, or SQLite's POSIX locks on them vanish. */
static struct state *open_states;

static bool corrupt(int rc)
{
	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

/* Whether SQLite's extended code xrc is an error of the -shm file. */
static bool shm_error(int xrc)
{
	return xrc == SQLITE_IOERR_SHMOPEN || xrc == SQLITE_IOERR_SHMSIZE ||
	       xrc == SQLITE_IOERR_SHMLOCK || xrc == SQLITE_IOERR_SHMMAP;
}

/* SQLite's message for its error rc into st->why; an I/O error gets the system's
   reason and the file beside when it is about that one. */
static void describe(struct state *st, int rc)
{
	const char *msg = st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
	int sys = st->db ? sqlite3_system_errno(st->db) : 0;
	int xrc = st->db ? sqlite3_extended_errcode(st->db) : rc;

	if (sys == 0 || ((rc & 0xff) != SQLITE_IOERR && (rc & 0xff) != SQLITE_CANTOPEN))
		snprintf(st->why, sizeof(st->why), "%s", msg);
	else if (shm_error(xrc))
		snprintf(st->why, sizeof(st->why), "%s on its shared-memory index '%s-shm' (%s)",
		         msg, st->path, strerror(sys));
	else
		snprintf(st->why, sizeof(st->why), "%s (%s)", msg, strerror(sys));
}

/* Fill e from SQLite's error rc on st->db; remember it for recovery. Returns -1. */
static int dberr(struct state *st, int rc, struct err *e)
{
	describe(st, rc);
	st->rc = rc & 0xff;
	return seterr(e, 3, "state file '%s': %s", st->path, st->why);
}

/* Run SQL text that takes no parameters (set-up only). 0 or -1. */
static int run_sql(struct state *st, const char *text, struct err *e)
{
	int rc = sqlite3_exec(st->db, text, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : dberr(st, rc, e);
}

/* The integer that query text yields (set-up only). 0 or -1. */
static int scalar(struct state *st, const char *text, int64_t *out, struct err *e)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, text, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return dberr(st, rc, e);
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		sqlite3_finalize(s);
		return 0;
	}
	dberr(st, rc, e);
	sqlite3_finalize(s);
	return -1;
}

/* Reset statement id and bind parameters described by fmt: 's' text (NULL binds
   NULL), 'i' int64_t, 'b' blob (pointer, size_t). Returns it, or NULL with e filled. */
static sqlite3_stmt *bind(struct state *st, enum stmt id, struct err *e,
                          const char *fmt, va_list ap)
{
	sqlite3_stmt *s = st->q[id];
	const void *p;
	int i, rc = SQLITE_OK;
	size_t n;

	if (!st->db) {
		seterr(e, 3, "state file '%s' is unusable after an earlier error", st->path);
		return NULL;
	}
	sqlite3_reset(s);
	for (i = 1; *fmt && rc == SQLITE_OK; fmt++, i++) {
		switch (*fmt) {
		case 's':
			rc = sqlite3_bind_text(s, i, va_arg(ap, const char *), -1, SQLITE_STATIC);
			break;
		case 'i':
			rc = sqlite3_bind_int64(s, i, va_arg(ap, int64_t));
			break;
		case 'b':
			p = va_arg(ap, const void *);
			n = va_arg(ap, size_t);
			rc = sqlite3_bind_blob64(s, i, n ? p : "", n, SQLITE_STATIC);
			break;
		default:
			fatal("state: bad bind format '%c'", *fmt);
		}
	}
	if (rc != SQLITE_OK) {
		dberr(st, rc, e);
		return NULL;
	}
	return s;
}

/* Step s: 1 on a row, 0 when done, -1 with e filled. s is reset unless on a row. */
static int step(struct state *st, sqlite3_stmt *s, struct err *e)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	dberr(st, rc, e);
	sqlite3_reset(s);
	return -1;
}

/* Bind statement id's parameters (see bind()) and step it once: 1 on a row
   (read it, then sqlite3_reset() or step() on), 0 when done, -1 with e filled. */
static int query(struct state *st, enum stmt id, struct err *e, const char *fmt, ...)
{
	sqlite3_stmt *s;
	va_list ap;

	va_start(ap, fmt);
	s = bind(st, id, e, fmt, ap);
	va_end(ap);
	return s ? step(st, s, e) : -1;
}

/* Run statement id to completion. 0 or -1 with e filled. */
static int exec(struct state *st, enum stmt id, struct err *e, const char *fmt, ...)
{
	sqlite3_stmt *s;
	va_list ap;
	int r;

	va_start(ap, fmt);
	s = bind(st, id, e, fmt, ap);
	va_end(ap);
	if (!s)
		return -1;
	while ((r = step(st, s, e)) == 1)
		;
	return r;
}

/* Roll back, keeping e and st->rc of the failure that caused it. */
static void rollback(struct state *st, enum stmt id)
{
	int rc = st->rc;
	char why[sizeof(st->why)];
	struct err scratch;

	if (!st->db)
		return;
	memcpy(why, st->why, sizeof(why));
	if (!sqlite3_get_autocommit(st->db))
		exec(st, id, &scratch, "");
	st->rc = rc;
	memcpy(st->why, why, sizeof(why));
}

/* Start one atomic write: a transaction, or a savepoint inside a batch. */
static int wbegin(struct state *st, struct err *e)
{
	if (st->flags & STATE_READONLY)
		return seterr(e, 3, "state file '%s' is open read-only", st->path);
	return exec(st, st->batch ? Q_SAVEPOINT : Q_BEGIN, e, "");
}

/* Finish the write begun by wbegin(): commit when r == 0, else roll back. Returns 0 or -1. */
static int wend(struct state *st, int r, struct err *e)
{
	if (r == 0 && exec(st, st->batch ? Q_RELEASE : Q_COMMIT, e, "") == 0)
		return 0;
	if (st->batch) {
		rollback(st, Q_ROLLBACK_TO);
		rollback(st, Q_RELEASE);
	} else {
		rollback(st, Q_ROLLBACK);
	}
	return -1;
}

/* Bring the schema from version ver to SCHEMA_VERSION in one transaction. */
static int migrate(struct state *st, int64_t ver, struct err *e)
{
	char pragmas[128];

	if (run_sql(st, "BEGIN IMMEDIATE", e) < 0)
		return -1;
	for (; ver < SCHEMA_VERSION; ver++)
		if (run_sql(st, migrations[ver], e) < 0)
			goto fail;
	snprintf(pragmas, sizeof(pragmas), "PRAGMA application_id = %d; PRAGMA user_version = %d",
	         APP_ID, SCHEMA_VERSION);
	if (run_sql(st, pragmas, e) < 0 || run_sql(st, "COMMIT", e) < 0)
		goto fail;
	return 0;
fail:
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static int prepare(struct state *st, struct err *e)
{
	int i, rc;

	for (i = 0; i < NSTMT; i++) {
		rc = sqlite3_prepare_v3(st->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                        &st->q[i], NULL);
		if (rc != SQLITE_OK)
			return dberr(st, rc, e);
	}
	return 0;
}

static void close_db(struct state *st)
{
	int i;

	for (i = 0; i < NSTMT; i++) {
		sqlite3_finalize(st->q[i]);
		st->q[i] = NULL;
	}
	sqlite3_close(st->db);
	st->db = NULL;
	st->batch = false;
}

/* An empty database in memory: ":memory:" itself, or what a read-only open of a
   missing, old or corrupt file sees. */
static int open_memory(struct state *st, struct err *e)
{
	int rc = sqlite3_open_v2(":memory:", &st->db,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK)
		return dberr(st, rc, e);
	if (migrate(st, 0, e) < 0 || prepare(st, e) < 0)
		return -1;
	return 0;
}

/* Where the folder takes no new file (a read-only checkout whose state file is
   writable), WAL cannot make its -wal and -shm: a -wal already there is used
   without the -shm, else the file is turned back into a rollback-journal file
   whose journal stays in memory. 0 or -1 with e filled. */
static int choose_journal(struct state *st, struct err *e)
{
	st->journal = JOURNAL_WAL;
	if ((st->flags & STATE_READONLY) || statefile_folder_writable(st->path))
		return 0;
	if (statefile_beside_exists(st->path, "-wal")) {
		st->journal = JOURNAL_WAL_ALONE;
		return 0;
	}
	st->journal = JOURNAL_MEMORY;
	return statefile_leave_wal(st->lockfd, st->path, e);
}

/* The name SQLite opens. A read-only open where the folder takes no -shm and no
   -wal is there fails on a WAL file: that one is read as immutable (the shared
   lock keeps every dodo writer out), through a URI (SQLITE_OPEN_URI added). */
static char *db_name(struct state *st, int *flags)
{
	struct buf b = {0};
	const char *p;

	if ((st->flags & (STATE_READONLY | STATE_NOLOCK)) != STATE_READONLY ||
	    statefile_folder_writable(st->path) || statefile_beside_exists(st->path, "-wal"))
		return xstrdup(st->path);
	buf_puts(&b, st->path[0] == '/' ? "file://" : "file:");
	for (p = st->path; *p; p++) {
		if (isalnum((unsigned char)*p) || strchr("/._-~", *p))
			buf_putc(&b, *p);
		else
			buf_printf(&b, "%%%02X", (unsigned)(unsigned char)*p);
	}
	buf_puts(&b, "?immutable=1");
	*flags |= SQLITE_OPEN_URI;
	return buf_take(&b);
}

/* Open the file with SQLite. Until it is known to be dodo's, closing must not
   checkpoint a -wal into it (ready() allows that). 0 or -1 with e filled. */
static int open_sqlite(struct state *st, struct err *e)
{
	int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW |
	            ((st->flags & STATE_READONLY) ? SQLITE_OPEN_READONLY
	                                          : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	char *name = db_name(st, &flags);
	int rc = sqlite3_open_v2(name, &st->db, flags, NULL);

	free(name);
	if (rc != SQLITE_OK)
		return dberr(st, rc, e);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
	sqlite3_busy_timeout(st->db, st->timeout_ms < 0 ? INT_MAX : st->timeout_ms);
	/* before the first read: WAL then keeps its index in memory, no -shm */
	if (st->journal == JOURNAL_WAL_ALONE)
		return run_sql(st, "PRAGMA locking_mode = EXCLUSIVE", e);
	return 0;
}

/* SQLite reads another application's database. When the file itself is dodo's,
   its -wal is another database's (left beside it): the pair is damaged. -1. */
static int foreign(struct state *st, int64_t app, struct err *e)
{
	int64_t own = statefile_app_id(st->lockfd);
	bool wal = statefile_beside_exists(st->path, "-wal");
	unsigned long long id = (uint32_t)app;

	if (wal && own == APP_ID) {
		st->rc = SQLITE_CORRUPT;
		snprintf(st->why, sizeof(st->why), "its write-ahead log '%s-wal' is of another"
		         " database (application_id 0x%llx)", st->path, id);
		return seterr(e, 3, "state file '%s' is corrupt (%s)", st->path, st->why);
	}
	if (wal && own < 0)
		return seterr(e, 3, "state file '%s': its write-ahead log '%s-wal' holds an SQLite"
		              " database of another application (application_id 0x%llx); refusing"
		              " to touch them", st->path, st->path, id);
	return seterr(e, 3, "state file '%s' is an SQLite database of another application"
	              " (application_id 0x%llx); refusing to touch it", st->path, id);
}

/* Read whose the file is and its schema version into *ver. 0 or -1 with e filled. */
static int check_header(struct state *st, int64_t *ver, struct err *e)
{
	int64_t app, ntables;

	if (scalar(st, "PRAGMA application_id", &app, e) < 0 ||
	    scalar(st, "PRAGMA user_version", ver, e) < 0 ||
	    scalar(st, "SELECT count(*) FROM sqlite_schema", &ntables, e) < 0)
		return -1;
	if ((app != 0 || *ver != 0 || ntables != 0) && app != APP_ID)
		return foreign(st, app, e);
	if (*ver > SCHEMA_VERSION)
		return seterr(e, 3, "state file '%s' was written by a newer dodo (schema version %lld;"
		              " this dodo knows up to %d); refusing to touch it", st->path,
		              (long long)*ver, SCHEMA_VERSION);
	return 0;
}

/* A migration or a statement failed on the file's own tables (SQLITE_ERROR: no
   such table, duplicate column): they do not match the schema version the file
   claims, ver. Such a file is damaged like a corrupt one. -1. */
static int mismatch(struct state *st, int64_t ver, struct err *e)
{
	char *why;

	if (st->rc != SQLITE_ERROR)
		return -1;
	why = xasprintf("its tables do not match its schema version %lld: %s", (long long)ver,
	                st->why);
	snprintf(st->why, sizeof(st->why), "%s", why);
	free(why);
	st->rc = SQLITE_CORRUPT;
	return seterr(e, 3, "state file '%s' is corrupt (%s)", st->path, st->why);
}

/* With the journal in memory, a crash during a commit can leave the file half
   written: check its structure. 0, or -1 with e filled (corrupt or not). */
static int quick_check(struct state *st, struct err *e)
{
	sqlite3_stmt *s;
	const unsigned char *t;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &s, NULL), r = 0;

	if (rc != SQLITE_OK)
		return dberr(st, rc, e);
	rc = sqlite3_step(s);
	t = rc == SQLITE_ROW ? sqlite3_column_text(s, 0) : NULL;
	if (!t) {
		r = dberr(st, rc, e);
	} else if (strcmp((const char *)t, "ok") != 0) {
		st->rc = SQLITE_CORRUPT;
		snprintf(st->why, sizeof(st->why), "%s", (const char *)t);
		r = seterr(e, 3, "state file '%s' is corrupt (%s)", st->path, st->why);
	}
	sqlite3_finalize(s);
	return r;
}

/* Prepare the statements of a file whose tables claim schema version ver, check
   the files beside again (SQLite may have just made them); from now on closing
   checkpoints as usual. 0 or -1 with e filled. */
static int ready(struct state *st, int64_t ver, struct err *e)
{
	if (prepare(st, e) < 0)
		return mismatch(st, ver, e);
	if (statefile_check_beside(st->path, e) < 0)
		return -1;
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, (int *)NULL);
	return 0;
}

/* Open the file with SQLite, check whose it is, migrate, prepare. 0, 1 when a
   read-only open should use an empty database instead, or -1 with e filled
   (st->rc tells whether the file is corrupt). */
static int open_file(struct state *st, struct err *e)
{
	int64_t ver;

	if (choose_journal(st, e) < 0 || statefile_check_beside(st->path, e) < 0 ||
	    open_sqlite(st, e) < 0 || check_header(st, &ver, e) < 0)
		return -1;
	if (st->flags & STATE_READONLY)
		return ver < SCHEMA_VERSION ? 1 : ready(st, ver, e);
	if (run_sql(st, journal_sql[st->journal], e) < 0)
		return -1;
	if (st->journal == JOURNAL_MEMORY && quick_check(st, e) < 0)
		return -1;
	if (ver < SCHEMA_VERSION && migrate(st, ver, e) < 0)
		return mismatch(st, ver, e);
	return ready(st, ver, e);
}

/* flock() fd, retrying until the deadline; 0 or -1 with e filled. */
static int wait_lock(struct state *st, int fd, int64_t start, struct err *e)
{
	int op = (st->flags & STATE_READONLY) ? LOCK_SH : LOCK_EX;
	int64_t pause = 1000000, left;
	struct timespec ts;

	while (flock(fd, op | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return seterr(e, 3, "cannot lock state file '%s': %s", st->path, strerror(errno));
		left = (int64_t)st->timeout_ms * 1000000 - (now_ns() - start);
		if (st->timeout_ms >= 0 && left <= 0)
			return seterr(e, 3, "state file '%s' is in use by another dodo process"
			              " (waited %g s)", st->path, st->timeout_ms / 1000.0);
		if (st->timeout_ms >= 0 && pause > left)
			pause = left;
		ts.tv_sec = pause / 1000000000;
		ts.tv_nsec = pause % 1000000000;
		nanosleep(&ts, NULL);
		if (pause < 50000000)
			pause *= 2;
	}
	return 0;
}

static bool open_here(dev_t dev, ino_t ino)
{
	struct state *o;

	for (o = open_states; o; o = o->next)
		if (o->lockfd >= 0 && o->dev == dev && o->ino == ino)
			return true;
	return false;
}

/* Open our own descriptor of the file and lock it (unless STATE_NOLOCK). 0, 1 when
   read-only and the file does not exist, or -1 with e filled. */
static int lock(struct state *st, struct err *e)
{
	bool ro = st->flags & STATE_READONLY;
	int64_t start = now_ns();
	struct stat a, b;
	int fd;

	if (stat(st->path, &a) == 0 && open_here(a.st_dev, a.st_ino))
		return seterr(e, 3, "state file '%s' is already open in this process", st->path);
	for (;;) {
		fd = statefile_open(st->path, ro, st->mode, e);
		if (fd < 0)
			return ro && errno == ENOENT ? 1 : -1;
		if (!(st->flags & STATE_NOLOCK) && wait_lock(st, fd, start, e) < 0) {
			close(fd);
			return -1;
		}
		/* While we waited, a dodo may have moved a corrupt file aside. */
		if (fstat(fd, &a) == 0 && lstat(st->path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			break;
		close(fd);
	}
	st->lockfd = fd;
	st->dev = a.st_dev;
	st->ino = a.st_ino;
	return 0;
}

/* Move path+suffix to backup+suffix, replacing an older backup. 0 or -1 with errno. */
static int move_aside(const char *path, const char *backup, const char *suffix)
{
	char *from = xasprintf("%s%s", path, suffix), *to = xasprintf("%s%s", backup, suffix);
	int r = 0;

	if (unlink(to) < 0 && errno != ENOENT)
		r = -1;
	if (r == 0 && rename(from, to) < 0 && errno != ENOENT)
		r = -1;
	free(from);
	free(to);
	return r;
}

/* The file is corrupt: move it (and its WAL) aside with a warning, then create a
   fresh one, locked. 0 or -1 with e filled. */
static int start_afresh(struct state *st, struct err *e)
{
	char *backup = xasprintf("%s.corrupt", st->path), *shm;
	char why[sizeof(st->why)];
	int oldfd = st->lockfd, r = -1;
	struct stat old;
	bool keep = oldfd >= 0 && fstat(oldfd, &old) == 0;

	memcpy(why, st->why, sizeof(why));
	/* the backup keeps the file and its -wal as they were */
	if (st->db)
		sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
	close_db(st);
	if (move_aside(st->path, backup, "") < 0 || move_aside(st->path, backup, "-wal") < 0 ||
	    move_aside(st->path, backup, "-journal") < 0) {
		seterr(e, 3, "state file '%s' is corrupt (%s) and cannot be moved aside: %s",
		       st->path, why, strerror(errno));
		goto done;
	}
	shm = xasprintf("%s-shm", st->path);
	unlink(shm);
	free(shm);
	warn("warning: state file '%s' is corrupt (%s); moved it to '%s' and starting afresh",
	     st->path, why, backup);
	st->lockfd = -1;
	st->rc = 0;
	if (keep)
		st->mode = old.st_mode & 0777;
	if (lock(st, e) < 0)
		goto done;
	if (keep)
		statefile_copy_mode(st->lockfd, &old);
	/* SQLite has closed the old file, so no POSIX lock of ours dies with oldfd. */
	if (oldfd >= 0)
		close(oldfd);
	oldfd = -1;
	r = open_file(st, e);
done:
	if (oldfd >= 0 && st->lockfd < 0)
		st->lockfd = oldfd;
	free(backup);
	return r;
}

/* After a failure: if it was corruption, recover (a read-only state continues on an
   empty database) and return true so the caller retries once. Any open batch is
   lost and a new one begun. */
static bool recovered(struct state *st, struct err *e)
{
	bool batch = st->batch;
	int r;

	if (!corrupt(st->rc))
		return false;
	if ((st->flags & STATE_READONLY) || st->lockfd < 0) {
		warn("warning: state file '%s' is corrupt (%s); ignoring it", st->path, st->why);
		close_db(st);
		r = open_memory(st, e);
	} else {
		r = start_afresh(st, e);
	}
	st->rc = 0;
	if (r == 0 && batch && exec(st, Q_BEGIN, e, "") == 0)
		st->batch = true;
	return r == 0 && st->batch == batch;
}

struct state *state_open(const char *path, int flags, int lock_timeout_ms, struct err *e)
{
	struct state *st = xcalloc(1, sizeof(*st));
	int r;

	st->path = xstrdup(path);
	st->flags = flags;
	st->timeout_ms = lock_timeout_ms;
	st->mode = 0666;
	st->lockfd = -1;
	if (strcmp(path, ":memory:") == 0) {
		if (open_memory(st, e) < 0)
			goto fail;
		return st;
	}
	r = lock(st, e);
	if (r == 0)
		r = open_file(st, e);
	if (r < 0 && corrupt(st->rc)) {
		if (flags & STATE_READONLY) {
			warn("warning: state file '%s' is corrupt (%s); ignoring it", path, st->why);
			r = 1;
		} else {
			r = start_afresh(st, e);
		}
	}
	if (r == 1) {
		close_db(st);
		r = open_memory(st, e);
	}
	if (r < 0)
		goto fail;
	st->next = open_states;
	open_states = st;
	return st;
fail:
	state_close(st);
	return NULL;
}

void state_close(struct state *st)
{
	struct state **p;

	if (!st)
		return;
	for (p = &open_states; *p; p = &(*p)->next) {
		if (*p == st) {
			*p = st->next;
			break;
		}
	}
	if (st->batch)
		rollback(st, Q_ROLLBACK);
	close_db(st);
	/* Only now, with SQLite's descriptors and locks gone, may ours close. */
	if (st->lockfd >= 0)
		close(st->lockfd);
	free(st->path);
	free(st);
}

const char *state_path(const struct state *st)
{
	return st->path;
}

static char *coldup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s, i)) : NULL;
}

static int load_deps(struct state *st, int64_t id, struct task_record *out, struct err *e)
{
	sqlite3_stmt *s = st->q[Q_LOAD_DEPS];
	size_t cap = 0;
	int r;

	for (r = query(st, Q_LOAD_DEPS, e, "i", id); r == 1; r = step(st, s, e)) {
		struct filesig *d;
		if (out->ndeps == cap) {
			cap = cap ? cap * 2 : 8;
			out->deps = xreallocarray(out->deps, cap, sizeof(*out->deps));
		}
		d = &out->deps[out->ndeps++];
		d->path = coldup(s, 0);
		if (!d->path)
			d->path = xstrdup("");
		d->mtime_ns = sqlite3_column_int64(s, 1);
		d->size = sqlite3_column_int64(s, 2);
		d->ino = (uint64_t)sqlite3_column_int64(s, 3);
		d->hash = (uint64_t)sqlite3_column_int64(s, 4);
		d->has_hash = sqlite3_column_int(s, 5) != 0;
	}
	return r;
}

/* Fill out from a row of Q_LOAD_TASK or Q_HEADS (their first columns agree). */
static void head_row(sqlite3_stmt *s, struct task_record *out)
{
	out->id = sqlite3_column_int64(s, 0);
	out->found = sqlite3_column_int(s, 1) != 0;
	out->ignored = sqlite3_column_int(s, 2) != 0;
	out->checker = coldup(s, 3);
	out->values_json = coldup(s, 4);
	out->result = coldup(s, 5);
	out->has_depsig = sqlite3_column_type(s, 6) == SQLITE_INTEGER;
	out->depsig = (uint64_t)sqlite3_column_int64(s, 6);
	out->deps_loaded = !out->found;
}

static int load(struct state *st, const char *task, bool deps, struct task_record *out,
                struct err *e)
{
	sqlite3_stmt *s = st->q[Q_LOAD_TASK];
	int r;

	memset(out, 0, sizeof(*out));
	r = query(st, Q_LOAD_TASK, e, "s", task);
	if (r <= 0)
		return r;
	head_row(s, out);
	sqlite3_reset(s);
	out->deps_loaded = !out->found || deps;
	if (out->found && deps && load_deps(st, out->id, out, e) < 0) {
		task_record_free(out);
		return -1;
	}
	return 0;
}

int state_load(struct state *st, const char *task, struct task_record *out, struct err *e)
{
	int r = load(st, task, true, out, e);

	if (r < 0 && recovered(st, e))
		r = load(st, task, true, out, e);
	return r;
}

int state_load_head(struct state *st, const char *task, struct task_record *out,
                    struct err *e)
{
	int r = load(st, task, false, out, e);

	if (r < 0 && recovered(st, e))
		r = load(st, task, false, out, e);
	return r;
}

int state_load_deps(struct state *st, struct task_record *rec, struct err *e)
{
	if (rec->deps_loaded)
		return 0;
	rec->deps_loaded = true;
	return load_deps(st, rec->id, rec, e) < 0 ? -1 : 0;
}

uint64_t depsig_add(uint64_t acc, const char *path, int64_t mtime_ns, int64_t size,
                    uint64_t ino)
{
	int64_t v[3] = {mtime_ns, size, (int64_t)ino};

	acc = hash_chain(acc, v, sizeof(v));
	return hash_chain(acc, path, strlen(path) + 1);
}

static uint64_t depsig_of(const struct filesig *deps, size_t n)
{
	uint64_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc = depsig_add(acc, deps[i].path, deps[i].mtime_ns, deps[i].size, deps[i].ino);
	return acc;
}

void task_record_free(struct task_record *r)
{
	size_t i;

	for (i = 0; i < r->ndeps; i++)
		free(r->deps[i].path);
	free(r->deps);
	free(r->checker);
	free(r->values_json);
	free(r->result);
	memset(r, 0, sizeof(*r));
}

static int save(struct state *st, const char *task, const char *checker,
                const struct filesig *deps, size_t ndeps,
                const char *values_json, const char *result, struct err *e)
{
	int64_t id;
	size_t i;
	int r;

	if (wbegin(st, e) < 0)
		return -1;
	r = query(st, Q_SAVE_TASK, e, "ssssi", task, checker, values_json, result,
	          (int64_t)depsig_of(deps, ndeps));
	if (r == 0)
		r = seterr(e, 3, "state file '%s': task '%s' was not saved", st->path, task);
	if (r < 0)
		return wend(st, r, e);
	id = sqlite3_column_int64(st->q[Q_SAVE_TASK], 0);
	sqlite3_reset(st->q[Q_SAVE_TASK]);
	r = exec(st, Q_DEL_DEPS, e, "i", id);
	for (i = 0; i < ndeps && r == 0; i++) {
		const struct filesig *d = &deps[i];
		r = exec(st, Q_ADD_DEP, e, "isiiiii", id, d->path, d->mtime_ns, d->size,
		         (int64_t)d->ino, (int64_t)d->hash, (int64_t)d->has_hash);
	}
	return wend(st, r, e);
}

int state_save_success(struct state *st, const char *task, const char *checker,
                       const struct filesig *deps, size_t ndeps,
                       const char *values_json, const char *result, struct err *e)
{
	int r = save(st, task, checker, deps, ndeps, values_json, result, e);

	if (r < 0 && recovered(st, e))
		r = save(st, task, checker, deps, ndeps, values_json, result, e);
	return r;
}

static int unsave(struct state *st, const char *task, struct err *e)
{
	int r;

	if (wbegin(st, e) < 0)
		return -1;
	r = exec(st, Q_FORGET_DEPS, e, "s", task);
	if (r == 0)
		r = exec(st, Q_UNSAVE, e, "s", task);
	if (r == 0)
		r = exec(st, Q_PRUNE, e, "s", task);
	return wend(st, r, e);
}

int state_remove_success(struct state *st, const char *task, struct err *e)
{
	int r = unsave(st, task, e);

	if (r < 0 && recovered(st, e))
		r = unsave(st, task, e);
	return r;
}

static int set_ignored(struct state *st, const char *task, bool ignored, struct err *e)
{
	int r;

	if (wbegin(st, e) < 0)
		return -1;
	r = exec(st, Q_SET_IGNORED, e, "si", task, (int64_t)ignored);
	if (r == 0)
		r = exec(st, Q_PRUNE, e, "s", task);
	return wend(st, r, e);
}

int state_set_ignored(struct state *st, const char *task, bool ignored, struct err *e)
{
	int r = set_ignored(st, task, ignored, e);

	if (r < 0 && recovered(st, e))
		r = set_ignored(st, task, ignored, e);
	return r;
}

static int forget(struct state *st, const char *task, struct err *e)
{
	int r;

	if (wbegin(st, e) < 0)
		return -1;
	if (task) {
		r = exec(st, Q_FORGET_DEPS, e, "s", task);
		if (r == 0)
			r = exec(st, Q_FORGET, e, "s", task);
	} else {
		r = exec(st, Q_FORGET_ALL_DEPS, e, "");
		if (r == 0)
			r = exec(st, Q_FORGET_ALL, e, "");
	}
	return wend(st, r, e);
}

int state_forget(struct state *st, const char *task, struct err *e)
{
	int r = forget(st, task, e);

	if (r < 0 && recovered(st, e))
		r = forget(st, task, e);
	return r;
}

/* Append every task name to names (owned strings). */
static int names(struct state *st, struct vec *out, struct err *e)
{
	sqlite3_stmt *s = st->q[Q_NAMES];
	int r;

	for (r = query(st, Q_NAMES, e, ""); r == 1; r = step(st, s, e)) {
		char *name = coldup(s, 0);
		vec_push(out, name ? name : xstrdup(""));
	}
	return r;
}

static void free_names(struct vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	vec_free(v);
}

static int heads(struct state *st, void (*fn)(void *arg, const char *name,
                 struct task_record *rec), void *arg, struct err *e)
{
	sqlite3_stmt *s = st->q[Q_HEADS];
	int r;

	for (r = query(st, Q_HEADS, e, ""); r == 1; r = step(st, s, e)) {
		struct task_record rec = {0};
		const unsigned char *name = sqlite3_column_text(s, 7);

		head_row(s, &rec);
		fn(arg, name ? (const char *)name : "", &rec);
	}
	return r;
}

int state_foreach_head(struct state *st, void (*fn)(void *arg, const char *name,
                       struct task_record *rec), void *arg, struct err *e)
{
	return heads(st, fn, arg, e);
}

int state_foreach_task(struct state *st, int (*fn)(void *arg, const char *name),
                       void *arg, struct err *e)
{
	struct vec v = {0};
	size_t i;
	int r = names(st, &v, e);

	if (r < 0 && recovered(st, e)) {
		free_names(&v);
		r = names(st, &v, e);
	}
	/* The names are copied first, so fn may change the state. */
	for (i = 0; i < v.n && r == 0; i++)
		r = fn(arg, v.v[i]);
	free_names(&v);
	return r;
}

static int meta_get(struct state *st, const char *key, struct buf *out, bool *found,
                    struct err *e)
{
	sqlite3_stmt *s = st->q[Q_META_GET];
	int r = query(st, Q_META_GET, e, "s", key);

	buf_reset(out);
	*found = r == 1;
	if (r == 1) {
		const void *p = sqlite3_column_blob(s, 0);
		buf_add(out, p, p ? (size_t)sqlite3_column_bytes(s, 0) : 0);
		sqlite3_reset(s);
		r = 0;
	}
	return r;
}

int state_meta_get(struct state *st, const char *key, struct buf *out, bool *found,
                   struct err *e)
{
	int r = meta_get(st, key, out, found, e);

	if (r < 0 && recovered(st, e))
		r = meta_get(st, key, out, found, e);
	return r;
}

static int meta_put(struct state *st, const char *key, const void *val, size_t n,
                    struct err *e)
{
	if (wbegin(st, e) < 0)
		return -1;
	if (val)
		return wend(st, exec(st, Q_META_PUT, e, "sb", key, val, n), e);
	return wend(st, exec(st, Q_META_DEL, e, "s", key), e);
}

int state_meta_put(struct state *st, const char *key, const void *val, size_t n,
                   struct err *e)
{
	int r = meta_put(st, key, val ? val : "", n, e);

	if (r < 0 && recovered(st, e))
		r = meta_put(st, key, val ? val : "", n, e);
	return r;
}

int state_meta_del(struct state *st, const char *key, struct err *e)
{
	int r = meta_put(st, key, NULL, 0, e);

	if (r < 0 && recovered(st, e))
		r = meta_put(st, key, NULL, 0, e);
	return r;
}

int state_begin(struct state *st, struct err *e)
{
	int r;

	if (st->batch)
		return seterr(e, 3, "state file '%s': batch already open", st->path);
	if (st->flags & STATE_READONLY)
		return seterr(e, 3, "state file '%s' is open read-only", st->path);
	r = exec(st, Q_BEGIN, e, "");
	if (r < 0 && recovered(st, e))
		r = exec(st, Q_BEGIN, e, "");
	st->batch = r == 0;
	return r;
}

int state_commit(struct state *st, struct err *e)
{
	int r;

	if (!st->batch)
		return seterr(e, 3, "state file '%s': no batch open", st->path);
	r = exec(st, Q_COMMIT, e, "");
	if (r < 0 && recovered(st, e))
		r = exec(st, Q_COMMIT, e, "");
	if (r < 0)
		rollback(st, Q_ROLLBACK);
	st->batch = false;
	return r;
}

void state_rollback(struct state *st)
{
	if (st->batch)
		rollback(st, Q_ROLLBACK);
	st->batch = false;
}
