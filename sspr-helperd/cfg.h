/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cfg.h: the daemon's configuration, parsed once from an INI file into a
 * read-only struct.  A reload builds a new struct; flows keep a reference
 * to the one they started with.  A new key: its field here, its row in
 * cfgkeys.c (which says what else it needs).
 */
#ifndef SSPR_CFG_H
#define SSPR_CFG_H

/* The user the packaged unit runs the daemon as (sysusers.d). */
#define SSPR_DAEMON_USER	"_sspr"

#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "addr.h"
#include "secret.h"

struct totp_keyring;

#define CFG_MAX_UIDS	32
#define CFG_MAX_URIS	8
#define CFG_MAX_GROUPS	16
#define CFG_MAX_WORDS	64
#define CFG_QUESTION_MAX 200	/* bytes in one security question */

/* DNs of groups, or words: the raw text and its parts. */
struct cfglist {
	char	*text;
	char	*item[CFG_MAX_WORDS];
	int	 n;
};

/* Is word one of l's words, exactly as written? */
static inline int
cfglist_has(const struct cfglist *l, const char *word)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->item[i], word) == 0)
			return 1;
	return 0;
}

enum policy_enabled {
	POLICY_NONE = 1,
	POLICY_GROUP,
	POLICY_ALL,
};

enum dir_type {
	DIR_OPENLDAP = 1,
	DIR_AD,
	DIR_AUTO,
	DIR_389,
};

enum throttle_store {
	STORE_DIRECTORY = 1,
	STORE_FILE,
	STORE_AUTO,		/* resolved at start: dir_store_resolve */
};

enum sms_method {
	SMS_POST = 1,
	SMS_GET,
};

/* How values are escaped in an [sms] body. */
enum sms_escape {
	SMS_ESC_FORM = 1,
	SMS_ESC_JSON,
};

enum mail_tls {
	MAIL_TLS_STARTTLS = 1,
	MAIL_TLS_IMPLICIT,
	MAIL_TLS_NONE,
};

struct cfg {
	int		refs;
	unsigned long	gen;	/* unique: a freed cfg's address may come back */
	char		*path;

	/* [daemon] */
	char		*socket;
	uid_t		 allowed_uids[CFG_MAX_UIDS];
	int		 n_allowed_uids;
	int		 self_callers;
	int		 max_flows;
	int		 max_flows_per_uid;
	int		 idle_timeout;
	int		 status_timeout;
	int		 status_cache;
	int		 debug;

	/* [directory] */
	int		 dir_type;
	char		*uris[CFG_MAX_URIS];
	int		 n_uris;
	int		 start_tls;
	char		*dir_ca_file;
	char		*base;
	char		*bind_dn;
	char		*bind_password_file;
	struct secret	 bind_password;
	char		*user_filter;
	char		*mail_attr;
	int		 dir_timeout;
	int		 dir_connections;
	int		 dir_idle_timeout;
	int		 unlock_on_reset;
	int		 clear_must_change;
	int		 enforce_history;

	/* [mail] */
	char		*smtp_url;
	int		 mail_tls;
	char		*mail_ca_file;
	char		*mail_username;
	char		*mail_password_file;
	struct secret	 mail_password;
	char		*mail_from;	/* as configured: [Name] <address> */
	char		 mail_from_addr[ADDR_MAX + 1];	/* the envelope's */
	char		*template_dir;
	char		*mail_organisation;
	char		*mail_helpdesk;
	int		 mail_timeout;
	int		 mail_workers;
	int		 mail_reuse_seconds;
	int		 mail_reuse_messages;

	/* [code] */
	int		 code_length;
	int		 code_lifetime;
	int		 code_max_attempts;

	/* [password] */
	int		 password_tries;
	int		 min_length;
	int		 max_length;
	int		 pwquality;
	char		*pwquality_conf;
	char		*banned_words_file;

