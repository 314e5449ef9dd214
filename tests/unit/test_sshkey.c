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

/*
 * Certificates of A signed by B (ssh-keygen -s): for alice and alice2,
 * valid always, key ID "id;publickey ssh-ed25519 x" (sshd appends the ID
 * to its SSH_AUTH_INFO_0 line); expired (2020 to 2021); for bob; signed
 * by another ed25519 CA; a host certificate; without principals; of the
 * RSA key R; signed by R (an RSA CA).
 */
#define CERT_OK	"ssh-ed25519-cert-v01@openssh.com " \
	"AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIK7iSJXU" \
	"NbXNp7AWr+nluTFsDh+qcYLEunLpbPyROwv9AAAAICzrAPDiWMd7DrR6ZjN2" \
	"Do8li9Txnz5c13NVJCIzDOz8AAAAAAAAAAAAAAABAAAAGmlkO3B1YmxpY2tl" \
	"eSBzc2gtZWQyNTUxOSB4AAAAEwAAAAVhbGljZQAAAAZhbGljZTIAAAAAAAAA" \
	"AP//////////AAAAAAAAAIIAAAAVcGVybWl0LVgxMS1mb3J3YXJkaW5nAAAA" \
	"AAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAAAAAWcGVybWl0LXBv" \
	"cnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0eQAAAAAAAAAOcGVybWl0" \
	"LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTkAAAAgYpYbOypJ" \
	"LbkNnOM85IPoiUl8tvVkuoLSk5pzxOWESAkAAABTAAAAC3NzaC1lZDI1NTE5" \
	"AAAAQPjnUAysmZH3FbrAw2EBAmqyYguwgeSoaF/wrr3W1OtfHtCwEEVkC8uE" \
	"RPL4qz1UyXjIYegMXuqO19rxYPz27Qo="
#define CERT_EXPIRED	"ssh-ed25519-cert-v01@openssh.com " \
	"AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIPZ0S4wH" \
	"w2q16F1ecwBK+9Q0orBKQ1c9Twsq1ux0AMJ7AAAAICzrAPDiWMd7DrR6ZjN2" \
	"Do8li9Txnz5c13NVJCIzDOz8AAAAAAAAAAAAAAABAAAAA2V4cAAAAAkAAAAF" \
	"YWxpY2UAAAAAXgvhAAAAAABf7mYAAAAAAAAAAIIAAAAVcGVybWl0LVgxMS1m" \
	"b3J3YXJkaW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAA" \
	"AAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0eQAA" \
	"AAAAAAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1" \
	"MTkAAAAgYpYbOypJLbkNnOM85IPoiUl8tvVkuoLSk5pzxOWESAkAAABTAAAA" \
	"C3NzaC1lZDI1NTE5AAAAQPSCcNFgzYtD22RoWx5A5PPer/GtpZ+jV11f1VeI" \
	"XsBvTYnOSfWY+q7N7lPcMLHsJR5alaOAhmMAw6hHWfEDvww="
#define CERT_BOB	"ssh-ed25519-cert-v01@openssh.com " \
	"AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIDxIY7h2" \
	"KuTddK4eZpM8FvDXdnCyNKw0NPUBTvS5YiutAAAAICzrAPDiWMd7DrR6ZjN2" \
	"Do8li9Txnz5c13NVJCIzDOz8AAAAAAAAAAAAAAABAAAAA2JvYgAAAAcAAAAD" \
	"Ym9iAAAAAAAAAAD//////////wAAAAAAAACCAAAAFXBlcm1pdC1YMTEtZm9y" \
	"d2FyZGluZwAAAAAAAAAXcGVybWl0LWFnZW50LWZvcndhcmRpbmcAAAAAAAAA" \
	"FnBlcm1pdC1wb3J0LWZvcndhcmRpbmcAAAAAAAAACnBlcm1pdC1wdHkAAAAA" \
	"AAAADnBlcm1pdC11c2VyLXJjAAAAAAAAAAAAAAAzAAAAC3NzaC1lZDI1NTE5" \
	"AAAAIGKWGzsqSS25DZzjPOSD6IlJfLb1ZLqC0pOac8TlhEgJAAAAUwAAAAtz" \
	"c2gtZWQyNTUxOQAAAEDIEqbQbHG9NbpBPgJ2c3xzsjTgY5RUiMnzCEeqWTdz" \
	"exQri9Y+OY/JIsVxcJanZpoRqrz43BeLlq7LZbD53FwE"
