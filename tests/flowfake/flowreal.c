/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flowreal.c: see flowfake.h.  Defines the pool_* functions of pool.c:
 * a pool is a queue the test runs, one job at a time, run then done, as
 * a worker and then the loop would; the directory jobs on the directory
 * fake, the mail jobs never sent (the test says how they went).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir_fake.h"
#include "flowfake.h"
#include "jobs.h"
#include "pool.h"

struct pool {
	struct job	*head, *tail;
	int		 n;
};

static struct pool	 dirq, mailq;
char			 fr_code[16];
char			 fr_to[SSPR_VALUE_MAX + 1];
int			 fr_notices, fr_probes;
char			 fr_notice[32];	/* the newest notice's */

struct pool *
pool_new(const char *name, int n, const struct pool_ctx *ctx, int stack)
{
	(void)n;
	(void)ctx;
	(void)stack;
	return strcmp(name, "mail") == 0 ? &mailq : &dirq;
}

void
pool_submit(struct pool *p, struct job *j)
{
	j->next = NULL;
	if (p->tail != NULL)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->n++;
}

void
pool_free(struct pool *p)
{
	(void)p;
}

int
pool_done_fd(void)
{
	return -1;
}

int
pool_done_init(void)
{
	return 0;
}

void
pool_drain(void)
{
}

int
pool_pending(struct pool *p)
{
	return p->n;
}

static struct job *
take(struct pool *p)
{
	struct job *j = p->head;

	if (j == NULL)
		return NULL;
	if ((p->head = j->next) == NULL)
		p->tail = NULL;
	p->n--;
	return j;
}

void
fr_init(void)
{
	work_set_pools(pool_new("directory", 1, NULL, 0),
	    pool_new("mail", 1, NULL, 0));
	dir_backend_set(&dir_fake);
}

int
fr_pending_dir(void)
{
	return dirq.n;
}

int
fr_pending_mail(void)
{
	return mailq.n;
}

int
fr_run_dir(void)
{
	struct job *j = take(&dirq);

	if (j == NULL)
		return 0;
	j->run(j, dir_fake_ctx);
	j->done(j);
	return 1;
}

int
fr_mail(int ok)
{
	struct job *j = take(&mailq);
	struct mail_spec *m;

	if (j == NULL)
		return 0;
	m = mail_job_spec(j);
	if (m->tmpl == NULL)
		fr_probes++;
	else if (strcmp(m->tmpl, "code") == 0 || strcmp(m->tmpl, "sms") == 0) {
		snprintf(fr_code, sizeof(fr_code), "%.*s", (int)m->code.len,
		    (const char *)m->code.buf);
		snprintf(fr_to, sizeof(fr_to), "%s", m->to);
	} else {
		fr_notices++;
		snprintf(fr_notice, sizeof(fr_notice), "%s", m->tmpl);
	}
	m->ok = ok;
	if (!ok)
		snprintf(m->err, sizeof(m->err), "injected");
	secret_wipe(&m->code);
	j->done(j);
	return 1;
}
