/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sspr-helperd/sshkey.c: "TYPE BASE64" and authorized_keys
 * lines (options, comments, blanks) decoded to blobs; a type that is not
 * the blob's, bad base64 and certificates refused; the match of START's
 * keys against the directory's values compares blobs, not text, and
 * looks at a bounded number of keys.  And proto/peer.c: which program a
 * process runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "peer.h"
#include "sshkey.h"

/* ssh-keygen -t ed25519 (A, B), -t rsa -b 2048 (R); C: A signed by B */
#define A	"AAAAC3NzaC1lZDI1NTE5AAAAICzrAPDiWMd7DrR6ZjN2Do8li9Txnz5c13NVJCIzDOz8"
#define B	"AAAAC3NzaC1lZDI1NTE5AAAAIGKWGzsqSS25DZzjPOSD6IlJfLb1ZLqC0pOac8TlhEgJ"
#define R	"AAAAB3NzaC1yc2EAAAADAQABAAABAQDWzU8SPdGgcTw+Gb8OvDyA889PwSBRErfJ9LcSphkmZWUE6dyInqJGRPERnhkpm/sDdwQs7fLbacvTLwMV4pgxz2vxGLeWDTxDOHjLn8DErQ1n7Jm5GCeewC/79QyyVWn27KiymzPERqlTBx7Iabj/HjNeGsg4vlRb1G/G7GuOCn42xKLT+QMUSpit6RmnJ27x/tXpVF1RGpd5QAp3N1QAPKforzOuDkWMJlzJ3HA2x0FKyEgQfpHC5xNXra+vDI6iymaJVWSwO/SDk/KWRitYXSmKSTq67IupksYMmZ0Ba9F5bqhfZG/B0+9gPazDUf6XO0yOpLCrPfwez4nnk7vZ"
#define C	"AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIM71G8sDTXm+AoxEdy5NUmBzJzkBcPQKkSbgB57fDD61AAAAICzrAPDiWMd7DrR6ZjN2Do8li9Txnz5c13NVJCIzDOz8AAAAAAAAAAAAAAABAAAABGlkO3gAAAAJAAAABWFsaWNlAAAAAAAAAAD//////////wAAAAAAAACCAAAAFXBlcm1pdC1YMTEtZm9yd2FyZGluZwAAAAAAAAAXcGVybWl0LWFnZW50LWZvcndhcmRpbmcAAAAAAAAAFnBlcm1pdC1wb3J0LWZvcndhcmRpbmcAAAAAAAAACnBlcm1pdC1wdHkAAAAAAAAADnBlcm1pdC11c2VyLXJjAAAAAAAAAAAAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIGKWGzsqSS25DZzjPOSD6IlJfLb1ZLqC0pOac8TlhEgJAAAAUwAAAAtzc2gtZWQyNTUxOQAAAEBbAN7cq29rDWjtWh77aqnOWL1M4VKfSrlnMaRMLLF/PGoNUkgAOIhpyor18wRipNQ1/HNf+j6WPPgQvS2npAoC"

static void
test_parse(void **state)
{
	struct sshkey k;

	(void)state;
	assert_int_equal(sshkey_parse("ssh-ed25519 " A, &k), 0);
	assert_string_equal(k.type, "ssh-ed25519");
	assert_int_equal(k.len, 51);	/* 4 + 11 + 4 + 32 */
	assert_false(k.cert);
	assert_int_equal(sshkey_parse("ssh-rsa " R " c@h", &k), 0);
	assert_string_equal(k.type, "ssh-rsa");
	assert_int_equal(sshkey_parse("ssh-ed25519-cert-v01@openssh.com " C,
	    &k), 0);
	assert_true(k.cert);
	/* the text's type must be the blob's */
	assert_int_equal(sshkey_parse("ssh-rsa " A, &k), -1);
	/* base64: strict, whole, padded */
	assert_int_equal(sshkey_parse("ssh-ed25519 " A "x", &k), -1);
	assert_int_equal(sshkey_parse("ssh-ed25519 AAAA!AAA", &k), -1);
	assert_int_equal(sshkey_parse("ssh-ed25519 AA=A", &k), -1);
	assert_int_equal(sshkey_parse("ssh-ed25519", &k), -1);
	assert_int_equal(sshkey_parse("", &k), -1);
	/* a blob whose type length runs past its end */
	assert_int_equal(sshkey_parse("ssh-ed25519 AAAA/w==", &k), -1);
}

