/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * baseload: the baseline of the benchmark, the work a reset makes the
 * directory and the mail server do anyway, with nothing of ours between.
 *
 *   baseload -k dir|mail|both|mailreuse|bothreuse -c CONNS -t SECS
 *            [-w WARMUP_SECS] [-R MESSAGES] [-N]
 *            -H URI -C CAFILE -D BINDDN -y PWFILE -b BASE -f FILTER
 *            -u PREFIX -n NUSERS [-S SMTP_URL -F FROM -M MAILCA
 *            -T starttls|none]
 *
 * Each of CONNS threads keeps one directory connection (StartTLS, bound
 * as the service account, options as sspr-helperd's dir.c sets them) and
 * loops, for users PREFIX00001..PREFIX<NUSERS> of its own share:
 *
 *   dir   the search sspr-helperd's lookup makes (user_filter, the same
 *         attributes, size limit 2); the throttle write when a code is
 *         sent (a permissive Modify adding ssprAccount and one
 *         ssprCodeSent value, then a base read of the counters, as
 *         dir.c's dir_counter_event); the Password Modify extended
 *         operation with the ppolicy request control, as dir_openldap.c;
 *         and the counters cleared after it (dir_counters_clear)
 *   mail  one code-sized message over a fresh SMTP connection per
 *         message (libcurl, STARTTLS required and verified, as mail.c),
 *         verified against MAILCA parsed once for all threads: the least
 *         work a client can do per message
 *   both  search, counter write, mail, Password Modify, counters
 *         cleared: a whole reset's outside work
 *   mailreuse, bothreuse
 *         as mail and both, but each thread keeps its SMTP connection
 *         for the next message, as sspr-helperd's mail workers do with
 *         [mail] reuse_seconds and reuse_messages: one libcurl handle per
 *         thread, reset before every message, connections kept at most
 *         30 s (CURLOPT_MAXAGE_CONN, CURLOPT_MAXLIFETIME_CONN) and for at
 *         most MESSAGES messages (-R, 100 by default: the daemon's
 *         defaults), the last one sent with CURLOPT_FORBID_REUSE
 *
 * -N: the mail kinds also send the notification after the Password
 * Modify, a second message of the same size, as sspr-helperd does with
 * [notify] enabled: the same mail work per reset as the daemon's.
 *
 * Completions are counted in a steady-state window after WARMUP_SECS.
 * One JSON line goes to stdout: rate (per second), errors, and latency
 * percentiles (ms) of each operation and of the iteration.
 */
#include <ldap.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "stats.h"

enum kind { K_DIR = 1, K_MAIL = 2, K_BOTH = 3, K_REUSE = 4 };

static struct {
	int		 kind;	/* enum kind, | K_REUSE */
	int		 conns;
	double		 secs, warm;
	const char	*uri, *ca, *binddn, *base, *filter, *prefix;
	char		 bindpw[256];
	int		 nusers;
	const char	*smtp, *from, *mailca;
	int		 starttls;
	int		 reuse_messages;
	int		 notify;
	unsigned	 runid;
} opt = { .conns = 1, .secs = 3, .warm = 0.5, .starttls = 1,
    .reuse_messages = 100 };

#define REUSE_SECONDS	30	/* [mail] reuse_seconds' default */

static atomic_int	stop, measuring;
static atomic_long	done_count, errors;
static struct lat	l_search, l_mail, l_passwd, l_iter;
static X509_STORE	*mail_store;	/* MAILCA, parsed once */
static pthread_barrier_t ready;
static atomic_int	reported;

/* The first few failures are shown; the rest only counted. */
static void
report(const char *what, const char *user, const char *why)
{
	if (atomic_fetch_add(&reported, 1) < 5)
		fprintf(stderr, "baseload: %s: %s failed: %s\n", user, what, why);
}

struct worker {
	pthread_t	 th;
	int		 id;
	LDAP		*ld;
	CURL		*curl;
	unsigned	 seed;
	long		 seq;
	int		 sent;	/* messages on the kept connection */
};

static void
usage(void)
{
	fprintf(stderr, "usage: baseload -k dir|mail|both|mailreuse|bothreuse "
	    "-c CONNS -t SECS -H URI -C CA -D BINDDN -y PWFILE -b BASE "
	    "-f FILTER -u PREFIX -n NUSERS [-S SMTP_URL -F FROM -M MAILCA "
	    "-T starttls|none] [-w SECS] [-R MESSAGES] [-N]\n");
	exit(2);
}

/* The same options sspr-helperd's dir.c sets, then StartTLS and bind. */
static LDAP *
ldap_open_bound(void)
{
	struct timeval tv = { 10, 0 };
	int v3 = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, zero = 0;
	struct berval cred = { strlen(opt.bindpw), opt.bindpw };
	LDAP *ld = NULL;

	if (ldap_initialize(&ld, opt.uri) != LDAP_SUCCESS)
		return NULL;
	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, opt.ca) ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) ||
	    ldap_start_tls_s(ld, NULL, NULL) != LDAP_SUCCESS ||
	    ldap_sasl_bind_s(ld, opt.binddn, LDAP_SASL_SIMPLE, &cred, NULL,
	    NULL, NULL) != LDAP_SUCCESS) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		return NULL;
	}
	return ld;
}

