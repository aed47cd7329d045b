/* The console reporter on a terminal: colour, and a live progress line ("[done/total]"
 * and the running tasks) on the terminal's last row. The rows above are made the
 * scrolling region (DECSTBM, as apt does), so whatever tasks print, directly or through
 * dodo, scrolls above the progress line and never runs into it. */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "graph.h"

struct tty {
	struct reporter *inner;
	int rows, cols;         /* size when the region was set; rows 0: no region */
	size_t total, done;
	struct strmap planned;  /* tasks counted in total */
	struct strmap finished; /* tasks counted in done */
	struct vec running;     /* struct task * */
	bool stopped;           /* the run is over: no more progress line */
};

static bool wanted(FILE *out)
{
	const char *term = getenv("TERM");
	const char *no_colour = getenv("NO_COLOR");

	return isatty(fileno(out)) && !(no_colour && *no_colour) &&
	       !(term && strcmp(term, "dumb") == 0);
}

static bool size_of(FILE *out, int *rows, int *cols)
{
	struct winsize ws;

	if (ioctl(fileno(out), TIOCGWINSZ, &ws) < 0 || ws.ws_row < 3 || ws.ws_col < 10)
		return false;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}

/* Reserve the last row: scrolling region rows 1..rows-1, cursor kept where it was. */
static void region_set(struct tty *y, FILE *out)
{
	if (!size_of(out, &y->rows, &y->cols)) {
		y->rows = 0;
		return;
	}
	/* a new line first, so that the cursor is not on the row being reserved */
	fprintf(out, "\n\0337\033[1;%dr\0338\033[1A", y->rows - 1);
	fflush(out);
}

/* Give the last row back and clear it. */
static void region_reset(struct tty *y, FILE *out)
{
	if (!y->rows)
		return;
	fprintf(out, "\0337\033[1;%dr\033[%d;1H\033[2K\0338", y->rows, y->rows);
	fflush(out);
	y->rows = 0;
}

static void draw(struct reporter *r)
{
	struct tty *y = r->ctx;
	struct buf b = {0};
	int rows, cols;
	size_t i;

	if (!y->rows && !y->stopped && y->running.n)
		region_set(y, r->out);  /* the first time a task runs */
	if (!y->rows || !size_of(r->out, &rows, &cols))
		return;
	if (rows != y->rows) {  /* resized: set the region again */
		region_reset(y, r->out);
		region_set(y, r->out);
		if (!y->rows)
			return;
	}
	y->cols = cols;
	buf_printf(&b, "[%zu/%zu]", y->done, y->total > y->done ? y->total : y->done);
	for (i = 0; i < y->running.n; i++)
		buf_printf(&b, "%s%s", i ? ", " : " ", ((struct task *)y->running.v[i])->name);
	if (b.len > (size_t)y->cols - 1)
		b.len = (size_t)y->cols - 1;
	fprintf(r->out, "\0337\033[%d;1H\033[2K\033[7m%.*s\033[0m\0338", y->rows, (int)b.len,
	        buf_str(&b));
	fflush(r->out);
	buf_free(&b);
}

static void plan_task(struct tty *y, struct graph *g, const char *name);

static void plan_names(struct tty *y, struct graph *g, const struct vec *names)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		plan_task(y, g, names->v[i]);
}

/* Count a task and what it depends on, once each. */
static void plan_task(struct tty *y, struct graph *g, const char *name)
{
	struct task *t = graph_find(g, name);

	if (!t || strmap_get(&y->planned, t->name, strlen(t->name)))
		return;
	strmap_put(&y->planned, t->name, strlen(t->name), t);
	y->total++;
	plan_names(y, g, &t->task_dep);
	plan_names(y, g, &t->setup);
	plan_names(y, g, &t->calc_dep);
}

static void initialize(struct reporter *r, const struct vec *selected)
{
	struct tty *y = r->ctx;

	if (selected && r->g)
		plan_names(y, r->g, selected);
	reporter_initialize(y->inner, selected);
	draw(r);
}

