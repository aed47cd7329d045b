#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *argv0 = "dodo";

static void vwarn(const char *fmt, va_list ap)
{
	size_t n = strlen(fmt);
	int saved = errno;

	fprintf(stderr, "%s: ", argv0);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

_Noreturn void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(3);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		fatal("out of memory");
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		fatal("out of memory");
	return p;
}

void *xreallocarray(void *p, size_t n, size_t sz)
{
	if (sz && n > SIZE_MAX / sz)
		fatal("allocation overflow");
	p = realloc(p, n * sz > 0 ? n * sz : 1);
	if (!p)
		fatal("out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("bad format");
	buf_grow(&b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b.data, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return b.data;
}

int seterr(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	e->code = code;
	e->printed = e->raw = false;
	e->raised = RAISE_NONE;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void buf_grow(struct buf *b, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - b->len - 1)
		fatal("buffer overflow");
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	if (b->cap < 64)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
	b->data = xreallocarray(b->data, b->cap, 1);
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* The length of the well-formed UTF-8 character at s (n > 0 bytes left), or minus the
 * length of the ill-formed subsequence there that reads as one U+FFFD (its maximal
 * subpart, as Unicode recommends and Python's decoder does). */
static int utf8_char(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return -1;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (s[0] == 0xe0)
		lo = 0xa0;          /* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f;          /* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;          /* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f;          /* above U+10FFFF */
	for (i = 1; i < len; i++, lo = 0x80, hi = 0xbf)
		if ((size_t)i >= n || s[i] < lo || s[i] > hi)
			return -i;
	return len;
}

void buf_add_utf8(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;

	while (p < end) {
		int k = utf8_char(p, (size_t)(end - p));

		if (k > 0) {
			p += k;
			continue;
		}
		buf_add(b, run, (size_t)(p - run));
		buf_add(b, "\xef\xbf\xbd", 3);
		p += -k;
		run = p;
	}
	buf_add(b, run, (size_t)(p - run));
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_putc(struct buf *b, int c)
{
	char ch = (char)c;

	buf_add(b, &ch, 1);
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("bad format");
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *buf_str(struct buf *b)
{
	if (!b->data)
		buf_grow(b, 0), b->data[0] = '\0';
	return b->data;
}

char *buf_take(struct buf *b)
{
	char *p;

	buf_str(b);
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void vec_push(struct vec *v, void *p)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->v = xreallocarray(v->v, v->cap, sizeof(*v->v));
	}
	v->v[v->n++] = p;
}

void vec_free(struct vec *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

uint64_t strhash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	while (n--) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	/* FNV's low bits are poor for keys that differ only at the end
	   ("t:1", "t:2"): mix them before a table masks them */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static struct strmap_ent *strmap_find(const struct strmap *m, const char *key,
                                      size_t len, uint64_t h)
{
	size_t i, mask = m->cap - 1;

	for (i = h & mask;; i = (i + 1) & mask) {
		struct strmap_ent *e = &m->ent[i];
		if (!e->key)
			return e;
		if (e->h == h && e->len == len && memcmp(e->key, key, len) == 0)
			return e;
	}
}

void *strmap_get(const struct strmap *m, const char *key, size_t len)
{
	struct strmap_ent *e;

	if (!m->cap)
		return NULL;
	e = strmap_find(m, key, len, strhash(key, len));
	return e->key ? e->val : NULL;
}

static void strmap_rehash(struct strmap *m)
{
	struct strmap old = *m;
	size_t i;

	m->cap = old.cap ? old.cap * 2 : 16;
	m->ent = xcalloc(m->cap, sizeof(*m->ent));
	m->n = 0;
	for (i = 0; i < old.cap; i++) {
		struct strmap_ent *e = &old.ent[i];
		if (e->key) {
			*strmap_find(m, e->key, e->len, e->h) = *e;
			m->n++;
		}
	}
	free(old.ent);
}

void strmap_reserve(struct strmap *m, size_t n)
{
	while ((n + 1) * 4 > m->cap * 3)
		strmap_rehash(m);
}

void strmap_put(struct strmap *m, const char *key, size_t len, void *val)
{
	uint64_t h = strhash(key, len);
	struct strmap_ent *e;

	if ((m->n + 1) * 4 > m->cap * 3)
		strmap_rehash(m);
	e = strmap_find(m, key, len, h);
	if (!e->key) {
		e->key = key;
		e->len = len;
		e->h = h;
		m->n++;
	}
	e->val = val;
}

void strmap_free(struct strmap *m)
{
	free(m->ent);
	m->ent = NULL;
	m->n = m->cap = 0;
}

static char ptrset_tomb;

static size_t ptr_hash(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (size_t)h;
}

/* The slot of p, or of the empty slot where it would go. */
static void **ptrset_find(const struct ptrset *s, const void *p)
{
	size_t i, mask = s->cap - 1;
	void **tomb = NULL;

	for (i = ptr_hash(p) & mask;; i = (i + 1) & mask) {
		void **e = &s->slot[i];
		if (*e == p)
			return e;
		if (!*e)
			return tomb ? tomb : e;
		if (*e == &ptrset_tomb && !tomb)
			tomb = e;
	}
}

bool ptrset_has(const struct ptrset *s, const void *p)
{
	return s->cap && *ptrset_find(s, p) == p;
}

static void ptrset_grow(struct ptrset *s)
{
	struct ptrset old = *s;
	size_t i;

	s->cap = old.cap ? (old.n * 4 >= old.cap ? old.cap * 2 : old.cap) : 8;
	s->slot = xcalloc(s->cap, sizeof(*s->slot));
	s->n = s->used = 0;
	for (i = 0; i < old.cap; i++)
		if (old.slot[i] && old.slot[i] != &ptrset_tomb) {
			*ptrset_find(s, old.slot[i]) = old.slot[i];
			s->n++;
			s->used++;
		}
	free(old.slot);
}

bool ptrset_add(struct ptrset *s, void *p)
{
	void **e;

	if ((s->used + 1) * 4 > s->cap * 3)
		ptrset_grow(s);
	e = ptrset_find(s, p);
	if (*e == p)
		return false;
	if (!*e)
		s->used++;
	*e = p;
	s->n++;
	return true;
}

bool ptrset_del(struct ptrset *s, const void *p)
{
	void **e;

	if (!s->cap)
		return false;
	e = ptrset_find(s, p);
	if (*e != p)
		return false;
	*e = &ptrset_tomb;
	s->n--;
	return true;
}

void ptrset_free(struct ptrset *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool free_before_exit(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return true;
#else
	const char *v = getenv("DODO_FREE_AT_EXIT");

	return v && *v && strcmp(v, "0") != 0;
#endif
}

void path_normalize(struct buf *b, const char *p)
{
	buf_reset(b);
	if (*p == '/')
		buf_putc(b, '/');
	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n && !(n == 1 && *p == '.')) {
			if (b->len && b->data[b->len - 1] != '/')
				buf_putc(b, '/');
			buf_add(b, p, n);
		}
		p += n;
	}
	if (!b->len)
		buf_puts(b, ".");
}