/* The lookup: user_filter with the escaped name, the daemon's attributes. */
static int
do_search(struct worker *w, const char *user, char **dn, char **mail)
{
	char *attrs[] = { "mail", "pwdAccountLockedTime", "pwdReset",
	    "pwdChangedTime", "ssprCodeSent", "ssprCodeFailure",
	    "ssprBlockedUntil", "ssprRecoveryMail", "ssprRecoveryPhone",
	    "ssprTotpSecret", "ssprTotpLastStep", "ssprQuestionAnswer",
	    "ssprRegisteredTime", "ssprRegistrationSkips", NULL };
	struct berval in = { strlen(user), (char *)user }, esc = { 0, NULL };
	struct timeval tv = { 10, 0 };
	struct berval **vals;
	LDAPMessage *msg = NULL, *e;
	char filter[1024], *d;
	int rc;

	if (ldap_bv2escaped_filter_value(&in, &esc) != 0)
		return -1;
	snprintf(filter, sizeof(filter), opt.filter, esc.bv_val);
	ber_memfree(esc.bv_val);
	rc = ldap_search_ext_s(w->ld, opt.base, LDAP_SCOPE_SUBTREE, filter,
	    attrs, 0, NULL, NULL, &tv, 2, &msg);
	if (rc != LDAP_SUCCESS || ldap_count_entries(w->ld, msg) != 1) {
		report("search", user, ldap_err2string(rc));
		ldap_msgfree(msg);
		return -1;
	}
	e = ldap_first_entry(w->ld, msg);
	d = ldap_get_dn(w->ld, e);
	*dn = d ? strdup(d) : NULL;
	ldap_memfree(d);
	vals = ldap_get_values_len(w->ld, e, "mail");
	*mail = ldap_count_values_len(vals) == 1 ?
	    strndup(vals[0]->bv_val, vals[0]->bv_len) : NULL;
	ldap_value_free_len(vals);
	ldap_msgfree(msg);
	return *dn != NULL && *mail != NULL ? 0 : -1;
}

/* A permissive Modify, as dir.c's counter_modify: adding what exists is fine. */
static int
counter_modify(struct worker *w, const char *dn, LDAPMod **mods)
{
	LDAPControl perm = { "1.2.840.113556.1.4.1413", { 0, NULL }, 0 };
	LDAPControl *ctrls[] = { &perm, NULL };
	int rc = ldap_modify_ext_s(w->ld, dn, mods, ctrls, NULL);

	if (rc != LDAP_SUCCESS)
		report("counter Modify", dn, ldap_err2string(rc));
	return rc == LDAP_SUCCESS ? 0 : -1;
}

