/* doit's json reporter: one JSON document at the end of the run, with each task's result,
 * output and timing, and whatever was printed meanwhile (doit swaps sys.stdout/stderr
 * for buffers; dodo points the stdout and stderr file descriptors at temporary files, so
 * that the output of commands and of Python code is caught alike). */
#include "report.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "frontend.h"
#include "graph.h"

struct result {
	struct task *task;
	const char *result;         /* "fail", "success", "up-to-date", "ignore" or NULL */
	char *out, *err, *error;    /* NULL: null */
	double started, finished;   /* seconds since the epoch; < 0: not started, not ended */
};

struct json {
	struct vec results;         /* struct result *, in order of get_status */
	struct vec errors;          /* char *: runtime and teardown errors */
	FILE *cap[2];               /* what is printed on stdout, stderr meanwhile */
	int saved[2];               /* the real stdout and stderr */
};

static double now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* Point fds 1 and 2 at temporary files; keep the originals. */
static void capture(struct json *j)
{
	int fd;

	fflush(stdout);
	fflush(stderr);
	for (fd = 1; fd <= 2; fd++) {
		j->saved[fd - 1] = -1;
		j->cap[fd - 1] = tmpfile();
		if (!j->cap[fd - 1])
			continue;
		j->saved[fd - 1] = dup(fd);
		if (j->saved[fd - 1] < 0 || dup2(fileno(j->cap[fd - 1]), fd) < 0) {
			warn("json reporter: cannot capture output:");
			fclose(j->cap[fd - 1]);
			j->cap[fd - 1] = NULL;
		}
	}
}

/* Restore fds 1 and 2; return what was captured on each (malloc'd). */
static void release(struct json *j, char **text)
{
	int fd;

	fflush(stdout);
	fflush(stderr);
	for (fd = 1; fd <= 2; fd++) {
		FILE *f = j->cap[fd - 1];
		struct buf b = {0};
		char chunk[4096];
		size_t n;

		if (f) {
			rewind(f);
			while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
				buf_add(&b, chunk, n);
			fclose(f);
			j->cap[fd - 1] = NULL;
		}
		if (j->saved[fd - 1] >= 0) {
			dup2(j->saved[fd - 1], fd);
			close(j->saved[fd - 1]);
			j->saved[fd - 1] = -1;
		}
		text[fd - 1] = buf_take(&b);
	}
}

static struct result *find(struct json *j, struct task *t)
{
	size_t i;

	for (i = 0; i < j->results.n; i++) {
		struct result *res = j->results.v[i];
		if (res->task == t)
			return res;
	}
	return NULL;
}

static void clear_result(struct result *res)
{
	free(res->out);
	free(res->err);
	free(res->error);
	res->out = res->err = res->error = NULL;
	res->result = NULL;
	res->started = res->finished = -1;
}

/* doit keeps results in a dict by name: a second get_status starts the entry afresh. */
static void get_status(struct reporter *r, struct task *t)
{
	struct json *j = r->ctx;
	struct result *res = find(j, t);

	if (!res) {
		res = xcalloc(1, sizeof(*res));
		res->task = t;
		vec_push(&j->results, res);
	}
	clear_result(res);
}

static void execute_task(struct reporter *r, struct task *t)
{
	struct result *res = find(r->ctx, t);

	if (res)
		res->started = now();
}

/* The actions' outputs of one stream, joined with doit's separator; NULL for none. */
static char *joined(struct task *t, int which)
{
	struct buf b = {0};
	size_t i;
	bool any = false;

	for (i = 0; i < t->actions.n; i++) {
		struct action *a = t->actions.v[i];
		struct buf *s = which ? &a->err : &a->out;
		if (!s->len)
			continue;
		if (any)
			buf_puts(&b, "\n<------------------------------------------------>\n");
		buf_add(&b, s->data, s->len);
		any = true;
	}
	buf_str(&b);
	return buf_take(&b);
}

static void set_result(struct reporter *r, struct task *t, const char *what, const char *error)
{
	struct result *res = find(r->ctx, t);

	if (!res)
		return;
	res->finished = now();
	res->result = what;
	free(res->out);
	free(res->err);
	free(res->error);
	res->out = joined(t, 0);
	res->err = joined(t, 1);
	res->error = error ? xstrdup(error) : NULL;
}

static void add_failure(struct reporter *r, struct task *t, const struct outcome *o)
{
	set_result(r, t, "fail", o->msg ? o->msg : "");
}

static void add_success(struct reporter *r, struct task *t)
{
	set_result(r, t, "success", NULL);
}

static void skip_uptodate(struct reporter *r, struct task *t)
{
	set_result(r, t, "up-to-date", NULL);
}

static void skip_ignore(struct reporter *r, struct task *t)
{
	set_result(r, t, "ignore", NULL);
}

static void nop_task(struct reporter *r, struct task *t)
{
}

static void add_error(struct reporter *r, const char *msg)
{
	vec_push(&((struct json *)r->ctx)->errors, xstrdup(msg));
}

/* Append the next code point of s (UTF-8; a bad byte reads as U+FFFD) to b as Python's
 * json.dumps writes it (ensure_ascii). Returns the bytes consumed. */
