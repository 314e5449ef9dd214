/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sspr-helperd/totp.c: RFC 6238 vectors, the window and
 * replay rules, base32 and the otpauth URI (checked against liboath),
 * and the sealing of secrets with key files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <liboath/oath.h>

#include "totp.h"

#define RFC_SECRET	"12345678901234567890"
#define DN		"uid=alice,ou=people,dc=example,dc=test"

static char dir[] = "/tmp/sspr-unit-totp.XXXXXX";
static char key1[256], key2[256], key3[256];

static void
write_key(const char *path, mode_t mode, size_t len)
{
	unsigned char k[64];
	FILE *fp;
	size_t i;

	for (i = 0; i < sizeof(k); i++)
		k[i] = (unsigned char)rand();
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(k, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL || oath_init() != OATH_OK)
		return -1;
	snprintf(key1, sizeof(key1), "%s/k1", dir);
	snprintf(key2, sizeof(key2), "%s/k2", dir);
	snprintf(key3, sizeof(key3), "%s/k3", dir);
	srand(7);
	write_key(key1, 0600, 32);
	write_key(key2, 0600, 32);
	write_key(key3, 0600, 32);
	return 0;
}

static int
teardown(void **state)
{
	char p[300];

	(void)state;
	unlink(key1);
	unlink(key2);
	unlink(key3);
	snprintf(p, sizeof(p), "%s/bad", dir);
	unlink(p);
	rmdir(dir);
	oath_done();
	return 0;
}

static void
rfc_secret(struct secret *s)
{
	secret_set(s, RFC_SECRET, strlen(RFC_SECRET));
}

/*
 * RFC 6238 Appendix B, SHA-1 rows: the 8-digit values there end in the
 * 6-digit codes (HOTP truncation mod 10^6 is the last six digits).
 */
static void
test_rfc6238_vectors(void **state)
{
	static const struct { time_t t; const char *code8; } v[] = {
		{ 59, "94287082" },
		{ 1111111109, "07081804" },
		{ 1111111111, "14050471" },
		{ 1234567890, "89005924" },
		{ 2000000000, "69279037" },
		{ (time_t)20000000000LL, "65353130" },
	};
	struct secret s;
	char code[TOTP_DIGITS + 1];
	size_t i;

	(void)state;
	rfc_secret(&s);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(totp_code(&s, totp_step(v[i].t), code,
		    sizeof(code)), 0);
		assert_string_equal(code, v[i].code8 + 2);
	}
	assert_int_equal(totp_step(59), 1);
	assert_int_equal(totp_code(&s, -1, code, sizeof(code)), -1);
	assert_int_equal(totp_code(&s, 1, code, 6), -1);
}

/* The same codes as liboath for random secrets and times. */
static void
test_matches_liboath(void **state)
{
	struct secret s;
	char mine[TOTP_DIGITS + 1], theirs[TOTP_DIGITS + 1];
	time_t t;
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		assert_int_equal(totp_secret_new(&s), 0);
		assert_int_equal(s.len, TOTP_SECRET_LEN);
		t = (time_t)rand() * 97;
		assert_int_equal(totp_code(&s, totp_step(t), mine,
		    sizeof(mine)), 0);
		assert_int_equal(oath_totp_generate((const char *)s.buf, s.len,
		    t, 30, 0, 6, theirs), OATH_OK);
		assert_string_equal(mine, theirs);
	}
}

static void
test_verify_window(void **state)
{
	struct secret s, typed;
	char code[TOTP_DIGITS + 1];
	time_t now = 1111111111;
	int64_t step = totp_step(now), m;
	int d;

	(void)state;
	rfc_secret(&s);
	for (d = -3; d <= 3; d++) {
		assert_int_equal(totp_code(&s, step + d, code, sizeof(code)), 0);
		secret_set(&typed, code, strlen(code));
		/* window 1: the step before, now, and the step after */
		assert_int_equal(totp_verify(&s, &typed, now, 1, -1, &m),
		    d >= -1 && d <= 1 ? TOTP_OK : TOTP_WRONG);
		if (d >= -1 && d <= 1)
			assert_int_equal(m, step + d);
		else
			assert_int_equal(m, -1);
		assert_int_equal(totp_verify(&s, &typed, now, 2, -1, &m),
		    d >= -2 && d <= 2 ? TOTP_OK : TOTP_WRONG);
		assert_int_equal(totp_verify(&s, &typed, now, 0, -1, &m),
		    d == 0 ? TOTP_OK : TOTP_WRONG);
	}
	assert_int_equal(totp_verify(&s, &typed, now, 3, -1, &m), TOTP_WRONG);
	assert_int_equal(totp_verify(&s, &typed, now, -1, -1, &m), TOTP_WRONG);
}

