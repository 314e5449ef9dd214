/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * totp.c: RFC 6238 time-based codes with OpenSSL's HMAC, and secrets
 * sealed for the directory with AES-256-GCM.
 *
 * A sealed secret reads "v1:KEYID:BASE64" where BASE64 holds the 96-bit
 * nonce, the ciphertext and the 128-bit tag.  KEYID names the key (eight
 * hex digits of HMAC-SHA-256(key, "sspr totp key id")), so old keys can
 * still open what they sealed while the current one seals everything new.
 * The additional authenticated data is the version, the key id and the
 * entry's DN: a sealed secret copied to another entry does not open.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "cfg.h"
#include "code.h"
#include "totp.h"

#define NONCE_LEN	12
#define TAG_LEN		16
#define SEAL_PREFIX	"v1:"
#define SEAL_MIN	10	/* secret bytes an opened secret may have */
#define SEAL_MAX	64
#define DN_MAX		1024

int
totp_secret_new(struct secret *out)
{
	secret_wipe(out);
	if (RAND_bytes(out->buf, TOTP_SECRET_LEN) != 1) {
		secret_wipe(out);
		return -1;
	}
	out->len = TOTP_SECRET_LEN;
	return 0;
}

/* RFC 4648 base32 without padding, as authenticator apps want it. */
int
totp_base32(const struct secret *s, char *out, size_t size)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t i, n = 0;
	unsigned int acc = 0;
	int bits = 0;

	if ((s->len * 8 + 4) / 5 + 1 > size)
		return -1;
	for (i = 0; i < s->len; i++) {
		acc = (acc << 8) | s->buf[i];
		bits += 8;
		while (bits >= 5) {
			out[n++] = alpha[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[n++] = alpha[(acc << (5 - bits)) & 31];
	out[n] = '\0';
	return 0;
}

/* RFC 3986 unreserved characters stay; every other byte is %XX. */
static int
pct_encode(const char *s, char *out, size_t size, size_t *len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		int keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' &&
		    *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '.' || *p == '_' || *p == '~';

		if (*len + (keep ? 1 : 3) >= size)
			return -1;
		if (keep) {
			out[(*len)++] = (char)*p;
		} else {
			out[(*len)++] = '%';
			out[(*len)++] = hex[*p >> 4];
			out[(*len)++] = hex[*p & 15];
		}
	}
	out[*len] = '\0';
	return 0;
}

static int
append(const char *s, char *out, size_t size, size_t *len)
{
	size_t n = strlen(s);

	if (*len + n >= size)
		return -1;
	memcpy(out + *len, s, n + 1);
	*len += n;
	return 0;
}

/*
 * The Key Uri Format of Google Authenticator, which every app reads:
 * otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&algorithm=SHA1&
 * digits=6&period=30, issuer and account percent-encoded.  The result
 * holds the secret: wipe it after use.
 */
int
totp_uri(const struct secret *s, const char *issuer, const char *account,
    char *out, size_t size)
{
	char b32[TOTP_BASE32_MAX];
	size_t len = 0;
	int r = -1;

	if (size == 0 || *issuer == '\0' || *account == '\0' ||
	    totp_base32(s, b32, sizeof(b32)) != 0)
		return -1;
	out[0] = '\0';
	if (append("otpauth://totp/", out, size, &len) == 0 &&
	    pct_encode(issuer, out, size, &len) == 0 &&
	    append(":", out, size, &len) == 0 &&
	    pct_encode(account, out, size, &len) == 0 &&
	    append("?secret=", out, size, &len) == 0 &&
	    append(b32, out, size, &len) == 0 &&
	    append("&issuer=", out, size, &len) == 0 &&
	    pct_encode(issuer, out, size, &len) == 0 &&
	    append("&algorithm=SHA1&digits=6&period=30", out, size, &len) == 0)
		r = 0;
	explicit_bzero(b32, sizeof(b32));
	if (r != 0)
		explicit_bzero(out, size);
	return r;
}

int64_t
totp_step(time_t t)
{
	return t < 0 ? -1 : (int64_t)(t / TOTP_PERIOD);
}

/* RFC 4226 HOTP with dynamic truncation; out gets 6 digits and a NUL. */
int
totp_code(const struct secret *s, int64_t step, char *out, size_t size)
{
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, off;
	uint32_t v;
	int i;

	if (step < 0 || size < TOTP_DIGITS + 1 || s->len == 0)
		return -1;
	for (i = 0; i < 8; i++)
		msg[i] = (unsigned char)((uint64_t)step >> (56 - 8 * i));
	if (HMAC(EVP_sha1(), s->buf, (int)s->len, msg, sizeof(msg), mac,
	    &maclen) == NULL || maclen != 20) {
		explicit_bzero(mac, sizeof(mac));
		return -1;
	}
	off = mac[19] & 0x0f;
	v = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
	    ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
	snprintf(out, size, "%06u", (unsigned)(v % 1000000));
	explicit_bzero(mac, sizeof(mac));
	return 0;
}

/*
 * Checks what the person typed (spaces and hyphens allowed, as for mailed
 * codes) against the steps now - window .. now + window.  Every step in
 * the window is computed and compared in constant time, whatever
 * matches.  A code for a step at or before last_step (the last one
 * accepted for this account, -1 for none) is a replay: TOTP_REPLAY.  On
 * TOTP_OK, *matched is the step to store as the new last_step.
 */
int
totp_verify(const struct secret *s, const struct secret *typed, time_t now,
    int window, int64_t last_step, int64_t *matched)
{
	struct secret norm;
	char want[TOTP_DIGITS + 1];
	int64_t cur = totp_step(now), st, best = -1;
	int replay = 0, bad = 0;

	*matched = -1;
	if (window < 0 || window > TOTP_WINDOW_MAX || cur < 0)
		return TOTP_WRONG;
	if (code_normalize(typed, TOTP_DIGITS, &norm) != 0)
		bad = 1;
	for (st = cur - window; st <= cur + window; st++) {
		int eq;

		if (totp_code(s, st, want, sizeof(want)) != 0) {
			bad = 1;
			continue;
		}
		eq = CRYPTO_memcmp(want, norm.buf, TOTP_DIGITS) == 0;
		if (eq && st > last_step)
			best = st;
		else if (eq)
			replay = 1;
	}
	explicit_bzero(want, sizeof(want));
	secret_wipe(&norm);
	if (bad)
		return TOTP_WRONG;
	if (best >= 0) {
		*matched = best;
		return TOTP_OK;
	}
	return replay ? TOTP_REPLAY : TOTP_WRONG;
}

/*
 * A key file holds exactly 32 random bytes and nothing else, belongs to
 * root or to the daemon's user, and no one else may read it.
 */
int
totp_key_load(const char *path, struct totp_key *k, char *err,
    size_t errsize)
{
	static const char label[] = "sspr totp key id";
	unsigned char buf[TOTP_KEY_LEN + 1], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	struct stat st;
	ssize_t n;
	int fd, i, r = -1;

	explicit_bzero(k, sizeof(*k));
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsize, "%s: not a regular file", path);
		goto out;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err, errsize, "%s: readable or writable by group or "
		    "others: chmod 600 it", path);
		goto out;
	}
	if (cfg_owner_ok(path, &st, err, errsize) != 0)
		goto out;
	n = read(fd, buf, sizeof(buf));
	if (n != TOTP_KEY_LEN) {
		snprintf(err, errsize, "%s: must hold exactly %d random bytes "
		    "(head -c %d /dev/urandom)", path, TOTP_KEY_LEN,
		    TOTP_KEY_LEN);
		goto out;
	}
	if (HMAC(EVP_sha256(), buf, TOTP_KEY_LEN, (const unsigned char *)label,
	    sizeof(label) - 1, mac, &maclen) == NULL || maclen < 4) {
		snprintf(err, errsize, "%s: cannot derive the key id", path);
		goto out;
	}
	memcpy(k->key, buf, TOTP_KEY_LEN);
	for (i = 0; i < TOTP_KEYID_LEN / 2; i++)
		snprintf(k->id + 2 * i, 3, "%02x", mac[i]);
	r = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(mac, sizeof(mac));
	close(fd);
	if (r != 0)
		explicit_bzero(k, sizeof(*k));
	return r;
}