static size_t put_char(struct buf *b, const unsigned char *s)
{
	static const char esc[] = "\"\"\\\\\bb\ff\nn\rr\tt";
	uint32_t c = s[0];
	size_t n = 1, i;

	for (i = 0; esc[i]; i += 2)
		if ((char)c == esc[i]) {
			buf_putc(b, '\\');
			buf_putc(b, esc[i + 1]);
			return 1;
		}
	if (c >= 0x20 && c < 0x7f) {
		buf_putc(b, (int)c);
		return 1;
	}
	if (c >= 0xc2 && c < 0xe0 && (s[1] & 0xc0) == 0x80) {
		c = (c & 0x1f) << 6 | (s[1] & 0x3f);
		n = 2;
	} else if (c >= 0xe0 && c < 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		c = (c & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		n = 3;
	} else if (c >= 0xf0 && c < 0xf5 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
	           (s[3] & 0xc0) == 0x80) {
		c = (c & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		n = 4;
	} else if (c >= 0x80) {
		c = 0xfffd;
	}
	if (c >= 0x10000) {
		c -= 0x10000;
		buf_printf(b, "\\u%04x\\u%04x", 0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
	} else {
		buf_printf(b, "\\u%04x", c);
	}
	return n;
}

static void put_string(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	while (*p)
		p += put_char(b, p);
	buf_putc(b, '"');
}

/* A float as Python's repr: the shortest text that reads back the same. */
static void put_float(struct buf *b, double v)
{
	char s[40];
	int p;

	for (p = 1; p <= 17; p++) {
		snprintf(s, sizeof(s), "%.*g", p, v);
		if (strtod(s, NULL) == v)
			break;
	}
	if (!strpbrk(s, ".eEn"))
		strncat(s, ".0", sizeof(s) - strlen(s) - 1);
	buf_puts(b, s);
}

/* str(datetime.utcfromtimestamp(t)): "YYYY-MM-DD HH:MM:SS[.ffffff]". */
static void put_started(struct buf *b, double t)
{
	time_t sec = (time_t)floor(t);
	long usec = lround((t - (double)sec) * 1e6);
	struct tm tm;
	char s[64];

	if (usec >= 1000000) {
		sec++;
		usec -= 1000000;
	}
	gmtime_r(&sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S", &tm);
	buf_putc(b, '"');
	buf_puts(b, s);
	if (usec)
		buf_printf(b, ".%06ld", usec);
	buf_putc(b, '"');
}

static void put_result(struct buf *b, struct result *res)
{
	buf_puts(b, "{\"name\": ");
	put_string(b, res->task->name);
	buf_puts(b, ", \"result\": ");
	put_string(b, res->result);
	buf_puts(b, ", \"out\": ");
	put_string(b, res->out);
	buf_puts(b, ", \"err\": ");
	put_string(b, res->err);
	buf_puts(b, ", \"error\": ");
	put_string(b, res->error);
	buf_puts(b, ", \"started\": ");
	if (res->started < 0) {
		buf_puts(b, "null, \"elapsed\": null}");
		return;
	}
	put_started(b, res->started);
	buf_puts(b, ", \"elapsed\": ");
	if (res->finished < res->started)
		buf_puts(b, "null");    /* the run ended on an exception while it executed */
	else
		put_float(b, res->finished - res->started);
	buf_putc(b, '}');
}

static void complete_run(struct reporter *r)
{
	struct json *j = r->ctx;
	struct buf b = {0}, err = {0};
	char *text[2];
	size_t i;

	release(j, text);
	buf_puts(&err, text[1]);
	for (i = 0; i < j->errors.n; i++)
		buf_printf(&err, "%s%s", i ? "\n" : "", (char *)j->errors.v[i]);
	buf_puts(&b, "{\"tasks\": [");
	for (i = 0; i < j->results.n; i++) {
		if (i)
			buf_puts(&b, ", ");
		put_result(&b, j->results.v[i]);
	}
	buf_puts(&b, "], \"out\": ");
	put_string(&b, text[0]);
	buf_puts(&b, ", \"err\": ");
	put_string(&b, buf_str(&err));
	buf_putc(&b, '}');
	fwrite(b.data, 1, b.len, r->out);
	fflush(r->out);
	free(text[0]);
	free(text[1]);
	buf_free(&b);
	buf_free(&err);
}

static void free_json(struct reporter *r)
{
	struct json *j = r->ctx;
	char *text[2];
	size_t i;

	if (!j)
		return;
	if (j->cap[0] || j->cap[1]) {
		release(j, text);
		free(text[0]);
		free(text[1]);
	}
	for (i = 0; i < j->results.n; i++) {
		clear_result(j->results.v[i]);
		free(j->results.v[i]);
	}
	vec_free(&j->results);
	for (i = 0; i < j->errors.n; i++)
		free(j->errors.v[i]);
	vec_free(&j->errors);
	free(j);
	r->ctx = NULL;
}

static const struct reporter_ops json_ops = {
	get_status, execute_task, add_failure, add_success, skip_uptodate, skip_ignore,
	nop_task, add_error, add_error, complete_run, free_json, NULL,
};

struct reporter *reporter_json_new(struct graph *g, FILE *out, int failure_verbosity)
{
	struct reporter *r = xcalloc(1, sizeof(*r));
	struct json *j = xcalloc(1, sizeof(*j));

	r->ops = &json_ops;
	r->g = g;
	r->out = out;
	r->failure_verbosity = failure_verbosity;
	r->buffers_stdio = true;
	r->ctx = j;
	capture(j);
	return r;
}
