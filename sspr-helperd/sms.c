/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sms.c: phone numbers (E.164, masked for display), the gateway request
 * built from admin-written templates, and its delivery with libcurl.
 * TLS is verified; plain http:// only with [sms] insecure to a loopback
 * address (a test gateway).  The credential header is read from its own
 * file by cfgfiles.c and never reaches a log line or an error string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "curlx.h"
#include "outbuf.h"
#include "sms.h"

#ifndef SSPR_VERSION
#define SSPR_VERSION "0"
#endif

/* "+" then 8 to 15 digits, the first not 0, and nothing else. */
int
sms_phone_valid(const char *s)
{
	size_t n;

	if (s[0] != '+' || s[1] < '1' || s[1] > '9')
		return 0;
	n = strspn(s + 1, "0123456789");
	return s[1 + n] == '\0' && n >= 8 && n <= 15;
}

/*
 * A number as directories often hold it ("+31 6 1234-5678", "+1 (555)
 * 010.0199") reduced to E.164; -1 if anything else is in it or the result
 * is not a valid number.
 */
int
sms_phone_normalize(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in != '\0'; in++) {
		if (strchr(" -.()", *in) != NULL)
			continue;
		if ((*in != '+' || n != 0) && (*in < '0' || *in > '9'))
			return -1;
		if (n + 1 >= size || n >= SMS_PHONE_MAX)
			return -1;
		out[n++] = *in;
	}
	if (size == 0)
		return -1;
	out[n] = '\0';
	return sms_phone_valid(out) ? 0 : -1;
}

/* "+31612345678" -> "+31*******78": the country, and the last two digits. */
int
sms_phone_mask(const char *s, char *out, size_t size)
{
	size_t n = strlen(s), i;

	if (!sms_phone_valid(s) || size < n + 1)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = i < 3 || i >= n - 2 ? s[i] : '*';
	out[n] = '\0';
	return 0;
}


/* RFC 3986 unreserved characters stay; every other byte is %XX. */
static void
put_pct(struct outbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char e[3];

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL) {
			outbuf_put(b, (const char *)p, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[*p >> 4];
		e[2] = hex[*p & 15];
		outbuf_put(b, e, 3);
	}
}

/* The inside of a JSON string (RFC 8259 section 7); UTF-8 passes. */
static void
put_json(struct outbuf *b, const char *s)
{
	const unsigned char *p;
	char e[8];

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			e[0] = '\\';
			e[1] = (char)*p;
			outbuf_put(b, e, 2);
		} else if (*p == '\n') {
			outbuf_put(b, "\\n", 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(e, sizeof(e), "\\u%04x", *p);
			outbuf_put(b, e, 6);
		} else {
			outbuf_put(b, (const char *)p, 1);
		}
	}
}

/* {code} and {minutes} in [sms] text; the result is plain text. */
int
sms_render_text(const char *tmpl, const char *code, int minutes, char *out,
    size_t size)
{
	struct outbuf b = { out, size, 0, 0 };
	char num[16];

	if (size == 0)
		return -1;
	out[0] = '\0';
	snprintf(num, sizeof(num), "%d", minutes);
	while (*tmpl != '\0') {
		if (strncmp(tmpl, "{code}", 6) == 0) {
			outbuf_put(&b, code, strlen(code));
			tmpl += 6;
		} else if (strncmp(tmpl, "{minutes}", 9) == 0) {
			outbuf_put(&b, num, strlen(num));
			tmpl += 9;
		} else {
			outbuf_put(&b, tmpl++, 1);
		}
	}
	if (b.bad) {
		explicit_bzero(out, size);
		return -1;
	}
	return 0;
}

/*
 * {to} and {text} in the url (esc SMS_ESC_URL) or the body (esc
 * SMS_ESC_FORM or SMS_ESC_JSON), each value escaped for where it lands.
 */
int
sms_expand(const char *tmpl, int esc, const char *to, const char *text,
    char *out, size_t size)
{
	struct outbuf b = { out, size, 0, 0 };
	const char *v;

	if (size == 0 || (esc != SMS_ESC_URL && esc != SMS_ESC_FORM &&
	    esc != SMS_ESC_JSON))
		return -1;
	out[0] = '\0';
	while (*tmpl != '\0') {
		if (strncmp(tmpl, "{to}", 4) == 0) {
			v = to;
			tmpl += 4;
		} else if (strncmp(tmpl, "{text}", 6) == 0) {
			v = text;
			tmpl += 6;
		} else {
			outbuf_put(&b, tmpl++, 1);
			continue;
		}
		if (esc == SMS_ESC_JSON)
			put_json(&b, v);
		else
			put_pct(&b, v);
	}
	if (b.bad) {
		explicit_bzero(out, size);
		return -1;
	}
	return 0;
}