#define CERT_OTHER_CA	"ssh-ed25519-cert-v01@openssh.com " \
	"AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIJIJYw3c" \
	"0Cmgp1tIkkGvGcC1Dy2lG9f+A8C8GGx6TEh6AAAAICzrAPDiWMd7DrR6ZjN2" \
	"Do8li9Txnz5c13NVJCIzDOz8AAAAAAAAAAAAAAABAAAABW90aGVyAAAACQAA" \
	"AAVhbGljZQAAAAAAAAAA//////////8AAAAAAAAAggAAABVwZXJtaXQtWDEx" \
	"LWZvcndhcmRpbmcAAAAAAAAAF3Blcm1pdC1hZ2VudC1mb3J3YXJkaW5nAAAA" \
	"AAAAABZwZXJtaXQtcG9ydC1mb3J3YXJkaW5nAAAAAAAAAApwZXJtaXQtcHR5" \
	"AAAAAAAAAA5wZXJtaXQtdXNlci1yYwAAAAAAAAAAAAAAMwAAAAtzc2gtZWQy" \
	"NTUxOQAAACBsv4TxTGBZeUIGaQ2dH3VM1PxYbSHkUoh3KVXasxhhJQAAAFMA" \
	"AAALc3NoLWVkMjU1MTkAAABAz88sFEMhVdInYCPC0ypaq9hJSkJFAr4e4T5n" \
	"b+ZcjBA1BwbC+o6RUrJI5BNLAy3Uxyu4XgVN6TnaFhOjcnnrBw=="
#define CERT_HOST	"ssh-ed25519-cert-v01@openssh.com " \
	"AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIMq+8c5Y" \
	"mkQd1iHRPtn9fcf6ii9c+EYTrDUPGLPRkr8SAAAAICzrAPDiWMd7DrR6ZjN2" \
	"Do8li9Txnz5c13NVJCIzDOz8AAAAAAAAAAAAAAACAAAABGhvc3QAAAAJAAAA" \
	"BWFsaWNlAAAAAAAAAAD//////////wAAAAAAAAAAAAAAAAAAADMAAAALc3No" \
	"LWVkMjU1MTkAAAAgYpYbOypJLbkNnOM85IPoiUl8tvVkuoLSk5pzxOWESAkA" \
	"AABTAAAAC3NzaC1lZDI1NTE5AAAAQLCvX6N1zxGrslt2Nu0WcaF4DC9wx8Lc" \
	"NpkCgPSJIuOGASDKmfkTASRDww3VemtCqjPqspRs1gGrHiYN1bsNygk="
#define CERT_NO_PRINCIPAL	"ssh-ed25519-cert-v01@openssh.com " \
	"AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIHZ9ntiZ" \
	"9EfmziGpkWJcUJJN/IQrEx2gNds9erA+8vphAAAAICzrAPDiWMd7DrR6ZjN2" \
	"Do8li9Txnz5c13NVJCIzDOz8AAAAAAAAAAAAAAABAAAABG5vbmUAAAAAAAAA" \
	"AAAAAAD//////////wAAAAAAAACCAAAAFXBlcm1pdC1YMTEtZm9yd2FyZGlu" \
	"ZwAAAAAAAAAXcGVybWl0LWFnZW50LWZvcndhcmRpbmcAAAAAAAAAFnBlcm1p" \
	"dC1wb3J0LWZvcndhcmRpbmcAAAAAAAAACnBlcm1pdC1wdHkAAAAAAAAADnBl" \
	"cm1pdC11c2VyLXJjAAAAAAAAAAAAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIGKW" \
	"GzsqSS25DZzjPOSD6IlJfLb1ZLqC0pOac8TlhEgJAAAAUwAAAAtzc2gtZWQy" \
	"NTUxOQAAAEBQaq5QgyDCTnmBa4URAnQ6I6TvCxxP6Av7gv6WvQbuKsOvT0uR" \
	"0qj0uVEGc2YfsfdUJ9pL1uH1bNaaAbrezt8H"
