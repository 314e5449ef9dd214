/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sspr-helperd/audit.c: the journal's fields, the fleet's
 * among them; a file that cannot be written is said in the log, with its
 * own errno, after the audit lock is let go.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit.h"
#include "cfg.h"
#include "log.h"

static void
test_journal_fields(void **state)
{
	struct audit_rec r = { .event = "reset", .result = "ok",
	    .user = "alice", .source = "relay-a.test/pts/1", .service = "sshd",
	    .host = "relay-a.test", .flow = 42, .caller = 1000 };
	struct audit_rec rel = { .event = "relay", .result = "done",
	    .server = "sspr1.example.org:7477" };
	char buf[2048];

	(void)state;
	assert_true(audit_format_journal(&r, "audit: x", buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "MESSAGE=audit: x\n"));
	assert_non_null(strstr(buf, "\nSSPR_USER=alice\n"));
	assert_non_null(strstr(buf, "\nSSPR_HOST=relay-a.test\n"));
	assert_null(strstr(buf, "SSPR_SERVER="));
	assert_int_equal(buf[strlen(buf) - 1], '\n');
	assert_true(audit_format_journal(&rel, "audit: y", buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "\nSSPR_SERVER=sspr1.example.org:7477\n"));
	assert_null(strstr(buf, "SSPR_HOST="));
	assert_non_null(strstr(buf, "\nSSPR_USER=-\n"));
	/* what does not fit is not sent cut */
	assert_int_equal(audit_format_journal(&r, "audit: x", buf, 64), -1);
}

/* /dev/full takes the open and refuses every write (ENOSPC). */
static void
test_file_error(void **state)
{
	struct cfg c;
	struct audit_rec r = { .event = "reset", .result = "ok",
	    .user = "alice", .flow = 7 };
	char path[] = "/tmp/test_audit.XXXXXX", out[4096];
	int fd, saved;
	ssize_t n;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.audit_file = "/dev/full";
	assert_true((fd = mkstemp(path)) >= 0);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	log_init("sspr-helperd", 1, 0);
	audit_configure(&c);
	errno = 0;
	audit(&r);
	audit_close();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, out, sizeof(out) - 1, 0);
	assert_true(n > 0);
	out[n] = '\0';
	close(fd);
	unlink(path);
	assert_non_null(strstr(out, "audit: event=reset result=ok"));
	assert_non_null(strstr(out, "audit file /dev/full: No space left on "
	    "device"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_journal_fields),
		cmocka_unit_test(test_file_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
