/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dir_fake.c: see dir_fake.h.  The counters work as dir_store.c's do on
 * an entry: every event adds a unique value (tvalue_make), a block is
 * written when throttle_must_block says so, a check reads them back; so
 * the code a job runs above it (jobs.c, the families' work) is the real
 * one.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dir_fake.h"
#include "throttle.h"

#define DF_ACCOUNTS	8

struct df_acct {
	int		 used;
	char		 user[64];
	char		 password[SSPR_SECRET_MAX + 1];
	struct account	 a;
};

static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static struct df_acct	 accts[DF_ACCOUNTS];
static struct {
	int	 fail_status, fail_n, delay_ms, calls;
} ops[DF_NOPS];

char dir_fake_ctx[1];

void
df_reset(void)
{
	int i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < DF_ACCOUNTS; i++)
		account_clear(&accts[i].a);
	memset(accts, 0, sizeof(accts));
	memset(ops, 0, sizeof(ops));
	pthread_mutex_unlock(&lock);
}

static char **
strv1(const char *s)
{
	char **v = calloc(2, sizeof(*v));

	if (v != NULL && (v[0] = strdup(s)) == NULL) {
		free(v);
		v = NULL;
	}
	return v;
}

int
df_add(const char *user, const char *mail, const char *password)
{
	char dn[256];
	int i;

	for (i = 0; i < DF_ACCOUNTS && accts[i].used; i++)
		;
	if (i == DF_ACCOUNTS)
		return -1;
	snprintf(dn, sizeof(dn), "uid=%s,ou=people,dc=example,dc=org", user);
	accts[i].used = 1;
	snprintf(accts[i].user, sizeof(accts[i].user), "%s", user);
	snprintf(accts[i].password, sizeof(accts[i].password), "%s",
	    password);
	accts[i].a.dn = strdup(dn);
	accts[i].a.mail = mail != NULL ? strdup(mail) : NULL;
	accts[i].a.names = strv1(user);
	accts[i].a.uid_number = 10001 + i;
	accts[i].a.in_scope = 1;
	return 0;
}

static struct df_acct *
by_user(const char *user)
{
	int i;

	for (i = 0; i < DF_ACCOUNTS; i++)
		if (accts[i].used && strcasecmp(accts[i].user, user) == 0)
			return &accts[i];
	return NULL;
}

static struct df_acct *
by_dn(const char *dn)
{
	int i;

	for (i = 0; dn != NULL && i < DF_ACCOUNTS; i++)
		if (accts[i].used && strcmp(accts[i].a.dn, dn) == 0)
			return &accts[i];
	return NULL;
}

struct account *
df_entry(const char *user)
{
	struct df_acct *e = by_user(user);

	return e != NULL ? &e->a : NULL;
}

const char *
df_password(const char *user)
{
	struct df_acct *e = by_user(user);

	return e != NULL ? e->password : NULL;
}

void
df_fail(enum df_op op, int status, int n)
{
	pthread_mutex_lock(&lock);
	ops[op].fail_status = status;
	ops[op].fail_n = n;
	pthread_mutex_unlock(&lock);
}

void
df_delay(enum df_op op, int ms)
{
	ops[op].delay_ms = ms;
}

int
df_calls(enum df_op op)
{
	return ops[op].calls;
}

/*
 * Entered by every operation, with the lock taken: the delay, then an
 * injected failure (0: none; DIR_UNKNOWN: go on, the caller reports it
 * after its write).
 */
static int
enter(enum df_op op, struct dir_result *res)
{
	struct timespec ts;
	int st = 0;

	if (ops[op].delay_ms > 0) {
		ts.tv_sec = ops[op].delay_ms / 1000;
		ts.tv_nsec = (ops[op].delay_ms % 1000) * 1000000L;
		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&lock);
	ops[op].calls++;
	if (ops[op].fail_n > 0) {
		ops[op].fail_n--;
		st = ops[op].fail_status;
	}
	if (res != NULL)
		memset(res, 0, sizeof(*res));
	if (st != 0 && st != DIR_UNKNOWN) {
		dir_result_set(res, st, 0, "injected");
		pthread_mutex_unlock(&lock);
	}
	return st;
}

