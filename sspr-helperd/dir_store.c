/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dir_store.c: what the daemon keeps on the account's own entry
 * (ldap-schema/): the throttle counters and the registered recovery
 * methods, read and written for every LDAP dialect alike, in the flow's
 * terms (a method stored, a TOTP step swapped) for dir_backend.c.  Runs
 * on directory workers.  No file-scope state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "dir_ldap.h"
#include "dirstore.h"
#include "log.h"
#include "pass.h"
#include "rcodes.h"
#include "sspr_attrs.h"

/* draft-ietf-ldapext-ldap-permissive-modify, honoured by slapd and AD. */
#define PERMISSIVE_MODIFY_OID	"1.2.840.113556.1.4.1413"

static char **
get_strs(LDAP *ld, LDAPMessage *e, const char *attr)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);
	int n = ldap_count_values_len(v), i, k = 0;
	char **out;

	if (n > 4 * TS_MAX)	/* a hostile or broken entry: use a part */
		n = 4 * TS_MAX;
	if ((out = calloc((size_t)n + 1, sizeof(*out))) == NULL) {
		ldap_value_free_len(v);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (v[i]->bv_len < 64 &&
		    memchr(v[i]->bv_val, '\0', v[i]->bv_len) == NULL)
			out[k++] = strndup(v[i]->bv_val, v[i]->bv_len);
	ldap_value_free_len(v);
	return out;
}

static void
parse_times(char **raw, long long *t, int *n)
{
	long long when;
	size_t i;

	*n = 0;
	for (i = 0; raw != NULL && raw[i] != NULL; i++)
		if (tvalue_parse(raw[i], &when) == 0)
			tstate_add(t, n, when);
}

/* The counters in a looked-up entry. */
void
dir_read_counters(LDAP *ld, LDAPMessage *e, struct account *a)
{
	char *v;

	dir_strs_free(a->raw_sent);
	dir_strs_free(a->raw_fails);
	a->raw_sent = get_strs(ld, e, SA_CODE_SENT);
	a->raw_fails = get_strs(ld, e, SA_CODE_FAILURE);
	parse_times(a->raw_sent, a->counters.sent, &a->counters.n_sent);
	parse_times(a->raw_fails, a->counters.fails, &a->counters.n_fails);
	v = dir_get_one(ld, e, SA_BLOCKED_UNTIL, NULL);
	a->counters.blocked_until = v ? atoll(v) : 0;
	free(v);
}

/*
 * A counter write, tried again once on a fresh connection if the old one
 * turned out dead.  Should the first write have landed after all, an
 * event is counted twice: the error is on the strict side.
 */
static int
counter_modify(struct dconn *dc, const char *dn, LDAPMod **mods)
{
	LDAPControl perm = { PERMISSIVE_MODIFY_OID, { 0, NULL }, 0 };
	LDAPControl *ctrls[] = { &perm, NULL };
	struct dir_result res;
	struct cfg *c;
	int rc;

	rc = ldap_modify_ext_s(dc->ld, dn, mods, ctrls, NULL);
	if (!dconn_lost(rc))
		return rc;
	c = cfg_ref(dc->cfg);
	dconn_drop(dc, 1);
	rc = dconn_open(dc, c, &res) == 0 ?
	    ldap_modify_ext_s(dc->ld, dn, mods, ctrls, NULL) : LDAP_SERVER_DOWN;
	cfg_unref(c);
	return rc;
}

/* Stored values older than every window, or malformed: to be deleted. */
static int
stale_values(const struct cfg *c, char **raw, char **out, int max)
{
	long long keep = c->failure_window > c->code_window ?
	    c->failure_window : c->code_window, horizon, when;

	/* a send stays while its code may be answered: "newest code only" */
	if (keep < c->code_lifetime + 60LL)
		keep = c->code_lifetime + 60LL;
	horizon = time(NULL) - keep;
	int i, n = 0;

	for (i = 0; raw != NULL && raw[i] != NULL && n < max; i++)
		if (tvalue_parse(raw[i], &when) != 0 || when <= horizon)
			out[n++] = raw[i];
	out[n] = NULL;
	return n;
}

/*
 * Re-reads the counters of acct from its entry (after our write, so the
 * other hosts' events are in it too).
 */
