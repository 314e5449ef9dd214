/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mail.c: templates to RFC 5322 messages, and SMTP delivery with libcurl.
 * The daemon writes every header itself; a template may only choose the
 * Subject and the body, and no value from outside reaches a header.
 *
 * Statics: handle_key/_once/_ok, set once (pthread_once); each mail
 * worker's handle is its own (thread-specific), never shared.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "addr.h"
#include "curlx.h"
#include "mail.h"
#include "outbuf.h"

/*
 * Reads DIR/NAME.LANG.txt, then DIR/NAME.LL.txt, then DIR/NAME.txt.  The
 * language comes from the login ("nl_NL.UTF-8"); only letters and '_' of
 * it are used, so it cannot name another path.
 */
int
mail_load_template(const char *dir, const char *name, const char *lang,
    char *buf, size_t size, char *err, size_t errsize)
{
	char tag[3][40] = { "", "", "" }, path[4096];
	size_t i, n = 0;
	ssize_t got;
	int fd = -1, k;

	for (i = 0; lang != NULL && lang[i] != '\0' && n + 1 < sizeof(tag[0]);
	    i++) {
		if (!isalpha((unsigned char)lang[i]) && lang[i] != '_')
			break;
		tag[0][n++] = lang[i];
	}
	tag[0][n] = '\0';
	snprintf(tag[1], sizeof(tag[1]), "%.*s", (int)strcspn(tag[0], "_"),
	    tag[0]);
	for (k = 0; k < 3 && fd < 0; k++) {
		if (k < 2 && (tag[k][0] == '\0' ||
		    (k == 1 && strcmp(tag[0], tag[1]) == 0)))
			continue;
		if (k < 2)
			snprintf(path, sizeof(path), "%s/%s.%s.txt", dir, name,
			    tag[k]);
		else
			snprintf(path, sizeof(path), "%s/%s.txt", dir, name);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0) {
		snprintf(err, errsize, "template %s: %s", path,
		    strerror(errno));
		return -1;
	}
	got = read(fd, buf, size - 1);
	close(fd);
	if (got < 0 || (size_t)got >= size - 1) {
		snprintf(err, errsize, "template %s: unreadable or larger "
		    "than %zu bytes", path, size - 2);
		return -1;
	}
	buf[got] = '\0';
	if (strlen(buf) != (size_t)got) {
		snprintf(err, errsize, "template %s: contains a NUL byte",
		    path);
		return -1;
	}
	return 0;
}


/* Body text: bare LF becomes CRLF (RFC 5322 2.3); CR alone is dropped. */
static void
put_text(struct outbuf *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r')
			continue;
		if (s[i] == '\n')
			outbuf_put(o, "\r\n", 2);
		else
			outbuf_put(o, s + i, 1);
	}
}

static const char *
var_value(const char *name, size_t n, const struct mail_vars *v, char *num,
    size_t numsize)
{
#define IS(s) (n == sizeof(s) - 1 && memcmp(name, s, n) == 0)
	if (IS("code"))
		return v->code;
	if (IS("user"))
		return v->user;
	if (IS("service"))
		return v->service;
	if (IS("host"))
		return v->host;
	if (IS("source"))
		return v->source;
	if (IS("organisation"))
		return v->organisation != NULL ? v->organisation : "";
	if (IS("helpdesk"))
		return v->helpdesk != NULL ? v->helpdesk : "";
	if (IS("time"))
		return v->time != NULL ? v->time : "";
	if (IS("minutes")) {
		snprintf(num, numsize, "%d", v->minutes);
		return num;
	}
#undef IS
	return NULL;
}

/* ${name} -> value; an unknown name is an error so --check finds typos. */
static int
expand_line(struct outbuf *o, const char *s, size_t n, const struct mail_vars *v,
    char *err, size_t errsize)
{
	const char *val;
	char num[16];
	size_t i = 0, j;

	while (i < n) {
		if (s[i] != '$' || i + 1 >= n || s[i + 1] != '{') {
			put_text(o, s + i, 1);
			i++;
			continue;
		}
		for (j = i + 2; j < n && s[j] != '}'; j++)
			;
		if (j == n) {
			snprintf(err, errsize, "unterminated ${ in template");
			return -1;
		}
		val = var_value(s + i + 2, j - i - 2, v, num, sizeof(num));
		if (val == NULL) {
			snprintf(err, errsize, "unknown variable ${%.*s} in "
			    "template", (int)(j - i - 2), s + i + 2);
			return -1;
		}
		put_text(o, val, strlen(val));
		i = j + 1;
	}
	return 0;
}

