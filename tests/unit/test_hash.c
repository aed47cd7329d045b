/* Unit tests of hash: XXH3 64 of bytes and files, hex form, errors. */
#include "hash.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "fs.h"
#include "unit.h"
#include "util.h"

static char tmp[64];

TEST(known_values)
{
	CHECK(hash_bytes("", 0) == XXH3_64bits("", 0));
	CHECK(hash_bytes("abc", 3) == XXH3_64bits("abc", 3));
	CHECK(hash_bytes("", 0) == 0x2d06800538d394c2ULL);
	CHECK(hash_bytes("abc", 3) == 0x78af5f94892f3950ULL);
	CHECK(hash_bytes("abc", 3) != hash_bytes("abd", 3));
}

TEST(hex)
{
	char out[17];

	hash_hex(0x2d06800538d394c2ULL, out);
	CHECK_STR(out, "2d06800538d394c2");
	hash_hex(0, out);
	CHECK_STR(out, "0000000000000000");
	hash_hex(UINT64_MAX, out);
	CHECK_STR(out, "ffffffffffffffff");
	hash_hex(0xabcULL, out);
	CHECK_STR(out, "0000000000000abc");
}

/* Sizes around the one-shot limit and the streaming chunk. */
TEST(file_equals_bytes)
{
	static const size_t sizes[] = {0, 1, 3, 65535, 65536, 65537, 1048576 + 65536,
	                               3 * 1048576 + 17};
	size_t i, j, max = 3 * 1048576 + 17;
	unsigned char *data = xmalloc(max);
	char *path = xasprintf("%s/data", tmp);
	struct err e = {0};
	uint64_t h;

	for (j = 0; j < max; j++)
		data[j] = (unsigned char)(j * 2654435761u >> 13);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		CHECK_INT(fs_write_file(path, data, sizes[i], &e), 0);
		h = 0;
		CHECK_INT(hash_file(path, &h, &e), 0);
		if (h != hash_bytes(data, sizes[i]))
			fprintf(stderr, "size %zu differs\n", sizes[i]);
		CHECK(h == hash_bytes(data, sizes[i]));
	}
	free(path);
	free(data);
}

TEST(errors)
{
	char *path = xasprintf("%s/missing", tmp), *want;
	struct err e = {0};
	uint64_t h = 7;

	CHECK_INT(hash_file(path, &h, &e), -1);
	CHECK_INT(e.code, 2);
	want = xasprintf("cannot read '%s': No such file or directory", path);
	CHECK_STR(e.msg, want);
	CHECK(h == 7);
	free(want);
	CHECK_INT(hash_file(tmp, &h, &e), -1);
	want = xasprintf("cannot read '%s': Is a directory", tmp);
	CHECK_STR(e.msg, want);
	free(want);
	free(path);
}

/* A FIFO (no writer) and a device are refused at once, neither opened for long nor read
 * (an alarm ends the test if hash_file waits). */
TEST(not_regular)
{
	char *fifo = xasprintf("%s/fifo", tmp), *zero = xasprintf("%s/zero", tmp), *want;
	struct err e = {0};
	uint64_t h = 7;

	CHECK_INT(mkfifo(fifo, 0600), 0);
	CHECK_INT(symlink("/dev/zero", zero), 0);
	alarm(20);
	CHECK_INT(hash_file(fifo, &h, &e), -1);
	CHECK_INT(e.code, 2);
	want = xasprintf("cannot read '%s': Is a FIFO, not a regular file", fifo);
	CHECK_STR(e.msg, want);
	free(want);
	CHECK_INT(hash_file(zero, &h, &e), -1);
	want = xasprintf("cannot read '%s': Is a character device, not a regular file", zero);
	CHECK_STR(e.msg, want);
	alarm(0);
	CHECK(h == 7);
	free(want);
	free(fifo);
	free(zero);
}

int main(void)
{
	strcpy(tmp, "/tmp/dodo-test-hash-XXXXXX");
	if (!mkdtemp(tmp))
		fatal("mkdtemp:");
	RUN(known_values);
	RUN(hex);
	RUN(file_equals_bytes);
	RUN(errors);
	RUN(not_regular);
	{
		char *cmd = xasprintf("rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			warn("cannot remove %s", tmp);
		free(cmd);
	}
	return unit_done("hash");
}