int
dir_counters_read(struct dconn *dc, struct cfg *c, struct account *acct,
    struct dir_result *res)
{
	struct timeval tv = { c->dir_timeout, 0 };
	LDAPMessage *msg = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	if (dconn_open(dc, c, res) != 0)
		return -1;
	rc = ldap_search_ext_s(dc->ld, acct->dn, LDAP_SCOPE_BASE,
	    "(objectClass=*)", dir_counter_attrs, 0, NULL, NULL, &tv, 1, &msg);
	if (dconn_lost(rc)) {
		ldap_msgfree(msg);
		msg = NULL;
		dconn_drop(dc, 1);
		if (dconn_open(dc, c, res) != 0)
			return -1;
		rc = ldap_search_ext_s(dc->ld, acct->dn, LDAP_SCOPE_BASE,
		    "(objectClass=*)", dir_counter_attrs, 0, NULL, NULL, &tv, 1,
		    &msg);
	}
	if (rc != LDAP_SUCCESS || ldap_count_entries(dc->ld, msg) != 1) {
		ldap_msgfree(msg);
		if (dconn_lost(rc))
			dconn_drop(dc, 1);
		dir_result_set(res, DIR_UNAVAILABLE, 0, ldap_err2string(rc));
		return -1;
	}
	dir_read_counters(dc->ld, ldap_first_entry(dc->ld, msg), acct);
	ldap_msgfree(msg);
	dir_result_set(res, DIR_OK, 0, NULL);
	return 0;
}

char *dir_counter_attrs[] = { SA_CODE_SENT, SA_CODE_FAILURE,
    SA_BLOCKED_UNTIL, NULL };

/*
 * Records one event (STATE_SENT / STATE_FAIL semantics: 0 sent, 1 fail)
 * by adding one unique value (a copy in added, if not NULL), pruning old
 * ones, then reads the counters back.  An add needs no read-modify-write,
 * so hosts writing at once do not lose each other's events.  When wrong
 * codes reach the limit, the block is written too.
 */
int
dir_counter_event(struct dconn *dc, struct cfg *c, struct account *acct,
    int fail, char *added, size_t addedsize, struct dir_result *res)
{
	char value[64], *addv[] = { value, NULL }, *ocv[] = { SA_ACCOUNT,
	    NULL }, *stale[TS_MAX + 1], until[32], *untilv[] = { until, NULL };
	const char *attr = fail ? SA_CODE_FAILURE : SA_CODE_SENT;
	LDAPMod oc = { LDAP_MOD_ADD, "objectClass", { .modv_strvals = ocv } };
	LDAPMod add = { LDAP_MOD_ADD, (char *)attr, { .modv_strvals = addv } };
	LDAPMod del = { LDAP_MOD_DELETE, (char *)attr,
	    { .modv_strvals = stale } };
	LDAPMod blk = { LDAP_MOD_REPLACE, SA_BLOCKED_UNTIL,
	    { .modv_strvals = untilv } };
	LDAPMod *mods[4], *bmods[] = { &blk, NULL };
	long long now = time(NULL);
	int rc, n = 0;

	memset(res, 0, sizeof(*res));
	if (dconn_open(dc, c, res) != 0)
		return -1;
	tvalue_make(now, value, sizeof(value));
	if (dc->ops->add_aux_class)
		mods[n++] = &oc;
	mods[n++] = &add;
	if (stale_values(c, fail ? acct->raw_fails : acct->raw_sent, stale,
	    TS_MAX) > 0)
		mods[n++] = &del;
	mods[n] = NULL;
	rc = counter_modify(dc, acct->dn, mods);
	/*
	 * 389 ignores the permissive modify control: the class is already
	 * there, or another host pruned the same stale value first.  The
	 * event itself must still be counted; pruning waits for the next.
	 */
	if ((rc == LDAP_TYPE_OR_VALUE_EXISTS || rc == LDAP_NO_SUCH_ATTRIBUTE) &&
	    n > 1) {
		mods[0] = &add;
		mods[1] = NULL;
		rc = counter_modify(dc, acct->dn, mods);
	}
	if (rc == LDAP_SUCCESS && added != NULL)
		snprintf(added, addedsize, "%s", value);
	if (rc != LDAP_SUCCESS) {
		log_msg(LOG_ERR, "%s: cannot record a throttle event: %s (is "
		    "ldap-schema/ loaded and may the service account write "
		    "%s?)", acct->dn, ldap_err2string(rc), attr);
		dir_result_set(res, dconn_lost(rc) ? DIR_UNAVAILABLE :
		    DIR_REFUSED, 0, ldap_err2string(rc));
		return -1;
	}
	if (dir_counters_read(dc, c, acct, res) != 0)
		return -1;
	if (fail && throttle_must_block(c, &acct->counters, now)) {
		snprintf(until, sizeof(until), "%lld", now + c->block_time);
		rc = counter_modify(dc, acct->dn, bmods);
		if (rc != LDAP_SUCCESS)
			log_msg(LOG_ERR, "%s: cannot record the block: %s",
			    acct->dn, ldap_err2string(rc));
		acct->counters.blocked_until = now + c->block_time;
	}
	return 0;
}