/*
 * Is the line nothing but variables that are all empty (and blanks)?  Such
 * a line is left out, so "${helpdesk}" on a line of its own costs nothing
 * while [mail] helpdesk is unset.
 */
static int
empty_var_line(const char *s, size_t n, const struct mail_vars *v)
{
	const char *val;
	char num[16];
	size_t i = 0, j;
	int vars = 0;

	while (i < n) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
			i++;
			continue;
		}
		if (s[i] != '$' || i + 1 >= n || s[i + 1] != '{')
			return 0;
		for (j = i + 2; j < n && s[j] != '}'; j++)
			;
		if (j == n)
			return 0;
		val = var_value(s + i + 2, j - i - 2, v, num, sizeof(num));
		if (val == NULL || *val != '\0')
			return 0;
		vars++;
		i = j + 1;
	}
	return vars > 0;
}

static int
expand(struct outbuf *o, const char *s, size_t n, const struct mail_vars *v,
    char *err, size_t errsize)
{
	size_t len;

	while (n > 0) {
		const char *nl = memchr(s, '\n', n);

		len = nl != NULL ? (size_t)(nl - s) + 1 : n;
		if (!empty_var_line(s, nl != NULL ? len - 1 : len, v) &&
		    expand_line(o, s, len, v, err, errsize) != 0)
			return -1;
		s += len;
		n -= len;
	}
	return 0;
}

/* RFC 2047 B-encoding for a Subject that is not plain ASCII. */
static void
put_subject(struct outbuf *o, const char *s)
{
	unsigned char enc[4 * 200 / 3 + 8];
	size_t n = strlen(s), i;
	int ascii = 1;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			ascii = 0;
	outbuf_puts(o, "Subject: ");
	if (ascii || n > 150) {
		outbuf_put(o, s, n > 150 ? 150 : n);
	} else {
		EVP_EncodeBlock(enc, (const unsigned char *)s, (int)n);
		outbuf_puts(o, "=?UTF-8?B?");
		outbuf_puts(o, (const char *)enc);
		outbuf_puts(o, "?=");
		explicit_bzero(enc, sizeof(enc));
	}
	outbuf_puts(o, "\r\n");
}

/*
 * The From header (RFC 5322 name-addr).  A name that is not plain ASCII
 * becomes RFC 2047 encoded-words of at most 75 characters, cut between
 * UTF-8 characters; an ASCII name holding specials is quoted (it has no
 * '"' or '\\' to escape: addr_from_split refuses them).
 */
static void
put_from(struct outbuf *o, const char *name, const char *addr)
{
	unsigned char enc[4 * 45 / 3 + 4];
	size_t n = strlen(name), i, k;
	int ascii = 1;

	outbuf_puts(o, "From: ");
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] >= 0x80)
			ascii = 0;
	if (n == 0) {
		outbuf_puts(o, addr);
		outbuf_puts(o, "\r\n");
		return;
	}
	if (ascii && strpbrk(name, "()<>[]:;@\\,.\"") == NULL)
		outbuf_puts(o, name);
	else if (ascii) {
		outbuf_puts(o, "\"");
		outbuf_puts(o, name);
		outbuf_puts(o, "\"");
	} else {
		for (i = 0; i < n; i += k) {
			/* 45 bytes make 60 of base64: 72 with the markers */
			k = n - i > 45 ? 45 : n - i;
			while (k < n - i && ((unsigned char)name[i + k] &
			    0xc0) == 0x80)
				k--;
			EVP_EncodeBlock(enc, (const unsigned char *)name + i,
			    (int)k);
			outbuf_puts(o, i > 0 ? " =?UTF-8?B?" : "=?UTF-8?B?");
			outbuf_puts(o, (const char *)enc);
			outbuf_puts(o, "?=");
		}
	}
	outbuf_puts(o, " <");
	outbuf_puts(o, addr);
	outbuf_puts(o, ">\r\n");
}

static int
header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/*
 * Renders template (its first line "Subject: ...", an empty line, the
 * body) into out as a complete message.  from is [mail] from as
 * configured (an address, or "Name <address>", split and checked again
 * here), to a checked address; every header value here is free of CR/LF
 * by construction.
 */
