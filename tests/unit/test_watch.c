/* Unit tests for watch: every test runs twice, with inotify and with forced polling.
 * Synchronisation is by watch_wait() with a timeout (a barrier write where a test
 * needs to prove that something was not reported), never by sleeping. */
#include "watch.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "util.h"

enum { DEBOUNCE_MS = 30, POLL_MS = 30, WAIT_MS = 3000, QUIET_MS = 300 };

static bool force_poll;
static char root[256];

/* ---- helpers ---- */

static char *P(const char *rel)
{
	static char bufs[8][512];
	static int i;
	char *p = bufs[i++ % 8];

	snprintf(p, 512, "%s/%s", root, rel);
	return p;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fatal("%s:", path);
	fputs(text, f);
	fclose(f);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/dodo-watch-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root))
		fatal("mkdtemp:");
}

static void teardown(void)
{
	rm_rf(root);
}

static struct watch *new_watch(void)
{
	struct err e = {0};
	struct watch *w = watch_new(DEBOUNCE_MS, force_poll, &e);

	if (!w)
		fatal("watch_new: %s", e.msg);
	watch_set_poll_interval(w, POLL_MS);
	return w;
}

static void add(struct watch *w, const char *path, bool recursive)
{
	struct err e = {0};

	CHECK_INT(watch_add(w, path, recursive, &e), 0);
}

static void vec_strfree(struct vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	vec_free(v);
}

static int count(const struct vec *v, const char *path)
{
	size_t i;
	int n = 0;

	for (i = 0; i < v->n; i++)
		n += strcmp(v->v[i], path) == 0;
	return n;
}

/* One watch_wait; the batch replaces *v. */
static int wait1(struct watch *w, int timeout_ms, struct vec *v)
{
	struct err e = {0};
	int n;

	vec_strfree(v);
	n = watch_wait(w, timeout_ms, v, &e);
	if (n < 0)
		fprintf(stderr, "watch_wait: %s\n", e.msg);
	CHECK_INT(n, (int)v->n);
	return n;
}

/* Wait for batches until one names path (true) or WAIT_MS pass; every path seen
 * is added to all when all is not NULL. */
static bool wait_for(struct watch *w, const char *path, struct vec *all)
{
	int64_t end = now_ns() + (int64_t)WAIT_MS * 1000000;
	struct vec v = {0};
	bool seen = false;

	while (!seen && now_ns() < end) {
		size_t i;
		wait1(w, (int)((end - now_ns()) / 1000000) + 1, &v);
		seen = count(&v, path) > 0;
		for (i = 0; all && i < v.n; i++)
			vec_push(all, xstrdup(v.v[i]));
	}
	vec_strfree(&v);
	return seen;
}

/* Nothing is reported within QUIET_MS. */
static void check_quiet(struct watch *w)
{
	struct vec v = {0};

	CHECK_INT(wait1(w, QUIET_MS, &v), 0);
	vec_strfree(&v);
}

/* ---- tests (each body runs for both backends) ---- */

static void write_reported_once(void)
{
	struct watch *w = new_watch();
	struct vec v = {0};

	put(P("f.txt"), "one");
	add(w, P("f.txt"), false);
	put(P("f.txt"), "two, longer");
	CHECK_INT(wait1(w, WAIT_MS, &v), 1);
	CHECK_INT(count(&v, P("f.txt")), 1);
	check_quiet(w);
	vec_strfree(&v);
	watch_free(w);
}

static void atomic_rename_save(void)
{
	struct watch *w = new_watch();
	struct vec v = {0};

	put(P("f.txt"), "one");
	add(w, P("f.txt"), false);
	put(P(".f.txt.swp"), "two, longer");
	CHECK_INT(rename(P(".f.txt.swp"), P("f.txt")), 0);
	CHECK(wait1(w, WAIT_MS, &v) >= 1);
	CHECK_INT(count(&v, P("f.txt")), 1);
	CHECK_INT(count(&v, P(".f.txt.swp")), 0);
	CHECK_INT((int)v.n, 1);
	vec_strfree(&v);
	watch_free(w);
}