#define CERT_RSA	"ssh-rsa-cert-v01@openssh.com " \
	"AAAAHHNzaC1yc2EtY2VydC12MDFAb3BlbnNzaC5jb20AAAAgv/n05i/wvqE/" \
	"7pQ/R10mELmmeUVZDWI5RoGHyyyWwxUAAAADAQABAAABAQDWzU8SPdGgcTw+" \
	"Gb8OvDyA889PwSBRErfJ9LcSphkmZWUE6dyInqJGRPERnhkpm/sDdwQs7fLb" \
	"acvTLwMV4pgxz2vxGLeWDTxDOHjLn8DErQ1n7Jm5GCeewC/79QyyVWn27Kiy" \
	"mzPERqlTBx7Iabj/HjNeGsg4vlRb1G/G7GuOCn42xKLT+QMUSpit6RmnJ27x" \
	"/tXpVF1RGpd5QAp3N1QAPKforzOuDkWMJlzJ3HA2x0FKyEgQfpHC5xNXra+v" \
	"DI6iymaJVWSwO/SDk/KWRitYXSmKSTq67IupksYMmZ0Ba9F5bqhfZG/B0+9g" \
	"PazDUf6XO0yOpLCrPfwez4nnk7vZAAAAAAAAAAAAAAABAAAAA3JzYQAAAAkA" \
	"AAAFYWxpY2UAAAAAAAAAAP//////////AAAAAAAAAIIAAAAVcGVybWl0LVgx" \
	"MS1mb3J3YXJkaW5nAAAAAAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAA" \
	"AAAAAAAWcGVybWl0LXBvcnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0" \
	"eQAAAAAAAAAOcGVybWl0LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVk" \
	"MjU1MTkAAAAgYpYbOypJLbkNnOM85IPoiUl8tvVkuoLSk5pzxOWESAkAAABT" \
	"AAAAC3NzaC1lZDI1NTE5AAAAQJQ2+XtHSQ1iUKmYue7Jwix4OtOK5B2gU52r" \
	"tLbp4Ncg9k/iyj/RKKF2px2nKt3HyORVaDAB8s1Qw/yXLVY9LAU="
#define CERT_RSA_CA	"ssh-ed25519-cert-v01@openssh.com " \
	"AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAINFCk4sp" \
	"yEPgzfkDvWm7ftdJ1t3k1jd+4LmMRxlit2kEAAAAICzrAPDiWMd7DrR6ZjN2" \
	"Do8li9Txnz5c13NVJCIzDOz8AAAAAAAAAAAAAAABAAAABXJzYWNhAAAACQAA" \
	"AAVhbGljZQAAAAAAAAAA//////////8AAAAAAAAAggAAABVwZXJtaXQtWDEx" \
	"LWZvcndhcmRpbmcAAAAAAAAAF3Blcm1pdC1hZ2VudC1mb3J3YXJkaW5nAAAA" \
	"AAAAABZwZXJtaXQtcG9ydC1mb3J3YXJkaW5nAAAAAAAAAApwZXJtaXQtcHR5" \
	"AAAAAAAAAA5wZXJtaXQtdXNlci1yYwAAAAAAAAAAAAABFwAAAAdzc2gtcnNh" \
	"AAAAAwEAAQAAAQEA1s1PEj3RoHE8Phm/Drw8gPPPT8EgURK3yfS3EqYZJmVl" \
	"BOnciJ6iRkTxEZ4ZKZv7A3cELO3y22nL0y8DFeKYMc9r8Ri3lg08Qzh4y5/A" \
	"xK0NZ+yZuRgnnsAv+/UMslVp9uyospszxEapUwceyGm4/x4zXhrIOL5UW9Rv" \
	"xuxrjgp+NsSi0/kDFEqYrekZpydu8f7V6VRdURqXeUAKdzdUADyn6K8zrg5F" \
	"jCZcydxwNsdBSshIEH6RwucTV62vrwyOospmiVVksDv0g5PylkYrWF0pikk6" \
	"uuyLqZLGDJmdAWvReW6oX2RvwdPvYD2sw1H+lztMjqSwqz38Hs+J55O72QAA" \
	"ARQAAAAMcnNhLXNoYTItNTEyAAABALUnXdv+rZd+i19frAyfoO5AG/79a8Q6" \
	"cGEKB6nvY+0aQH9HrVm7OYNaNaaeMupQuo08GQ1q8sMp+WZ24CbGcHPlKu/w" \
	"Ut/uqQ53clUCY3Xb7CGGUKLaFCCBBKOPNGS+EE70bK0mcko29GpOVDZtTsM4" \
	"X40DXwvdCX3WnNqhTm5vCOSuaoRJ2dmlqSF6r2y+6/r40zmVqqSe8SMPQvnS" \
	"C9oQ2XeHv356l1x/ye8Ua2XjQVVmQ7ILF+Fn4hrqKG5WlvXfuwAKbqbuL2lW" \
	"IPOFeuB5pwnkLH3d83o6+Rcan/nhOiIAQLXUwNnUTI0apULkpUt69E5XgJVE" \
	"AOLbOD0hVE8="

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