int
mail_render(const char *tmpl, const struct mail_vars *v, const char *from,
    const char *to, char *buf, size_t size, char *err, size_t errsize)
{
	struct outbuf o = { .p = buf, .size = size };
	char subject[256], line[256], date[64], idhex[33];
	char name[ADDR_NAME_MAX + 1], addr[ADDR_MAX + 1];
	struct outbuf so = { .p = subject, .size = sizeof(subject) };
	unsigned char rnd[16];
	const char *nl, *body;
	struct tm tm;
	time_t now;
	int i, r = -1;

	if (strncmp(tmpl, "Subject:", 8) != 0 ||
	    (nl = strchr(tmpl, '\n')) == NULL) {
		snprintf(err, errsize, "template must start with a "
		    "'Subject:' line");
		goto out;
	}
	body = tmpl + 8;
	while (*body == ' ' || *body == '\t')
		body++;
	snprintf(line, sizeof(line), "%.*s", (int)(nl - body), body);
	subject[0] = '\0';
	if (expand_line(&so, line, strlen(line), v, err, errsize) != 0)
		goto out;
	for (i = (int)strlen(subject); i > 0 && isspace((unsigned char)
	    subject[i - 1]); i--)
		subject[i - 1] = '\0';
	body = nl + 1;
	if (*body == '\r')
		body++;
	if (*body == '\n')
		body++;
	if (!header_safe(subject) || !header_safe(from) || !header_safe(to)) {
		snprintf(err, errsize, "control character in a header");
		goto out;
	}
	if (addr_from_split(from, name, sizeof(name), addr, sizeof(addr)) != 0) {
		snprintf(err, errsize, "malformed From address");
		goto out;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	/* the kernel's, not OpenSSL's: start-up renders every template */
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		snprintf(err, errsize, "no randomness for Message-ID");
		goto out;
	}
	for (i = 0; i < 16; i++)
		snprintf(idhex + 2 * i, 3, "%02x", rnd[i]);
	buf[0] = '\0';
	put_from(&o, name, addr);
	outbuf_puts(&o, "To: ");
	outbuf_puts(&o, to);
	outbuf_puts(&o, "\r\n");
	put_subject(&o, subject);
	outbuf_puts(&o, "Date: ");
	outbuf_puts(&o, date);
	outbuf_puts(&o, "\r\nMessage-ID: <");
	outbuf_puts(&o, idhex);
	outbuf_puts(&o, strchr(addr, '@'));
	outbuf_puts(&o, ">\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "Auto-Submitted: auto-generated\r\n");
	/* which message this is, for mail filters (an internal constant) */
	if (v->kind != NULL && header_safe(v->kind)) {
		outbuf_puts(&o, "X-SSPR-Message: ");
		outbuf_puts(&o, v->kind);
		outbuf_puts(&o, "\r\n");
	}
	outbuf_puts(&o, "\r\n");
	if (expand(&o, body, strlen(body), v, err, errsize) != 0)
		goto out;
	if (o.bad) {
		snprintf(err, errsize, "message longer than %zu bytes", size);
		goto out;
	}
	r = (int)o.len;
out:
	/* a subject may carry the code */
	explicit_bzero(subject, sizeof(subject));
	return r;
}

struct upload {
	const char	*p;
	size_t		 left;
};

static size_t
read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->left)
		n = u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/*
 * Each mail worker keeps one handle and resets it before every message.
 * Only so does libcurl keep the parsed CA store between messages
 * (CURLOPT_CA_CACHE_TIMEOUT, curlx.c): parsing a system bundle of ~140
 * CAs anew for every connection costs about 20 ms of CPU per code mail,
 * which made a burst of resets CPU-bound in the daemon (bench/: 13
 * flows/s instead of ~250).  The handle also keeps its one connection for
 * the next message, within [mail] reuse_seconds and reuse_messages: a TLS
 * handshake per message capped the service, and the notification after a
 * reset cost a second one.
 */

struct kept {
	CURL		*h;
	unsigned long	 gen;	/* the cfg it was set up for */
	int		 sent;	/* messages on its current connection */
};

static pthread_key_t	handle_key;
static pthread_once_t	handle_once = PTHREAD_ONCE_INIT;
static int		handle_key_ok;

static void
handle_free(void *arg)
{
	struct kept *k = arg;

	if (k->h != NULL)
		curl_easy_cleanup(k->h);
	free(k);
}

static void
handle_key_init(void)
{
	handle_key_ok = pthread_key_create(&handle_key, handle_free) == 0;
}