static void unrelated_filtered(void)
{
	struct watch *w = new_watch();
	struct vec v = {0};

	put(P("f.txt"), "one");
	put(P("other.txt"), "one");
	add(w, P("f.txt"), false);
	put(P("other.txt"), "two, longer");
	put(P("new.txt"), "new");
	check_quiet(w);
	put(P("f.txt"), "barrier");
	CHECK_INT(wait1(w, WAIT_MS, &v), 1);
	CHECK_INT(count(&v, P("f.txt")), 1);
	vec_strfree(&v);
	watch_free(w);
}

static void folder_not_recursive(void)
{
	struct watch *w = new_watch();
	struct vec v = {0};

	CHECK_INT(mkdir(P("d"), 0777), 0);
	CHECK_INT(mkdir(P("d/sub"), 0777), 0);
	add(w, P("d/"), false);
	put(P("d/a.txt"), "a");
	CHECK(wait_for(w, P("d/a.txt"), NULL));
	put(P("d/sub/b.txt"), "b");
	check_quiet(w);
	put(P("d/c.txt"), "barrier");
	CHECK_INT(wait1(w, WAIT_MS, &v), 1);
	CHECK_INT(count(&v, P("d/c.txt")), 1);
	vec_strfree(&v);
	watch_free(w);
}

static void recursive_subfolder(void)
{
	struct watch *w = new_watch();
	struct vec all = {0};

	CHECK_INT(mkdir(P("r"), 0777), 0);
	CHECK_INT(mkdir(P("r/sub"), 0777), 0);
	CHECK_INT(mkdir(P("r/sub/deep"), 0777), 0);
	put(P("r/sub/deep/x.c"), "x");
	add(w, P("r"), true);
	put(P("r/sub/deep/x.c"), "x changed");
	CHECK(wait_for(w, P("r/sub/deep/x.c"), &all));
	CHECK_INT(count(&all, P("r/sub/deep/x.c")), 1);
	vec_strfree(&all);
	watch_free(w);
}

static void recursive_new_subfolder(void)
{
	struct watch *w = new_watch();
	struct vec all = {0};

	CHECK_INT(mkdir(P("r"), 0777), 0);
	add(w, P("r"), true);
	/* created before the watcher can have added a watch on the new folders */
	CHECK_INT(mkdir(P("r/new"), 0777), 0);
	put(P("r/new/x.c"), "x");
	CHECK_INT(mkdir(P("r/new/a"), 0777), 0);
	CHECK_INT(mkdir(P("r/new/a/b"), 0777), 0);
	put(P("r/new/a/b/y.c"), "y");
	CHECK(wait_for(w, P("r/new/x.c"), &all) || count(&all, P("r/new/x.c")));
	if (!count(&all, P("r/new/a/b/y.c")))
		CHECK(wait_for(w, P("r/new/a/b/y.c"), &all));
	/* and the new folders are watched from now on */
	put(P("r/new/a/b/z.c"), "z");
	CHECK(wait_for(w, P("r/new/a/b/z.c"), NULL));
	vec_strfree(&all);
	watch_free(w);
}

static void recursive_moved_and_recreated(void)
{
	struct watch *w = new_watch();

	CHECK_INT(mkdir(P("r"), 0777), 0);
	CHECK_INT(mkdir(P("r/sub"), 0777), 0);
	CHECK_INT(mkdir(P("r/sub/in"), 0777), 0);
	add(w, P("r"), true);
	CHECK_INT(rename(P("r/sub"), P("r/moved")), 0);
	CHECK(wait_for(w, P("r/moved"), NULL));
	put(P("r/moved/in/x.c"), "x");
	CHECK(wait_for(w, P("r/moved/in/x.c"), NULL));
	/* the whole tree goes away and comes back */
	rm_rf(P("r"));
	CHECK(wait_for(w, P("r/moved/in/x.c"), NULL));
	CHECK_INT(mkdir(P("r"), 0777), 0);
	CHECK_INT(mkdir(P("r/again"), 0777), 0);
	put(P("r/again/y.c"), "y");
	CHECK(wait_for(w, P("r/again/y.c"), NULL));
	put(P("r/again/y.c"), "y changed");
	CHECK(wait_for(w, P("r/again/y.c"), NULL));
	watch_free(w);
}