	/* [throttle] */
	int		 throttle_store;
	int		 store_auto;	/* resolved from auto: which, why */
	char		 store_note[512];
	char		*state_file;
	int		 codes_per_window;
	int		 code_window;
	int		 failures_per_window;
	int		 failure_window;
	int		 block_time;
	int		 source_flows;
	int		 source_failures;
	int		 source_window;

	/* [policy] */
	int		 enabled;
	struct cfglist	 groups;
	struct cfglist	 admin_groups;
	struct cfglist	 exclude_groups;
	struct cfglist	 exclude_users;
	int		 min_uid;
	int		 local_account_cache;	/* seconds (localacct.c) */
	int		 methods_required;
	int		 admin_methods_required;
	int		 allow_unlock;
	struct cfglist	 human_check;
	char		*kiosk_service;
	struct cfglist	 methods;

	/* [totp] */
	char		*totp_issuer;
	int		 totp_window;
	char		*totp_key_file;
	struct cfglist	 totp_old_key_files;

	/* [sms] */
	char		*sms_url;
	int		 sms_method;
	char		*sms_content_type;
	char		*sms_body;
	char		*sms_text;
	char		*sms_auth_header_file;
	struct secret	 sms_auth_header;
	int		 sms_timeout;
	char		*sms_ca_file;
	int		 sms_insecure;

	/* [questions] */
	struct cfglist	 questions;	/* inline, or read from a file */
	int		 questions_required;
	int		 min_answer_length;

	/* [sshkey] (method_sshkey.c) */
	char		*sshkey_attr;
	struct cfglist	 sshkey_services;
	struct cfglist	 sshkey_sshd;
	char		*sshkey_ca;	/* "": certificates never count */

	/* [register] */
	int		 reg_enabled;
	int		 reconfirm_days;
	int		 max_skips;
	int		 directory_mail;
	struct cfglist	 reg_services;	/* where.c: empty, everywhere */
	struct cfglist	 reg_sources;

	/*
	 * Not from the file: the TOTP keys, read by the daemon (keys.c)
	 * after the file, at start and on every reload; wiped with c.
	 */
	struct totp_keyring *totp_keys;

	/* [pass]: the helpdesk's one-time pass (pass.h, ssprctl pass) */
	int		 pass_lifetime;
	int		 pass_max_lifetime;
	int		 pass_for_admins;
	int		 pass_counts_as;	/* of methods_required */

	/* [notify] */
	int		 notify;
	char		*admin_address;

	/* [audit] */
	char		*audit_file;

	/* [fleet]: roles, see DESIGN.md "Fleets" */
	int		 role;
	char		*fleet_listen;
	struct cfglist	 fleet_servers;
	char		*fleet_cert;
	char		*fleet_key;
	char		*fleet_ca;
	char		*fleet_crl;
	int		 fleet_max_per_host;
	int		 fleet_max_conns;
	int		 fleet_host_flows;
	struct cfglist	 fleet_admin_hosts;
	int		 fleet_timeout;
	int		 fleet_keep_conns;	/* relay: idle kept per server */
	int		 fleet_keep_secs;	/* both: idle seconds kept */
	int		 fleet_keep_flows;	/* relay: flows per connection */
};

enum role {
	ROLE_LOCAL = 1,
	ROLE_RELAY,
	ROLE_SERVER,
};

/* the reset server's default TCP port is 7477 ([fleet] listen) */
#define FLEET_HOST_MAX	64	/* a host's identity from its certificate */

struct cfg *cfg_load(const char *, char *, size_t);
struct cfg *cfg_ref(struct cfg *);
void	cfg_unref(struct cfg *);
void	cfg_print(const struct cfg *, FILE *);
int	cfg_method(const struct cfg *, const char *);
int	cfg_loopback_url(const char *);
int	cfg_sms_escape(const char *);
int	cfg_hostport(const char *, char *, size_t, const char **);
struct stat;
int	cfg_owner_ok(const char *, const struct stat *, char *, size_t);

/* For tests and the fuzzer: parse text as if it were the file at path. */
struct cfg *cfg_parse(const char *, const char *, size_t, char *, size_t);

#endif
