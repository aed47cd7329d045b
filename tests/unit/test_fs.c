/* Unit tests of fs: stat facts, mtime precision, folders, whole-file I/O. */
#include "fs.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "util.h"

static char tmp[64];

static char *P(const char *name)
{
	return xasprintf("%s/%s", tmp, name);
}

static void touch(const char *path, const char *text)
{
	struct err e;

	if (fs_write_file(path, text, strlen(text), &e) < 0)
		fatal("%s", e.msg);
}

TEST(missing)
{
	char *p = P("nope"), *q;
	struct fsinfo fi = {.exists = true};
	struct err e = {0};

	CHECK_INT(fs_stat(p, &fi, &e), 0);
	CHECK(!fi.exists);
	CHECK_INT(fi.size, 0);
	q = P("file/under");
	free(p);
	p = P("file");
	touch(p, "x");
	CHECK_INT(fs_stat(q, &fi, &e), 0);   /* ENOTDIR reads as missing */
	CHECK(!fi.exists);
	free(p);
	free(q);
}

TEST(file_and_dir)
{
	char *f = P("f.txt");
	struct fsinfo fi, di;
	struct stat sb;
	struct err e;

	touch(f, "hello");
	CHECK_INT(fs_stat(f, &fi, &e), 0);
	CHECK(fi.exists);
	CHECK(!fi.is_dir);
	CHECK_INT(fi.size, 5);
	stat(f, &sb);
	CHECK(fi.ino == (uint64_t)sb.st_ino);
	CHECK(fi.dev == (uint64_t)sb.st_dev);
	CHECK_INT(fs_stat(tmp, &di, &e), 0);
	CHECK(di.exists);
	CHECK(di.is_dir);
	free(f);
}

TEST(mtime_precision)
{
	char *f = P("m");
	struct timespec ts[2] = {{1234567890, 123456789}, {1234567890, 123456789}};
	struct fsinfo fi;
	struct err e;

	touch(f, "");
	CHECK_INT(utimensat(AT_FDCWD, f, ts, 0), 0);
	CHECK_INT(fs_stat(f, &fi, &e), 0);
	CHECK_INT(fi.mtime_ns, 1234567890123456789LL);
	/* CPython: sec + nsec * 1e-9 */
	CHECK(fs_mtime_seconds(&fi) == 1234567890.0 + 123456789 * 1e-9);
	CHECK(fs_mtime_seconds(&fi) == 1234567890.1234567);
	ts[0].tv_sec = ts[1].tv_sec = -2;
	ts[0].tv_nsec = ts[1].tv_nsec = 500000000;
	CHECK_INT(utimensat(AT_FDCWD, f, ts, 0), 0);
	CHECK_INT(fs_stat(f, &fi, &e), 0);
	CHECK_INT(fi.mtime_ns, -1500000000LL);
	CHECK(fs_mtime_seconds(&fi) == -1.5);
	free(f);
}

TEST(symlinks)
{
	char *f = P("target"), *l = P("link"), *loop = P("loop");
	struct fsinfo fi;
	struct err e = {0};

	touch(f, "abc");
	CHECK_INT(symlink("target", l), 0);
	CHECK_INT(fs_stat(l, &fi, &e), 0);
	CHECK(fi.exists);
	CHECK_INT(fi.size, 3);
	CHECK_INT(fs_lstat(l, &fi, &e), 0);
	CHECK(fi.exists);
	CHECK_INT(fi.size, 6);
	CHECK_INT(symlink("loop", loop), 0);
	CHECK_INT(fs_stat(loop, &fi, &e), -1);
	CHECK_INT(e.code, 2);
	CHECK(strstr(e.msg, "cannot stat") != NULL);
	free(f);
	free(l);
	free(loop);
}

TEST(mkdirs)
{
	char *d = P("a/b//c/"), *f = P("a/file"), *g = P("a/file/x"), *h = P("p/q/r.txt");
	struct fsinfo fi;
	struct err e = {0};

	CHECK_INT(fs_mkdirs(d, &e), 0);
	CHECK_INT(fs_stat(d, &fi, &e), 0);
	CHECK(fi.is_dir);
	CHECK_INT(fs_mkdirs(d, &e), 0);      /* exists already */
	touch(f, "");
	CHECK_INT(fs_mkdirs(g, &e), -1);
	CHECK_INT(e.code, 2);
	CHECK(strstr(e.msg, "cannot create folder") != NULL);
	CHECK_INT(fs_mkdirs(f, &e), -1);
	CHECK_INT(fs_mkparents(h, &e), 0);
	free(h);
	h = P("p/q");
	CHECK_INT(fs_stat(h, &fi, &e), 0);
	CHECK(fi.is_dir);
	CHECK_INT(fs_mkparents("plain", &e), 0);
	free(d);
	free(f);
	free(g);
	free(h);
}

TEST(remove)
{
	char *d = P("rd"), *f = P("rd/f");
	struct err e = {0};

	CHECK_INT(fs_mkdirs(d, &e), 0);
	touch(f, "x");
	CHECK_INT(fs_remove(d, &e), -1);     /* not empty */
	CHECK_INT(e.code, 2);
	CHECK_INT(fs_remove(f, &e), 1);
	CHECK_INT(fs_remove(f, &e), 0);
	CHECK_INT(fs_remove(d, &e), 1);
	free(d);
	free(f);
}

TEST(read_write)
{
	char *f = P("rw"), *n = P("none"), *big = xmalloc(200000);
	struct buf b = {0};
	struct err e = {0};
	size_t i;

	for (i = 0; i < 200000; i++)
		big[i] = (char)(i * 7);
	CHECK_INT(fs_write_file(f, big, 200000, &e), 0);
	CHECK_INT(fs_read_file(f, &b, &e), 0);
	CHECK_INT(b.len, 200000);
	CHECK(memcmp(b.data, big, 200000) == 0);
	buf_reset(&b);
	CHECK_INT(fs_write_file(f, "", 0, &e), 0);
	CHECK_INT(fs_read_file(f, &b, &e), 0);
	CHECK_INT(b.len, 0);
	CHECK_INT(fs_read_file(n, &b, &e), -1);
	CHECK_INT(e.code, 2);
	{
		char *want = xasprintf("cannot read '%s': No such file or directory", n);
		CHECK_STR(e.msg, want);
		free(want);
	}
	free(n);
	n = P("nodir/x");
	CHECK_INT(fs_write_file(n, "x", 1, &e), -1);
	CHECK(strstr(e.msg, "cannot write") != NULL);
	buf_free(&b);
	free(big);
	free(f);
	free(n);
}

int main(void)
{
	strcpy(tmp, "/tmp/dodo-test-fs-XXXXXX");
	if (!mkdtemp(tmp))
		fatal("mkdtemp:");
	RUN(missing);
	RUN(file_and_dir);
	RUN(mtime_precision);
	RUN(symlinks);
	RUN(mkdirs);
	RUN(remove);
	RUN(read_write);
	{
		char *cmd = xasprintf("rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			warn("cannot remove %s", tmp);
		free(cmd);
	}
	return unit_done("fs");
}