/* The current key first, then the old ones; no key id twice. */
int
totp_keyring_load(struct totp_keyring *kr, const char *current,
    const char *const *old, int n_old, char *err, size_t errsize)
{
	int i, j;

	totp_keyring_wipe(kr);
	if (n_old < 0 || n_old > TOTP_MAX_KEYS - 1) {
		snprintf(err, errsize, "at most %d old keys", TOTP_MAX_KEYS - 1);
		return -1;
	}
	for (i = 0; i <= n_old; i++) {
		if (totp_key_load(i == 0 ? current : old[i - 1], &kr->k[i], err,
		    errsize) != 0) {
			totp_keyring_wipe(kr);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(kr->k[j].id, kr->k[i].id) == 0) {
				snprintf(err, errsize, "%s: the same key (id %s) "
				    "is listed twice", i == 0 ? current :
				    old[i - 1], kr->k[i].id);
				totp_keyring_wipe(kr);
				return -1;
			}
		kr->n = i + 1;
	}
	return 0;
}

void
totp_keyring_wipe(struct totp_keyring *kr)
{
	explicit_bzero(kr, sizeof(*kr));
}

static int
make_aad(const char *keyid, const char *dn, unsigned char *aad, size_t size)
{
	int n = snprintf((char *)aad, size, "sspr-totp:v1:%s:%s", keyid, dn);

	return n < 0 || (size_t)n >= size ? -1 : n;
}