static void not_yet_existing(void)
{
	struct watch *w = new_watch();

	add(w, P("missing.txt"), false);
	add(w, P("later/sub/file.txt"), false);
	put(P("missing.txt"), "now here");
	CHECK(wait_for(w, P("missing.txt"), NULL));
	CHECK_INT(mkdir(P("later"), 0777), 0);
	CHECK_INT(mkdir(P("later/sub"), 0777), 0);
	put(P("later/sub/file.txt"), "now here");
	CHECK(wait_for(w, P("later/sub/file.txt"), NULL));
	/* settled on its own folder now: edits and unrelated files behave as usual */
	put(P("later/sub/unrelated"), "u");
	put(P("later/sub/file.txt"), "edited");
	CHECK(wait_for(w, P("later/sub/file.txt"), NULL));
	watch_free(w);
}

/* Edits while the watcher reads: however the machine's timing splits them into
 * batches, each batch names the file once and answers at least one edit. */
static void burst_names_the_file_once_per_batch(void)
{
	struct watch *w = new_watch();
	struct vec v = {0};
	int batches = 0, once = 0, status = 0;
	bool done = false;
	pid_t pid;

	put(P("f.txt"), "start");
	add(w, P("f.txt"), false);
	pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 500000 };
		char text[128];
		int i;
		for (i = 0; i < 100; i++) {
			memset(text, 'x', (size_t)i + 1);  /* a new size every time */
			text[i + 1] = '\0';
			put(P("f.txt"), text);
			nanosleep(&ts, NULL);
		}
		_exit(0);
	}
	CHECK(pid > 0);
	/* batches until the writer is done, then until a quiet period passes */
	for (;;) {
		if (!done)
			done = waitpid(pid, &status, WNOHANG) == pid;
		if (wait1(w, QUIET_MS, &v) > 0) {
			batches++;
			once += v.n == 1 && count(&v, P("f.txt")) == 1;
		} else if (done) {
			break;
		}
	}
	CHECK(batches >= 1 && batches <= 100);
	CHECK_INT(once, batches);
	vec_strfree(&v);
	watch_free(w);
}

/* A burst made while the caller is busy (more events than a lone save, two files
 * so that the kernel cannot merge them) is one batch, each file named once. */
static void burst_while_busy_is_one_batch(void)
{
	struct watch *w = new_watch();
	struct vec v = {0};
	char text[16];
	int i;

	put(P("f.txt"), "start");
	put(P("g.txt"), "start");
	add(w, P("f.txt"), false);
	add(w, P("g.txt"), false);
	for (i = 0; i < 100; i++) {
		snprintf(text, sizeof(text), "%d", i);
		put(P(i % 2 ? "g.txt" : "f.txt"), text);
	}
	CHECK_INT(wait1(w, WAIT_MS, &v), 2);
	CHECK_INT(count(&v, P("f.txt")), 1);
	CHECK_INT(count(&v, P("g.txt")), 1);
	check_quiet(w);
	vec_strfree(&v);
	watch_free(w);
}

/* Edits that never pause still give a batch: it comes while they go on. */
static void stream_cannot_starve(void)
{
	struct watch *w = new_watch();
	struct vec v = {0};
	int status;
	pid_t pid;

	put(P("f.txt"), "start");
	add(w, P("f.txt"), false);
	pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 5000000 };
		char text[16];
		int i;
		for (i = 0; i < 6000; i++) {  /* 30 s of edits 5 ms apart, or until killed */
			snprintf(text, sizeof(text), "%d", i);
			put(P("f.txt"), text);
			nanosleep(&ts, NULL);
		}
		_exit(0);
	}
	CHECK(pid > 0);
	CHECK_INT(wait1(w, WAIT_MS, &v), 1);
	CHECK_INT(waitpid(pid, &status, WNOHANG), 0);    /* the writer still writes */
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	vec_strfree(&v);
	watch_free(w);
}

/* ---- inotify only: a lone completed save settles without the debounce ---- */

enum { LONG_DEBOUNCE_MS = 20000 };

static struct watch *long_debounce_watch(void)
{
	struct err e = {0};
	struct watch *w = watch_new(LONG_DEBOUNCE_MS, false, &e);

	if (!w)
		fatal("watch_new: %s", e.msg);
	return w;
}