/* A code was sent: one unique ssprCodeSent value, then the read-back. */
static int
do_counter(struct worker *w, const char *dn)
{
	char value[64], *addv[] = { value, NULL }, *ocv[] = { "ssprAccount",
	    NULL };
	char *attrs[] = { "ssprCodeSent", "ssprCodeFailure", "ssprBlockedUntil",
	    NULL };
	LDAPMod oc = { LDAP_MOD_ADD, "objectClass", { .modv_strvals = ocv } };
	LDAPMod add = { LDAP_MOD_ADD, "ssprCodeSent", { .modv_strvals = addv } };
	LDAPMod *mods[] = { &oc, &add, NULL };
	struct timeval tv = { 10, 0 };
	LDAPMessage *msg = NULL;
	int rc;

	snprintf(value, sizeof(value), "%lld.%08x%04x", (long long)time(NULL),
	    opt.runid, (unsigned)(++w->seq & 0xffff));
	if (counter_modify(w, dn, mods) != 0)
		return -1;
	rc = ldap_search_ext_s(w->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, &tv, 1, &msg);
	ldap_msgfree(msg);
	if (rc != LDAP_SUCCESS)
		report("counter read", dn, ldap_err2string(rc));
	return rc == LDAP_SUCCESS ? 0 : -1;
}

/* After the reset: the counters start afresh. */
static int
do_clear(struct worker *w, const char *dn)
{
	LDAPMod d1 = { LDAP_MOD_DELETE, "ssprCodeSent", { NULL } };
	LDAPMod d2 = { LDAP_MOD_DELETE, "ssprCodeFailure", { NULL } };
	LDAPMod d3 = { LDAP_MOD_DELETE, "ssprBlockedUntil", { NULL } };
	LDAPMod *mods[] = { &d1, &d2, &d3, NULL };

	return counter_modify(w, dn, mods);
}

/* RFC 3062 with the ppolicy control; success needs no ppolicy error. */
static int
do_passwd(struct worker *w, const char *dn)
{
	struct timeval tv = { 10, 0 };
	char pw[64];
	struct berval user = { strlen(dn), (char *)dn };
	struct berval newpw;
	LDAPControl *ppreq = NULL, *sctrls[2] = { NULL, NULL }, **ctrls = NULL;
	LDAPControl *pp;
	LDAPPasswordPolicyError pperr = PP_noError;
	LDAPMessage *msg = NULL;
	int msgid, rc, err = LDAP_OTHER, expire, grace;

	/* unique, so ppolicy's history never refuses it */
	snprintf(pw, sizeof(pw), "Bl-%08x-%d-%ld-q", opt.runid, w->id,
	    ++w->seq);
	newpw.bv_val = pw;
	newpw.bv_len = strlen(pw);
	if (ldap_create_passwordpolicy_control(w->ld, &ppreq) != LDAP_SUCCESS)
		return -1;
	sctrls[0] = ppreq;
	rc = ldap_passwd(w->ld, &user, NULL, &newpw, sctrls, NULL, &msgid);
	if (rc == LDAP_SUCCESS)
		rc = ldap_result(w->ld, msgid, LDAP_MSG_ALL, &tv, &msg) > 0 ?
		    LDAP_SUCCESS : LDAP_SERVER_DOWN;
	ldap_control_free(ppreq);
	if (rc == LDAP_SUCCESS && ldap_parse_result(w->ld, msg, &err, NULL,
	    NULL, NULL, &ctrls, 0) == LDAP_SUCCESS) {
		pp = ldap_control_find(LDAP_CONTROL_PASSWORDPOLICYRESPONSE,
		    ctrls, NULL);
		if (pp != NULL)
			ldap_parse_passwordpolicy_control(w->ld, pp, &expire,
			    &grace, &pperr);
	}
	ldap_controls_free(ctrls);
	ldap_msgfree(msg);
	if (rc == LDAP_SUCCESS && err == LDAP_SUCCESS && pperr == PP_noError)
		return 0;
	report("Password Modify", dn, rc != LDAP_SUCCESS ? ldap_err2string(rc) :
	    err != LDAP_SUCCESS ? ldap_err2string(err) :
	    ldap_passwordpolicy_err2txt(pperr));
	return -1;
}

struct upload {
	const char	*p;
	size_t		 left;
};

static size_t
read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->left)
		n = u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* Every connection verifies against the one store parsed at start. */
