/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * addr.c: pure functions over mail addresses.  The address comes from the
 * directory, which we do not trust to hold only well-formed values: it
 * goes into SMTP commands (cf. curl PR #22119, CR/LF in RCPT TO).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "wire.h"

static int
local_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL;
}

static int
domain_ok(const char *d)
{
	size_t label = 0;
	const char *p;
	int labels = 1;

	if (*d == '\0' || *d == '.' || *d == '-')
		return 0;
	for (p = d; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '.') {
			if (label == 0 || p[-1] == '-')
				return 0;
			label = 0;
			labels++;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && p[-1] != '-' && labels >= 1;
}

/*
 * A plain dot-atom address with an ASCII (or IDNA A-label) domain: no
 * quoted local parts, no comments, no whitespace or control characters,
 * exactly one '@'.  Anything else makes the account ineligible rather
 * than risk a malformed envelope.
 */
int
addr_valid(const char *a)
{
	const char *at = strchr(a, '@');
	size_t n = strlen(a), local;
	const char *p;

	if (at == NULL || n > ADDR_MAX || strchr(at + 1, '@') != NULL)
		return 0;
	local = (size_t)(at - a);
	if (local == 0 || local > ADDR_LOCAL_MAX || a[0] == '.' ||
	    at[-1] == '.')
		return 0;
	for (p = a; p < at; p++)
		if (!local_char((unsigned char)*p) || (*p == '.' && p[1] == '.'))
			return 0;
	return domain_ok(at + 1);
}

/*
 * A display name as an admin writes it: text a terminal may show (no
 * control characters, wire_text_ok), without the characters that would
 * end or escape a quoted string or an angle address.  Nothing of it can
 * reach an SMTP command: the envelope takes the address alone.
 */
static int
name_ok(const char *s, size_t n)
{
	return n <= ADDR_NAME_MAX && wire_text_ok((const unsigned char *)s, n) &&
	    memchr(s, '"', n) == NULL && memchr(s, '\\', n) == NULL &&
	    memchr(s, '<', n) == NULL && memchr(s, '>', n) == NULL;
}

/*
 * [mail] from: an address, or "Display Name <address>" (RFC 5322
 * name-addr; the name may be in double quotes).  The address is checked
 * as every address is (addr_valid); name gets the display name, "" when
 * there is none.  0, or -1 for anything else.
 */
int
addr_from_split(const char *from, char *name, size_t namesize, char *addr,
    size_t addrsize)
{
	const char *lt = strchr(from, '<'), *gt, *s, *e;
	size_t n;

	name[0] = addr[0] = '\0';
	if (lt == NULL) {
		if (strlen(from) >= addrsize || !addr_valid(from))
			return -1;
		strcpy(addr, from);
		return 0;
	}
	gt = strchr(lt, '>');
	if (gt == NULL || gt[1] != '\0' || (n = (size_t)(gt - lt - 1)) >=
	    addrsize)
		return -1;
	memcpy(addr, lt + 1, n);
	addr[n] = '\0';
	if (!addr_valid(addr))
		goto bad;
	for (s = from; s < lt && *s == ' '; s++)
		;
	for (e = lt; e > s && e[-1] == ' '; e--)
		;
	if (e - s >= 2 && *s == '"' && e[-1] == '"') {
		s++;
		e--;
	}
	n = (size_t)(e - s);
	if (n >= namesize || !name_ok(s, n))
		goto bad;
	memcpy(name, s, n);
	name[n] = '\0';
	return 0;
bad:
	addr[0] = '\0';
	return -1;
}

/*
 * "john.doe@mail.example.org" -> "j***@m***.org": enough for the owner
 * to recognise the address, too little to learn it.
 */
int
addr_mask(const char *a, char *out, size_t size)
{
	const char *at = strchr(a, '@'), *tld;
	int n;

	if (at == NULL || at == a || at[1] == '\0')
		return -1;
	tld = strrchr(at + 1, '.');
	if (tld == NULL || tld == at + 1)
		tld = "";
	n = snprintf(out, size, "%c***@%c***%s", tolower((unsigned char)a[0]),
	    tolower((unsigned char)at[1]), tld);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * The mask shown for an account that gets no mail (unknown, ineligible,
 * throttled): built from the user ID's first letter and the domain of the
 * daemon's From address, the most common recovery domain, with a letter
 * picked by a keyed hash of the user ID so that asking twice shows the
 * same thing.
 */
int
addr_mask_fake(const char *user, const char *from, unsigned pick, char *out,
    size_t size)
{
	const char *at = strchr(from, '@');
	char fake[ADDR_MAX + 1];
	char first;

	if (at == NULL)
		return -1;
	first = isalpha((unsigned char)user[0]) && (unsigned char)user[0] < 0x80 ?
	    user[0] : (char)('a' + pick % 26);
	snprintf(fake, sizeof(fake), "%c@%s", first, at + 1);
	return addr_mask(fake, out, size);
}