/* The calling thread's slot; NULL when there is none (no kept handle). */
static struct kept *
kept_slot(void)
{
	struct kept *k;

	pthread_once(&handle_once, handle_key_init);
	if (!handle_key_ok)
		return NULL;
	if ((k = pthread_getspecific(handle_key)) != NULL)
		return k;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	if (pthread_setspecific(handle_key, k) != 0) {
		free(k);
		return NULL;
	}
	return k;
}

/*
 * The thread's handle for c, reset.  A handle set up for another
 * configuration goes, and its connection with it: a reload may have
 * changed the server, the TLS mode (libcurl up to 8.19 would reuse a
 * clear-text connection where TLS is now required, CVE-2026-4873), the CA
 * or the login.
 */
static CURL *
handle_get(struct kept *k, const struct cfg *c)
{
	if (k == NULL)
		return curl_easy_init();
	if (k->h != NULL && k->gen != c->gen) {
		curl_easy_cleanup(k->h);
		k->h = NULL;
	}
	if (k->h != NULL) {
		curl_easy_reset(k->h);
		return k->h;
	}
	k->gen = c->gen;
	k->sent = 0;
	return k->h = curl_easy_init();
}

/* Done with h for good, its connection too, even if it is the thread's. */
static void
handle_drop(struct kept *k, CURL *h)
{
	if (k != NULL && k->h == h)
		k->h = NULL;
	curl_easy_cleanup(h);
}

/* Done with h for now: the thread's own handle stays, anything else goes. */
static void
handle_put(struct kept *k, CURL *h)
{
	if (k == NULL || k->h != h)
		curl_easy_cleanup(h);
}

static int
reuse_on(const struct cfg *c)
{
	return c->mail_reuse_seconds > 0 && c->mail_reuse_messages > 1;
}

/*
 * TLS required and verified on every connection (curlx.c), every wait
 * bounded.  libcurl 7.79 and later does not downgrade or trust
 * pre-STARTTLS data on a reused connection (CVE-2021-22946/22947); a
 * handle only ever talks to one configuration's server, in the one
 * protocol its URL names (cfgcheck.c ties smtps:// to tls = implicit).
 */
static CURLcode
easy_setup(CURL *h, const struct cfg *c, char *errbuf)
{
	struct curlx_use use = {
		.url = c->smtp_url,
		.protocols = c->mail_tls == MAIL_TLS_IMPLICIT ? "smtps" : "smtp",
		.timeout = c->mail_timeout,
		.ca_file = c->mail_ca_file,
	};
	CURLcode rc;

	if ((rc = curlx_setup(h, &use, errbuf)) != CURLE_OK)
		return rc;
	if (reuse_on(c)) {
		/* idle, and in all, for at most reuse_seconds */
		curl_easy_setopt(h, CURLOPT_MAXAGE_CONN,
		    (long)c->mail_reuse_seconds);
#if LIBCURL_VERSION_NUM >= 0x075000	/* 7.80.0 */
		curl_easy_setopt(h, CURLOPT_MAXLIFETIME_CONN,
		    (long)c->mail_reuse_seconds);
#endif
	} else {
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	}
	if (c->mail_tls == MAIL_TLS_STARTTLS &&
	    (rc = curl_easy_setopt(h, CURLOPT_USE_SSL,
	    (long)CURLUSESSL_ALL)) != CURLE_OK)
		return rc;
	if (*c->mail_username != '\0') {
		curl_easy_setopt(h, CURLOPT_USERNAME, c->mail_username);
		curl_easy_setopt(h, CURLOPT_PASSWORD,
		    secret_str(&c->mail_password));
	}
	return CURLE_OK;
}

static int
finish(CURLcode rc, const char *errbuf, char *err, size_t errsize)
{
	if (rc != CURLE_OK)
		snprintf(err, errsize, "%s", curlx_why(rc, errbuf));
	return rc == CURLE_OK ? 0 : -1;
}

/*
 * One message on h.  last: the connection goes after it.  *fresh: it
 * went out on a new connection, not on a kept one.
 */