static CURLcode
use_store(CURL *h, void *sslctx, void *arg)
{
	(void)h;
	(void)arg;
	SSL_CTX_set1_cert_store(sslctx, mail_store);
	return CURLE_OK;
}

/*
 * One message with the options of sspr-helperd's mail.c: on a fresh
 * connection, or (K_REUSE) on the thread's kept one while it is young
 * enough and has carried fewer than -R messages.
 */
static int
do_mail(struct worker *w, const char *to, int notice)
{
	char msg[2048], from[300], rcpt[300];
	struct curl_slist *rcpts;
	struct upload up;
	CURLcode rc;
	CURL *h;
	int len, last = 1;
	long made = 1;

	if (notice)
		len = snprintf(msg, sizeof(msg), "From: %s\r\nTo: %s\r\n"
		    "Subject: The password of your account was reset\r\n"
		    "Date: Mon, 02 Mar 2026 08:00:00 +0000\r\n"
		    "Message-ID: <00000000000000000000000000000001@example.test>"
		    "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
		    "charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n"
		    "Auto-Submitted: auto-generated\r\nX-SSPR-Message: "
		    "notify-reset\r\n\r\nHello,\r\n\r\nAt 2026-03-02 08:00 "
		    "UTC the password of the account \"%s\" was reset\r\nat "
		    "login on bench (from tty1), after a code sent to this "
		    "address.\r\n\r\nIf this was you, there is nothing more "
		    "to do.\r\n\r\nIf it was not, contact your helpdesk at "
		    "once: someone else may now know\r\nyour password.\r\n",
		    opt.from, to, to);
	else
		len = snprintf(msg, sizeof(msg), "From: %s\r\nTo: %s\r\n"
		    "Subject: Your password reset code\r\n"
		    "Date: Mon, 02 Mar 2026 08:00:00 +0000\r\n"
		    "Message-ID: <00000000000000000000000000000000@example.test>"
		    "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
		    "charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n"
		    "Auto-Submitted: auto-generated\r\n\r\nHello,\r\n\r\n"
		    "Someone asked to reset the password of the account \"%s\" "
		    "at login\r\non bench (from tty1).\r\n\r\nYour "
		    "verification code is: 12345678\r\n\r\nIt is valid for 10 "
		    "minutes and can be used once. Type it at the\r\nprompt "
		    "where you asked for it.\r\n\r\nIf this was not you, do "
		    "not share this code with anyone. Your password has\r\nnot "
		    "been changed; you may want to tell your helpdesk.\r\n",
		    opt.from, to, to);
	if (w->curl == NULL && (w->curl = curl_easy_init()) == NULL)
		return -1;
	h = w->curl;
	curl_easy_reset(h);
	snprintf(from, sizeof(from), "<%s>", opt.from);
	snprintf(rcpt, sizeof(rcpt), "<%s>", to);
	rcpts = curl_slist_append(NULL, rcpt);
	up.p = msg;
	up.left = (size_t)len;
	curl_easy_setopt(h, CURLOPT_URL, opt.smtp);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	if (opt.kind & K_REUSE) {
		last = w->sent + 1 >= opt.reuse_messages;
		curl_easy_setopt(h, CURLOPT_MAXAGE_CONN, (long)REUSE_SECONDS);
		curl_easy_setopt(h, CURLOPT_MAXLIFETIME_CONN,
		    (long)REUSE_SECONDS);
		if (last)
			curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	}
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (opt.starttls)
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
	curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, use_store);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_INFILESIZE, (long)len);
	rc = curl_easy_perform(h);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(h, CURLOPT_READDATA, NULL);
	curl_slist_free_all(rcpts);
	(void)curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &made);
	/* as mail.c counts: a new connection carried this one */
	w->sent = last ? 0 : made > 0 ? 1 : w->sent + 1;
	if (rc != CURLE_OK) {
		report("sending mail", to, curl_easy_strerror(rc));
		/* a failed connection is not kept */
		curl_easy_cleanup(w->curl);
		w->curl = NULL;
		w->sent = 0;
	}
	return rc == CURLE_OK ? 0 : -1;
}

