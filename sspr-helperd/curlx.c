/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * curlx.c: the hardened set-up every libcurl handle of the daemon gets
 * (see curlx.h).  Runs on mail and SMS workers; holds no state.
 */
#include <curl/curl.h>

#include "curlx.h"

/*
 * A parsed CA store is kept by the handle for this long (a mail worker
 * keeps its handle, so the ~140 CAs of a system bundle are not parsed
 * anew for every message); a changed CA file counts after it.
 */
#define CA_CACHE_SECONDS	300

#define SET(h, opt, val) do {						\
	CURLcode rc_ = curl_easy_setopt((h), (opt), (val));		\
	if (rc_ != CURLE_OK)						\
		return rc_;						\
} while (0)

/*
 * The CA store is one file, so that libcurl can cache it: the configured
 * one alone, or else libcurl's built-in bundle (on Debian the same CAs as
 * the hashed directory it would also search).
 */
static CURLcode
ca_setup(CURL *h, const char *ca_file)
{
	char *bundle = NULL;

	if (*ca_file != '\0') {
		SET(h, CURLOPT_CAINFO, ca_file);
		(void)curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
#if LIBCURL_VERSION_NUM >= 0x075400	/* 7.84.0: CURLINFO_CAINFO */
	else if (curl_easy_getinfo(h, CURLINFO_CAINFO, &bundle) == CURLE_OK &&
	    bundle != NULL && *bundle != '\0')
		(void)curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
#endif
	(void)bundle;
#if LIBCURL_VERSION_NUM >= 0x075700	/* 7.87.0: CURLOPT_CA_CACHE_TIMEOUT */
	(void)curl_easy_setopt(h, CURLOPT_CA_CACHE_TIMEOUT,
	    (long)CA_CACHE_SECONDS);
#endif
	return CURLE_OK;
}

/*
 * Every option that keeps a code or a credential where it belongs is
 * checked: a libcurl that refuses one (too old, built without it) gets
 * no transfer, rather than one without it.  errbuf is CURL_ERROR_SIZE
 * bytes, the handle's until it is reset or cleaned up.
 */
CURLcode
curlx_setup(CURL *h, const struct curlx_use *u, char *errbuf)
{
	SET(h, CURLOPT_ERRORBUFFER, errbuf);
	SET(h, CURLOPT_URL, u->url);
	SET(h, CURLOPT_PROTOCOLS_STR, u->protocols);
	SET(h, CURLOPT_REDIR_PROTOCOLS_STR, u->protocols);
	SET(h, CURLOPT_FOLLOWLOCATION, 0L);
	/* "" is no proxy at all, whatever ALL_PROXY or https_proxy say */
	SET(h, CURLOPT_PROXY, "");
	SET(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	/* workers are threads: no SIGALRM for name lookups */
	SET(h, CURLOPT_NOSIGNAL, 1L);
	SET(h, CURLOPT_CONNECTTIMEOUT, u->timeout);
	SET(h, CURLOPT_TIMEOUT, u->timeout);
	SET(h, CURLOPT_SSL_VERIFYPEER, 1L);
	SET(h, CURLOPT_SSL_VERIFYHOST, 2L);
	SET(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	return ca_setup(h, u->ca_file);
}

/* What went wrong: libcurl's own words for this transfer, if it has any. */
const char *
curlx_why(CURLcode rc, const char *errbuf)
{
	return *errbuf != '\0' ? errbuf : curl_easy_strerror(rc);
}
