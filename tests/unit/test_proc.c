/* Unit tests of proc: spawning shell and argv commands, separate stdout/stderr capture,
 * exit codes and signals (Python's returncode convention), cwd and env, live echo,
 * process groups, and large outputs on both pipes without deadlock. */
#include "proc.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frontend.h"
#include "unit.h"
#include "util.h"

static char tmp[64];

static void sh(struct cmdspec *s, const char *cmd)
{
	memset(s, 0, sizeof(*s));
	s->cmd = xstrdup(cmd);
}

static void argv_of(struct cmdspec *s, const char *const *args)
{
	memset(s, 0, sizeof(*s));
	for (; *args; args++)
		vec_push(&s->argv, xstrdup(*args));
}

/* Run spec capturing both streams; returns the exit code (or -999 when spawn fails). */
static int run(struct cmdspec *s, struct buf *out, struct buf *err, bool new_group)
{
	struct proc p;
	struct err e = {0};
	int rc;

	if (proc_spawn(&p, s, true, new_group, out, err, false, false, &e) < 0) {
		fprintf(stderr, "spawn: %s\n", e.msg);
		cmdspec_free(s);
		return -999;
	}
	rc = proc_wait(&p);
	CHECK(p.exited);
	CHECK_INT(p.rc, rc);
	CHECK_INT(p.fd[0], -1);
	CHECK_INT(p.fd[1], -1);
	cmdspec_free(s);
	return rc;
}

TEST(shell_captures_streams_separately)
{
	struct cmdspec s;
	struct buf out = {0}, err = {0};

	sh(&s, "echo out1; echo err1 >&2; printf 'out2'; printf 'err2' >&2");
	CHECK_INT(run(&s, &out, &err, false), 0);
	CHECK_STR(buf_str(&out), "out1\nout2");
	CHECK_STR(buf_str(&err), "err1\nerr2");
	buf_free(&out);
	buf_free(&err);
}

TEST(shell_is_bin_sh)
{
	struct cmdspec s;
	struct buf out = {0}, err = {0};

	sh(&s, "echo \"$0\"; for w in a 'b c'; do echo \"[$w]\"; done | tr -d '\\n'");
	CHECK_INT(run(&s, &out, &err, false), 0);
	CHECK_STR(buf_str(&out), "/bin/sh\n[a][b c]");
	CHECK_INT(err.len, 0);
	buf_free(&out);
	buf_free(&err);
}

TEST(exit_codes)
{
	struct cmdspec s;
	struct buf out = {0}, err = {0};

	sh(&s, "exit 3");
	CHECK_INT(run(&s, &out, &err, false), 3);
	sh(&s, "exit 255");
	CHECK_INT(run(&s, &out, &err, false), 255);
	sh(&s, "true");
	CHECK_INT(run(&s, &out, &err, false), 0);
	sh(&s, "no-such-command-dodo-test");
	CHECK_INT(run(&s, &out, &err, false), 127);
	CHECK(strstr(buf_str(&err), "no-such-command-dodo-test") != NULL);
	buf_free(&out);
	buf_free(&err);
}

/* Killed by a signal: the negative signal number, like subprocess's returncode. */
TEST(signal_codes)
{
	struct cmdspec s;
	struct buf out = {0}, err = {0};

	sh(&s, "kill -9 $$");
	CHECK_INT(run(&s, &out, &err, false), -9);
	sh(&s, "echo before; kill -TERM $$; echo after");
	CHECK_INT(run(&s, &out, &err, false), -15);
	CHECK_STR(buf_str(&out), "before\n");
	buf_free(&out);
	buf_free(&err);
}

TEST(argv_command)
{
	static const char *const printf_args[] = {"printf", "%s|", "a b", "$HOME", "'q'", NULL};
	static const char *const abs_args[] = {"/bin/echo", "x", NULL};
	struct cmdspec s;
	struct buf out = {0}, err = {0};

	argv_of(&s, printf_args);     /* found through PATH, no shell involved */
	CHECK_INT(run(&s, &out, &err, false), 0);
	CHECK_STR(buf_str(&out), "a b|$HOME|'q'|");
	buf_reset(&out);
	argv_of(&s, abs_args);
	CHECK_INT(run(&s, &out, &err, false), 0);
	CHECK_STR(buf_str(&out), "x\n");
	buf_free(&out);
	buf_free(&err);
}

