/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_cfg: the input is a configuration file for cfg_parse (which reads
 * no secret file).  A refusal must say why; an accepted configuration is
 * printed as `sspr-helperd --check` prints it, and that text must parse
 * to a configuration that prints the same again.
 */
#include <string.h>

#include "cfg.h"
#include "fuzz.h"

#define LINE_MAX_CFG	1024	/* CFG_LINE_MAX in cfgparse.h */

static char *
print(const struct cfg *c, size_t *len)
{
	char *text = NULL;
	FILE *fp = open_memstream(&text, len);

	FUZZ_ASSERT(fp != NULL);
	cfg_print(c, fp);
	FUZZ_ASSERT(fclose(fp) == 0);
	return text;
}

/*
 * cfg_print writes "key = value": two bytes more than the shortest
 * "key=value", so a value near the line cap prints a line the parser
 * would refuse.  Only such texts are not parsed again.
 */
static int
lines_fit(const char *text)
{
	const char *nl;

	for (; (nl = strchr(text, '\n')) != NULL; text = nl + 1)
		if (nl - text > LINE_MAX_CFG)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024] = "", *text, *text2;
	struct cfg *c, *c2;
	size_t len, len2;

	c = cfg_parse("fuzz.conf", (const char *)data, size, err,
	    sizeof(err));
	if (c == NULL) {
		FUZZ_ASSERT(strncmp(err, "fuzz.conf", 9) == 0);
		return 0;
	}
	text = print(c, &len);
	FUZZ_ASSERT(strlen(text) == len);
	if (lines_fit(text)) {
		c2 = cfg_parse("printed.conf", text, len, err, sizeof(err));
		if (c2 == NULL)
			fuzz_fail(__FILE__, __LINE__, err);
		text2 = print(c2, &len2);
		FUZZ_ASSERT(len2 == len && memcmp(text, text2, len) == 0);
		free(text2);
		cfg_unref(c2);
	}
	free(text);
	cfg_unref(c);
	return 0;
}
