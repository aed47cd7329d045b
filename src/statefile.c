#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* The files SQLite keeps beside the state file, as a message names them. */
static const struct {
	const char *suffix, *name;
} beside[] = {
	{"-wal", "write-ahead log"},
	{"-shm", "shared-memory index"},
	{"-journal", "rollback journal"},
};

static const char magic[16] = "SQLite format 3";

bool statefile_owner_ok(uid_t uid)
{
	uid_t me = geteuid();
	const char *sudo = getenv("SUDO_UID");
	unsigned long v;
	char *end;

	if (uid == me)
		return true;
	if (me != 0 || !sudo || !*sudo)
		return false;
	errno = 0;
	v = strtoul(sudo, &end, 10);
	return errno == 0 && *end == '\0' && v == (unsigned long)uid;
}

/* Why a file of status sb may not be used, into why; false when it may. */
static bool unfit(const struct stat *sb, char *why, size_t n)
{
	if (S_ISLNK(sb->st_mode))
		snprintf(why, n, "is a symbolic link");
	else if (!S_ISREG(sb->st_mode))
		snprintf(why, n, "is not a regular file");
	else if (!statefile_owner_ok(sb->st_uid))
		snprintf(why, n, "belongs to another user (uid %lu)", (unsigned long)sb->st_uid);
	else
		return false;
	return true;
}

/* Fill e for a failed open() of path (errno), keeping errno. -1. */
static int open_failed(const char *path, bool ro, struct err *e)
{
	int saved = errno;
	struct stat sb;

	if (saved == ELOOP && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
		seterr(e, 3, "state file '%s' is a symbolic link; refusing to follow it (remove"
		       " it, or name the real file with --db-file)", path);
	else if (saved == EISDIR)
		seterr(e, 3, "state file '%s' is not a regular file", path);
	else
		seterr(e, 3, "cannot %s state file '%s': %s", ro ? "open" : "create", path,
		       strerror(saved));
	errno = saved;
	return -1;
}

int statefile_open(const char *path, bool ro, mode_t mode, struct err *e)
{
	/* O_NONBLOCK: a FIFO planted in its place must not hang the open */
	int flags = O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | (ro ? O_RDONLY : O_RDWR | O_CREAT);
	int fd = open(path, flags, mode);
	struct stat sb;
	char why[64];

	if (fd < 0)
		return open_failed(path, ro, e);
	if (fstat(fd, &sb) < 0) {
		open_failed(path, ro, e);
		close(fd);
		return -1;
	}
	if (unfit(&sb, why, sizeof(why))) {
		seterr(e, 3, "state file '%s' %s; refusing to use it", path, why);
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int statefile_check_beside(const char *path, struct err *e)
{
	struct stat sb;
	char why[64];
	size_t i;
	int r = 0;

	for (i = 0; i < sizeof(beside) / sizeof(*beside) && r == 0; i++) {
		char *p = xasprintf("%s%s", path, beside[i].suffix);
		if (lstat(p, &sb) == 0 && unfit(&sb, why, sizeof(why)))
			r = seterr(e, 3, "state file '%s': its %s '%s' %s; refusing to use it",
			           path, beside[i].name, p, why);
		free(p);
	}
	return r;
}

bool statefile_beside_exists(const char *path, const char *suffix)
{
	char *p = xasprintf("%s%s", path, suffix);
	struct stat sb;
	bool r = lstat(p, &sb) == 0;

	free(p);
	return r;
}

bool statefile_folder_writable(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
	                  : xstrdup(".");
	bool r = faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) == 0;

	free(dir);
	return r;
}

/* Read the 100-byte SQLite header of the file behind fd. 0, or -1 if it has none. */
static int header(int fd, unsigned char h[100])
{
	if (pread(fd, h, 100, 0) != 100 || memcmp(h, magic, sizeof(magic)) != 0)
		return -1;
	return 0;
}

int64_t statefile_app_id(int fd)
{
	unsigned char h[100];

	if (header(fd, h) < 0)
		return -1;
	return (int64_t)((uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 |
	                 (uint32_t)h[70] << 8 | h[71]);
}

int statefile_leave_wal(int fd, const char *path, struct err *e)
{
	/* bytes 18 and 19: file format write and read versions, 2 in WAL mode */
	static const unsigned char legacy[2] = {1, 1};
	unsigned char h[100];

	if (header(fd, h) < 0 || h[18] != 2 || h[19] != 2)
		return 0;
	if (pwrite(fd, legacy, sizeof(legacy), 18) != (ssize_t)sizeof(legacy))
		return seterr(e, 3, "cannot write state file '%s': %s", path, strerror(errno));
	return 0;
}

void statefile_copy_mode(int fd, const struct stat *old)
{
	/* only root may give a file away; anyone else keeps their own */
	if (geteuid() == 0 && fchown(fd, old->st_uid, old->st_gid) < 0)
		warn("warning: cannot give the new state file the owner of the old one:");
	if (fchmod(fd, old->st_mode & 07777) < 0)
		warn("warning: cannot give the new state file the mode of the old one:");
}
