#ifndef DODO_STATEFILE_H
#define DODO_STATEFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct err;
struct stat;

/* The state file on disk, below SQLite: whose it may be, no symbolic links,
   the files SQLite keeps beside it, the few header bytes dodo reads itself. */

/* Whether a file owned by uid may be used as the state file or beside it: the
   effective user's own; root also takes the user named by SUDO_UID (git's rule
   for safe.directory). */
bool statefile_owner_ok(uid_t uid);

/* Open path without following a symbolic link: read-only when ro, else read-write,
   created with mode (less the umask) when missing. Refuses a link, anything but a
   regular file, a file of another owner. The descriptor (close-on-exec), or -1 with
   e filled (code 3) and errno set (ENOENT: missing). */
int statefile_open(const char *path, bool ro, mode_t mode, struct err *e);

/* Check the files SQLite keeps beside path (-wal, -shm, -journal): each must be
   absent, or a regular file (not a link) of an allowed owner. 0 or -1 with e filled. */
int statefile_check_beside(const char *path, struct err *e);

/* Whether the file path + suffix exists (a link counts). */
bool statefile_beside_exists(const char *path, const char *suffix);

/* Whether the effective user may create files in the folder of path. */
bool statefile_folder_writable(const char *path);

/* The application_id in the SQLite header of the file behind fd, or -1 when the
   file has no SQLite header (empty, short, something else). */
int64_t statefile_app_id(int fd);

/* Mark the SQLite file behind fd as a rollback-journal database when its header
   says WAL (what SQLite writes when it leaves WAL mode). Only for a file whose
   -wal does not exist and whose lock the caller holds. 0 or -1 with e filled. */
int statefile_leave_wal(int fd, const char *path, struct err *e);

/* Give the file behind fd the permission bits of old, and its owner and group
   as far as the effective user may. */
void statefile_copy_mode(int fd, const struct stat *old);

#endif