TEST(argv_program_missing)
{
	static const char *const args[] = {"no-such-program-dodo-test", "x", NULL};
	static const char *const abs_args[] = {"/nonexistent/prog", NULL};
	struct cmdspec s;
	struct proc p;
	struct buf out = {0}, err = {0};
	struct err e = {0};

	argv_of(&s, args);
	CHECK_INT(proc_spawn(&p, &s, true, false, &out, &err, false, false, &e), -1);
	CHECK_STR(e.msg, "cannot run 'no-such-program-dodo-test': No such file or directory");
	CHECK_INT(p.fd[0], -1);
	CHECK_INT(p.fd[1], -1);
	cmdspec_free(&s);
	argv_of(&s, abs_args);
	CHECK_INT(proc_spawn(&p, &s, true, false, &out, &err, false, false, &e), -1);
	CHECK(strstr(e.msg, "/nonexistent/prog") != NULL);
	cmdspec_free(&s);
	/* an empty argv */
	memset(&s, 0, sizeof(s));
	CHECK_INT(proc_spawn(&p, &s, true, false, &out, &err, false, false, &e), -1);
	CHECK_STR(e.msg, "empty command");
	buf_free(&out);
	buf_free(&err);
}

TEST(command_too_long)
{
	size_t n = 3 * 1000 * 1000;
	char *cmd = xmalloc(n + 1);
	struct cmdspec s;
	struct proc p;
	struct buf out = {0}, err = {0};
	struct err e = {0};

	memcpy(cmd, "true ", 5);
	memset(cmd + 5, 'x', n - 5);
	cmd[n] = '\0';
	sh(&s, cmd);
	CHECK_INT(proc_spawn(&p, &s, true, false, &out, &err, false, false, &e), -1);
	/* cut, with the length and the reason (E2BIG) */
	CHECK(strncmp(e.msg, "cannot run 'true xxx", 20) == 0);
	CHECK(strstr(e.msg, "...' (3000000 bytes): Argument list too long") != NULL);
	CHECK(strlen(e.msg) < 300);
	cmdspec_free(&s);
	free(cmd);
	buf_free(&out);
	buf_free(&err);
}

TEST(cwd)
{
	struct cmdspec s;
	struct buf out = {0}, err = {0};
	char real[PATH_MAX], *sub = xasprintf("%s/sub dir", tmp), *want;

	CHECK_INT(mkdir(sub, 0777), 0);
	CHECK(realpath(sub, real) != NULL);
	want = xasprintf("%s\n", real);
	sh(&s, "pwd -P");
	s.cwd = xstrdup(sub);
	CHECK_INT(run(&s, &out, &err, false), 0);
	CHECK_STR(buf_str(&out), want);
	/* our own folder did not change */
	CHECK(getcwd(real, sizeof(real)) && strcmp(real, sub) != 0);
	/* a folder that does not exist: the spawn fails */
	{
		struct proc p;
		struct err e = {0};

		sh(&s, "true");
		s.cwd = xasprintf("%s/missing", tmp);
		CHECK_INT(proc_spawn(&p, &s, true, false, &out, &err, false, false, &e), -1);
		CHECK(strstr(e.msg, "No such file or directory") != NULL);
		cmdspec_free(&s);
	}
	free(want);
	free(sub);
	buf_free(&out);
	buf_free(&err);
}

TEST(env)
{
	static const char *const env_args[] = {"/usr/bin/env", NULL};
	struct cmdspec s;
	struct buf out = {0}, err = {0};

	setenv("DODO_TEST_PARENT", "inherited", 1);
	sh(&s, "echo \"$DODO_TEST_PARENT\"");
	CHECK_INT(run(&s, &out, &err, false), 0);
	CHECK_STR(buf_str(&out), "inherited\n");
	buf_reset(&out);
	/* has_env: exactly the given environment */
	argv_of(&s, env_args);
	s.has_env = true;
	vec_push(&s.env, xstrdup("A=1"));
	vec_push(&s.env, xstrdup("B=two words"));
	CHECK_INT(run(&s, &out, &err, false), 0);
	CHECK_STR(buf_str(&out), "A=1\nB=two words\n");
	buf_reset(&out);
	/* an empty environment */
	argv_of(&s, env_args);
	s.has_env = true;
	CHECK_INT(run(&s, &out, &err, false), 0);
	CHECK_STR(buf_str(&out), "");
	unsetenv("DODO_TEST_PARENT");
	buf_free(&out);
	buf_free(&err);
}

