/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dir_report.c: ssprctl report: every account user_filter can match,
 * with the recovery methods it has registered.  Runs on a directory
 * worker (admin_work.c's job).  No file-scope state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "dir_ldap.h"
#include "sspr_attrs.h"

/*
 * Does the entry hold attr?  Its values are not copied: a sealed TOTP
 * secret, answer hashes and recovery codes need not sit in the heap for
 * a yes or no.
 */
static int
has_value(LDAP *ld, LDAPMessage *e, const char *attr)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);
	int n = ldap_count_values_len(v);

	ldap_value_free_len(v);
	return n > 0;
}

static void
report_entry(struct dconn *dc, LDAPMessage *e, const char *uattr,
    void (*emit)(void *, const char **, int), void *arg)
{
	char methods[64] = "", *user, *v, *dn;
	const char *fields[4];
	int n;

	user = uattr[0] ? dir_get_one(dc->ld, e, uattr, NULL) : NULL;
	dn = ldap_get_dn(dc->ld, e);
	if ((v = dir_get_one(dc->ld, e, dc->cfg->mail_attr, &n)) != NULL &&
	    n == 1 && addr_valid(v))
		strcat(methods, "email,");
	free(v);
	if (has_value(dc->ld, e, SA_RECOVERY_MAIL) &&
	    strstr(methods, "email") == NULL)
		strcat(methods, "email,");
	if (has_value(dc->ld, e, SA_RECOVERY_PHONE))
		strcat(methods, "sms,");
	if (has_value(dc->ld, e, SA_TOTP_SECRET))
		strcat(methods, "totp,");
	if (has_value(dc->ld, e, SA_QUESTION_ANSWER))
		strcat(methods, "questions,");
	if (has_value(dc->ld, e, SA_RECOVERY_CODE))
		strcat(methods, "rcodes,");
	if (methods[0] != '\0')
		methods[strlen(methods) - 1] = '\0';
	v = dir_get_one(dc->ld, e, SA_REGISTERED_TIME, NULL);
	fields[0] = user ? user : (dn ? dn : "?");
	fields[1] = methods[0] ? methods : "-";
	fields[2] = v ? v : "-";
	fields[3] = dn ? dn : "?";
	emit(arg, fields, 4);
	free(v);
	free(user);
	ldap_memfree(dn);
}

/*
 * Every account user_filter can match (its %s as *), with the recovery
 * methods it has: four fields each (user, methods, registered, dn).
 * Paged (RFC 2696), so AD's 1000-entry limit does not cut it.
 */
int
dir_report(struct dconn *dc, struct cfg *c,
    void (*emit)(void *, const char **, int), void *arg, char *err,
    size_t errsize)
{
	char filter[2048], uattr[64] = "", *attrs[10];
	struct timeval tv = { c->dir_timeout * 6, 0 };
	struct berval *cookie = NULL;
	LDAPControl *page = NULL, *ctrls[2] = { NULL, NULL }, **rctrls = NULL;
	LDAPMessage *msg = NULL, *e;
	struct dir_result res;
	int rc = LDAP_SUCCESS, n = 0, err_rc;
	ber_int_t total;
	const char *p;
	size_t o = 0;

	if (dconn_open(dc, c, &res) != 0) {
		snprintf(err, errsize, "%s", res.detail);
		return -1;
	}
	for (p = c->user_filter; *p != '\0' && o + 2 < sizeof(filter); p++) {
		if (p[0] == '%' && p[1] == 's') {
			filter[o++] = '*';
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			filter[o++] = '%';
			p++;
		} else
			filter[o++] = *p;
	}
	filter[o] = '\0';
	if (dir_user_attribute(c->user_filter, uattr, sizeof(uattr)) != 0)
		uattr[0] = '\0';
	attrs[n++] = uattr[0] ? uattr : "1.1";
	attrs[n++] = c->mail_attr;
	attrs[n++] = SA_RECOVERY_MAIL;
	attrs[n++] = SA_RECOVERY_PHONE;
	attrs[n++] = SA_TOTP_SECRET;
	attrs[n++] = SA_QUESTION_ANSWER;
	attrs[n++] = SA_RECOVERY_CODE;
	attrs[n++] = SA_REGISTERED_TIME;
	attrs[n] = NULL;
	do {
		/* without it the report would be "complete", and cut short */
		if ((rc = ldap_create_page_control(dc->ld, 500, cookie, 0,
		    &page)) != LDAP_SUCCESS)
			break;
		ctrls[0] = page;
		rc = ldap_search_ext_s(dc->ld, c->base, LDAP_SCOPE_SUBTREE,
		    filter, attrs, 0, ctrls, NULL, &tv, 0, &msg);
		ldap_control_free(page);
		page = NULL;
		if (rc != LDAP_SUCCESS)
			break;
		for (e = ldap_first_entry(dc->ld, msg); e != NULL;
		    e = ldap_next_entry(dc->ld, e))
			report_entry(dc, e, uattr, emit, arg);
		ber_bvfree(cookie);
		cookie = NULL;
		if (ldap_parse_result(dc->ld, msg, &err_rc, NULL, NULL, NULL,
		    &rctrls, 0) == LDAP_SUCCESS && rctrls != NULL) {
			LDAPControl *pr = ldap_control_find(
			    LDAP_CONTROL_PAGEDRESULTS, rctrls, NULL);
			struct berval ck = { 0, NULL };

			if (pr != NULL && ldap_parse_pageresponse_control(dc->ld,
			    pr, &total, &ck) == LDAP_SUCCESS && ck.bv_len > 0)
				cookie = ber_bvdup(&ck);
			ber_memfree(ck.bv_val);
			ldap_controls_free(rctrls);
			rctrls = NULL;
		}
		ldap_msgfree(msg);
		msg = NULL;
	} while (cookie != NULL);
	ldap_msgfree(msg);
	ber_bvfree(cookie);
	if (rc != LDAP_SUCCESS) {
		snprintf(err, errsize, "search: %s", ldap_err2string(rc));
		return -1;
	}
	return 0;
}
