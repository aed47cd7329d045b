#ifndef DODO_FS_H
#define DODO_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct err;
struct buf;

/* The timestamp granularity assumed of file systems (FAT's is 2 s): a file whose
   mtime is this close to the moment its stat was taken, or later, may be rewritten
   within the same tick with the same size and inode, unseen by its stat. Such a
   stat is "racy": only the contents can show the file unchanged. */
#define FS_RACY_NS 2000000000LL

/* What the engine needs to know about a path. */
struct fsinfo {
	bool exists;
	bool is_dir;
	int64_t mtime_ns;   /* st_mtim in nanoseconds since the epoch */
	int64_t size;
	uint64_t ino;
	uint64_t dev;
};

/* Stat path, following links. Returns 0 and fills *out (exists=false and the rest
   zero on ENOENT/ENOTDIR); -1 with e filled (code 2) for any other error. */
int fs_stat(const char *path, struct fsinfo *out, struct err *e);

/* Like fs_stat() but does not follow a final symbolic link. */
int fs_lstat(const char *path, struct fsinfo *out, struct err *e);

/* The mtime as os.path.getmtime() returns it: sec + nsec * 1e-9, rounded
   exactly as CPython does, so values compare equal to doit's. */
double fs_mtime_seconds(const struct fsinfo *fi);

/* Create dir and its missing parents (mode 0777 before umask), like
   os.makedirs(exist_ok=True). 0, or -1 with e filled (code 2). */
int fs_mkdirs(const char *dir, struct err *e);

/* Create the parent folders of file path (nothing when it has none). 0 or -1 (code 2). */
int fs_mkparents(const char *path, struct err *e);

/* Remove a file, a symbolic link or an empty folder. Returns 1 when removed,
   0 when it did not exist, -1 with e filled (code 2) otherwise (e.g. not empty). */
int fs_remove(const char *path, struct err *e);

/* Append the whole contents of path to b. 0, or -1 with e filled (code 2):
   "cannot read 'x': No such file or directory". EINTR-safe. */
int fs_read_file(const char *path, struct buf *b, struct err *e);

/* doit's get_module search for the task file: file itself when absolute, else
   cwd/file, and with seek the nearest folder from cwd upwards that holds
   file's last component. malloc'd, or NULL when there is none. */
char *fs_find_up(const char *file, bool seek, const char *cwd);

/* Replace path with the n bytes at p atomically (write "path.tmp.<pid>", then
   rename). 0, or -1 with e filled (code 2); no temporary file is left behind. */
int fs_write_file(const char *path, const void *p, size_t n, struct err *e);

#endif
