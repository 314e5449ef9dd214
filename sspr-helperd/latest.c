/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * latest.c: a small chained hash table from account DN to a generation
 * counter.  An entry lives while some flow refers to it.
 *
 * Statics: loop thread only.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "latest.h"

#define NBUCKETS	4096

struct latest {
	struct latest	*next;
	unsigned	 gen;
	unsigned	 refs;
	char		 dn[];
};

static struct latest	*buckets[NBUCKETS];
static size_t		 nentries;

static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % NBUCKETS;
}

/*
 * Records that a new code was issued for dn; *gen receives its
 * generation.  Returns the entry (one reference for the caller) or NULL
 * when out of memory.
 */
struct latest *
latest_issue(const char *dn, unsigned *gen)
{
	uint32_t b = hash(dn);
	struct latest *e;
	size_t n;

	for (e = buckets[b]; e != NULL; e = e->next)
		if (strcmp(e->dn, dn) == 0)
			break;
	if (e == NULL) {
		n = strlen(dn);
		if ((e = calloc(1, sizeof(*e) + n + 1)) == NULL)
			return NULL;
		memcpy(e->dn, dn, n + 1);
		e->next = buckets[b];
		buckets[b] = e;
		nentries++;
	}
	e->refs++;
	*gen = ++e->gen;
	return e;
}

int
latest_is_current(const struct latest *e, unsigned gen)
{
	return e != NULL && e->gen == gen;
}

/* Invalidates every outstanding code for the entry's account. */
void
latest_forget(struct latest *e)
{
	if (e != NULL)
		e->gen++;
}

void
latest_release(struct latest *e)
{
	struct latest **pp;

	if (e == NULL || --e->refs > 0)
		return;
	for (pp = &buckets[hash(e->dn)]; *pp != e; pp = &(*pp)->next)
		;
	*pp = e->next;
	nentries--;
	free(e);
}

size_t
latest_count(void)
{
	return nentries;
}