/* More than a pipe buffer on both streams at once: the parent must drain both. */
TEST(large_output_both_pipes)
{
	struct cmdspec s;
	struct buf out = {0}, err = {0};
	size_t i, bad = 0;

	sh(&s, "head -c 3000000 /dev/zero | tr '\\0' o & "
	       "head -c 2500000 /dev/zero | tr '\\0' e >&2; wait");
	CHECK_INT(run(&s, &out, &err, false), 0);
	CHECK_INT(out.len, 3000000);
	CHECK_INT(err.len, 2500000);
	for (i = 0; i < out.len; i++)
		bad += out.data[i] != 'o';
	for (i = 0; i < err.len; i++)
		bad += err.data[i] != 'e';
	CHECK_INT(bad, 0);
	/* the same with output interleaved line by line */
	buf_reset(&out);
	buf_reset(&err);
	sh(&s, "i=0; while [ $i -lt 20000 ]; do echo \"o$i ..................................\"; "
	       "echo \"e$i ..................................\" >&2; i=$((i+1)); done");
	CHECK_INT(run(&s, &out, &err, false), 0);
	CHECK(out.len > 1000000 / 2);
	CHECK(strncmp(buf_str(&out), "o0 ", 3) == 0);
	CHECK(strstr(buf_str(&err), "\ne19999 ") != NULL);
	CHECK(strstr(buf_str(&out), "e1") == NULL);
	buf_free(&out);
	buf_free(&err);
}

/* Run fn with our stdout going to a temporary file; returns what was written. */
static char *with_stdout_captured(void (*fn)(void))
{
	char *path = xasprintf("%s/stdout.txt", tmp);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), saved;
	struct buf b = {0};
	char chunk[4096];
	ssize_t r;

	fflush(stdout);
	saved = dup(1);
	dup2(fd, 1);
	fn();
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	while ((r = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)r);
	close(fd);
	unlink(path);
	free(path);
	return buf_take(&b);
}

static struct buf live_cap;

static void run_live(void)
{
	struct cmdspec s;
	struct proc p;
	struct err e = {0};

	sh(&s, "printf 'line1\\nline'; sleep 0.05; printf '2\\npartial'");
	if (proc_spawn(&p, &s, true, false, &live_cap, NULL, true, false, &e) == 0)
		proc_wait(&p);
	cmdspec_free(&s);
}

static void run_inherit(void)
{
	struct cmdspec s;
	struct proc p;
	struct err e = {0};

	sh(&s, "echo inherited");
	if (proc_spawn(&p, &s, false, false, NULL, NULL, false, false, &e) == 0) {
		CHECK_INT(p.fd[0], -1);
		CHECK_INT(proc_wait(&p), 0);
	}
	cmdspec_free(&s);
}

/* Live echo: complete lines as they arrive, the last partial line at the end; the
 * capture gets everything. A NULL capture buffer for stderr is fine. */
TEST(live_echo)
{
	char *shown = with_stdout_captured(run_live);

	CHECK_STR(shown, "line1\nline2\npartial");
	CHECK_STR(buf_str(&live_cap), "line1\nline2\npartial");
	buf_free(&live_cap);
	free(shown);
}

TEST(no_capture_inherits)
{
	char *shown = with_stdout_captured(run_inherit);

	CHECK_STR(shown, "inherited\n");
	free(shown);
}

/* The 5th field of /proc/<pid>/stat is the process group. */
TEST(process_group)
{
	struct cmdspec s;
	struct proc p;
	struct buf out = {0}, err = {0};
	struct err e = {0};
	char *want;

	sh(&s, "cut -d' ' -f5 /proc/$$/stat");
	CHECK_INT(proc_spawn(&p, &s, true, true, &out, &err, false, false, &e), 0);
	CHECK_INT(proc_wait(&p), 0);
	want = xasprintf("%d\n", (int)p.pid);
	CHECK_STR(buf_str(&out), want);
	free(want);
	cmdspec_free(&s);
	buf_reset(&out);
	sh(&s, "cut -d' ' -f5 /proc/$$/stat");
	CHECK_INT(run(&s, &out, &err, false), 0);
	want = xasprintf("%d\n", (int)getpgrp());
	CHECK_STR(buf_str(&out), want);
	free(want);
	buf_free(&out);
	buf_free(&err);
}

