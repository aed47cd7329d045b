/* Unit tests of util: reading command output as UTF-8 the way Python's
 * bytes.decode('utf-8', 'replace') does (one U+FFFD per maximal ill-formed subpart). */
#include "util.h"

#include "unit.h"

#define FFFD "\xef\xbf\xbd"

/* s (n bytes) as buf_add_utf8 appends it, compared with want (want_n bytes). */
static void check_utf8(const char *s, size_t n, const char *want, size_t want_n)
{
	struct buf b = {0};

	buf_add_utf8(&b, s, n);
	CHECK_INT(b.len, want_n);
	CHECK(b.len == want_n && memcmp(b.data ? b.data : "", want, want_n) == 0);
	buf_free(&b);
}

#define UTF8(in, out) check_utf8(in, sizeof(in) - 1, out, sizeof(out) - 1)

TEST(well_formed_text_is_unchanged)
{
	UTF8("plain ascii\n", "plain ascii\n");
	UTF8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	UTF8("a\0b", "a\0b");
	UTF8("", "");
}

TEST(a_bad_byte_reads_as_one_replacement_character)
{
	UTF8("caf\xe9\n", "caf" FFFD "\n");
	UTF8("\xff", FFFD);
	UTF8("a\0\xe9" "b", "a\0" FFFD "b");
}

TEST(a_truncated_sequence_is_one_replacement_character)
{
	UTF8("\xf0\x9f\x98", FFFD);
	UTF8("\xf0\x9f\x98" "a", FFFD "a");
	UTF8("\xe2\x82", FFFD);
}

TEST(overlongs_surrogates_and_beyond_u10ffff_read_byte_by_byte)
{
	UTF8("\xc0\xaf", FFFD FFFD);
	UTF8("\xe0\x80\x80", FFFD FFFD FFFD);
	UTF8("\xed\xa0\x80", FFFD FFFD FFFD);
	UTF8("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
}

int main(void)
{
	RUN(well_formed_text_is_unchanged);
	RUN(a_bad_byte_reads_as_one_replacement_character);
	RUN(a_truncated_sequence_is_one_replacement_character);
	RUN(overlongs_surrogates_and_beyond_u10ffff_read_byte_by_byte);
	return unit_done("util");
}
