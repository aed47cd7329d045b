#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static void fill(struct fsinfo *out, const struct stat *sb)
{
	out->exists = true;
	out->is_dir = S_ISDIR(sb->st_mode);
	out->mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
	out->size = (int64_t)sb->st_size;
	out->ino = (uint64_t)sb->st_ino;
	out->dev = (uint64_t)sb->st_dev;
}

static int dostat(const char *path, bool follow, struct fsinfo *out, struct err *e)
{
	struct stat sb;
	int r = follow ? stat(path, &sb) : lstat(path, &sb);

	memset(out, 0, sizeof(*out));
	if (r == 0) {
		fill(out, &sb);
		return 0;
	}
	if (errno == ENOENT || errno == ENOTDIR)
		return 0;
	return seterr(e, 2, "cannot stat '%s': %s", path, strerror(errno));
}

int fs_stat(const char *path, struct fsinfo *out, struct err *e)
{
	return dostat(path, true, out, e);
}

int fs_lstat(const char *path, struct fsinfo *out, struct err *e)
{
	return dostat(path, false, out, e);
}

double fs_mtime_seconds(const struct fsinfo *fi)
{
	/* CPython's fill_time(): sec + nsec * 1e-9 with a floored split. */
	int64_t sec = fi->mtime_ns / 1000000000, nsec = fi->mtime_ns % 1000000000;

	if (nsec < 0) {
		nsec += 1000000000;
		sec--;
	}
	return (double)sec + (double)nsec * 1e-9;
}

static int mkdir1(const char *dir, struct err *e)
{
	struct stat sb;

	if (mkdir(dir, 0777) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	if (errno == EEXIST)
		errno = ENOTDIR;
	return seterr(e, 2, "cannot create folder '%s': %s", dir, strerror(errno));
}

int fs_mkdirs(const char *dir, struct err *e)
{
	char *p = xstrdup(dir), *s;
	struct stat sb;
	int r = 0;

	if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
		goto done;
	for (s = p + 1; *s && r == 0; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = '\0';
		r = mkdir1(p, e);
		*s = '/';
	}
	if (r == 0 && *p)
		r = mkdir1(p, e);
done:
	free(p);
	return r;
}

int fs_mkparents(const char *path, struct err *e)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int r;

	if (!slash || slash == path)
		return 0;
	dir = xstrndup(path, (size_t)(slash - path));
	r = fs_mkdirs(dir, e);
	free(dir);
	return r;
}

int fs_remove(const char *path, struct err *e)
{
	int saved;

	if (unlink(path) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	saved = errno;
	if (saved == EISDIR || saved == EPERM) {
		if (rmdir(path) == 0)
			return 1;
		if (errno != ENOTDIR)
			saved = errno;
	}
	return seterr(e, 2, "cannot remove '%s': %s", path, strerror(saved));
}

int fs_read_file(const char *path, struct buf *b, struct err *e)
{
	struct stat sb;
	size_t want = 65536;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return seterr(e, 2, "cannot read '%s': %s", path, strerror(errno));
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0)
		want = (size_t)sb.st_size + 1;
	for (;;) {
		buf_grow(b, want);
		n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b->len += (size_t)n;
		want = 65536;
	}
	if (n < 0) {
		seterr(e, 2, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	b->data[b->len] = '\0';
	close(fd);
	return 0;
}

static int writeall(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int fs_write_file(const char *path, const void *p, size_t n, struct err *e)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd, saved;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		goto fail;
	if (writeall(fd, p, n) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail_unlink;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0)
		goto fail_unlink;
	free(tmp);
	return 0;
fail_unlink:
	saved = errno;
	unlink(tmp);
	errno = saved;
fail:
	seterr(e, 2, "cannot write '%s': %s", path, strerror(errno));
	free(tmp);
	return -1;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

char *fs_find_up(const char *file, bool seek, const char *cwd)
{
	char *path, *dir, *slash;
	const char *base;

	if (file[0] == '/')
		return exists(file) ? xstrdup(file) : NULL;
	path = xasprintf("%s/%s", cwd, file);
	if (!seek || exists(path))
		return exists(path) ? path : (free(path), NULL);
	base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	dir = xstrdup(cwd);
	while (!exists(path)) {
		free(path);
		path = NULL;
		slash = strrchr(dir, '/');
		if (!slash || (slash == dir && !dir[1]))
			break;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		path = xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, base);
	}
	free(dir);
	return path;
}