/* A user of this worker's own share, so no two workers touch one entry. */
static void
pick_user(struct worker *w, char *user, size_t size)
{
	int share = (opt.nusers - 1 - w->id) / opt.conns + 1;
	int k = share > 0 ? rand_r(&w->seed) % share : 0;

	snprintf(user, size, "%s%05d", opt.prefix, 1 + w->id + k * opt.conns);
}

static void
record(struct lat *l, int64_t t0, int64_t t1)
{
	if (atomic_load(&measuring))
		lat_add(l, t1 - t0);
}

static int
iteration(struct worker *w)
{
	char user[64], *dn = NULL, *mail = NULL, fallback[128];
	int64_t t0 = now_us(), t1, t2;
	int r = -1;

	pick_user(w, user, sizeof(user));
	if (opt.kind & K_DIR) {
		if (do_search(w, user, &dn, &mail) != 0 ||
		    do_counter(w, dn) != 0)
			goto out;
		record(&l_search, t0, t1 = now_us());
	} else {
		snprintf(fallback, sizeof(fallback), "%s@example.test", user);
		mail = strdup(fallback);
		t1 = now_us();
	}
	if (opt.kind & K_MAIL) {
		if (mail == NULL || do_mail(w, mail, 0) != 0)
			goto out;
		record(&l_mail, t1, now_us());
	}
	if (opt.kind & K_DIR) {
		t2 = now_us();
		if (do_passwd(w, dn) != 0 || do_clear(w, dn) != 0)
			goto out;
		record(&l_passwd, t2, now_us());
	}
	if ((opt.kind & K_MAIL) && opt.notify && do_mail(w, mail, 1) != 0)
		goto out;
	record(&l_iter, t0, now_us());
	r = 0;
out:
	free(dn);
	free(mail);
	return r;
}

static void *
work(void *arg)
{
	struct worker *w = arg;

	if ((opt.kind & K_DIR) && (w->ld = ldap_open_bound()) == NULL) {
		fprintf(stderr, "baseload: worker %d: cannot connect and bind "
		    "to %s\n", w->id, opt.uri);
		atomic_fetch_add(&errors, 1);
	}
	pthread_barrier_wait(&ready);
	while (!atomic_load(&stop)) {
		if ((opt.kind & K_DIR) && w->ld == NULL) {
			sleep_ms(100);
			w->ld = ldap_open_bound();
			continue;
		}
		if (iteration(w) == 0) {
			atomic_fetch_add(&done_count, 1);
			continue;
		}
		atomic_fetch_add(&errors, 1);
		if (w->ld != NULL) {
			/* a failed connection is not trusted again */
			ldap_unbind_ext_s(w->ld, NULL, NULL);
			w->ld = opt.kind & K_DIR ? ldap_open_bound() : NULL;
		}
	}
	if (w->ld != NULL)
		ldap_unbind_ext_s(w->ld, NULL, NULL);
	if (w->curl != NULL)
		curl_easy_cleanup(w->curl);
	return NULL;
}

static void
parse_args(int argc, char **argv)
{
	const char *pwfile = NULL;
	int ch;

	while ((ch = getopt(argc, argv,
	    "k:c:t:w:H:C:D:y:b:f:u:n:S:F:M:T:R:N")) != -1) {
		switch (ch) {
		case 'k':
			opt.kind = strcmp(optarg, "dir") == 0 ? K_DIR :
			    strcmp(optarg, "mail") == 0 ? K_MAIL :
			    strcmp(optarg, "both") == 0 ? K_BOTH :
			    strcmp(optarg, "mailreuse") == 0 ? K_MAIL | K_REUSE :
			    strcmp(optarg, "bothreuse") == 0 ? K_BOTH | K_REUSE :
			    0;
			break;
		case 'c': opt.conns = atoi(optarg); break;
		case 't': opt.secs = atof(optarg); break;
		case 'w': opt.warm = atof(optarg); break;
		case 'H': opt.uri = optarg; break;
		case 'C': opt.ca = optarg; break;
		case 'D': opt.binddn = optarg; break;
		case 'y': pwfile = optarg; break;
		case 'b': opt.base = optarg; break;
		case 'f': opt.filter = optarg; break;
		case 'u': opt.prefix = optarg; break;
		case 'n': opt.nusers = atoi(optarg); break;
		case 'S': opt.smtp = optarg; break;
		case 'F': opt.from = optarg; break;
		case 'M': opt.mailca = optarg; break;
		case 'T': opt.starttls = strcmp(optarg, "none") != 0; break;
		case 'R': opt.reuse_messages = atoi(optarg); break;
		case 'N': opt.notify = 1; break;
		default: usage();
		}
	}
	if (opt.kind == 0 || opt.conns < 1 || opt.conns > 4096 ||
	    opt.reuse_messages < 1 ||
	    opt.secs <= 0 || opt.prefix == NULL || opt.nusers < opt.conns ||
	    opt.ca == NULL)
		usage();
	if ((opt.kind & K_DIR) && (opt.uri == NULL || opt.binddn == NULL ||
	    opt.base == NULL || opt.filter == NULL || pwfile == NULL ||
	    read_line_file(pwfile, opt.bindpw, sizeof(opt.bindpw)) != 0))
		usage();
	if (opt.mailca == NULL)
		opt.mailca = opt.ca;
	if ((opt.kind & K_MAIL) && (opt.smtp == NULL || opt.from == NULL))
		usage();
}