/* One AES-256-GCM operation: enc 1 seals in -> out + tag, 0 opens. */
static int
gcm(int enc, const unsigned char *key, const unsigned char *nonce,
    const unsigned char *aad, int aadlen, const unsigned char *in, int inlen,
    unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX *ctx;
	int n = 0, fin = 0, ok;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	ok = EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL,
	    enc) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN,
	    NULL) == 1 &&
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) == 1 &&
	    EVP_CipherUpdate(ctx, NULL, &n, aad, aadlen) == 1 &&
	    EVP_CipherUpdate(ctx, out, &n, in, inlen) == 1 && n == inlen &&
	    (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
	    tag) == 1) &&
	    EVP_CipherFinal_ex(ctx, out + n, &fin) == 1 && fin == 0 &&
	    (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
	    tag) == 1);
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		explicit_bzero(out, (size_t)inlen);
	return ok ? 0 : -1;
}

/* "v1:KEYID:BASE64" under the current key; out holds no secret. */
int
totp_seal(const struct totp_keyring *kr, const char *dn,
    const struct secret *s, char *out, size_t size)
{
	unsigned char blob[NONCE_LEN + SEAL_MAX + TAG_LEN], aad[DN_MAX + 64];
	char b64[4 * ((sizeof(blob) + 2) / 3) + 1];
	int aadlen, r = -1;

	if (kr->n < 1 || s->len < SEAL_MIN || s->len > SEAL_MAX ||
	    strlen(dn) > DN_MAX || *dn == '\0' ||
	    (aadlen = make_aad(kr->k[0].id, dn, aad, sizeof(aad))) < 0)
		return -1;
	if (RAND_bytes(blob, NONCE_LEN) == 1 &&
	    gcm(1, kr->k[0].key, blob, aad, aadlen, s->buf, (int)s->len,
	    blob + NONCE_LEN, blob + NONCE_LEN + s->len) == 0) {
		EVP_EncodeBlock((unsigned char *)b64, blob,
		    (int)(NONCE_LEN + s->len + TAG_LEN));
		if ((size_t)snprintf(out, size, "%s%s:%s", SEAL_PREFIX,
		    kr->k[0].id, b64) < size)
			r = 0;
	}
	explicit_bzero(blob, sizeof(blob));
	return r;
}

/*
 * Opens a sealed secret of the entry dn with whichever key its id names.
 * *stale is set when that is an old key: the caller should seal the
 * secret again with the current one and write it back.  -1 for anything
 * malformed, an unknown key, another entry's secret or a changed byte.
 */
int
totp_open(const struct totp_keyring *kr, const char *dn, const char *sealed,
    struct secret *out, int *stale)
{
	unsigned char blob[NONCE_LEN + SEAL_MAX + TAG_LEN + 3];
	unsigned char aad[DN_MAX + 64];
	const char *id = sealed + strlen(SEAL_PREFIX), *b64;
	size_t b64len;
	int i, n, aadlen, ctlen, k = -1;

	secret_wipe(out);
	*stale = 0;
	if (strncmp(sealed, SEAL_PREFIX, strlen(SEAL_PREFIX)) != 0 ||
	    strlen(id) < TOTP_KEYID_LEN + 1 || id[TOTP_KEYID_LEN] != ':' ||
	    strlen(dn) > DN_MAX || *dn == '\0')
		return -1;
	b64 = id + TOTP_KEYID_LEN + 1;
	b64len = strlen(b64);
	if (b64len == 0 || b64len % 4 != 0 ||
	    b64len / 4 * 3 > sizeof(blob) ||
	    strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/=") != b64len)
		return -1;
	for (i = 0; i < kr->n; i++)
		if (strncmp(kr->k[i].id, id, TOTP_KEYID_LEN) == 0)
			k = i;
	if (k < 0)
		return -1;
	n = EVP_DecodeBlock(blob, (const unsigned char *)b64, (int)b64len);
	if (n < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding as zero bytes */
	n -= (b64[b64len - 1] == '=') + (b64[b64len - 2] == '=');
	ctlen = n - NONCE_LEN - TAG_LEN;
	if (ctlen < SEAL_MIN || ctlen > SEAL_MAX ||
	    (aadlen = make_aad(kr->k[k].id, dn, aad, sizeof(aad))) < 0) {
		explicit_bzero(blob, sizeof(blob));
		return -1;
	}
	if (gcm(0, kr->k[k].key, blob, aad, aadlen, blob + NONCE_LEN, ctlen,
	    out->buf, blob + NONCE_LEN + ctlen) != 0) {
		explicit_bzero(blob, sizeof(blob));
		secret_wipe(out);
		return -1;
	}
	out->len = (size_t)ctlen;
	*stale = k != 0;
	explicit_bzero(blob, sizeof(blob));
	return 0;
}