static CURLcode
transfer(CURL *h, const struct cfg *c, const char *to, const char *msg,
    size_t len, int last, char *errbuf, int *fresh)
{
	char from[300], rcpt[300];
	struct curl_slist *rcpts;
	struct upload up = { msg, len };
	long made = 1;
	CURLcode rc;

	*fresh = 1;
	if ((rc = easy_setup(h, c, errbuf)) != CURLE_OK)
		return rc;
	if (last)
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	/* the address alone: no display name reaches an SMTP command */
	snprintf(from, sizeof(from), "<%s>", c->mail_from_addr);
	snprintf(rcpt, sizeof(rcpt), "<%s>", to);
	if ((rcpts = curl_slist_append(NULL, rcpt)) == NULL)
		return CURLE_OUT_OF_MEMORY;
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_INFILESIZE, (long)len);
	/*
	 * libcurl allocates its upload buffer, and twice that for SMTP's
	 * dot-escaping, for every message, and M_PERTURB (main.c) writes
	 * every byte at malloc and at free: 192 KiB a message at the
	 * default 64 KiB, 48 KiB at the smallest, which still takes a
	 * message of a few KiB in one piece.
	 */
	curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
	rc = curl_easy_perform(h);
	/* nothing of this message may be read from the kept handle */
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(h, CURLOPT_READDATA, NULL);
	curl_slist_free_all(rcpts);
	(void)curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &made);
	*fresh = made > 0;
	return rc;
}

/* A kept connection the server closed while we wrote to it. */
static int
stale(CURLcode rc, int fresh)
{
	return !fresh && (rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
	    rc == CURLE_GOT_NOTHING);
}

int
mail_send(const struct cfg *c, const char *to, const char *msg, size_t len,
    char *err, size_t errsize)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct kept *k = kept_slot();
	int fresh, last;
	CURLcode rc;
	CURL *h;

	if ((h = handle_get(k, c)) == NULL) {
		snprintf(err, errsize, "libcurl: cannot create a handle");
		return -1;
	}
	last = k == NULL || !reuse_on(c) ||
	    k->sent + 1 >= c->mail_reuse_messages;
	rc = transfer(h, c, to, msg, len, last, errbuf, &fresh);
	if (rc != CURLE_OK && stale(rc, fresh)) {
		/* once more on a new connection: nothing was accepted */
		handle_drop(k, h);
		errbuf[0] = '\0';
		if ((h = handle_get(k, c)) == NULL) {
			snprintf(err, errsize, "libcurl: cannot create a handle");
			return -1;
		}
		rc = transfer(h, c, to, msg, len, last, errbuf, &fresh);
	}
	if (k != NULL && k->h == h)
		k->sent = last ? 0 : fresh ? 1 : k->sent + 1;
	/*
	 * A line starting with '.' is sent dot-stuffed from a copy libcurl
	 * keeps in the handle (its scratch buffer) until the handle goes:
	 * that copy holds the code, so such a handle is not kept.  Nor is
	 * one whose transfer failed, with whatever state it was left in.
	 */
	if (rc != CURLE_OK || memmem(msg, len, "\n.", 2) != NULL)
		handle_drop(k, h);
	else
		handle_put(k, h);
	return finish(rc, errbuf, err, errsize);
}

/*
 * Connects, greets and (with TLS) handshakes, but sends nothing: what a
 * flow for an unknown account does instead of sending, so that a mail
 * server outage looks the same whether or not the account exists.  A
 * handle of its own: a connect-only connection stays open until the
 * handle is cleaned up.
 */
static CURLcode
probe(const struct cfg *c, char *err, size_t errsize)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	CURL *h;

	if ((h = curl_easy_init()) == NULL) {
		snprintf(err, errsize, "libcurl: cannot create a handle");
		return CURLE_OUT_OF_MEMORY;
	}
	if ((rc = easy_setup(h, c, errbuf)) == CURLE_OK) {
		curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
		rc = curl_easy_perform(h);
	}
	curl_easy_cleanup(h);
	finish(rc, errbuf, err, errsize);
	return rc;
}

int
mail_probe(const struct cfg *c, char *err, size_t errsize)
{
	return probe(c, err, errsize) == CURLE_OK ? 0 : -1;
}

/*
 * The probe for the preflight: as mail_probe (libcurl's connect phase is
 * the greeting, STARTTLS and AUTH), and what to do when it fails.
 */