/*
 * A count kept on the entry, 0 to 1000.  Anything else (a negative count
 * would give endless skips) counts as 0, or 1000 above it.
 */
static int
entry_count(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < 0)
		return 0;
	return v > 1000 ? 1000 : (int)v;
}

/*
 * The recovery codes left, as stored; none at all when the entry holds
 * more than a set could have left (a broken or hostile entry: reading a
 * part would make some codes look used).
 */
static char **
rcode_values(LDAP *ld, LDAPMessage *e)
{
	struct berval **v = ldap_get_values_len(ld, e, SA_RECOVERY_CODE);
	int n = ldap_count_values_len(v), i, k = 0;
	char **out = NULL;

	if (n > 0 && n <= RCODE_MAX_VALUES && (out = calloc((size_t)n + 1,
	    sizeof(*out))) != NULL)
		for (i = 0; i < n; i++)
			if (v[i]->bv_len <= RCODE_STORED_MAX &&
			    memchr(v[i]->bv_val, '\0', v[i]->bv_len) == NULL)
				out[k++] = strndup(v[i]->bv_val, v[i]->bv_len);
	ldap_value_free_len(v);
	return out;
}

/* The registered recovery methods in a looked-up entry. */
void
dir_read_registration(LDAP *ld, LDAPMessage *e, struct account *a)
{
	struct berval **v;
	char *s;
	int n, i, k = 0;

	a->reg_mail = dir_get_one(ld, e, SA_RECOVERY_MAIL, &n);
	if (a->reg_mail != NULL && (n != 1 || !addr_valid(a->reg_mail))) {
		free(a->reg_mail);
		a->reg_mail = NULL;
	}
	a->phone = dir_get_one(ld, e, SA_RECOVERY_PHONE, NULL);
	a->totp = dir_get_one(ld, e, SA_TOTP_SECRET, NULL);
	a->totp_last = dir_get_one(ld, e, SA_TOTP_LAST_STEP, NULL);
	/* one value, of the length pass.h makes: else as if none */
	a->pass = dir_get_one(ld, e, SA_HELPDESK_PASS, &n);
	if (a->pass != NULL && (n != 1 || strlen(a->pass) >= PASS_STORED_MAX)) {
		free(a->pass);
		a->pass = NULL;
	}
	if ((s = dir_get_one(ld, e, SA_REGISTERED_TIME, NULL)) != NULL)
		a->registered = atoll(s);
	free(s);
	if ((s = dir_get_one(ld, e, SA_REGISTRATION_SKIPS, NULL)) != NULL)
		a->skips = entry_count(s);
	free(s);
	v = ldap_get_values_len(ld, e, SA_QUESTION_ANSWER);
	n = ldap_count_values_len(v);
	if (n > 10)	/* [questions] required is at most 10 */
		n = 10;
	if (n > 0 && (a->answers = calloc((size_t)n + 1,
	    sizeof(*a->answers))) != NULL)
		for (i = 0; i < n; i++)
			if (v[i]->bv_len < 256 &&
			    memchr(v[i]->bv_val, '\0', v[i]->bv_len) == NULL)
				a->answers[k++] = strndup(v[i]->bv_val,
				    v[i]->bv_len);
	ldap_value_free_len(v);
	a->rcodes = rcode_values(ld, e);
}

