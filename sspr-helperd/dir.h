/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dir.h: an account as a lookup finds it, a directory call's result, and
 * the LDAP layer's calls (dir.c, dir_store.c, dir_report.c, ldapconn.c)
 * that LDAP's back end (dir_backend.c), ssprctl and the preflight use;
 * jobs ask through dirstore.h.  Every call runs in a directory worker
 * thread, on that worker's own connection (struct dconn), and blocks at
 * most [directory] timeout per server tried.
 */
#ifndef SSPR_DIR_H
#define SSPR_DIR_H

#include "cfg.h"
#include "secret.h"
#include "throttle.h"

enum dir_status {
	DIR_OK = 0,
	DIR_NOT_FOUND,		/* no entry, or more than one */
	DIR_UNAVAILABLE,	/* no server answered; nothing was written */
	DIR_POLICY,		/* the password was refused by policy */
	DIR_REFUSED,		/* the write was refused: configuration */
	DIR_BAD_PASSWORD,	/* a change: the old password is wrong */
	DIR_INTERNAL,
	DIR_UNKNOWN,		/* a write was sent, its answer lost, and
				   reading back could not tell: it may
				   have been made */
};

/* What a lookup learns about one account. */
struct account {
	char	*dn;
	char	*mail;		/* NULL: none, several, or malformed */
	char	*changed;	/* pwdChangedTime / pwdLastSet before a write */
	char	*lock;		/* OpenLDAP: the pwdAccountLockedTime value */
	int	 locked;	/* locked by failed logins (may be lifted) */
	int	 admin_locked;	/* locked by an administrator: never lifted */
	int	 disabled;	/* AD: ACCOUNTDISABLE */
	int	 excluded;	/* adminCount=1, or in [policy] exclude_groups */
	int	 in_scope;	/* [policy] enabled says this account may */
	int	 admin;		/* in [policy] admin_group */
	int	 must_change;	/* pwdReset, or pwdLastSet=0 */
	/*
	 * Who the entry is, as the directory says (never the typed name,
	 * which the directory matched ignoring case and spaces): its login
	 * names (uid; AD: sAMAccountName, userPrincipalName) and uidNumber
	 * (-1: none).  Exclusions and the system-account rule use these.
	 */
	char	**names;
	long long uid_number;
	struct tstate counters;	/* [throttle] store = directory */
	char	**raw_sent;	/* the stored values, to prune old ones */
	char	**raw_fails;
	/* registration (ldap-schema/): what the account registered */
	char	*reg_mail;	/* ssprRecoveryMail, one well-formed */
	char	*phone;		/* ssprRecoveryPhone, E.164 */
	char	*totp;		/* ssprTotpSecret, sealed */
	char	*totp_last;	/* ssprTotpLastStep, as stored */
	char	**answers;	/* ssprQuestionAnswer: "N:$scrypt$..." */
	char	**rcodes;	/* ssprRecoveryCode: one per code left */
	long long registered;	/* ssprRegisteredTime (unix s), 0 never */
	int	 skips;		/* ssprRegistrationSkips */
	char	*pass;		/* ssprHelpdeskPass as stored (pass.h) */
	/* [sshkey] attribute: authorized_keys lines (method_sshkey.c) */
	char	**ssh_keys;
};

/* dir_modify: one change to one attribute of the account's entry. */
enum dir_mod_op { DIR_MOD_REPLACE, DIR_MOD_ADD, DIR_MOD_DELETE };

struct dir_mod {
	enum dir_mod_op	 op;
	const char	*attr;
	char		**values;	/* NULL-terminated; NULL: none / all */
};

struct dir_result {
	int	status;
	int	reason;		/* SSPR_R_POLICY_* when status == DIR_POLICY */
	int	unlocked;	/* dir_unlock: 1 lifted, 0 was not locked */
	int	lost;		/* the connection died: another may do */
	char	detail[SSPR_DETAIL_MAX + 1];	/* the server's own text */
};

struct dconn;

struct dconn *dconn_new(void);
void	dconn_free(struct dconn *);
int	dconn_idle(struct dconn *, int);

int	dir_lookup(struct dconn *, struct cfg *, const char *,
	    struct account *, struct dir_result *);
int	dir_set_password(struct dconn *, struct cfg *, const struct account *,
	    const struct secret *, struct dir_result *);
int	dir_unlock(struct dconn *, struct cfg *, const struct account *,
	    struct dir_result *);
int	dir_change_password(struct dconn *, struct cfg *,
	    const struct account *, const struct secret *,
	    const struct secret *, struct dir_result *);
int	dir_check(struct cfg *, char *, size_t);
int	dir_probe_search(struct cfg *, char *, size_t);
int	dir_counter_event(struct dconn *, struct cfg *, struct account *,
	    int, char *, size_t, struct dir_result *);
int	dir_counters_read(struct dconn *, struct cfg *, struct account *,
	    struct dir_result *);
int	dir_counters_clear(struct dconn *, struct cfg *, const struct account *,
	    struct dir_result *);
int	dir_report(struct dconn *, struct cfg *,
	    void (*)(void *, const char **, int), void *, char *, size_t);
void	account_clear(struct account *);
const char *account_reset_mail(const struct cfg *, const struct account *);
void	account_notify_to(const struct cfg *, const struct account *,
	    const char *, const char *, const char *[3]);
int	account_copy(struct account *, const struct account *);
void	openldap_dialect_init(void);	/* dir_openldap.c */
void	ad_dialect_init(void);		/* dir_ad.c */
void	ds389_dialect_init(void);	/* dir_389.c */
const char *account_name(const struct account *, const char *);
int	account_named(const struct account *, const struct cfglist *);
void	dir_result_set(struct dir_result *, int, int, const char *);

#endif
