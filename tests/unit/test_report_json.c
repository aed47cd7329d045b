/* Unit tests of the json reporter: doit's JSON document (key order, separators, Python's
 * json.dumps escapes), results by task, output caught on stdout/stderr meanwhile. */
#include "report.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"
#include "graph.h"
#include "unit.h"
#include "util.h"

static char *slurp(FILE *f)
{
	struct buf b = {0};
	char chunk[4096];
	size_t n;

	fflush(f);
	rewind(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	return buf_take(&b);
}

static struct task *task(struct graph *g, const char *name, const char *out,
                         const char *err)
{
	struct task *t = graph_add_task(g, name, NULL);
	struct action *a = task_add_action(t, ACTION_CMD, false);
	struct action *b = task_add_action(t, ACTION_CMD, false);

	buf_puts(&a->out, out);
	buf_puts(&b->out, out);
	buf_puts(&a->err, err);
	return t;
}

/* A copy of s with each "started" time string made "S" and each elapsed number T. */
static char *mask_times(const char *s)
{
	struct buf b = {0};
	const char *p = s;

	while (*p) {
		if (strncmp(p, "\"started\": \"", 12) == 0) {
			buf_puts(&b, "\"started\": \"S");
			p = strchr(p + 12, '"');
		} else if (strncmp(p, "\"elapsed\": ", 11) == 0 && p[11] != 'n') {
			buf_puts(&b, "\"elapsed\": T");
			for (p += 11; *p && *p != '}'; p++)
				;
		} else {
			buf_putc(&b, *p++);
		}
	}
	return buf_take(&b);
}

TEST(document)
{
	struct graph *g = graph_new();
	FILE *out = tmpfile();
	struct reporter *r = reporter_new("json", g, out, 0);
	struct task *ok = task(g, "ok", "o\n", "e\n");
	struct task *bad = task(g, "bad", "caf\xc3\xa9 \xf0\x9f\x98\x80\t\"q\"\\\x01", "");
	struct task *old = task(g, "old", "", "");
	struct task *ign = task(g, "ign", "", "");
	struct task *never = task(g, "never", "", "");
	struct outcome o = {0};
	char *s, *raw;

	r->ops->get_status(r, ok);
	r->ops->execute_task(r, ok);
	r->ops->add_success(r, ok);
	r->ops->get_status(r, bad);
	r->ops->execute_task(r, bad);
	outcome_set(&o, OUT_FAILED, "TaskFailed", "Command failed\n");
	r->ops->add_failure(r, bad, &o);
	r->ops->get_status(r, old);
	r->ops->skip_uptodate(r, old);
	r->ops->get_status(r, ign);
	r->ops->skip_ignore(r, ign);
	r->ops->get_status(r, never);
	printf("printed\n");
	fflush(stdout);
	if (write(2, "warned\n", 7) != 7)
		fatal("write:");
	r->ops->runtime_error(r, "aborted");
	r->ops->complete_run(r);
	raw = slurp(out);
	s = mask_times(raw);
	free(raw);
	CHECK_STR(s, "{\"tasks\": ["
	          "{\"name\": \"ok\", \"result\": \"success\", \"out\": \"o\\n\\n"
	          "<------------------------------------------------>\\no\\n\", \"err\": "
	          "\"e\\n\", \"error\": null, \"started\": \"S\", \"elapsed\": T}, "
	          "{\"name\": \"bad\", \"result\": \"fail\", \"out\": \"caf\\u00e9 \\ud83d\\ude00"
	          "\\t\\\"q\\\"\\\\\\u0001\\n<------------------------------------------------>\\n"
	          "caf\\u00e9 \\ud83d\\ude00\\t\\\"q\\\"\\\\\\u0001\", \"err\": \"\", \"error\": "
	          "\"Command failed\\n\", \"started\": \"S\", \"elapsed\": T}, "
	          "{\"name\": \"old\", \"result\": \"up-to-date\", \"out\": \"\", \"err\": \"\", "
	          "\"error\": null, \"started\": null, \"elapsed\": null}, "
	          "{\"name\": \"ign\", \"result\": \"ignore\", \"out\": \"\", \"err\": \"\", "
	          "\"error\": null, \"started\": null, \"elapsed\": null}, "
	          "{\"name\": \"never\", \"result\": null, \"out\": null, \"err\": null, "
	          "\"error\": null, \"started\": null, \"elapsed\": null}], "
	          "\"out\": \"printed\\n\", \"err\": \"warned\\naborted\"}");
	free(s);
	outcome_clear(&o);
	reporter_free(r);
	fclose(out);
	graph_free(g);
}

/* doit keeps results in a dict: a task seen again starts its entry afresh, in place. */
TEST(status_twice)
{
	struct graph *g = graph_new();
	FILE *out = tmpfile();
	struct reporter *r = reporter_new("json", g, out, 0);
	struct task *a = task(g, "a", "", ""), *b = task(g, "b", "", "");
	char *s;

	r->ops->get_status(r, a);
	r->ops->skip_uptodate(r, a);
	r->ops->get_status(r, b);
	r->ops->get_status(r, a);
	r->ops->complete_run(r);
	s = slurp(out);
	CHECK_STR(s, "{\"tasks\": [{\"name\": \"a\", \"result\": null, \"out\": null, \"err\": "
	          "null, \"error\": null, \"started\": null, \"elapsed\": null}, {\"name\": "
	          "\"b\", \"result\": null, \"out\": null, \"err\": null, \"error\": null, "
	          "\"started\": null, \"elapsed\": null}], \"out\": \"\", \"err\": \"\"}");
	free(s);
	reporter_free(r);
	fclose(out);
	graph_free(g);
}

/* Freed without complete_run (an aborted command): the descriptors come back. */
TEST(free_restores_output)
{
	struct graph *g = graph_new();
	FILE *out = tmpfile(), *probe = tmpfile();
	int saved = dup(1);
	struct reporter *r = reporter_new("json", g, out, 0);
	char *s;

	reporter_free(r);
	fflush(stdout);
	if (dup2(fileno(probe), 1) < 0)
		fatal("dup2:");
	printf("visible\n");
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	s = slurp(probe);
	CHECK_STR(s, "visible\n");
	free(s);
	fclose(out);
	fclose(probe);
	graph_free(g);
}

int main(void)
{
	RUN(document);
	RUN(status_twice);
	RUN(free_restores_output);
	return unit_done("report_json");
}
