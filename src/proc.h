#ifndef DODO_PROC_H
#define DODO_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

/* Child processes: spawn (posix_spawn), capture stdout/stderr through pipes while echoing
 * complete lines live when asked, wait. */

struct cmdspec;

struct proc {
	pid_t pid;
	int fd[2];              /* read ends for stdout, stderr; -1 when closed or inherited */
	bool live[2];           /* echo to our stdout / stderr as lines arrive */
	struct buf *cap[2];     /* where captured output goes */
	struct buf pending[2];  /* partial line not yet echoed */
	int pidfd;              /* readable once the child has exited (Linux pidfd), or -1 */
	bool group;             /* the child leads its own process group */
	bool exited;
	int rc;                 /* exit code, or -signal like Python's returncode */
};

/* Start spec. capture: pipe stdout/stderr into out/err (else inherit the terminal).
 * new_group: put the child in its own process group. Returns 0 or -1 with e. */
int proc_spawn(struct proc *p, const struct cmdspec *spec, bool capture, bool new_group,
               struct buf *out, struct buf *err, bool live_out, bool live_err,
               struct err *e);

/* Make p the record of child pid (not reaped yet), its output fd captured into
 * cap (no live echo, no stderr). */
void proc_attach(struct proc *p, pid_t pid, int fd, struct buf *cap);

/* Leave p's child to someone else (not reaped here): close what p holds of it. */
void proc_release(struct proc *p);

struct pollfd;

/* Add the proc's open output descriptors to pfd (room for 2) or, once they are
 * closed, a descriptor that turns readable when it exits; returns how many
 * (0: poll with a timeout, then try proc_reap). */
int proc_pollfds(const struct proc *p, struct pollfd *pfd);
/* Read what poll() reported ready on descriptors added by proc_pollfds. */
void proc_handle(struct proc *p, const struct pollfd *pfd, int n);
/* Once its output is closed: reap the child (block: wait for it). True when it has
 * exited and p->rc is set. */
bool proc_reap(struct proc *p, bool block);

/* Read whatever output is ready on the proc's descriptors; returns true while open. */
bool proc_pump(struct proc *p);

/* Pump output until the child exits; returns its rc (see struct proc). */
int proc_wait(struct proc *p);

/* Send sig to the child's process group (or the child). */
void proc_kill(struct proc *p, int sig);

/* Done with p without reaping it (someone else did, or will): echo and keep what its
 * output descriptors hold without waiting for more, then close them and its pidfd. */
void proc_close(struct proc *p);

/* Whether dodo is in the foreground process group of its controlling terminal (a user
 * at the terminal): a child that stays in dodo's group can then read the terminal and
 * gets its Ctrl-C as doit's children do; one in a group of its own could not. */
bool proc_term_foreground(void);

/* Write a whole buffer to a descriptor, retrying on EINTR and short writes. */
void write_all(int fd, const char *s, size_t n);

#endif