/* Saved in place or renamed into place: delivered long before the debounce. */
static void lone_save_settles(void)
{
	struct watch *w = long_debounce_watch();
	struct vec v = {0};
	int64_t start;

	put(P("f.txt"), "one");
	put(P("g.txt"), "one");
	add(w, P("f.txt"), false);
	add(w, P("g.txt"), false);
	start = now_ns();
	put(P("f.txt"), "two");
	CHECK_INT(wait1(w, LONG_DEBOUNCE_MS / 2, &v), 1);
	CHECK((now_ns() - start) / 1000000 < LONG_DEBOUNCE_MS / 2);
	put(P(".g.txt.tmp"), "two");
	CHECK_INT(rename(P(".g.txt.tmp"), P("g.txt")), 0);
	start = now_ns();
	CHECK_INT(wait1(w, LONG_DEBOUNCE_MS / 2, &v), 1);
	CHECK_INT(count(&v, P("g.txt")), 1);
	CHECK((now_ns() - start) / 1000000 < LONG_DEBOUNCE_MS / 2);
	vec_strfree(&v);
	watch_free(w);
}

/* A file created and still open, or removed and not replaced, waits for the
 * debounce; closing it settles it. */
static void unfinished_write_waits(void)
{
	struct watch *w = long_debounce_watch();
	struct vec v = {0};
	int fd;

	add(w, P("new.txt"), false);
	add(w, P("old.txt"), false);
	fd = open(P("new.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_INT((int)write(fd, "half", 4), 4);
	CHECK_INT(wait1(w, QUIET_MS, &v), 0);
	close(fd);
	CHECK_INT(wait1(w, LONG_DEBOUNCE_MS / 2, &v), 1);
	CHECK_INT(count(&v, P("new.txt")), 1);
	put(P("old.txt"), "x");
	CHECK_INT(wait1(w, LONG_DEBOUNCE_MS / 2, &v), 1);
	CHECK_INT(unlink(P("old.txt")), 0);   /* removed: maybe replaced soon */
	CHECK_INT(wait1(w, QUIET_MS, &v), 0);
	vec_strfree(&v);
	watch_free(w);
}

/* More than a few events in a batch are a stream (a checkout, a generator):
 * debounced in full. (Distinct files: the kernel merges repeated identical
 * events of one file that were not read yet.) */
static void stream_is_debounced(void)
{
	struct watch *w = long_debounce_watch();
	struct vec v = {0};
	char name[32];
	int i;

	CHECK_INT(mkdir(P("d"), 0755), 0);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "d/f%d.txt", i);
		put(P(name), "start");
	}
	add(w, P("d"), false);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "d/f%d.txt", i);
		put(P(name), "edited");
	}
	CHECK_INT(wait1(w, QUIET_MS, &v), 0);
	vec_strfree(&v);
	watch_free(w);
}

TEST(lone_save_settles) { setup(); lone_save_settles(); teardown(); }
TEST(unfinished_write_waits) { setup(); unfinished_write_waits(); teardown(); }
TEST(stream_is_debounced) { setup(); stream_is_debounced(); teardown(); }

static void clear_stops_events(void)
{
	struct watch *w = new_watch();

	put(P("f.txt"), "one");
	CHECK_INT(mkdir(P("r"), 0777), 0);
	add(w, P("f.txt"), false);
	add(w, P("r"), true);
	put(P("f.txt"), "pending when cleared");
	watch_clear(w);
	put(P("f.txt"), "after clear");
	put(P("r/x"), "after clear");
	check_quiet(w);
	add(w, P("f.txt"), false);
	put(P("f.txt"), "watched again");
	CHECK(wait_for(w, P("f.txt"), NULL));
	watch_free(w);
}

static void changes_while_busy(void)
{
	struct watch *w = new_watch();
	struct timespec busy = { 0, 150 * 1000000 };
	struct vec v = {0};

	put(P("f.txt"), "one");
	put(P("g.txt"), "one");
	add(w, P("f.txt"), false);
	add(w, P("g.txt"), false);
	put(P("f.txt"), "first");
	CHECK(wait_for(w, P("f.txt"), NULL));
	/* the caller is busy (running tasks) while files change */
	put(P("f.txt"), "second, while busy");
	CHECK_INT(unlink(P("g.txt")), 0);
	nanosleep(&busy, NULL);
	CHECK_INT(wait1(w, WAIT_MS, &v), 2);
	CHECK_INT(count(&v, P("f.txt")), 1);
	CHECK_INT(count(&v, P("g.txt")), 1);
	vec_strfree(&v);
	watch_free(w);
}

