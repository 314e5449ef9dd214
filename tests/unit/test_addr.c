/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of sspr-helperd/addr.c: validation and masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"

static void
test_valid(void **state)
{
	static const char *good[] = { "alice@example.test", "a.b+c@d-e.f",
	    "x@localhost", "o'brien@example.org", "u@xn--bcher-kva.example" };
	static const char *bad[] = { "", "alice", "@example.org", "a@",
	    "a@@b.c", "a@b@c.d", "a b@c.d", "a@b c.d", "a\r\n@b.c",
	    "a@b.c\r\nRCPT TO:<x@evil>", "a@b.c>", "<a@b.c", ".a@b.c",
	    "a.@b.c", "a..b@c.d", "a@-b.c", "a@b-.c", "a@b..c",
	    "j\xc3\xbcrgen@example.org", "a@\xc3\xbc.example", "a\"b@c.d" };
	char longlocal[80], longaddr[400];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!addr_valid(good[i]))
			fail_msg("refused: %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (addr_valid(bad[i]))
			fail_msg("accepted: %s", bad[i]);
	memset(longlocal, 'a', 65);
	strcpy(longlocal + 65, "@b.c");
	assert_false(addr_valid(longlocal));
	/* a@ + four 60-letter labels + "cc": 248 bytes, fine; five: too long */
	strcpy(longaddr, "a@");
	for (i = 0; i < 4; i++) {
		memset(longaddr + strlen(longaddr), 'b', 60);
		longaddr[2 + 61 * i + 60] = '.';
		longaddr[2 + 61 * i + 61] = '\0';
	}
	strcat(longaddr, "cc");
	assert_int_equal(strlen(longaddr), 248);
	assert_true(addr_valid(longaddr));
	longaddr[246] = '\0';
	memset(longaddr + 246, 'b', 60);
	strcpy(longaddr + 306, ".cc");
	assert_false(addr_valid(longaddr));
}

static void
test_mask(void **state)
{
	char out[128];

	(void)state;
	assert_int_equal(addr_mask("john.doe@mail.example.org", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "j***@m***.org");
	assert_int_equal(addr_mask("Alice@Example.TEST", out, sizeof(out)), 0);
	assert_string_equal(out, "a***@e***.TEST");
	assert_int_equal(addr_mask("x@localhost", out, sizeof(out)), 0);
	assert_string_equal(out, "x***@l***");
	assert_int_equal(addr_mask("nobody", out, sizeof(out)), -1);
	assert_int_equal(addr_mask("a@b.c", out, 5), -1);
}

static void
test_fake_mask(void **state)
{
	char a[128], b[128];

	(void)state;
	assert_int_equal(addr_mask_fake("albert", "sspr@example.test", 3, a,
	    sizeof(a)), 0);
	assert_int_equal(addr_mask("alice@example.test", b, sizeof(b)), 0);
	assert_string_equal(a, b);
	assert_int_equal(addr_mask_fake("Zed", "sspr@corp.example.org", 0, a,
	    sizeof(a)), 0);
	assert_string_equal(a, "z***@c***.org");
	assert_int_equal(addr_mask_fake("9lives", "s@x.org", 2, a, sizeof(a)),
	    0);
	assert_string_equal(a, "c***@x***.org");
}

static void
test_from_split(void **state)
{
	char name[ADDR_NAME_MAX + 1], addr[ADDR_MAX + 1];

	(void)state;
	assert_int_equal(addr_from_split("a@example.org", name, sizeof(name),
	    addr, sizeof(addr)), 0);
	assert_string_equal(name, "");
	assert_string_equal(addr, "a@example.org");
	assert_int_equal(addr_from_split(" \"Reset, IT\" <b@example.org>", name,
	    sizeof(name), addr, sizeof(addr)), 0);
	assert_string_equal(name, "Reset, IT");
	assert_string_equal(addr, "b@example.org");
	assert_int_equal(addr_from_split("R\xc3\xa9set<c@example.org>", name,
	    sizeof(name), addr, sizeof(addr)), 0);
	assert_string_equal(name, "R\xc3\xa9set");
	/* refused: nothing is left in either */
	assert_int_equal(addr_from_split("Reset <d@example.org> x", name,
	    sizeof(name), addr, sizeof(addr)), -1);
	assert_string_equal(name, "");
	assert_string_equal(addr, "");
	assert_int_equal(addr_from_split("Re\nset <d@example.org>", name,
	    sizeof(name), addr, sizeof(addr)), -1);
	assert_string_equal(addr, "");
	/* too small a buffer is a refusal, not a cut */
	assert_int_equal(addr_from_split("Reset <d@example.org>", name, 3,
	    addr, sizeof(addr)), -1);
	assert_int_equal(addr_from_split("Reset <d@example.org>", name,
	    sizeof(name), addr, 5), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_fake_mask),
		cmocka_unit_test(test_from_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