/* Leaves a write: OK, or DIR_UNKNOWN if that was injected. */
static int
leave(int st, struct dir_result *res)
{
	pthread_mutex_unlock(&lock);
	dir_result_set(res, st == DIR_UNKNOWN ? DIR_UNKNOWN : DIR_OK, 0,
	    st == DIR_UNKNOWN ? "injected: the answer was lost" : NULL);
	return st == DIR_UNKNOWN ? -1 : 0;
}

#define ENTER(op, res)	do { st = enter(op, res); if (st != 0 && \
			    st != DIR_UNKNOWN) return -1; } while (0)

static int
missing(int st, struct dir_result *res)
{
	(void)st;
	pthread_mutex_unlock(&lock);
	dir_result_set(res, DIR_NOT_FOUND, 0, NULL);
	return -1;
}

static int
fake_lookup(void *ctx, struct cfg *c, const char *user, struct account *a,
    struct dir_result *res)
{
	struct df_acct *e;
	int st;

	(void)ctx;
	(void)c;
	ENTER(DF_LOOKUP, res);
	if ((e = by_user(user)) == NULL)
		return missing(st, res);
	if (account_copy(a, &e->a) != 0) {
		pthread_mutex_unlock(&lock);
		dir_result_set(res, DIR_INTERNAL, 0, "out of memory");
		return -1;
	}
	pthread_mutex_unlock(&lock);
	dir_result_set(res, DIR_OK, 0, NULL);
	return 0;
}

static int
fake_set_password(void *ctx, struct cfg *c, const struct account *a,
    const struct secret *pw, struct dir_result *res)
{
	struct df_acct *e;
	int st;

	(void)ctx;
	(void)c;
	ENTER(DF_SET_PASSWORD, res);
	if ((e = by_dn(a->dn)) == NULL)
		return missing(st, res);
	snprintf(e->password, sizeof(e->password), "%s", secret_str(pw));
	e->a.locked = 0;
	return leave(st, res);
}

static int
fake_change_password(void *ctx, struct cfg *c, const struct account *a,
    const struct secret *old, const struct secret *pw, struct dir_result *res)
{
	struct df_acct *e;
	int st;

	(void)ctx;
	(void)c;
	ENTER(DF_CHANGE_PASSWORD, res);
	if ((e = by_dn(a->dn)) == NULL)
		return missing(st, res);
	if (strcmp(e->password, secret_str(old)) != 0) {
		pthread_mutex_unlock(&lock);
		dir_result_set(res, DIR_BAD_PASSWORD, 0, NULL);
		return -1;
	}
	snprintf(e->password, sizeof(e->password), "%s", secret_str(pw));
	return leave(st, res);
}

static int
fake_unlock(void *ctx, struct cfg *c, const struct account *a,
    struct dir_result *res)
{
	struct df_acct *e;
	int st, was;

	(void)ctx;
	(void)c;
	ENTER(DF_UNLOCK, res);
	if ((e = by_dn(a->dn)) == NULL)
		return missing(st, res);
	was = e->a.locked;
	e->a.locked = 0;
	st = leave(st, res);
	res->unlocked = was;
	return st;
}

/* The counters the values on the entry say; blocked: as stored. */
static void
parse_counters(struct account *a, long long blocked)
{
	long long when;
	int i;

	memset(&a->counters, 0, sizeof(a->counters));
	for (i = 0; a->raw_sent != NULL && a->raw_sent[i] != NULL; i++)
		if (tvalue_parse(a->raw_sent[i], &when) == 0)
			tstate_add(a->counters.sent, &a->counters.n_sent,
			    when);
	for (i = 0; a->raw_fails != NULL && a->raw_fails[i] != NULL; i++)
		if (tvalue_parse(a->raw_fails[i], &when) == 0)
			tstate_add(a->counters.fails, &a->counters.n_fails,
			    when);
	a->counters.blocked_until = blocked;
}

/* A read of the entry e's counters into a (a job's copy), with the raw
 * values, as dir_read_counters brings them. */
static void
read_counters(const struct account *e, struct account *a)
{
	struct account raw = { .raw_sent = e->raw_sent,
	    .raw_fails = e->raw_fails }, cp;

	account_clear(&(struct account){ .raw_sent = a->raw_sent,
	    .raw_fails = a->raw_fails });
	a->raw_sent = a->raw_fails = NULL;
	if (account_copy(&cp, &raw) == 0) {
		a->raw_sent = cp.raw_sent;
		a->raw_fails = cp.raw_fails;
	}
	parse_counters(a, e->counters.blocked_until);
}