static void delete_reported(void)
{
	struct watch *w = new_watch();

	put(P("f.txt"), "one");
	add(w, P("f.txt"), false);
	CHECK_INT(unlink(P("f.txt")), 0);
	CHECK(wait_for(w, P("f.txt"), NULL));
	put(P("f.txt"), "back");
	CHECK(wait_for(w, P("f.txt"), NULL));
	watch_free(w);
}

static void paths_normalised(void)
{
	struct watch *w = new_watch();
	char spelled[512];

	CHECK_INT(mkdir(P("d"), 0777), 0);
	put(P("d/f.txt"), "one");
	snprintf(spelled, sizeof(spelled), "%s//d/./f.txt", root);
	add(w, spelled, false);
	add(w, P("d/f.txt"), false);  /* the same target again */
	put(P("d/f.txt"), "two, longer");
	CHECK(wait_for(w, P("d/f.txt"), NULL));
	watch_free(w);
}

static void fd_and_timeout_loop(void)
{
	struct watch *w = new_watch();
	struct vec v = {0};
	int64_t end = now_ns() + (int64_t)WAIT_MS * 1000000;
	int n = 0;

	put(P("f.txt"), "one");
	add(w, P("f.txt"), false);
	CHECK((watch_fd(w) >= 0) == !force_poll);
	put(P("f.txt"), "two, longer");
	/* the loop of a caller that also polls other descriptors */
	while (!n && now_ns() < end) {
		struct pollfd pfd = { .fd = watch_fd(w), .events = POLLIN };
		int t = watch_timeout_ms(w);
		poll(&pfd, 1, t < 0 || t > 500 ? 500 : t);
		n = wait1(w, 0, &v);
	}
	CHECK_INT(n, 1);
	CHECK_INT(count(&v, P("f.txt")), 1);
	CHECK_INT(watch_timeout_ms(w) < 0, !force_poll);
	vec_strfree(&v);
	watch_free(w);
}

static void overflow_rescans(void)
{
	struct watch *w = new_watch();
	struct vec all = {0};
	int i;

	CHECK_INT(mkdir(P("r"), 0777), 0);
	put(P("r/a"), "a");
	put(P("r/b"), "b");
	put(P("c.txt"), "c");
	add(w, P("r"), true);
	add(w, P("c.txt"), false);
	for (i = 0; i < 20000; i++)  /* more events than the inotify queue holds */
		utimensat(AT_FDCWD, P(i % 2 ? "r/a" : "r/b"), NULL, 0);
	put(P("c.txt"), "changed after the queue overflowed");
	CHECK(wait_for(w, P("c.txt"), &all) || count(&all, P("c.txt")));
	if (!force_poll)
		CHECK(count(&all, P("r")) + count(&all, P("r/a")) > 0);
	/* still watching afterwards */
	put(P("r/new"), "n");
	CHECK(wait_for(w, P("r/new"), NULL));
	vec_strfree(&all);
	watch_free(w);
}

#define WATCHES_WARNING \
	"inotify limit reached (max_user_watches); falling back to polling every 30 ms"

/* Run fn(w) with stderr going to a file; returns the number of warnings with text. */
static int fallback_warnings(void (*fn)(struct watch *), struct watch *w, const char *text)
{
	char log[300], line[512];
	int saved = dup(2), fd, n = 0;
	FILE *f;

	snprintf(log, sizeof(log), "%s/stderr.log", root);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	fflush(stderr);
	dup2(fd, 2);
	close(fd);
	fn(w);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (!(f = fopen(log, "r")))
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "falling back to polling"))
			fputs(line, stderr);  /* a failed CHECK, say */
		n += strstr(line, "warning: ") && strstr(line, text);
	}
	fclose(f);
	unlink(log);
	return n;
}

static void add_tree(struct watch *w)
{
	add(w, P("c.txt"), false);
	add(w, P("r"), true);
}

/* Events are lost in a switch to polling: the folder is then reported as a whole. */
static void grow_tree(struct watch *w)
{
	const char *want = force_poll ? P("r/n3/x") : P("r");
	struct vec all = {0};

	CHECK_INT(mkdir(P("r/n1"), 0777), 0);
	CHECK_INT(mkdir(P("r/n2"), 0777), 0);
	CHECK_INT(mkdir(P("r/n3"), 0777), 0);
	put(P("r/n3/x"), "x");
	CHECK(wait_for(w, want, &all) || count(&all, want));
	vec_strfree(&all);
}