/* https:// anywhere; http:// only with insecure, and only to loopback. */
int
sms_url_allowed(const char *url, int insecure, char *err, size_t errsize)
{
	if (strncmp(url, "https://", 8) == 0)
		return 0;
	if (strncmp(url, "http://", 7) != 0) {
		snprintf(err, errsize, "SMS gateway URL must be https://");
		return -1;
	}
	if (!insecure || !cfg_loopback_url(url)) {
		snprintf(err, errsize, "SMS gateway URL: http:// is allowed "
		    "only with insecure = yes to a loopback address");
		return -1;
	}
	return 0;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* The list holds the gateway's credential: wiped before it is freed. */
static void
headers_free(struct curl_slist *l)
{
	struct curl_slist *n;

	for (n = l; n != NULL; n = n->next)
		explicit_bzero(n->data, strlen(n->data));
	curl_slist_free_all(l);
}

static int
add_header(struct curl_slist **l, const char *line)
{
	struct curl_slist *n = curl_slist_append(*l, line);

	if (n == NULL)
		return -1;
	*l = n;
	return 0;
}

struct req {
	char	text[SMS_TEXT_MAX];
	char	url[SMS_REQUEST_MAX];
	char	body[SMS_REQUEST_MAX];
	char	ctype[300];
};

/*
 * What every request to the gateway has (curlx.c): https:// only, or
 * http:// only when [sms] insecure says so (to a loopback address, and
 * then the URL must be http://: cfgcheck.c, sms_url_allowed), no proxy
 * from the environment, no redirects, the timeouts, the CA verified.
 */
static CURLcode
gateway_setup(CURL *h, const struct cfg *c, const char *url, char *errbuf)
{
	struct curlx_use use = {
		.url = url,
		.protocols = c->sms_insecure ? "http" : "https",
		.timeout = c->sms_timeout,
		.ca_file = c->sms_ca_file,
	};

	return curlx_setup(h, &use, errbuf);
}

/*
 * Sends the code to the number `to` (E.164).  0 when the gateway
 * answered 2xx; otherwise -1 and err says why, naming the HTTP status or
 * the transport error, never the credential header or the code.
 */
int
sms_send(const struct cfg *c, const char *to, const char *code, int minutes,
    char *err, size_t errsize)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdr = NULL;
	struct req *q;
	CURL *h = NULL;
	CURLcode rc;
	long status = 0;
	int r = -1;

	if (*c->sms_url == '\0') {
		snprintf(err, errsize, "SMS is not configured ([sms] url)");
		return -1;
	}
	if (!sms_phone_valid(to)) {
		snprintf(err, errsize, "not an E.164 phone number");
		return -1;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	if (sms_render_text(c->sms_text, code, minutes, q->text,
	    sizeof(q->text)) != 0 ||
	    sms_expand(c->sms_url, SMS_ESC_URL, to, q->text, q->url,
	    sizeof(q->url)) != 0 ||
	    (c->sms_method == SMS_POST && sms_expand(c->sms_body,
	    cfg_sms_escape(c->sms_content_type), to, q->text, q->body,
	    sizeof(q->body)) != 0)) {
		snprintf(err, errsize, "SMS request too long or malformed "
		    "([sms] url, body or text)");
		goto out;
	}
	if (sms_url_allowed(q->url, c->sms_insecure, err, errsize) != 0)
		goto out;
	if ((h = curl_easy_init()) == NULL) {
		snprintf(err, errsize, "curl_easy_init failed");
		goto out;
	}
	snprintf(q->ctype, sizeof(q->ctype), "Content-Type: %s",
	    c->sms_content_type);
	if (add_header(&hdr, "Expect:") != 0 ||
	    (c->sms_method == SMS_POST && add_header(&hdr, q->ctype) != 0) ||
	    (c->sms_auth_header.len > 0 &&
	    add_header(&hdr, secret_str(&c->sms_auth_header)) != 0)) {
		snprintf(err, errsize, "out of memory");
		goto out;
	}
	if ((rc = gateway_setup(h, c, q->url, errbuf)) != CURLE_OK) {
		snprintf(err, errsize, "SMS gateway: %s", curlx_why(rc, errbuf));
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "sspr-helperd/" SSPR_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	if (c->sms_method == SMS_POST) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(q->body));
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		snprintf(err, errsize, "SMS gateway: %s", curlx_why(rc, errbuf));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		snprintf(err, errsize, "SMS gateway answered HTTP %ld", status);
		goto out;
	}
	r = 0;
out:
	if (h != NULL)
		curl_easy_cleanup(h);
	headers_free(hdr);
	explicit_bzero(q, sizeof(*q));
	free(q);
	return r;
}

/*
 * The preflight's check of the gateway: connect and (https) the TLS
 * handshake, CA verified, to the host of [sms] url, and nothing sent:
 * no gateway API has a request that is answered without sending or
 * charging alike, so the request itself is not tried.
 */
int
sms_probe(const struct cfg *c, char *err, size_t errsize)
{
	char errbuf[CURL_ERROR_SIZE] = "", url[SMS_REQUEST_MAX];
	CURLcode rc;
	CURL *h;

	if (sms_expand(c->sms_url, SMS_ESC_URL, "+10000000000", "preflight",
	    url, sizeof(url)) != 0) {
		snprintf(err, errsize, "[sms] url too long or malformed");
		return -1;
	}
	if (sms_url_allowed(url, c->sms_insecure, err, errsize) != 0)
		return -1;
	if ((h = curl_easy_init()) == NULL) {
		snprintf(err, errsize, "curl_easy_init failed");
		return -1;
	}
	if ((rc = gateway_setup(h, c, url, errbuf)) == CURLE_OK) {
		curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
		rc = curl_easy_perform(h);
	}
	curl_easy_cleanup(h);
	if (rc != CURLE_OK)
		snprintf(err, errsize, "%s", curlx_why(rc, errbuf));
	return rc == CURLE_OK ? 0 : -1;
}
