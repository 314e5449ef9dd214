/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_mail: the input is a mail template for mail_render, held to what
 * mail_load_template accepts (no NUL, under MAIL_TEMPLATE_MAX).  Whatever
 * the template says, the message must carry exactly the headers the
 * daemon writes, each once, with From and To as given, and every line
 * must end in CRLF with no bare CR or LF anywhere.
 */
#include <string.h>

#include "fuzz.h"
#include "mail.h"

#define FROM	"Password reset <sspr@example.test>"	/* as it renders */
#define TO	"alice@example.test"

static const char *const headers[] = {
	"From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
	"Content-Type", "Content-Transfer-Encoding", "Auto-Submitted",
};
#define NHEADERS	(sizeof(headers) / sizeof(headers[0]))

/* Values as the daemon passes them; one holds a ${...} that must stay. */
static const struct mail_vars vars = {
	.code = "12345678", .minutes = 10, .user = "al${code}ice",
	.service = "sshd", .host = "h\xc3\xb8st.example", .source = "192.0.2.7",
};

/* One header line (without its CRLF): a known name, not seen before. */
static void
check_header(const char *line, size_t n, int seen[])
{
	size_t i, k;

	FUZZ_ASSERT(n <= 998);	/* RFC 5322 2.1.1 */
	for (i = 0; i < NHEADERS; i++) {
		k = strlen(headers[i]);
		if (n >= k + 2 && memcmp(line, headers[i], k) == 0 &&
		    memcmp(line + k, ": ", 2) == 0)
			break;
	}
	FUZZ_ASSERT(i < NHEADERS);
	FUZZ_ASSERT(!seen[i]);
	seen[i] = 1;
	if (i == 0)
		FUZZ_ASSERT(n == 6 + strlen(FROM) &&
		    memcmp(line + 6, FROM, strlen(FROM)) == 0);
	if (i == 1)
		FUZZ_ASSERT(n == 4 + strlen(TO) &&
		    memcmp(line + 4, TO, strlen(TO)) == 0);
}

static void
check_message(const char *msg, size_t len)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p, *eol;
	int seen[NHEADERS] = { 0 };
	size_t i;

	for (i = 0; i < len; i++) {
		if (msg[i] == '\n')
			FUZZ_ASSERT(i > 0 && msg[i - 1] == '\r');
		if (msg[i] == '\r')
			FUZZ_ASSERT(i + 1 < len && msg[i + 1] == '\n');
	}
	FUZZ_ASSERT(end != NULL);
	for (p = msg; p < end + 2; p = eol + 2) {
		eol = strstr(p, "\r\n");
		check_header(p, (size_t)(eol - p), seen);
	}
	for (i = 0; i < NHEADERS; i++)
		FUZZ_ASSERT(seen[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char tmpl[MAIL_TEMPLATE_MAX], msg[MAIL_MAX];
	char err[256] = "";
	int n;

	/* what mail_load_template refuses never reaches mail_render */
	if (size >= sizeof(tmpl) - 1 || memchr(data, '\0', size) != NULL)
		return 0;
	memcpy(tmpl, data, size);
	tmpl[size] = '\0';
	n = mail_render(tmpl, &vars, FROM, TO, msg, sizeof(msg), err,
	    sizeof(err));
	if (n < 0) {
		FUZZ_ASSERT(err[0] != '\0');
		return 0;
	}
	FUZZ_ASSERT((size_t)n == strlen(msg));
	check_message(msg, (size_t)n);
	return 0;
}