static void stop_running(struct tty *y, struct task *t)
{
	size_t i;

	for (i = 0; i < y->running.n; i++)
		if (y->running.v[i] == t) {
			memmove(y->running.v + i, y->running.v + i + 1,
			        (y->running.n - i - 1) * sizeof(*y->running.v));
			y->running.n--;
			break;
		}
	if (!strmap_get(&y->finished, t->name, strlen(t->name))) {
		strmap_put(&y->finished, t->name, strlen(t->name), t);
		y->done++;
	}
}

static void get_status(struct reporter *r, struct task *t)
{
	struct tty *y = r->ctx;

	if (!strmap_get(&y->planned, t->name, strlen(t->name))) {
		strmap_put(&y->planned, t->name, strlen(t->name), t);
		y->total++;     /* created late (create_after), or no selection given */
	}
	y->inner->ops->get_status(y->inner, t);
}

static void execute_task(struct reporter *r, struct task *t)
{
	struct tty *y = r->ctx;

	y->inner->ops->execute_task(y->inner, t);
	vec_push(&y->running, t);
	draw(r);
}

static void add_failure(struct reporter *r, struct task *t, const struct outcome *o)
{
	struct tty *y = r->ctx;

	stop_running(y, t);
	y->inner->ops->add_failure(y->inner, t, o);
	draw(r);
}

static void done_with(struct reporter *r, struct task *t,
                      void (*op)(struct reporter *, struct task *))
{
	struct tty *y = r->ctx;

	stop_running(y, t);
	op(y->inner, t);
	draw(r);
}

static void add_success(struct reporter *r, struct task *t)
{
	done_with(r, t, ((struct tty *)r->ctx)->inner->ops->add_success);
}

static void skip_uptodate(struct reporter *r, struct task *t)
{
	done_with(r, t, ((struct tty *)r->ctx)->inner->ops->skip_uptodate);
}

static void skip_ignore(struct reporter *r, struct task *t)
{
	done_with(r, t, ((struct tty *)r->ctx)->inner->ops->skip_ignore);
}

static void teardown_task(struct reporter *r, struct task *t)
{
	struct tty *y = r->ctx;

	y->inner->ops->teardown_task(y->inner, t);
}

static void cleanup_error(struct reporter *r, const char *msg)
{
	struct tty *y = r->ctx;

	y->inner->ops->cleanup_error(y->inner, msg);
}

static void runtime_error(struct reporter *r, const char *msg)
{
	struct tty *y = r->ctx;

	y->inner->ops->runtime_error(y->inner, msg);
}

static void complete_run(struct reporter *r)
{
	struct tty *y = r->ctx;

	y->stopped = true;
	region_reset(y, r->out);
	y->inner->ops->complete_run(y->inner);
}

static void free_tty(struct reporter *r)
{
	struct tty *y = r->ctx;

	if (!y)
		return;
	region_reset(y, r->out);
	reporter_free(y->inner);
	strmap_free(&y->planned);
	strmap_free(&y->finished);
	vec_free(&y->running);
	free(y);
	r->ctx = NULL;
}

static const struct reporter_ops tty_ops = {
	get_status, execute_task, add_failure, add_success, skip_uptodate, skip_ignore,
	teardown_task, cleanup_error, runtime_error, complete_run, free_tty, initialize,
};

struct reporter *reporter_tty(struct reporter *inner)
{
	struct reporter *r;
	struct tty *y;

	if (!wanted(inner->out))
		return inner;
	inner->colour = true;
	r = xcalloc(1, sizeof(*r));
	y = xcalloc(1, sizeof(*y));
	y->inner = inner;
	r->ops = &tty_ops;
	r->g = inner->g;
	r->out = inner->out;
	r->failure_verbosity = inner->failure_verbosity;
	r->colour = true;
	r->ctx = y;
	return r;
}