static void
test_verify_input(void **state)
{
	struct secret s, typed;
	int64_t m;

	(void)state;
	rfc_secret(&s);
	/* 14050471 at 1111111111 */
	secret_set(&typed, "050 471", 7);
	assert_int_equal(totp_verify(&s, &typed, 1111111111, 1, -1, &m), TOTP_OK);
	secret_set(&typed, "050-471", 7);
	assert_int_equal(totp_verify(&s, &typed, 1111111111, 1, -1, &m), TOTP_OK);
	secret_set(&typed, "14050471", 8);
	assert_int_equal(totp_verify(&s, &typed, 1111111111, 1, -1, &m),
	    TOTP_WRONG);
	secret_set(&typed, "05047", 5);
	assert_int_equal(totp_verify(&s, &typed, 1111111111, 1, -1, &m),
	    TOTP_WRONG);
	secret_set(&typed, "05047a", 6);
	assert_int_equal(totp_verify(&s, &typed, 1111111111, 1, -1, &m),
	    TOTP_WRONG);
	secret_set(&typed, "", 0);
	assert_int_equal(totp_verify(&s, &typed, 1111111111, 1, -1, &m),
	    TOTP_WRONG);
}

/* Each step is usable once: a code at or before the last used step is refused. */
static void
test_replay(void **state)
{
	struct secret s, typed;
	char code[TOTP_DIGITS + 1];
	time_t now = 1234567890;
	int64_t step = totp_step(now), m, last;

	(void)state;
	rfc_secret(&s);
	assert_int_equal(totp_code(&s, step, code, sizeof(code)), 0);
	secret_set(&typed, code, strlen(code));
	assert_int_equal(totp_verify(&s, &typed, now, 1, -1, &m), TOTP_OK);
	last = m;
	assert_int_equal(totp_verify(&s, &typed, now, 1, last, &m), TOTP_REPLAY);
	assert_int_equal(m, -1);
	/* nor 30 s later, while the step is still in the window */
	assert_int_equal(totp_verify(&s, &typed, now + 30, 1, last, &m),
	    TOTP_REPLAY);
	/* the previous step's code is older than the last used one */
	assert_int_equal(totp_code(&s, step - 1, code, sizeof(code)), 0);
	secret_set(&typed, code, strlen(code));
	assert_int_equal(totp_verify(&s, &typed, now, 1, last, &m), TOTP_REPLAY);
	/* the next step's code is fine, and moves last on */
	assert_int_equal(totp_code(&s, step + 1, code, sizeof(code)), 0);
	secret_set(&typed, code, strlen(code));
	assert_int_equal(totp_verify(&s, &typed, now, 1, last, &m), TOTP_OK);
	assert_int_equal(m, step + 1);
}