int
mail_diagnose(const struct cfg *c, char *err, size_t errsize,
    const char **fix)
{
	CURLcode rc = probe(c, err, errsize);

	switch (rc) {
	case CURLE_OK:
		*fix = NULL;
		return 0;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		*fix = "nothing answers at [mail] smtp_url: check the host "
		    "and port, and that the mail server runs";
		break;
	case CURLE_USE_SSL_FAILED:
		*fix = "the server does not offer STARTTLS: enable it on the "
		    "mail server, or use smtps:// with tls = implicit if it "
		    "speaks TLS from the first byte (tls = none only for a "
		    "server on this host)";
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
	case CURLE_SSL_CACERT:
#endif
		*fix = "the server's certificate is not trusted: set [mail] "
		    "tls_ca_file to the CA that signed it (and the host name "
		    "in smtp_url must be in the certificate)";
		break;
	case CURLE_SSL_CONNECT_ERROR:
		*fix = "the TLS handshake failed: with tls = implicit the "
		    "server must speak TLS from the first byte (port 465); "
		    "a server that offers STARTTLS wants tls = starttls";
		break;
	case CURLE_LOGIN_DENIED:
		*fix = "the server refused the login, or offers no AUTH: "
		    "check [mail] username and password_file (and that the "
		    "server offers AUTH over TLS)";
		break;
	case CURLE_OPERATION_TIMEDOUT:
		*fix = "the server did not answer within [mail] timeout";
		break;
	default:
		*fix = "see the error; the mail server's log says more";
		break;
	}
	return -1;
}

/*
 * One test message to to (ssprctl test-mail, sspr-helperd --check
 * --online --test-mail): the real path, template aside.
 */
int
mail_send_test(const struct cfg *c, const char *to, char *err,
    size_t errsize)
{
	static const char tmpl[] = "Subject: sspr-helperd test message\n\n"
	    "This is a test message from the password reset service on "
	    "${host}.\nNothing needs to be done.\n";
	struct mail_vars v = { 0 };
	char msg[MAIL_MAX], host[256] = "";
	int len;

	if (!addr_valid(to)) {
		snprintf(err, errsize, "'%s' is not one plain address", to);
		return -1;
	}
	gethostname(host, sizeof(host) - 1);
	v.code = v.user = v.service = v.source = "";
	v.host = host;
	v.kind = "test";
	len = mail_render(tmpl, &v, c->mail_from, to, msg, sizeof(msg), err,
	    errsize);
	if (len < 0)
		return -1;
	return mail_send(c, to, msg, (size_t)len, err, errsize);
}

static int
check_one(const struct cfg *c, const char *name, const char *lang, char *err,
    size_t errsize)
{
	static const struct mail_vars sample = { "12345678", 10, "user",
	    "login", "host", "tty1", "Organisation", "Helpdesk",
	    "2026-01-01 12:00 UTC", "code" };
	char tmpl[MAIL_TEMPLATE_MAX], msg[MAIL_MAX], why[256];

	if (mail_load_template(c->template_dir, name, lang, tmpl,
	    sizeof(tmpl), err, errsize) != 0)
		return -1;
	if (mail_render(tmpl, &sample, c->mail_from, "user@example.org",
	    msg, sizeof(msg), why, sizeof(why)) >= 0)
		return 0;
	snprintf(err, errsize, "%s%s%s.txt: %s", name, lang ? "." : "",
	    lang ? lang : "", why);
	return -1;
}

/*
 * Renders every template and each translation of it (NAME.LANG.txt)
 * once with sample values, so that start-up and --check find a mistake in
 * any of them rather than the first person who needs that language.
 */
int
mail_check_templates(const struct cfg *c, char *err, size_t errsize)
{
	static const char *const names[] = MAIL_TEMPLATES;
	char lang[40];
	struct dirent *e;
	size_t n, k, nl;
	DIR *d;
	int r = 0;

	for (k = 0; names[k] != NULL && r == 0; k++)
		r = check_one(c, names[k], NULL, err, errsize);
	if (r != 0 || (d = opendir(c->template_dir)) == NULL)
		return r;
	while (r == 0 && (e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		for (k = 0; names[k] != NULL && r == 0; k++) {
			nl = strlen(names[k]);
			if (n <= nl + 5 || n - nl - 5 >= sizeof(lang) ||
			    strncmp(e->d_name, names[k], nl) != 0 ||
			    e->d_name[nl] != '.' ||
			    strcmp(e->d_name + n - 4, ".txt") != 0)
				continue;
			snprintf(lang, sizeof(lang), "%.*s", (int)(n - nl - 5),
			    e->d_name + nl + 1);
			if (strspn(lang, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz_") != strlen(lang))
				continue;
			r = check_one(c, names[k], lang, err, errsize);
		}
	}
	closedir(d);
	return r;
}