int
main(int argc, char **argv)
{
	static const char *names[] = { "", "dir", "mail", "both", "",
	    "", "mailreuse", "bothreuse" };
	struct rusage ru;
	struct worker *ws;
	int64_t t0, t1;
	long n0, n1;
	int i;

	parse_args(argc, argv);
	opt.runid = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((opt.kind & K_MAIL) && ((mail_store = X509_STORE_new()) == NULL ||
	    X509_STORE_load_file(mail_store, opt.mailca) != 1)) {
		fprintf(stderr, "baseload: cannot load %s\n", opt.mailca);
		return 1;
	}
	lat_init(&l_search);
	lat_init(&l_mail);
	lat_init(&l_passwd);
	lat_init(&l_iter);
	if ((ws = calloc((size_t)opt.conns, sizeof(*ws))) == NULL)
		return 1;
	pthread_barrier_init(&ready, NULL, (unsigned)opt.conns + 1);
	for (i = 0; i < opt.conns; i++) {
		ws[i].id = i;
		ws[i].seed = opt.runid + (unsigned)i;
		if (pthread_create(&ws[i].th, NULL, work, &ws[i]) != 0) {
			fprintf(stderr, "baseload: cannot start thread %d\n", i);
			return 1;
		}
	}
	pthread_barrier_wait(&ready);
	sleep_ms((long)(opt.warm * 1000));
	atomic_store(&measuring, 1);
	n0 = atomic_load(&done_count);
	t0 = now_us();
	sleep_ms((long)(opt.secs * 1000));
	n1 = atomic_load(&done_count);
	t1 = now_us();
	atomic_store(&measuring, 0);
	atomic_store(&stop, 1);
	for (i = 0; i < opt.conns; i++)
		pthread_join(ws[i].th, NULL);
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"test\":\"baseline\",\"kind\":\"%s\",\"conc\":%d,"
	    "\"secs\":%.3f,\"done\":%ld,\"rate\":%.1f,\"errors\":%ld,"
	    "\"total\":%ld,\"reuse_messages\":%d,\"notify\":%d,"
	    "\"cpu_ms\":%.0f,",
	    names[opt.kind], opt.conns,
	    (double)(t1 - t0) / 1e6, n1 - n0,
	    (double)(n1 - n0) * 1e6 / (double)(t1 - t0), atomic_load(&errors),
	    atomic_load(&done_count), opt.kind & K_REUSE ?
	    opt.reuse_messages : 1, opt.notify && (opt.kind & K_MAIL),
	    cpu_ms(&ru));
	json_lat(stdout, "search", &l_search);
	putchar(',');
	json_lat(stdout, "mail", &l_mail);
	putchar(',');
	json_lat(stdout, "passwd", &l_passwd);
	putchar(',');
	json_lat(stdout, "iter", &l_iter);
	printf("}\n");
	free(ws);
	X509_STORE_free(mail_store);
	curl_global_cleanup();
	return 0;
}
