/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sshkey.c: SSH public keys as text, decoded to their wire blobs and
 * compared as bytes (two texts of one key may differ: a comment, options,
 * line breaks a directory tool added are not the key).  See sshkey.h.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

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

/* --- certificates (PROTOCOL.certkeys of OpenSSH) -------------------------- */

struct rd {
	const unsigned char	*p;
	size_t			 len, off;
	int			 bad;
};

static const unsigned char *
take(struct rd *r, size_t n)
{
	const unsigned char *q = r->p + r->off;

	if (r->bad || n > r->len - r->off) {
		r->bad = 1;
		return NULL;
	}
	r->off += n;
	return q;
}

static uint64_t
get_u(struct rd *r, size_t n)
{
	const unsigned char *q = take(r, n);
	uint64_t v = 0;
	size_t i;

	for (i = 0; q != NULL && i < n; i++)
		v = v << 8 | q[i];
	return v;
}

/* A string's bytes and length (NULL when the blob ends too soon). */
static const unsigned char *
get_str(struct rd *r, size_t *n)
{
	*n = (size_t)get_u(r, 4);
	return take(r, *n);
}

static int
str_is(const unsigned char *p, size_t n, const char *s)
{
	return p != NULL && n == strlen(s) && memcmp(p, s, n) == 0;
}

/* The strings of a certified key's own fields, by its type. */
static int
key_fields(const char *type)
{
	static const struct {
		const char	*type;
		int		 n;
	} t[] = {
		{ "ssh-ed25519-cert-v01@openssh.com", 1 },
		{ "ssh-rsa-cert-v01@openssh.com", 2 },
		{ "ecdsa-sha2-nistp256-cert-v01@openssh.com", 2 },
		{ "ecdsa-sha2-nistp384-cert-v01@openssh.com", 2 },
		{ "ecdsa-sha2-nistp521-cert-v01@openssh.com", 2 },
		{ "sk-ssh-ed25519-cert-v01@openssh.com", 2 },
		{ "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", 3 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(type, t[i].type) == 0)
			return t[i].n;
	return -1;
}

/* Is user one of the packed principals? */
static int
has_principal(const unsigned char *p, size_t n, const char *user)
{
	struct rd r = { p, n, 0, 0 };
	const unsigned char *s;
	size_t len;

	while (r.off < r.len) {
		if ((s = get_str(&r, &len)) == NULL)
			return 0;
		if (str_is(s, len, user))
			return 1;
	}
	return 0;
}

/* An Ed25519 signature of data by the key blob ca (type, 32 bytes). */
static int
ed25519_ok(const unsigned char *ca, size_t calen, const unsigned char *sig,
    size_t siglen, const unsigned char *data, size_t datalen)
{
	struct rd k = { ca, calen, 0, 0 }, g = { sig, siglen, 0, 0 };
	const unsigned char *type, *pk, *stype, *sv;
	size_t tn, pn, sn, vn;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *ctx = NULL;
	int ok = 0;

	type = get_str(&k, &tn);
	pk = get_str(&k, &pn);
	stype = get_str(&g, &sn);
	sv = get_str(&g, &vn);
	if (k.bad || g.bad || k.off != k.len || g.off != g.len ||
	    !str_is(type, tn, "ssh-ed25519") || pn != 32 ||
	    !str_is(stype, sn, "ssh-ed25519") || vn != 64)
		return 0;
	if ((key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk,
	    pn)) != NULL && (ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1)
		ok = EVP_DigestVerify(ctx, sv, vn, data, datalen) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return ok;
}

int
sshkey_cert_ok(const struct sshkey *cert, const struct sshkey *ca,
    const char *user, long long now)
{
	struct rd r = { cert->blob, cert->len, 0, 0 };
	const unsigned char *princ, *sigkey, *sig;
	size_t n, pn, kn, sn, signed_len;
	uint64_t after, before;
	uint32_t type;
	int i, fields;

	if (!cert->cert || ca == NULL || ca->cert || now < 0 ||
	    (fields = key_fields(cert->type)) < 0)
		return 0;
	get_str(&r, &n);		/* the type, as in cert->type */
	get_str(&r, &n);		/* nonce */
	for (i = 0; i < fields; i++)
		get_str(&r, &n);
	get_u(&r, 8);			/* serial */
	type = (uint32_t)get_u(&r, 4);
	get_str(&r, &n);		/* key id */
	princ = get_str(&r, &pn);
	after = get_u(&r, 8);
	before = get_u(&r, 8);
	get_str(&r, &n);		/* critical options: sshd's to enforce */
	get_str(&r, &n);		/* extensions */
	get_str(&r, &n);		/* reserved */
	sigkey = get_str(&r, &kn);
	signed_len = r.off;
	sig = get_str(&r, &sn);
	if (r.bad || r.off != r.len || type != 1 /* SSH2_CERT_TYPE_USER */)
		return 0;
	/* valid_after <= now < valid_before, unsigned as the format has it */
	if ((uint64_t)now < after || (uint64_t)now >= before)
		return 0;
	/* a certificate without principals is for anyone: not for us */
	if (pn == 0 || !has_principal(princ, pn, user))
		return 0;
	if (kn != ca->len || memcmp(sigkey, ca->blob, kn) != 0)
		return 0;
	return ed25519_ok(ca->blob, ca->len, sig, sn, cert->blob, signed_len);
}

int
sshkey_match(const char *accepted, char *const *registered,
    const struct sshkey *ca, const char *user, long long now)
{
	struct sshkey want;
	const char *p;
	int n = 0;

	for (p = accepted; p != NULL && *p != '\0' &&
	    n++ < SSHKEY_ACCEPTED_MAX; ) {
		if (sshkey_parse(p, &want) == 0 && (want.cert ? ca != NULL &&
		    user != NULL && sshkey_cert_ok(&want, ca, user, now) :
		    registered_has(&want, registered)))
			return 1;
		if ((p = strchr(p, ';')) != NULL)
			p++;
	}
	return 0;
}