static int
fake_counters_read(void *ctx, struct cfg *c, struct account *a,
    struct dir_result *res)
{
	struct df_acct *e;
	int st;

	(void)ctx;
	(void)c;
	ENTER(DF_COUNTERS_READ, res);
	if ((e = by_dn(a->dn)) == NULL)
		return missing(st, res);
	read_counters(&e->a, a);
	pthread_mutex_unlock(&lock);
	dir_result_set(res, DIR_OK, 0, NULL);
	return 0;
}

static int
strv_add(char ***v, const char *s)
{
	size_t n = 0;
	char **nv;

	while (*v != NULL && (*v)[n] != NULL)
		n++;
	if ((nv = realloc(*v, (n + 2) * sizeof(*nv))) == NULL)
		return -1;
	*v = nv;
	if ((nv[n] = strdup(s)) == NULL)
		return -1;
	nv[n + 1] = NULL;
	return 0;
}

static int
fake_counter_add(void *ctx, struct cfg *c, struct account *a, int fail,
    char *added, size_t size, struct dir_result *res)
{
	struct df_acct *e;
	char value[64];
	long long now = time(NULL);
	int st;

	(void)ctx;
	ENTER(DF_COUNTER_ADD, res);
	if ((e = by_dn(a->dn)) == NULL)
		return missing(st, res);
	tvalue_make(now, value, sizeof(value));
	if (strv_add(fail ? &e->a.raw_fails : &e->a.raw_sent, value) != 0) {
		pthread_mutex_unlock(&lock);
		dir_result_set(res, DIR_INTERNAL, 0, "out of memory");
		return -1;
	}
	if (added != NULL)
		snprintf(added, size, "%s", value);
	parse_counters(&e->a, e->a.counters.blocked_until);
	read_counters(&e->a, a);
	if (fail && throttle_must_block(c, &a->counters, now)) {
		e->a.counters.blocked_until = now + c->block_time;
		a->counters.blocked_until = now + c->block_time;
	}
	return leave(st, res);
}

static int
fake_counters_clear(void *ctx, struct cfg *c, const struct account *a,
    struct dir_result *res)
{
	struct df_acct *e;
	int st;

	(void)ctx;
	(void)c;
	ENTER(DF_COUNTERS_CLEAR, res);
	if ((e = by_dn(a->dn)) == NULL)
		return missing(st, res);
	account_clear(&(struct account){ .raw_sent = e->a.raw_sent,
	    .raw_fails = e->a.raw_fails });
	e->a.raw_sent = e->a.raw_fails = NULL;
	memset(&e->a.counters, 0, sizeof(e->a.counters));
	return leave(st, res);
}

static void
set_str(char **p, const char *v)
{
	free(*p);
	*p = v != NULL ? strdup(v) : NULL;
}

static int
fake_method_store(void *ctx, struct cfg *c, const struct account *a,
    const struct dir_store_rec *r, struct dir_result *res)
{
	struct df_acct *e;
	char v[32];
	int st, i;

	(void)ctx;
	(void)c;
	ENTER(DF_METHOD_STORE, res);
	if ((e = by_dn(a->dn)) == NULL)
		return missing(st, res);
	switch (r->what) {
	case DS_MAIL:
		set_str(&e->a.reg_mail, r->value);
		break;
	case DS_PHONE:
		set_str(&e->a.phone, r->value);
		break;
	case DS_TOTP:
		set_str(&e->a.totp, r->value);
		snprintf(v, sizeof(v), "%lld", r->step);
		set_str(&e->a.totp_last, v);
		break;
	case DS_ANSWERS:
		account_clear(&(struct account){ .answers = e->a.answers });
		e->a.answers = NULL;
		for (i = 0; r->answers != NULL && r->answers[i] != NULL; i++)
			(void)strv_add(&e->a.answers, r->answers[i]);
		break;
	case DS_CONFIRM:
		e->a.registered = r->step;
		e->a.skips = 0;
		break;
	case DS_SKIP:
		e->a.skips = (int)r->step;
		break;
	case DS_RCODES:	/* one replace, as LDAP's */
		account_clear(&(struct account){ .rcodes = e->a.rcodes });
		e->a.rcodes = NULL;
		for (i = 0; r->answers != NULL && r->answers[i] != NULL; i++)
			(void)strv_add(&e->a.rcodes, r->answers[i]);
		break;
	}
	return leave(st, res);
}