/* No CA configured: plain keys only. */
static int
plain(const char *accepted, char *const *registered)
{
	return sshkey_match(accepted, registered, NULL, "alice", 1700000000);
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
	assert_true(plain("ssh-ed25519 " A, dir));
	assert_true(plain("ssh-ed25519 " B ";ssh-ed25519 " A, dir));
	assert_true(plain("ssh-rsa " R, dir));
	/* another key, a key of another account, nothing */
	assert_false(plain("ssh-ed25519 " B, dir));
	assert_false(plain("ssh-ed25519 " A, dir_b));
	assert_false(plain("ssh-ed25519 " A, none));
	assert_false(plain("ssh-ed25519 " A, NULL));
	assert_false(plain("", dir));
	/* certificates never count, on either side */
	assert_false(plain("ssh-ed25519-cert-v01@openssh.com " C, dir));
	assert_false(plain("ssh-ed25519-cert-v01@openssh.com " C,
	    dir_cert));
	/* with a CA, only a certificate it signed counts (test_certs) */
	/* a type that lies about the blob is not the key */
	assert_false(plain("ssh-rsa " A, dir));
}

static int
with_ca(const char *accepted, const char *user, long long now)
{
	struct sshkey ca;
	char *none[] = { NULL };

	assert_int_equal(sshkey_parse_authorized("ssh-ed25519 " B, &ca), 0);
	return sshkey_match(accepted, none, &ca, user, now);
}

/* [sshkey] cert_authority: a user certificate of that CA, for the user. */
static void
test_certs(void **state)
{
	struct sshkey cert, ca;

	(void)state;
	assert_true(with_ca(CERT_OK, "alice", 1700000000));
	assert_true(with_ca(CERT_OK, "alice2", 1700000000));
	assert_true(with_ca("ssh-ed25519 " B ";" CERT_OK, "alice", 0));
	assert_true(with_ca(CERT_RSA, "alice", 1700000000));
	/* another user, a principal's prefix, not valid now */
	assert_false(with_ca(CERT_OK, "bob", 1700000000));
	assert_false(with_ca(CERT_OK, "alic", 1700000000));
	assert_false(with_ca(CERT_BOB, "alice", 1700000000));
	assert_false(with_ca(CERT_EXPIRED, "alice", 1700000000));
	assert_false(with_ca(CERT_EXPIRED, "alice", 1577836800 - 1));
	assert_true(with_ca(CERT_EXPIRED, "alice", 1577836800));
	/* another CA, an RSA CA, a host certificate, no principals */
	assert_false(with_ca(CERT_OTHER_CA, "alice", 1700000000));
	assert_false(with_ca(CERT_RSA_CA, "alice", 1700000000));
	assert_false(with_ca(CERT_HOST, "alice", 1700000000));
	assert_false(with_ca(CERT_NO_PRINCIPAL, "alice", 1700000000));
	/* a plain key is not a certificate: the directory decides it */
	assert_false(with_ca("ssh-ed25519 " A, "alice", 1700000000));
	/* one byte changed (in the key ID): the signature fails */
	assert_int_equal(sshkey_parse(CERT_OK, &cert), 0);
	assert_int_equal(sshkey_parse("ssh-ed25519 " B, &ca), 0);
	assert_true(sshkey_cert_ok(&cert, &ca, "alice", 1700000000));
	cert.blob[cert.len / 2] ^= 1;
	assert_false(sshkey_cert_ok(&cert, &ca, "alice", 1700000000));
	cert.blob[cert.len / 2] ^= 1;
	cert.len--;
	assert_false(sshkey_cert_ok(&cert, &ca, "alice", 1700000000));
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
	assert_true(plain(keys, dir));
	/* one more in front: A is the ninth */
	memmove(keys + strlen("ssh-ed25519 " B ";"), keys, strlen(keys) + 1);
	memcpy(keys, "ssh-ed25519 " B ";", strlen("ssh-ed25519 " B ";"));
	assert_false(plain(keys, dir));
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
		cmocka_unit_test(test_certs),
		cmocka_unit_test(test_match_bounded),
		cmocka_unit_test(test_peer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