static void limit_falls_back(void)
{
	struct watch *w = new_watch();

	CHECK_INT(mkdir(P("r"), 0777), 0);
	CHECK_INT(mkdir(P("r/s1"), 0777), 0);
	CHECK_INT(mkdir(P("r/s2"), 0777), 0);
	put(P("c.txt"), "c");
	watch_set_watch_limit(w, 2);  /* root, r; r/s1 hits the limit */
	CHECK_INT(fallback_warnings(add_tree, w, WATCHES_WARNING), force_poll ? 0 : 1);
	CHECK_STR(watch_backend(w), "poll");
	CHECK_INT(watch_fd(w), -1);
	put(P("r/s2/y"), "y");
	CHECK(wait_for(w, P("r/s2/y"), NULL));
	put(P("c.txt"), "c changed");
	CHECK(wait_for(w, P("c.txt"), NULL));
	watch_free(w);

	/* hit while running: new folders need more watches than allowed */
	rm_rf(P("r"));
	CHECK_INT(mkdir(P("r"), 0777), 0);
	w = new_watch();
	watch_set_watch_limit(w, 3);
	add_tree(w);
	CHECK_STR(watch_backend(w), force_poll ? "poll" : "inotify");
	CHECK_INT(fallback_warnings(grow_tree, w, WATCHES_WARNING), force_poll ? 0 : 1);
	CHECK_STR(watch_backend(w), "poll");
	put(P("r/n1/z"), "z");
	CHECK(wait_for(w, P("r/n1/z"), NULL));
	watch_free(w);
}

static void folder_churn_stays_usable(void)
{
	struct watch *w = new_watch();
	char name[64];
	int round, i;

	CHECK_INT(mkdir(P("r"), 0777), 0);
	add(w, P("r"), true);
	for (round = 0; round < 30; round++) {
		for (i = 0; i < 10; i++) {
			snprintf(name, sizeof(name), "r/tmp%d", i);
			CHECK_INT(mkdir(P(name), 0777), 0);
		}
		snprintf(name, sizeof(name), "r/tmp9/barrier%d", round);
		put(P(name), "b");  /* seen: the new folders are watched */
		CHECK(wait_for(w, P(name), NULL));
		rm_rf(P("r/tmp9"));
		for (i = 0; i < 9; i++) {
			snprintf(name, sizeof(name), "r/tmp%d", i);
			CHECK_INT(rmdir(P(name)), 0);
		}
	}
	put(P("r/last"), "l");
	CHECK(wait_for(w, P("r/last"), NULL));
	watch_free(w);
}

static void relative_paths(void)
{
	struct watch *w;
	char cwd[4096];

	if (!getcwd(cwd, sizeof(cwd)) || chdir(root) != 0)
		fatal("chdir:");
	w = new_watch();
	CHECK_INT(mkdir("src", 0777), 0);
	put("f.txt", "one");
	add(w, "./f.txt", false);
	add(w, "src/", true);
	add(w, "later/g.txt", false);  /* pending on "." */
	put("f.txt", "two, longer");
	CHECK(wait_for(w, "f.txt", NULL));
	CHECK_INT(mkdir("src/sub", 0777), 0);
	put("src/sub/x.c", "x");
	CHECK(wait_for(w, "src/sub/x.c", NULL));
	CHECK_INT(mkdir("later", 0777), 0);
	put("later/g.txt", "g");
	CHECK(wait_for(w, "later/g.txt", NULL));
	watch_free(w);
	if (chdir(cwd) != 0)
		fatal("chdir:");
}

/* A folder watched for a file in it is moved into a recursive folder target. */
static void folder_moved_between_targets(void)
{
	struct watch *w = new_watch();
	struct vec all = {0};

	CHECK_INT(mkdir(P("c"), 0777), 0);
	CHECK_INT(mkdir(P("c/x"), 0777), 0);
	CHECK_INT(mkdir(P("b"), 0777), 0);
	put(P("c/x/f.txt"), "f");
	add(w, P("c/x/f.txt"), false);
	add(w, P("b"), true);
	CHECK_INT(rename(P("c/x"), P("b/x")), 0);
	CHECK(wait_for(w, P("c/x/f.txt"), &all) || count(&all, P("c/x/f.txt")));
	CHECK(count(&all, P("b/x/f.txt")) || wait_for(w, P("b/x/f.txt"), NULL));
	put(P("b/x/g.txt"), "g");  /* still watched under its new name */
	CHECK(wait_for(w, P("b/x/g.txt"), NULL));
	CHECK_INT(mkdir(P("c/x"), 0777), 0);
	put(P("c/x/f.txt"), "back");
	CHECK(wait_for(w, P("c/x/f.txt"), NULL));
	vec_strfree(&all);
	watch_free(w);
}

