/* A minimal unit-test harness: include once per test program.
 * TEST(name) { CHECK(cond); CHECK_STR(a, b); }  main: RUN(name); ... return unit_done(); */
#ifndef DODO_UNIT_H
#define DODO_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed_checks, unit_passed, unit_failed;
static const char *unit_current;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, \
		        unit_current, #cond); \
		unit_failed_checks++; \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *unit_a = (a), *unit_b = (b); \
	if (!unit_a || !unit_b || strcmp(unit_a, unit_b) != 0) { \
		fprintf(stderr, "%s:%d: %s: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
		        unit_current, unit_a ? unit_a : "(null)", unit_b ? unit_b : "(null)"); \
		unit_failed_checks++; \
	} \
} while (0)

#define CHECK_INT(a, b) do { \
	long long unit_a = (long long)(a), unit_b = (long long)(b); \
	if (unit_a != unit_b) { \
		fprintf(stderr, "%s:%d: %s: %s == %lld, expected %lld\n", __FILE__, \
		        __LINE__, unit_current, #a, unit_a, unit_b); \
		unit_failed_checks++; \
	} \
} while (0)

#define TEST(name) static void test_##name(void)

#define RUN(name) do { \
	int unit_before = unit_failed_checks; \
	unit_current = #name; \
	test_##name(); \
	if (unit_failed_checks == unit_before) \
		unit_passed++; \
	else \
		unit_failed++; \
} while (0)

static inline int unit_done(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
