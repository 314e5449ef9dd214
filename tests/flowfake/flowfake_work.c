/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flowfake_work.c: the test as the work layer (see flowfake.h): defines
 * the work_* functions of work.c, recording each piece of work a flow
 * asks for until the test answers it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowfake.h"

struct ff_job	 ff_jobs[FF_JOBS_MAX];
int		 ff_njobs;
char		 ff_code[16];
struct flow	*ff_code_flow;
int		 ff_sends, ff_probes, ff_notifies, ff_mail_down;

void
ff_reset(void)
{
	ff_njobs = ff_sends = ff_probes = ff_notifies = ff_mail_down = 0;
	ff_code[0] = '\0';
	ff_code_flow = NULL;
}

/* Work is recorded; the flow is held as work.c holds it. */
static void
record(struct flow *f, enum work_kind kind)
{
	if (ff_njobs == FF_JOBS_MAX)
		abort();	/* the tests never ask for this much */
	flow_ref(f);
	ff_jobs[ff_njobs++] = (struct ff_job){ f, kind };
}

void
work_dir(struct flow *f, enum work_kind kind, const struct secret *pw)
{
	(void)pw;
	record(f, kind);
}

/* The job value is made (jobs.c) and dropped: the test answers it. */
struct job_spec *
work_job(struct flow *f, enum work_kind kind)
{
	return job_new(kind, f->cfg);
}

void
work_job_submit(struct flow *f, struct job_spec *s, job_fn fn)
{
	(void)fn;
	record(f, s->kind);
	job_free(s);
}

void
work_change(struct flow *f, const struct secret *old, const struct secret *pw)
{
	(void)old;
	(void)pw;
	record(f, W_CHANGE);
}

void
work_send(struct flow *f, const struct secret *code)
{
	if (f->fake) {
		ff_probes++;
		return;
	}
	ff_sends++;
	ff_code_flow = f;
	snprintf(ff_code, sizeof(ff_code), "%.*s", (int)code->len,
	    (const char *)code->buf);
}

void
work_notify(struct flow *f, const char *tmpl, const char *owner,
    const char *also)
{
	(void)f;
	(void)tmpl;
	(void)owner;
	(void)also;
	ff_notifies++;
}

int
work_mail_down(const struct cfg *c)
{
	(void)c;
	return ff_mail_down;
}

void
work_send_report(const struct cfg *c, struct send_report *r)
{
	(void)c;
	memset(r, 0, sizeof(*r));
}

void
work_pools(struct pool **dir, struct pool **mail)
{
	*dir = *mail = NULL;
}

void
work_set_pools(struct pool *dir, struct pool *mail)
{
	(void)dir;
	(void)mail;
}

int
ff_pending(enum work_kind kind)
{
	int i, n = 0;

	for (i = 0; i < ff_njobs; i++)
		n += ff_jobs[i].kind == kind;
	return n;
}

int
ff_find(enum work_kind kind)
{
	int i;

	for (i = 0; i < ff_njobs; i++)
		if (ff_jobs[i].kind == kind)
			return i;
	return -1;
}

/* Job i comes back with r, on the loop thread, as dir_done brings it. */
void
ff_complete_at(int i, struct work_result *r)
{
	struct ff_job j = ff_jobs[i];

	memmove(&ff_jobs[i], &ff_jobs[i + 1], (size_t)(ff_njobs - i - 1) *
	    sizeof(ff_jobs[0]));
	ff_njobs--;
	r->kind = j.kind;
	flow_work_done(j.f, r);
	account_clear(&r->acct);
	flow_unref(j.f);
}

/* r: a lookup that found an eligible account with one address. */
void
ff_found(struct work_result *r, const char *name, const char *mail)
{
	r->res.status = DIR_OK;
	r->acct.dn = strdup("uid=x,ou=people,dc=example,dc=org");
	r->acct.mail = mail != NULL ? strdup(mail) : NULL;
	r->acct.names = calloc(2, sizeof(char *));
	if (r->acct.names != NULL)
		r->acct.names[0] = strdup(name);
	r->acct.uid_number = 10001;
	r->acct.in_scope = 1;
}
