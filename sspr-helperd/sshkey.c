/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sshkey.c: SSH public keys as text, decoded to their wire blobs and
 * compared as bytes (two texts of one key may differ: a comment, options,
 * line breaks a directory tool added are not the key).  See sshkey.h.
 */
#include <stdint.h>
#include <string.h>

#include "sshkey.h"

#define CERT_SUFFIX	"-cert-v01@openssh.com"

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Strict base64 (RFC 4648, padded, no white space): n bytes of in into
 * out; the decoded length, or -1.
 */
static long
b64_decode(const char *in, size_t n, unsigned char *out, size_t size)
{
	size_t i, o = 0;
	int v[4], k, pad;

	if (n == 0 || n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		pad = 0;
		for (k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0 || (v[k] = b64_value((unsigned char)
			    in[i + k])) < 0)
				return -1;
		}
		if (o + 3 - (size_t)pad > size)
			return -1;
		out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			out[o++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		if (pad < 1)
			out[o++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
	}
	return (long)o;
}

/* The blob's first field, the key type (RFC 4253 section 6.6). */
static int
blob_type(struct sshkey *k)
{
	uint32_t n;

	if (k->len < 4)
		return -1;
	n = (uint32_t)k->blob[0] << 24 | (uint32_t)k->blob[1] << 16 |
	    (uint32_t)k->blob[2] << 8 | k->blob[3];
	if (n == 0 || n >= sizeof(k->type) || n > k->len - 4)
		return -1;
	memcpy(k->type, k->blob + 4, n);
	k->type[n] = '\0';
	if (strlen(k->type) != n)
		return -1;
	k->cert = n > strlen(CERT_SUFFIX) && strcmp(k->type + n -
	    strlen(CERT_SUFFIX), CERT_SUFFIX) == 0;
	return 0;
}

static size_t
word_len(const char *s)
{
	return strcspn(s, " \t;");
}

int
sshkey_parse(const char *s, struct sshkey *k)
{
	size_t tn, bn;
	long len;

	memset(k, 0, sizeof(*k));
	s += strspn(s, " \t");
	tn = word_len(s);
	if (tn == 0 || tn >= SSHKEY_TYPE_MAX || (s[tn] != ' ' &&
	    s[tn] != '\t'))
		return -1;
	bn = word_len(s + tn + 1);
	if ((len = b64_decode(s + tn + 1, bn, k->blob, sizeof(k->blob))) < 0)
		return -1;
	k->len = (size_t)len;
	/* the text's type must be the blob's: a key is what it says */
	if (blob_type(k) != 0 || strlen(k->type) != tn ||
	    strncmp(k->type, s, tn) != 0) {
		memset(k, 0, sizeof(*k));
		return -1;
	}
	return 0;
}

/* Past an options field: quoted parts may hold blanks. */
static const char *
skip_options(const char *s)
{
	int quoted = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && quoted && s[1] != '\0')
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (!quoted && (*s == ' ' || *s == '\t'))
			break;
	}
	return quoted ? NULL : s;
}

int
sshkey_parse_authorized(const char *s, struct sshkey *k)
{
	s += strspn(s, " \t");
	if (*s == '#' || *s == '\0')
		return -1;
	if (sshkey_parse(s, k) == 0)
		return 0;
	if ((s = skip_options(s)) == NULL)
		return -1;
	return sshkey_parse(s, k);
}

static int
registered_has(const struct sshkey *want, char *const *registered)
{
	int i;

	for (i = 0; registered != NULL && registered[i] != NULL &&
	    i < SSHKEY_VALUES_MAX; i++) {
		struct sshkey have;

		if (sshkey_parse_authorized(registered[i], &have) != 0 ||
		    have.cert || have.len != want->len)
			continue;
		if (memcmp(have.blob, want->blob, want->len) == 0 &&
		    strcmp(have.type, want->type) == 0)
			return 1;
	}
	return 0;
}

int
sshkey_match(const char *accepted, char *const *registered)
{
	struct sshkey want;
	const char *p;
	int n = 0;

	for (p = accepted; p != NULL && *p != '\0' &&
	    n++ < SSHKEY_ACCEPTED_MAX; ) {
		if (sshkey_parse(p, &want) == 0 && !want.cert &&
		    registered_has(&want, registered))
			return 1;
		if ((p = strchr(p, ';')) != NULL)
			p++;
	}
	return 0;
}
