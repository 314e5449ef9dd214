/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * curlx.h: the one set-up of a libcurl handle, for mail (mail.c) and SMS
 * (sms.c) alike, so that the two cannot drift apart: the use's own
 * protocols only, no proxy and no .netrc from the environment, no
 * redirect, TLS 1.2 or later with the peer and its name verified, and
 * every wait bounded.  What is the use's own (SMTP login, STARTTLS,
 * connection reuse, HTTP headers) its file adds after.
 */
#ifndef SSPR_CURLX_H
#define SSPR_CURLX_H

#include <curl/curl.h>

struct curlx_use {
	const char	*url;
	const char	*protocols;	/* for CURLOPT_PROTOCOLS_STR: "smtps" */
	long		 timeout;	/* seconds, to connect and in all */
	const char	*ca_file;	/* "": libcurl's own bundle */
};

CURLcode	 curlx_setup(CURL *, const struct curlx_use *, char *);
const char	*curlx_why(CURLcode, const char *);

#endif
