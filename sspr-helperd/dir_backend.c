/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dir_backend.c: the back end a job asks (dirstore.h): LDAP's, on dir.c,
 * dir_store.c and dir_report.c, unless a test sets its own.  The one
 * file-scope pointer is set before the first worker starts and only read
 * after.
 */
#include <stddef.h>

#include "dir_ldap.h"
#include "dirstore.h"

static int
ldap_lookup(void *ctx, struct cfg *c, const char *user, struct account *a,
    struct dir_result *res)
{
	return dir_lookup(ctx, c, user, a, res);
}

static int
ldap_set_password(void *ctx, struct cfg *c, const struct account *a,
    const struct secret *pw, struct dir_result *res)
{
	return dir_set_password(ctx, c, a, pw, res);
}

static int
ldap_change_password(void *ctx, struct cfg *c, const struct account *a,
    const struct secret *old, const struct secret *pw, struct dir_result *res)
{
	return dir_change_password(ctx, c, a, old, pw, res);
}

static int
ldap_unlock(void *ctx, struct cfg *c, const struct account *a,
    struct dir_result *res)
{
	return dir_unlock(ctx, c, a, res);
}

static int
ldap_counters_read(void *ctx, struct cfg *c, struct account *a,
    struct dir_result *res)
{
	return dir_counters_read(ctx, c, a, res);
}

static int
ldap_counter_add(void *ctx, struct cfg *c, struct account *a, int fail,
    char *added, size_t size, struct dir_result *res)
{
	return dir_counter_event(ctx, c, a, fail, added, size, res);
}

static int
ldap_counters_clear(void *ctx, struct cfg *c, const struct account *a,
    struct dir_result *res)
{
	return dir_counters_clear(ctx, c, a, res);
}

static int
ldap_report(void *ctx, struct cfg *c, void (*emit)(void *, const char **,
    int), void *arg, char *err, size_t size)
{
	return dir_report(ctx, c, emit, arg, err, size);
}

static int
ldap_method_store(void *ctx, struct cfg *c, const struct account *a,
    const struct dir_store_rec *r, struct dir_result *res)
{
	return dir_method_store(ctx, c, a, r, res);
}

static int
ldap_totp_step_swap(void *ctx, struct cfg *c, const struct account *a,
    const char *old, long long step, struct dir_result *res)
{
	return dir_totp_step_swap(ctx, c, a, old, step, res);
}

static int
ldap_totp_reseal(void *ctx, struct cfg *c, const struct account *a,
    const char *sealed, struct dir_result *res)
{
	return dir_totp_reseal(ctx, c, a, sealed, res);
}

static int
ldap_value_consume(void *ctx, struct cfg *c, const struct account *a,
    enum dir_value which, const char *value, struct dir_result *res)
{
	return dir_value_consume(ctx, c, a, which, value, res);
}

static const struct dir_backend ldap_backend = {
	.name = "ldap",
	.lookup = ldap_lookup,
	.set_password = ldap_set_password,
	.change_password = ldap_change_password,
	.unlock = ldap_unlock,
	.counters_read = ldap_counters_read,
	.counter_add = ldap_counter_add,
	.counters_clear = ldap_counters_clear,
	.method_store = ldap_method_store,
	.totp_step_swap = ldap_totp_step_swap,
	.totp_reseal = ldap_totp_reseal,
	.value_consume = ldap_value_consume,
	.report = ldap_report,
};

static const struct dir_backend *backend = &ldap_backend;

const struct dir_backend *
dir_backend(void)
{
	return backend;
}

void
dir_backend_set(const struct dir_backend *b)
{
	backend = b != NULL ? b : &ldap_backend;
}