static void
test_base32_and_uri(void **state)
{
	struct secret s;
	char b32[TOTP_BASE32_MAX], uri[512], *dec = NULL;
	size_t declen = 0;
	int i;

	(void)state;
	/* RFC 4648 section 10 */
	secret_set(&s, "foobar", 6);
	assert_int_equal(totp_base32(&s, b32, sizeof(b32)), 0);
	assert_string_equal(b32, "MZXW6YTBOI");
	rfc_secret(&s);
	assert_int_equal(totp_base32(&s, b32, sizeof(b32)), 0);
	assert_string_equal(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	assert_int_equal(totp_base32(&s, b32, 32), -1);
	for (i = 0; i < 50; i++) {
		assert_int_equal(totp_secret_new(&s), 0);
		assert_int_equal(totp_base32(&s, b32, sizeof(b32)), 0);
		assert_int_equal(strlen(b32), 32);
		assert_int_equal(oath_base32_decode(b32, strlen(b32), &dec,
		    &declen), OATH_OK);
		assert_int_equal(declen, s.len);
		assert_memory_equal(dec, s.buf, s.len);
		free(dec);
	}

	rfc_secret(&s);
	assert_int_equal(totp_uri(&s, "Example Corp", "alice@example.org", uri,
	    sizeof(uri)), 0);
	assert_string_equal(uri, "otpauth://totp/Example%20Corp:alice%40example.org"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example%20Corp"
	    "&algorithm=SHA1&digits=6&period=30");
	assert_int_equal(totp_uri(&s, "A&B:C/D?", "j\xc3\xa9r\xc3\xb4me", uri,
	    sizeof(uri)), 0);
	assert_string_equal(uri, "otpauth://totp/A%26B%3AC%2FD%3F:j%C3%A9r%C3%B4me"
	    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=A%26B%3AC%2FD%3F"
	    "&algorithm=SHA1&digits=6&period=30");
	assert_int_equal(totp_uri(&s, "", "alice", uri, sizeof(uri)), -1);
	assert_int_equal(totp_uri(&s, "X", "alice", uri, 40), -1);
}

static void
load(struct totp_keyring *kr, const char *cur, const char *old1,
    const char *old2)
{
	const char *old[2] = { old1, old2 };
	char err[512];
	int n = old2 != NULL ? 2 : old1 != NULL ? 1 : 0;

	if (totp_keyring_load(kr, cur, old, n, err, sizeof(err)) != 0)
		fail_msg("keyring: %s", err);
}

static void
test_seal_open(void **state)
{
	struct totp_keyring kr;
	struct secret s, o;
	char sealed[TOTP_SEALED_MAX], again[TOTP_SEALED_MAX];
	int stale = 1;

	(void)state;
	load(&kr, key1, NULL, NULL);
	assert_int_equal(totp_secret_new(&s), 0);
	assert_int_equal(totp_seal(&kr, DN, &s, sealed, sizeof(sealed)), 0);
	assert_int_equal(strncmp(sealed, "v1:", 3), 0);
	assert_int_equal(strncmp(sealed + 3, kr.k[0].id, TOTP_KEYID_LEN), 0);
	assert_int_equal(sealed[3 + TOTP_KEYID_LEN], ':');
	assert_int_equal(strlen(sealed), 3 + TOTP_KEYID_LEN + 1 + 64);
	assert_int_equal(totp_open(&kr, DN, sealed, &o, &stale), 0);
	assert_int_equal(stale, 0);
	assert_int_equal(o.len, s.len);
	assert_memory_equal(o.buf, s.buf, s.len);
	/* a fresh nonce each time */
	assert_int_equal(totp_seal(&kr, DN, &s, again, sizeof(again)), 0);
	assert_string_not_equal(sealed, again);
	assert_int_equal(totp_seal(&kr, DN, &s, again, 40), -1);
	totp_keyring_wipe(&kr);
	assert_int_equal(kr.n, 0);
}

/* The DN is authenticated: a sealed secret copied to another entry fails. */
static void
test_aad_mismatch(void **state)
{
	struct totp_keyring kr;
	struct secret s, o;
	char sealed[TOTP_SEALED_MAX];
	int stale;

	(void)state;
	load(&kr, key1, NULL, NULL);
	assert_int_equal(totp_secret_new(&s), 0);
	assert_int_equal(totp_seal(&kr, DN, &s, sealed, sizeof(sealed)), 0);
	assert_int_equal(totp_open(&kr, "uid=mallory,ou=people,dc=example,dc=test",
	    sealed, &o, &stale), -1);
	assert_int_equal(o.len, 0);
	assert_int_equal(totp_open(&kr, "uid=alice,ou=people,dc=example,dc=tesT",
	    sealed, &o, &stale), -1);
	assert_int_equal(totp_open(&kr, "", sealed, &o, &stale), -1);
	totp_keyring_wipe(&kr);
}

static void
test_tampered(void **state)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct totp_keyring kr;
	struct secret s, o;
	char sealed[TOTP_SEALED_MAX], bad[TOTP_SEALED_MAX];
	size_t i, start;
	int stale;

	(void)state;
	load(&kr, key1, NULL, NULL);
	assert_int_equal(totp_secret_new(&s), 0);
	assert_int_equal(totp_seal(&kr, DN, &s, sealed, sizeof(sealed)), 0);
	start = 3 + TOTP_KEYID_LEN + 1;
	/* every base64 character changed in turn: nonce, ciphertext, tag */
	for (i = start; i < strlen(sealed); i++) {
		strcpy(bad, sealed);
		bad[i] = b64[(strchr(b64, bad[i]) - b64 + 1) % 64];
		assert_int_equal(totp_open(&kr, DN, bad, &o, &stale), -1);
		assert_int_equal(o.len, 0);
	}
	/* truncated, extended, other version, garbage */
	strcpy(bad, sealed);
	bad[strlen(bad) - 4] = '\0';
	assert_int_equal(totp_open(&kr, DN, bad, &o, &stale), -1);
	snprintf(bad, sizeof(bad), "%sAAAA", sealed);
	assert_int_equal(totp_open(&kr, DN, bad, &o, &stale), -1);
	strcpy(bad, sealed);
	bad[1] = '2';
	assert_int_equal(totp_open(&kr, DN, bad, &o, &stale), -1);
	assert_int_equal(totp_open(&kr, DN, "v1:", &o, &stale), -1);
	assert_int_equal(totp_open(&kr, DN, "", &o, &stale), -1);
	snprintf(bad, sizeof(bad), "v1:%s:!!!!", kr.k[0].id);
	assert_int_equal(totp_open(&kr, DN, bad, &o, &stale), -1);
	totp_keyring_wipe(&kr);
}