static void init_failure(struct watch *unused)
{
	struct rlimit old, low;
	struct err e = {0};
	struct watch *w;
	int fd = dup(0);

	close(fd);
	getrlimit(RLIMIT_NOFILE, &old);
	low = old;
	low.rlim_cur = (rlim_t)fd;  /* no new descriptor can be opened */
	setrlimit(RLIMIT_NOFILE, &low);
	w = watch_new(DEBOUNCE_MS, force_poll, &e);
	setrlimit(RLIMIT_NOFILE, &old);
	CHECK(w != NULL);
	CHECK_STR(watch_backend(w), "poll");
	CHECK_INT(watch_fd(w), -1);
	watch_set_poll_interval(w, POLL_MS);
	put(P("f.txt"), "one");
	add(w, P("f.txt"), false);
	put(P("f.txt"), "two, longer");
	CHECK(wait_for(w, P("f.txt"), NULL));
	watch_free(w);
}

static void inotify_unavailable(void)
{
	/* with forced polling there is nothing to warn about */
	CHECK_INT(fallback_warnings(init_failure, NULL, "inotify limit reached (max_user_instances"
	                            " or open files); falling back to polling every 30 ms"),
	          force_poll ? 0 : 1);
}

static void backend_names(void)
{
	struct watch *w = new_watch();

	CHECK_STR(watch_backend(w), force_poll ? "poll" : "inotify");
	watch_free(w);
	watch_free(NULL);
}

#define BOTH(name) \
	TEST(name##_inotify) { force_poll = false; setup(); name(); teardown(); } \
	TEST(name##_poll) { force_poll = true; setup(); name(); teardown(); }

BOTH(backend_names)
BOTH(write_reported_once)
BOTH(atomic_rename_save)
BOTH(unrelated_filtered)
BOTH(folder_not_recursive)
BOTH(recursive_subfolder)
BOTH(recursive_new_subfolder)
BOTH(recursive_moved_and_recreated)
BOTH(not_yet_existing)
BOTH(burst_names_the_file_once_per_batch)
BOTH(burst_while_busy_is_one_batch)
BOTH(stream_cannot_starve)
BOTH(clear_stops_events)
BOTH(changes_while_busy)
BOTH(delete_reported)
BOTH(paths_normalised)
BOTH(fd_and_timeout_loop)
BOTH(overflow_rescans)
BOTH(limit_falls_back)
BOTH(folder_churn_stays_usable)
BOTH(relative_paths)
BOTH(folder_moved_between_targets)
BOTH(inotify_unavailable)

#define RUN_BOTH(name) do { RUN(name##_inotify); RUN(name##_poll); } while (0)

int main(void)
{
	RUN_BOTH(backend_names);
	RUN_BOTH(write_reported_once);
	RUN_BOTH(atomic_rename_save);
	RUN_BOTH(unrelated_filtered);
	RUN_BOTH(folder_not_recursive);
	RUN_BOTH(recursive_subfolder);
	RUN_BOTH(recursive_new_subfolder);
	RUN_BOTH(recursive_moved_and_recreated);
	RUN_BOTH(not_yet_existing);
	RUN_BOTH(burst_names_the_file_once_per_batch);
	RUN_BOTH(burst_while_busy_is_one_batch);
	RUN_BOTH(stream_cannot_starve);
	RUN_BOTH(clear_stops_events);
	RUN_BOTH(changes_while_busy);
	RUN_BOTH(delete_reported);
	RUN_BOTH(paths_normalised);
	RUN_BOTH(fd_and_timeout_loop);
	RUN_BOTH(overflow_rescans);
	RUN_BOTH(limit_falls_back);
	RUN_BOTH(folder_churn_stays_usable);
	RUN_BOTH(relative_paths);
	RUN_BOTH(folder_moved_between_targets);
	RUN_BOTH(inotify_unavailable);
	RUN(lone_save_settles);
	RUN(unfinished_write_waits);
	RUN(stream_is_debounced);
	return unit_done("watch");
}