/* proc_kill reaches the whole group: a background grandchild holding the pipes dies
 * too, so proc_wait returns instead of waiting for it. */
TEST(kill_group)
{
	struct cmdspec s;
	struct proc p;
	struct buf out = {0}, err = {0};
	struct err e = {0};
	int64_t t0 = now_ns();

	sh(&s, "sleep 30 & echo started; wait");
	CHECK_INT(proc_spawn(&p, &s, true, true, &out, &err, false, false, &e), 0);
	while (!strchr(buf_str(&out), '\n') && proc_pump(&p))
		;
	proc_kill(&p, SIGTERM);
	CHECK_INT(proc_wait(&p), -SIGTERM);
	CHECK(now_ns() - t0 < 10 * 1000000000LL);
	CHECK_STR(buf_str(&out), "started\n");
	proc_kill(&p, SIGTERM);           /* after exit: nothing happens */
	cmdspec_free(&s);
	buf_free(&out);
	buf_free(&err);
}

/* Our open descriptors; *inheritable gets those without FD_CLOEXEC. */
static int open_fds(int *inheritable)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0, inh = 0;

	while (d && (de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (de->d_name[0] == '.' || fd == dirfd(d))
			continue;
		n++;
		inh += !(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	}
	if (d)
		closedir(d);
	if (inheritable)
		*inheritable = inh;
	return n;
}

/* No descriptor is left open by successful, failing and unspawnable commands, and the
 * child sees none of our pipes: only what we let it inherit, and the one ls opens. */
TEST(no_descriptor_leaks)
{
	static const char *const missing[] = {"no-such-program-dodo-test", NULL};
	struct cmdspec s;
	struct buf out = {0}, err = {0};
	struct proc p;
	struct err e = {0};
	int inheritable, before = open_fds(&inheritable), i;

	for (i = 0; i < 20; i++) {
		sh(&s, i % 2 ? "exit 1" : "echo x; echo y >&2");
		run(&s, &out, &err, false);
		argv_of(&s, missing);
		CHECK_INT(proc_spawn(&p, &s, true, false, &out, &err, false, false, &e), -1);
		cmdspec_free(&s);
	}
	CHECK_INT(open_fds(NULL), before);
	buf_reset(&out);
	sh(&s, "ls /proc/self/fd | wc -l");
	CHECK_INT(run(&s, &out, &err, false), 0);
	CHECK_INT(atoi(buf_str(&out)), inheritable + 1);
	buf_free(&out);
	buf_free(&err);
}

TEST(write_all_pipe)
{
	int fds[2];
	char *big = xmalloc(200000), *got = xmalloc(200000);
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	memset(big, 'w', 200000);
	CHECK_INT(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		write_all(fds[1], big, 200000);
		_exit(0);
	}
	close(fds[1]);
	while ((r = read(fds[0], got + n, 200000 - n)) > 0)
		n += (size_t)r;
	close(fds[0]);
	waitpid(pid, NULL, 0);
	CHECK_INT(n, 200000);
	CHECK(memcmp(big, got, 200000) == 0);
	free(big);
	free(got);
}

int main(void)
{
	char *rm;
	int rc;

	alarm(120);                 /* a deadlock fails the suite instead of hanging it */
	strcpy(tmp, "/tmp/dodo-test-proc-XXXXXX");
	if (!mkdtemp(tmp))
		fatal("mkdtemp:");
	RUN(shell_captures_streams_separately);
	RUN(shell_is_bin_sh);
	RUN(exit_codes);
	RUN(signal_codes);
	RUN(argv_command);
	RUN(argv_program_missing);
	RUN(cwd);
	RUN(env);
	RUN(large_output_both_pipes);
	RUN(live_echo);
	RUN(no_capture_inherits);
	RUN(process_group);
	RUN(command_too_long);
	RUN(kill_group);
	RUN(no_descriptor_leaks);
	RUN(write_all_pipe);
	rm = xasprintf("rm -rf '%s'", tmp);
	rc = system(rm);
	free(rm);
	(void)rc;
	return unit_done("proc");
}