static int
fake_totp_step_swap(void *ctx, struct cfg *c, const struct account *a,
    const char *old, long long step, struct dir_result *res)
{
	struct df_acct *e;
	char v[32];
	int st;

	(void)ctx;
	(void)c;
	ENTER(DF_TOTP_SWAP, res);
	if ((e = by_dn(a->dn)) == NULL)
		return missing(st, res);
	/* strict, as LDAP's delete of the value read: a step taken
	 * meanwhile (by any flow) makes the swap fail */
	if ((old == NULL) != (e->a.totp_last == NULL) || (old != NULL &&
	    strcmp(old, e->a.totp_last) != 0)) {
		pthread_mutex_unlock(&lock);
		dir_result_set(res, DIR_REFUSED, 0, "no such value");
		return -1;
	}
	snprintf(v, sizeof(v), "%lld", step);
	set_str(&e->a.totp_last, v);
	return leave(st, res);
}

static int
fake_totp_reseal(void *ctx, struct cfg *c, const struct account *a,
    const char *sealed, struct dir_result *res)
{
	struct df_acct *e;
	int st;

	(void)ctx;
	(void)c;
	ENTER(DF_TOTP_RESEAL, res);
	if ((e = by_dn(a->dn)) == NULL)
		return missing(st, res);
	set_str(&e->a.totp, sealed);
	return leave(st, res);
}

/* As LDAP's strict delete of that very value: only the first caller
 * finds it; the others get DIR_NOT_FOUND, as dir_value_consume says. */
static int
fake_value_consume(void *ctx, struct cfg *c, const struct account *a,
    enum dir_value which, const char *value, struct dir_result *res)
{
	struct df_acct *e;
	char **v;
	int st, i, n;

	(void)ctx;
	(void)c;
	ENTER(DF_VALUE_CONSUME, res);
	if ((e = by_dn(a->dn)) == NULL)
		return missing(st, res);
	if (which == DV_HELPDESK_PASS) {
		if (e->a.pass == NULL || value == NULL ||
		    strcmp(e->a.pass, value) != 0)
			goto gone;
		set_str(&e->a.pass, NULL);
		return leave(st, res);
	}
	v = which == DV_RCODE ? e->a.rcodes : NULL;
	for (i = 0; v != NULL && value != NULL && v[i] != NULL &&
	    strcmp(v[i], value) != 0; i++)
		;
	if (v == NULL || value == NULL || v[i] == NULL)
		goto gone;
	free(v[i]);
	for (n = i; v[n] != NULL; n++)
		v[n] = v[n + 1];
	if (v[0] == NULL) {	/* the last one: the attribute is gone */
		free(v);
		e->a.rcodes = NULL;
	}
	return leave(st, res);
gone:
	pthread_mutex_unlock(&lock);
	dir_result_set(res, DIR_NOT_FOUND, 0, "no such value");
	return -1;
}

static int
fake_report(void *ctx, struct cfg *c, void (*emit)(void *, const char **,
    int), void *arg, char *err, size_t size)
{
	struct dir_result res;
	const char *f[4];
	int st, i;

	(void)ctx;
	(void)c;
	if ((st = enter(DF_REPORT, &res)) != 0 && st != DIR_UNKNOWN) {
		snprintf(err, size, "%s", res.detail);
		return -1;
	}
	for (i = 0; i < DF_ACCOUNTS; i++) {
		if (!accts[i].used)
			continue;
		f[0] = accts[i].user;
		f[1] = accts[i].a.reg_mail != NULL ? "email" : "-";
		f[2] = "-";
		f[3] = accts[i].a.dn;
		emit(arg, f, 4);
	}
	pthread_mutex_unlock(&lock);
	return 0;
}

const struct dir_backend dir_fake = {
	.name = "fake",
	.lookup = fake_lookup,
	.set_password = fake_set_password,
	.change_password = fake_change_password,
	.unlock = fake_unlock,
	.counters_read = fake_counters_read,
	.counter_add = fake_counter_add,
	.counters_clear = fake_counters_clear,
	.method_store = fake_method_store,
	.totp_step_swap = fake_totp_step_swap,
	.totp_reseal = fake_totp_reseal,
	.value_consume = fake_value_consume,
	.report = fake_report,
};
