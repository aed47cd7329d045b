#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "util.h"

enum {
	SMALL = 64 * 1024,    /* files up to this size: one read, one-shot hash */
	CHUNK = 1024 * 1024,  /* bigger files: streamed in reads of this size */
};

/* Read up to n bytes, retrying on EINTR and short reads; bytes read or -1. */
static ssize_t readfull(int fd, unsigned char *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Hash a descriptor; 0, or -1 with errno set. */
static int hashfd(int fd, uint64_t *out)
{
	unsigned char small[SMALL], *big;
	XXH3_state_t *xs;
	ssize_t n;
	int ret = -1, saved;

	/* Most inputs are small: one read of SMALL bytes that comes up short is the whole file. */
	n = readfull(fd, small, sizeof(small));
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small)) {
		*out = XXH3_64bits(small, (size_t)n);
		return 0;
	}
	xs = XXH3_createState();
	big = malloc(CHUNK);
	if (!xs || !big)
		fatal("out of memory");
	XXH3_64bits_reset(xs);
	XXH3_64bits_update(xs, small, (size_t)n);
	while ((n = readfull(fd, big, CHUNK)) > 0) {
		XXH3_64bits_update(xs, big, (size_t)n);
		if ((size_t)n < CHUNK)
			break;
	}
	if (n >= 0) {
		*out = XXH3_64bits_digest(xs);
		ret = 0;
	}
	saved = errno;
	free(big);
	XXH3_freeState(xs);
	errno = saved;
	return ret;
}

/* What a file that is not a regular file is, for the error; NULL for a regular file. */
static const char *not_regular(mode_t mode)
{
	if (S_ISREG(mode))
		return NULL;
	if (S_ISDIR(mode))
		return strerror(EISDIR);
	return S_ISFIFO(mode) ? "Is a FIFO, not a regular file" :
	       S_ISCHR(mode) ? "Is a character device, not a regular file" :
	       S_ISBLK(mode) ? "Is a block device, not a regular file" :
	       S_ISSOCK(mode) ? "Is a socket, not a regular file" : "Is not a regular file";
}

int hash_file(const char *path, uint64_t *out, struct err *e)
{
	struct stat sb;
	const char *what;
	int fd, r, saved;

	/* non-blocking: opening a FIFO must not wait for a writer (no effect on the
	   reads of a regular file) */
	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return seterr(e, 2, "cannot read '%s': %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0) {
		saved = errno;
		close(fd);
		return seterr(e, 2, "cannot read '%s': %s", path, strerror(saved));
	}
	if ((what = not_regular(sb.st_mode)) != NULL) {
		close(fd);
		return seterr(e, 2, "cannot read '%s': %s", path, what);
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	r = hashfd(fd, out);
	saved = errno;
	close(fd);
	if (r < 0)
		return seterr(e, 2, "cannot read '%s': %s", path, strerror(saved));
	return 0;
}

uint64_t hash_bytes(const void *p, size_t n)
{
	return XXH3_64bits(p, n);
}

uint64_t hash_chain(uint64_t seed, const void *p, size_t n)
{
	return XXH3_64bits_withSeed(p, n, seed);
}

void hash_hex(uint64_t h, char out[17])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 15; i >= 0; i--, h >>= 4)
		out[i] = digits[h & 15];
	out[16] = '\0';
}
