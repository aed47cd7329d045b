#ifndef DODO_HASH_H
#define DODO_HASH_H

#include <stddef.h>
#include <stdint.h>

struct err;

/* XXH3 64-bit hash of a regular file's contents, streamed. 0, or -1 with e filled
   (code 2): "cannot read 'x': No such file or directory"; a folder, FIFO, socket or
   device is an error too ("Is a FIFO, not a regular file"), found without reading
   it or waiting for a FIFO's writer. EINTR-safe. */
int hash_file(const char *path, uint64_t *out, struct err *e);

/* XXH3 64-bit hash of n bytes (equal to hash_file() of a file holding them). */
uint64_t hash_bytes(const void *p, size_t n);

/* XXH3 64-bit hash of n bytes seeded with seed: chains hashes. */
uint64_t hash_chain(uint64_t seed, const void *p, size_t n);

/* Write h as 16 lowercase hex digits and a NUL into out. */
void hash_hex(uint64_t h, char out[17]);

#endif
