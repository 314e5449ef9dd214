/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sspr-helperd/curlx.c, the one libcurl set-up of mail and
 * SMS, on loopback sockets of the test's own: only the use's protocols,
 * no proxy taken from the environment (mail once took ALL_PROXY), and a
 * server that never answers costs the timeout and no more.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "curlx.h"

/* A TCP socket on 127.0.0.1, listening or (refusing) only bound. */
static int
loopback(int listening, int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if (listening)
		assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static CURLcode
connect_only(const char *url, const char *protocols, long timeout)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curlx_use use = { url, protocols, timeout, "" };
	CURLcode rc;
	CURL *h;

	assert_non_null(h = curl_easy_init());
	rc = curlx_setup(h, &use, errbuf);
	assert_int_equal(rc, CURLE_OK);
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	rc = curl_easy_perform(h);
	curl_easy_cleanup(h);
	return rc;
}

/* A URL of another protocol than the use's is refused before any I/O. */
static void
test_protocols(void **state)
{
	(void)state;
	assert_int_equal(connect_only("file:///etc/passwd", "https", 5),
	    CURLE_UNSUPPORTED_PROTOCOL);
	assert_int_equal(connect_only("http://127.0.0.1:1/", "https", 5),
	    CURLE_UNSUPPORTED_PROTOCOL);
	assert_int_equal(connect_only("smtps://127.0.0.1:1/", "smtp", 5),
	    CURLE_UNSUPPORTED_PROTOCOL);
	assert_int_equal(connect_only("smtp://127.0.0.1:1/", "smtps", 5),
	    CURLE_UNSUPPORTED_PROTOCOL);
}

/*
 * With every proxy variable pointing at a listener of ours, a transfer
 * to a port that refuses must be refused directly: had libcurl used the
 * proxy, the listener would hold a connection.
 */
static void
test_no_proxy_from_env(void **state)
{
	static const char *const vars[] = { "ALL_PROXY", "all_proxy",
	    "http_proxy", "HTTPS_PROXY", "https_proxy", NULL };
	static const char *const urls[][2] = {
		{ "smtp://127.0.0.1:%d/", "smtp" },
		{ "smtps://127.0.0.1:%d/", "smtps" },
		{ "http://127.0.0.1:%d/", "http" },
		{ "https://127.0.0.1:%d/", "https" },
	};
	char proxy[64], url[64];
	int pfd, pport, rfd, rport, fd;
	size_t i;

	(void)state;
	pfd = loopback(1, &pport);
	rfd = loopback(0, &rport);
	snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", pport);
	for (i = 0; vars[i] != NULL; i++)
		setenv(vars[i], proxy, 1);
	unsetenv("NO_PROXY");
	unsetenv("no_proxy");
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		snprintf(url, sizeof(url), urls[i][0], rport);
		assert_int_equal(connect_only(url, urls[i][1], 5),
		    CURLE_COULDNT_CONNECT);
		fd = accept(pfd, NULL, NULL);
		if (fd >= 0)
			close(fd);
		assert_true(fd < 0);
	}
	for (i = 0; vars[i] != NULL; i++)
		unsetenv(vars[i]);
	close(rfd);
	close(pfd);
}

/* A server that takes the connection and never speaks: the timeout. */
static void
test_timeout(void **state)
{
	struct timespec t0, t1;
	char url[64];
	int fd, port;

	(void)state;
	fd = loopback(1, &port);
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d/", port);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(connect_only(url, "smtp", 1),
	    CURLE_OPERATION_TIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* bounded; generous for a loaded machine */
	assert_true(t1.tv_sec - t0.tv_sec < 10);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protocols),
		cmocka_unit_test(test_no_proxy_from_env),
		cmocka_unit_test(test_timeout),
	};
	int r;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return r;
}
