/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sms_send: loads a daemon configuration and sends one code by SMS
 * through sspr-helperd/sms.c, for tests of the gateway request.
 *
 *   sms_send CONFIG NUMBER CODE
 *
 * Prints "sent" and exits 0, or prints the error on stderr and exits 1
 * (2 when the configuration does not load).
 */
#include <stdio.h>

#include <curl/curl.h>

#include "cfg.h"
#include "sms.h"

int
main(int argc, char **argv)
{
	char err[512];
	struct cfg *c;
	int r;

	if (argc != 4) {
		fprintf(stderr, "usage: sms_send CONFIG NUMBER CODE\n");
		return 2;
	}
	if ((c = cfg_load(argv[1], err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = sms_send(c, argv[2], argv[3], c->code_lifetime / 60, err,
	    sizeof(err));
	if (r == 0)
		printf("sent\n");
	else
		fprintf(stderr, "sms_send: %s\n", err);
	cfg_unref(c);
	curl_global_cleanup();
	return r == 0 ? 0 : 1;
}
