/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of sspr-helperd/dir_ad.c: the unicodePwd encoding and the
 * reading of AD's diagnostic messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dir_ldap.h"

static void
test_encode_ascii(void **state)
{
	static const unsigned char want[] = { '"', 0, 'a', 0, 'B', 0, '1', 0,
	    '"', 0 };
	unsigned char out[64];
	struct secret pw;

	(void)state;
	secret_set(&pw, "aB1", 3);
	assert_int_equal(ad_encode_password(&pw, out, sizeof(out)),
	    sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void
test_encode_outside_bmp(void **state)
{
	/* "é🔑": U+00E9, then U+1F511 as the surrogate pair D83D DD11 */
	static const unsigned char want[] = { '"', 0, 0xe9, 0x00, 0x3d, 0xd8,
	    0x11, 0xdd, '"', 0 };
	unsigned char out[64];
	struct secret pw;

	(void)state;
	secret_set(&pw, "\xc3\xa9\xf0\x9f\x94\x91", 6);
	assert_int_equal(ad_encode_password(&pw, out, sizeof(out)),
	    sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void
test_encode_refuses(void **state)
{
	unsigned char out[64];
	struct secret pw;

	(void)state;
	secret_set(&pw, "\xff\xfe", 2);	/* not UTF-8 */
	assert_int_equal(ad_encode_password(&pw, out, sizeof(out)), -1);
	secret_set(&pw, "abcdef", 6);	/* output buffer too small */
	assert_int_equal(ad_encode_password(&pw, out, 10), -1);
}

static void
test_classify(void **state)
{
	static const struct { const char *diag; int status, reason; } t[] = {
		{ "0000052D: Constraint violation - check_password_restrictions: "
		  "the password is too short. It should be equal or longer than "
		  "7 characters!", DIR_POLICY, SSPR_R_POLICY_TOO_SHORT },
		{ "0000052D: Constraint violation - check_password_restrictions: "
		  "the password does not meet the complexity criteria!",
		  DIR_POLICY, SSPR_R_POLICY_QUALITY },
		{ "0000052D: Constraint violation - check_password_restrictions: "
		  "the password was already used (in history)!", DIR_POLICY,
		  SSPR_R_POLICY_HISTORY },
		{ "0000052D: SvcErr: DSID-031A12D2, problem 5003 "
		  "(WILL_NOT_PERFORM), data 0", DIR_POLICY, SSPR_R_POLICY_DOMAIN },
		{ "00002098: SecErr: DSID-03150F93, problem 4003 "
		  "(INSUFF_ACCESS_RIGHTS), data 0", DIR_REFUSED, 0 },
		{ "0000001F: SvcErr: DSID-031A12D2, problem 5003", DIR_REFUSED, 0 },
		{ "52D: short", DIR_REFUSED, 0 },
		{ "garbage", DIR_REFUSED, 0 },
		{ "", DIR_REFUSED, 0 },
	};
	size_t i;
	int reason;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(ad_classify(t[i].diag, &reason), t[i].status);
		assert_int_equal(reason, t[i].reason);
	}
	assert_int_equal(ad_classify(NULL, &reason), DIR_REFUSED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_ascii),
		cmocka_unit_test(test_encode_outside_bmp),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_classify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