/*
 * Changes attributes of the account's entry as the service account
 * (registration).  Not strict: with the permissive modify control, and
 * objectClass ssprAccount added where the directory needs it.  Strict
 * (a compare-and-swap such as "delete this value, add that one"): the
 * modify fails as a whole if a value to delete is not there
 * (DIR_NOT_FOUND).  Never
 * repeated: a lost connection is DIR_UNAVAILABLE.
 */
static int
dir_modify(struct dconn *dc, struct cfg *c, const struct account *acct,
    const struct dir_mod *m, int n, int strict, struct dir_result *res)
{
	LDAPControl perm = { PERMISSIVE_MODIFY_OID, { 0, NULL }, 0 };
	LDAPControl *ctrls[] = { &perm, NULL };
	char *ocv[] = { SA_ACCOUNT, NULL };
	LDAPMod oc = { LDAP_MOD_ADD, "objectClass", { .modv_strvals = ocv } };
	LDAPMod mods[8], *mp[10];
	int i, k = 0, rc;

	memset(res, 0, sizeof(*res));
	if (n > 8 || dconn_open(dc, c, res) != 0) {
		if (res->status == 0)
			dir_result_set(res, DIR_INTERNAL, 0, "too many changes");
		return -1;
	}
	if (!strict && dc->ops->add_aux_class)
		mp[k++] = &oc;
	for (i = 0; i < n; i++) {
		mods[i].mod_op = m[i].op == DIR_MOD_ADD ? LDAP_MOD_ADD :
		    m[i].op == DIR_MOD_DELETE ? LDAP_MOD_DELETE :
		    LDAP_MOD_REPLACE;
		mods[i].mod_type = (char *)m[i].attr;
		mods[i].mod_vals.modv_strvals = m[i].values;
		mp[k++] = &mods[i];
	}
	mp[k] = NULL;
	rc = ldap_modify_ext_s(dc->ld, acct->dn, mp, strict ? NULL : ctrls,
	    NULL);
	/* 389 ignores permissive modify: the class was there already */
	if (rc == LDAP_TYPE_OR_VALUE_EXISTS && !strict &&
	    dc->ops->add_aux_class)
		rc = ldap_modify_ext_s(dc->ld, acct->dn, mp + 1, ctrls, NULL);
	if (rc == LDAP_SUCCESS) {
		dir_result_set(res, DIR_OK, 0, NULL);
		return 0;
	}
	if (dconn_lost(rc))
		dconn_drop(dc, 1);
	if (!strict)
		log_msg(LOG_ERR, "%s: cannot store recovery methods: %s (is "
		    "ldap-schema/ loaded and may the service account write "
		    "them?)", acct->dn, ldap_err2string(rc));
	/* strict, a value to delete not there (any more): DIR_NOT_FOUND */
	dir_result_set(res, dconn_lost(rc) ? DIR_UNAVAILABLE : strict &&
	    rc == LDAP_NO_SUCH_ATTRIBUTE ? DIR_NOT_FOUND : DIR_REFUSED, 0,
	    ldap_err2string(rc));
	return -1;
}

/* After a successful reset or unlock: start afresh. */
int
dir_counters_clear(struct dconn *dc, struct cfg *c, const struct account *acct,
    struct dir_result *res)
{
	LDAPMod d1 = { LDAP_MOD_DELETE, SA_CODE_SENT, { NULL } };
	LDAPMod d2 = { LDAP_MOD_DELETE, SA_CODE_FAILURE, { NULL } };
	LDAPMod d3 = { LDAP_MOD_DELETE, SA_BLOCKED_UNTIL, { NULL } };
	LDAPMod *mods[] = { &d1, &d2, &d3, NULL }, *one[2] = { NULL, NULL };
	int rc, i;

	memset(res, 0, sizeof(*res));
	if (dconn_open(dc, c, res) != 0)
		return -1;
	rc = counter_modify(dc, acct->dn, mods);
	/* without permissive modify (389), one absent attribute fails all */
	if (rc == LDAP_NO_SUCH_ATTRIBUTE)
		for (i = 0, rc = LDAP_SUCCESS; mods[i] != NULL &&
		    rc == LDAP_SUCCESS; i++) {
			one[0] = mods[i];
			rc = counter_modify(dc, acct->dn, one);
			if (rc == LDAP_NO_SUCH_ATTRIBUTE)
				rc = LDAP_SUCCESS;
		}
	if (rc != LDAP_SUCCESS) {
		log_msg(LOG_WARNING, "%s: cannot clear the throttle counters: "
		    "%s", acct->dn, ldap_err2string(rc));
		dir_result_set(res, DIR_REFUSED, 0, ldap_err2string(rc));
		return -1;
	}
	return 0;
}