/* Rotation: an old key still opens (and says so); the current one seals. */
static void
test_rotation(void **state)
{
	struct totp_keyring a, b, c;
	struct secret s, o;
	char sealed[TOTP_SEALED_MAX], resealed[TOTP_SEALED_MAX];
	int stale = 0;

	(void)state;
	load(&a, key1, NULL, NULL);
	assert_int_equal(totp_secret_new(&s), 0);
	assert_int_equal(totp_seal(&a, DN, &s, sealed, sizeof(sealed)), 0);

	/* key2 is new, key1 moved to old_key_files */
	load(&b, key2, key1, NULL);
	assert_int_equal(b.n, 2);
	assert_int_equal(totp_open(&b, DN, sealed, &o, &stale), 0);
	assert_int_equal(stale, 1);
	assert_memory_equal(o.buf, s.buf, s.len);
	assert_int_equal(totp_seal(&b, DN, &o, resealed, sizeof(resealed)), 0);
	assert_int_equal(strncmp(resealed + 3, b.k[0].id, TOTP_KEYID_LEN), 0);
	assert_int_equal(totp_open(&b, DN, resealed, &o, &stale), 0);
	assert_int_equal(stale, 0);

	/* key1 removed: what it sealed no longer opens; a wrong key never does */
	load(&c, key2, NULL, NULL);
	assert_int_equal(totp_open(&c, DN, sealed, &o, &stale), -1);
	assert_int_equal(totp_open(&c, DN, resealed, &o, &stale), 0);
	totp_keyring_wipe(&c);
	load(&c, key3, NULL, NULL);
	assert_int_equal(totp_open(&c, DN, resealed, &o, &stale), -1);
	totp_keyring_wipe(&a);
	totp_keyring_wipe(&b);
	totp_keyring_wipe(&c);
}

/* A key under another key's id (a forged or colliding id) does not open. */
static void
test_wrong_key_same_id(void **state)
{
	struct totp_keyring a, b;
	struct secret s, o;
	char sealed[TOTP_SEALED_MAX];
	int stale;

	(void)state;
	load(&a, key1, NULL, NULL);
	load(&b, key2, NULL, NULL);
	assert_int_equal(totp_secret_new(&s), 0);
	assert_int_equal(totp_seal(&a, DN, &s, sealed, sizeof(sealed)), 0);
	memcpy(b.k[0].id, a.k[0].id, sizeof(b.k[0].id));
	assert_int_equal(totp_open(&b, DN, sealed, &o, &stale), -1);
	totp_keyring_wipe(&a);
	totp_keyring_wipe(&b);
}

static void
test_key_files(void **state)
{
	struct totp_keyring kr;
	struct totp_key k;
	const char *old[1] = { key1 };
	char bad[300], err[512];

	(void)state;
	snprintf(bad, sizeof(bad), "%s/bad", dir);
	write_key(bad, 0640, 32);
	assert_int_equal(totp_key_load(bad, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "readable or writable by group or others"));
	chmod(bad, 0604);
	assert_int_equal(totp_key_load(bad, &k, err, sizeof(err)), -1);
	chmod(bad, 0620);
	assert_int_equal(totp_key_load(bad, &k, err, sizeof(err)), -1);
	chmod(bad, 0400);
	assert_int_equal(totp_key_load(bad, &k, err, sizeof(err)), 0);
	assert_int_equal(strlen(k.id), TOTP_KEYID_LEN);
	unlink(bad);
	write_key(bad, 0600, 31);
	assert_int_equal(totp_key_load(bad, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exactly 32"));
	unlink(bad);
	write_key(bad, 0600, 33);
	assert_int_equal(totp_key_load(bad, &k, err, sizeof(err)), -1);
	unlink(bad);
	assert_int_equal(totp_key_load(bad, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	/* the same key as current and old */
	assert_int_equal(totp_keyring_load(&kr, key1, old, 1, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "listed twice"));
	assert_int_equal(kr.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6238_vectors),
		cmocka_unit_test(test_matches_liboath),
		cmocka_unit_test(test_verify_window),
		cmocka_unit_test(test_verify_input),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_base32_and_uri),
		cmocka_unit_test(test_seal_open),
		cmocka_unit_test(test_aad_mismatch),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_wrong_key_same_id),
		cmocka_unit_test(test_key_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