static void
test_authorized(void **state)
{
	struct sshkey k, want;

	(void)state;
	assert_int_equal(sshkey_parse("ssh-ed25519 " A, &want), 0);
	assert_int_equal(sshkey_parse_authorized("from=\"10.0.0.0/8\","
	    "command=\"echo a b\" ssh-ed25519 " A " alice@laptop", &k), 0);
	assert_int_equal(k.len, want.len);
	assert_memory_equal(k.blob, want.blob, want.len);
	assert_int_equal(sshkey_parse_authorized("  ssh-ed25519\t" A, &k), 0);
	assert_int_equal(sshkey_parse_authorized("# ssh-ed25519 " A, &k), -1);
	assert_int_equal(sshkey_parse_authorized("no-pty \"ssh-ed25519 " A,
	    &k), -1);
	assert_int_equal(sshkey_parse_authorized("garbage", &k), -1);
}

static void
test_match(void **state)
{
	char *dir[] = { "ssh-rsa " R " old", "restrict ssh-ed25519 " A " a@x",
	    NULL };
	char *dir_b[] = { "ssh-ed25519 " B, NULL };
	char *dir_cert[] = { "ssh-ed25519-cert-v01@openssh.com " C, NULL };
	char *none[] = { NULL };

	(void)state;
	assert_true(sshkey_match("ssh-ed25519 " A, dir));
	assert_true(sshkey_match("ssh-ed25519 " B ";ssh-ed25519 " A, dir));
	assert_true(sshkey_match("ssh-rsa " R, dir));
	/* another key, a key of another account, nothing */
	assert_false(sshkey_match("ssh-ed25519 " B, dir));
	assert_false(sshkey_match("ssh-ed25519 " A, dir_b));
	assert_false(sshkey_match("ssh-ed25519 " A, none));
	assert_false(sshkey_match("ssh-ed25519 " A, NULL));
	assert_false(sshkey_match("", dir));
	/* certificates never count, on either side */
	assert_false(sshkey_match("ssh-ed25519-cert-v01@openssh.com " C, dir));
	assert_false(sshkey_match("ssh-ed25519-cert-v01@openssh.com " C,
	    dir_cert));
	/* a type that lies about the blob is not the key */
	assert_false(sshkey_match("ssh-rsa " A, dir));
}

/* Only the first SSHKEY_ACCEPTED_MAX keys START brings are looked at. */
static void
test_match_bounded(void **state)
{
	char *dir[] = { "ssh-ed25519 " A, NULL };
	char keys[4096] = "";
	int i;

	(void)state;
	for (i = 0; i < SSHKEY_ACCEPTED_MAX - 1; i++)
		strcat(keys, "ssh-ed25519 " B ";");
	strcat(keys, "ssh-ed25519 " A);
	assert_true(sshkey_match(keys, dir));
	/* one more in front: A is the ninth */
	memmove(keys + strlen("ssh-ed25519 " B ";"), keys, strlen(keys) + 1);
	memcpy(keys, "ssh-ed25519 " B ";", strlen("ssh-ed25519 " B ";"));
	assert_false(sshkey_match(keys, dir));
}

static void
test_peer(void **state)
{
	char self[512];
	const char *paths[] = { "/nonexistent/sshd", self };
	const char *other[] = { "/bin/sh" };
	ssize_t n;

	(void)state;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	assert_int_equal(peer_program(getpid(), paths, 2), PEER_RUNS);
	assert_int_equal(self_program(paths, 2), PEER_RUNS);
	assert_int_equal(peer_program(getpid(), other, 1), PEER_OTHER);
	assert_int_equal(self_program(other, 1), PEER_OTHER);
	assert_int_equal(peer_program(getpid(), paths, 1), PEER_OTHER);
	/* no pid (another PID namespace): never the program */
	assert_int_equal(peer_program(0, paths, 2), PEER_OTHER);
	/* a pid that names no process: cannot tell */
	assert_int_equal(peer_program(0x3ffffffe, paths, 2), PEER_UNSEEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_authorized),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_match_bounded),
		cmocka_unit_test(test_peer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