/* --- what registration and a reset store, in the flow's terms ---------- */

int
dir_method_store(struct dconn *ctx, struct cfg *c, const struct account *a,
    const struct dir_store_rec *r, struct dir_result *res)
{
	char one[64], two[32];
	char *v1[] = { one, NULL }, *v2[] = { two, NULL };
	struct dir_mod m[2];
	int n = 0;

	switch (r->what) {
	case DS_MAIL:
	case DS_PHONE:
		v1[0] = (char *)r->value;
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE, r->what == DS_MAIL ?
		    SA_RECOVERY_MAIL : SA_RECOVERY_PHONE, v1 };
		break;
	case DS_TOTP:
		v1[0] = (char *)r->value;
		snprintf(two, sizeof(two), "%lld", r->step);
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE, SA_TOTP_SECRET, v1 };
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE, SA_TOTP_LAST_STEP,
		    v2 };
		break;
	case DS_ANSWERS:
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE, SA_QUESTION_ANSWER,
		    r->answers };
		break;
	case DS_CONFIRM:
		snprintf(one, sizeof(one), "%lld", r->step);
		snprintf(two, sizeof(two), "0");
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE, SA_REGISTERED_TIME,
		    v1 };
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE,
		    SA_REGISTRATION_SKIPS, v2 };
		break;
	case DS_SKIP:
		snprintf(two, sizeof(two), "%lld", r->step);
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE,
		    SA_REGISTRATION_SKIPS, v2 };
		break;
	case DS_RCODES:
		/* one replace: the old set is gone as the new one comes */
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE, SA_RECOVERY_CODE,
		    r->answers };
		break;
	default:
		dir_result_set(res, DIR_INTERNAL, 0, "no such step");
		return -1;
	}
	return dir_modify(ctx, c, a, m, n, 0, res);
}

/* Strict: the delete must match the value exactly as stored. */
int
dir_totp_step_swap(struct dconn *ctx, struct cfg *c, const struct account *a,
    const char *old, long long step, struct dir_result *res)
{
	char v[32], *addv[] = { v, NULL }, *delv[] = { (char *)old, NULL };
	struct dir_mod m[2];
	int n = 0;

	snprintf(v, sizeof(v), "%lld", step);
	if (old != NULL)
		m[n++] = (struct dir_mod){ DIR_MOD_DELETE, SA_TOTP_LAST_STEP,
		    delv };
	m[n++] = (struct dir_mod){ DIR_MOD_ADD, SA_TOTP_LAST_STEP, addv };
	return dir_modify(ctx, c, a, m, n, 1, res);
}

int
dir_totp_reseal(struct dconn *ctx, struct cfg *c, const struct account *a,
    const char *sealed, struct dir_result *res)
{
	char *v[] = { (char *)sealed, NULL };
	struct dir_mod m = { DIR_MOD_REPLACE, SA_TOTP_SECRET, v };

	return dir_modify(ctx, c, a, &m, 1, 0, res);
}

/*
 * Single use through the directory: one modify deleting exactly that
 * value.  Of several hosts (or flows) deleting the same value, the
 * directory lets one succeed; the others get noSuchAttribute, which is
 * DIR_NOT_FOUND here: "not there (any more)".
 */
int
dir_value_consume(struct dconn *ctx, struct cfg *c, const struct account *a,
    enum dir_value which, const char *value, struct dir_result *res)
{
	char *v[] = { (char *)value, NULL };
	struct dir_mod m = { DIR_MOD_DELETE, NULL, v };

	switch (which) {
	case DV_RCODE:
		m.attr = SA_RECOVERY_CODE;
		break;
	case DV_HELPDESK_PASS:
		m.attr = SA_HELPDESK_PASS;
		break;
	default:
		dir_result_set(res, DIR_INTERNAL, 0, "no such value kind");
		return -1;
	}
	return dir_modify(ctx, c, a, &m, 1, 1, res);
}
