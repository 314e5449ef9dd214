/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cfgkeys.c: every key of sspr-helperd.conf, once: its section, name,
 * type, the field of struct cfg it fills, its default and its range.
 * Anything not in the table is an error in the file.  The table also
 * drives --check's print-out and the freeing of a configuration's values.
 *
 * A new key: a field in struct cfg (cfg.h), a row here in its section
 * (the order of the rows is the order --check prints and the order
 * conf/sspr-helperd.conf and man/sspr-helperd.conf.5 document, which
 * t_install compares), and, if it must agree with other keys, a rule in
 * cfgcheck.c.  A new value type is a K_ here and a case in cfgparse.c's
 * set_value and in cfg_print below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfgkeys.h"

static const struct kenum dir_types[] = {
	{ "openldap", DIR_OPENLDAP }, { "ad", DIR_AD }, { "auto", DIR_AUTO },
	{ "389ds", DIR_389 },
	{ NULL, 0 }
};
static const struct kenum enabled_modes[] = {
	{ "none", POLICY_NONE }, { "group", POLICY_GROUP }, { "all", POLICY_ALL },
	{ NULL, 0 }
};
static const struct kenum stores[] = {
	{ "directory", STORE_DIRECTORY }, { "file", STORE_FILE },
	{ "auto", STORE_AUTO }, { NULL, 0 }
};
static const struct kenum sms_methods[] = {
	{ "post", SMS_POST }, { "get", SMS_GET }, { NULL, 0 }
};
static const struct kenum roles[] = {
	{ "local", ROLE_LOCAL }, { "relay", ROLE_RELAY },
	{ "reset-server", ROLE_SERVER }, { NULL, 0 }
};
static const struct kenum mail_tls_modes[] = {
	{ "starttls", MAIL_TLS_STARTTLS }, { "implicit", MAIL_TLS_IMPLICIT },
	{ "none", MAIL_TLS_NONE }, { NULL, 0 }
};

#define O(f)	offsetof(struct cfg, f)

/* Every key, once.  conf/sspr-helperd.conf documents each of them. */
const struct key cfg_keys[] = {
	{ "daemon", "socket", K_PATH, O(socket), "/run/sspr/helperd.sock", 0, 0, NULL },
	{ "daemon", "allowed_uids", K_UIDS, 0, "0", 0, 0, NULL },
	{ "daemon", "self_callers", K_BOOL, O(self_callers), "no", 0, 0, NULL },
	{ "daemon", "max_flows", K_INT, O(max_flows), "1024", 1, 100000, NULL },
	{ "daemon", "max_flows_per_uid", K_INT, O(max_flows_per_uid), "64", 1, 100000, NULL },
	{ "daemon", "idle_timeout", K_INT, O(idle_timeout), "300", 1, 3600, NULL },
	{ "daemon", "status_timeout", K_INT, O(status_timeout), "2", 1, 30, NULL },
	{ "daemon", "status_cache", K_INT, O(status_cache), "300", 0, 86400, NULL },
	{ "daemon", "debug", K_BOOL, O(debug), "no", 0, 0, NULL },

	{ "directory", "type", K_ENUM, O(dir_type), "openldap", 0, 0, dir_types },
	{ "directory", "uri", K_URIS, 0, NULL, 0, 0, NULL },
	{ "directory", "start_tls", K_BOOL, O(start_tls), "no", 0, 0, NULL },
	{ "directory", "tls_ca_file", K_PATH, O(dir_ca_file), "", 0, 0, NULL },
	{ "directory", "base", K_STR, O(base), NULL, 0, 0, NULL },
	{ "directory", "bind_dn", K_STR, O(bind_dn), NULL, 0, 0, NULL },
	{ "directory", "bind_password_file", K_PATH, O(bind_password_file), NULL, 0, 0, NULL },
	{ "directory", "user_filter", K_STR, O(user_filter), "", 0, 0, NULL },
	{ "directory", "recovery_mail_attribute", K_STR, O(mail_attr), "mail", 0, 0, NULL },
	{ "directory", "timeout", K_INT, O(dir_timeout), "10", 1, 300, NULL },
	{ "directory", "connections", K_INT, O(dir_connections), "4", 1, 64, NULL },
	{ "directory", "idle_timeout", K_INT, O(dir_idle_timeout), "300", 0, 86400, NULL },
	{ "directory", "unlock_on_reset", K_BOOL, O(unlock_on_reset), "yes", 0, 0, NULL },
	{ "directory", "clear_must_change", K_BOOL, O(clear_must_change), "yes", 0, 0, NULL },
	{ "directory", "enforce_history", K_BOOL, O(enforce_history), "yes", 0, 0, NULL },

	{ "mail", "smtp_url", K_STR, O(smtp_url), NULL, 0, 0, NULL },
	{ "mail", "tls", K_ENUM, O(mail_tls), "starttls", 0, 0, mail_tls_modes },
	{ "mail", "tls_ca_file", K_PATH, O(mail_ca_file), "", 0, 0, NULL },
	{ "mail", "username", K_STR, O(mail_username), "", 0, 0, NULL },
	{ "mail", "password_file", K_PATH, O(mail_password_file), "", 0, 0, NULL },
	{ "mail", "from", K_STR, O(mail_from), NULL, 0, 0, NULL },
	{ "mail", "template_dir", K_PATH, O(template_dir), "/etc/sspr/mail", 0, 0, NULL },
	{ "mail", "organisation", K_STR, O(mail_organisation), "", 0, 0, NULL },
	{ "mail", "helpdesk", K_STR, O(mail_helpdesk), "", 0, 0, NULL },
	{ "mail", "timeout", K_INT, O(mail_timeout), "30", 1, 300, NULL },
	{ "mail", "workers", K_INT, O(mail_workers), "4", 1, 64, NULL },
	{ "mail", "reuse_seconds", K_INT, O(mail_reuse_seconds), "30", 0, 300, NULL },
	{ "mail", "reuse_messages", K_INT, O(mail_reuse_messages), "100", 0, 10000, NULL },

	{ "code", "length", K_INT, O(code_length), "8", 6, 10, NULL },
	{ "code", "lifetime", K_INT, O(code_lifetime), "600", 10, 86400, NULL },
	{ "code", "max_attempts", K_INT, O(code_max_attempts), "5", 1, 10, NULL },

	{ "password", "tries", K_INT, O(password_tries), "3", 1, 10, NULL },
	{ "password", "min_length", K_INT, O(min_length), "8", 0, 256, NULL },
	{ "password", "max_length", K_INT, O(max_length), "256", 8, 512, NULL },
	{ "password", "pwquality", K_BOOL, O(pwquality), "yes", 0, 0, NULL },
	{ "password", "pwquality_conf", K_PATH, O(pwquality_conf), "", 0, 0, NULL },
	{ "password", "banned_words_file", K_PATH, O(banned_words_file), "", 0, 0, NULL },

	{ "throttle", "store", K_ENUM, O(throttle_store), "auto", 0, 0, stores },
	{ "throttle", "state_file", K_PATH, O(state_file), "/var/lib/sspr/throttle.state", 0, 0, NULL },
	{ "throttle", "codes_per_window", K_INT, O(codes_per_window), "10", 1, 50, NULL },
	{ "throttle", "code_window", K_INT, O(code_window), "600", 60, 86400, NULL },
	{ "throttle", "failures_per_window", K_INT, O(failures_per_window), "5", 1, 50, NULL },
	{ "throttle", "failure_window", K_INT, O(failure_window), "3600", 60, 86400, NULL },
	{ "throttle", "block_time", K_INT, O(block_time), "86400", 60, 604800, NULL },
	{ "throttle", "source_flows", K_INT, O(source_flows), "30", 1, 60, NULL },
	{ "throttle", "source_failures", K_INT, O(source_failures), "30", 1, 60, NULL },
	{ "throttle", "source_window", K_INT, O(source_window), "600", 60, 86400, NULL },

	{ "policy", "enabled", K_ENUM, O(enabled), "all", 0, 0, enabled_modes },
	{ "policy", "group", K_DNS, O(groups), "", 0, 0, NULL },
	{ "policy", "admin_group", K_DNS, O(admin_groups), "", 0, 0, NULL },
	{ "policy", "exclude_groups", K_DNS, O(exclude_groups), "", 0, 0, NULL },
	{ "policy", "exclude_users", K_WORDS, O(exclude_users), "", 0, 0, NULL },
	{ "policy", "min_uid", K_INT, O(min_uid), "1000", 0, 1000000, NULL },
	{ "policy", "local_account_cache", K_INT, O(local_account_cache), "10", 0, 60, NULL },
	{ "policy", "methods_required", K_INT, O(methods_required), "1", 1, 2, NULL },
	{ "policy", "admin_methods_required", K_INT, O(admin_methods_required), "2", 1, 2, NULL },
	{ "policy", "allow_unlock", K_BOOL, O(allow_unlock), "yes", 0, 0, NULL },
	{ "policy", "human_check", K_WORDS, O(human_check), "kiosk remote", 0, 0, NULL },
	{ "policy", "kiosk_service", K_STR, O(kiosk_service), "sspr", 0, 0, NULL },
	{ "policy", "methods", K_WORDS, O(methods), "email", 0, 0, NULL },

	{ "notify", "enabled", K_BOOL, O(notify), "yes", 0, 0, NULL },
	{ "notify", "admin_address", K_STR, O(admin_address), "", 0, 0, NULL },

	{ "audit", "file", K_PATH, O(audit_file), "", 0, 0, NULL },

	{ "totp", "issuer", K_STR, O(totp_issuer), "", 0, 0, NULL },
	{ "totp", "window", K_INT, O(totp_window), "1", 0, 2, NULL },
	{ "totp", "key_file", K_PATH, O(totp_key_file), "/etc/sspr/totp.key", 0, 0, NULL },
	{ "totp", "old_key_files", K_WORDS, O(totp_old_key_files), "", 0, 0, NULL },

	{ "sms", "url", K_STR, O(sms_url), "", 0, 0, NULL },
	{ "sms", "method", K_ENUM, O(sms_method), "post", 0, 0, sms_methods },
	{ "sms", "content_type", K_STR, O(sms_content_type), "application/x-www-form-urlencoded", 0, 0, NULL },
	{ "sms", "body", K_STR, O(sms_body), "", 0, 0, NULL },
	{ "sms", "text", K_STR, O(sms_text), "Your password reset code is {code}. It is valid for {minutes} minutes.", 0, 0, NULL },
	{ "sms", "auth_header_file", K_PATH, O(sms_auth_header_file), "", 0, 0, NULL },
	{ "sms", "timeout", K_INT, O(sms_timeout), "10", 1, 60, NULL },
	{ "sms", "ca_file", K_PATH, O(sms_ca_file), "", 0, 0, NULL },
	{ "sms", "insecure", K_BOOL, O(sms_insecure), "no", 0, 0, NULL },

	{ "questions", "list", K_LINES, O(questions), "", 0, 0, NULL },
	{ "questions", "required", K_INT, O(questions_required), "3", 1, 10, NULL },
	{ "questions", "min_answer_length", K_INT, O(min_answer_length), "3", 1, 128, NULL },

	{ "sshkey", "attribute", K_STR, O(sshkey_attr), "sshPublicKey", 0, 0, NULL },
	{ "sshkey", "services", K_WORDS, O(sshkey_services), "sshd", 0, 0, NULL },
	{ "sshkey", "sshd_paths", K_WORDS, O(sshkey_sshd), "/usr/sbin/sshd", 0, 0, NULL },
	{ "sshkey", "cert_authority", K_STR, O(sshkey_ca), "", 0, 0, NULL },

	{ "register", "enabled", K_BOOL, O(reg_enabled), "no", 0, 0, NULL },
	{ "register", "reconfirm_days", K_INT, O(reconfirm_days), "365", 0, 3650, NULL },
	{ "register", "max_skips", K_INT, O(max_skips), "3", 0, 10, NULL },
	{ "register", "directory_mail", K_BOOL, O(directory_mail), "yes", 0, 0, NULL },
	{ "register", "services", K_WORDS, O(reg_services), "", 0, 0, NULL },
	{ "register", "sources", K_WORDS, O(reg_sources), "", 0, 0, NULL },

	{ "pass", "lifetime", K_INT, O(pass_lifetime), "3600", 300, 604800, NULL },
	{ "pass", "max_lifetime", K_INT, O(pass_max_lifetime), "86400", 300, 604800, NULL },
	{ "pass", "for_admins", K_BOOL, O(pass_for_admins), "no", 0, 0, NULL },
	{ "pass", "counts_as", K_INT, O(pass_counts_as), "1", 1, 2, NULL },

	{ "fleet", "role", K_ENUM, O(role), "local", 0, 0, roles },
	{ "fleet", "listen", K_STR, O(fleet_listen), "0.0.0.0:7477", 0, 0, NULL },
	{ "fleet", "servers", K_WORDS, O(fleet_servers), "", 0, 0, NULL },
	{ "fleet", "cert_file", K_PATH, O(fleet_cert), "", 0, 0, NULL },
	{ "fleet", "key_file", K_PATH, O(fleet_key), "", 0, 0, NULL },
	{ "fleet", "ca_file", K_PATH, O(fleet_ca), "", 0, 0, NULL },
	{ "fleet", "crl_file", K_PATH, O(fleet_crl), "", 0, 0, NULL },
	{ "fleet", "max_per_host", K_INT, O(fleet_max_per_host), "32", 1, 10000, NULL },
	{ "fleet", "max_connections", K_INT, O(fleet_max_conns), "1024", 1, 100000, NULL },
	{ "fleet", "host_flows", K_INT, O(fleet_host_flows), "60", 0, 60, NULL },
	{ "fleet", "admin_hosts", K_WORDS, O(fleet_admin_hosts), "", 0, 0, NULL },
	{ "fleet", "timeout", K_INT, O(fleet_timeout), "5", 1, 60, NULL },
	{ "fleet", "keep_connections", K_INT, O(fleet_keep_conns), "8", 0, 1000, NULL },
	{ "fleet", "keep_seconds", K_INT, O(fleet_keep_secs), "30", 0, 3600, NULL },
	{ "fleet", "keep_flows", K_INT, O(fleet_keep_flows), "100", 1, 100000, NULL },
};

const size_t cfg_nkeys = sizeof(cfg_keys) / sizeof(cfg_keys[0]);

_Static_assert(sizeof(cfg_keys) / sizeof(cfg_keys[0]) <= CFG_KEYS_MAX,
    "more keys than CFG_KEYS_MAX: raise it in cfgkeys.h");

/* The key's row, or -1. */
int
cfg_key_index(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < cfg_nkeys; i++)
		if (strcmp(cfg_keys[i].section, section) == 0 &&
		    strcmp(cfg_keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
cfg_section_known(const char *section)
{
	size_t i;

	for (i = 0; i < cfg_nkeys; i++)
		if (strcmp(cfg_keys[i].section, section) == 0)
			return 1;
	return 0;
}

void
cfg_list_free(struct cfglist *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->item[i]);
	free(l->text);
	memset(l, 0, sizeof(*l));
}

/* Frees the values the table's keys hold in c (not c, nor its secrets). */
void
cfg_keys_free(struct cfg *c)
{
	size_t i;
	int k;

	for (i = 0; i < cfg_nkeys; i++)
		if (cfg_keys[i].type == K_STR || cfg_keys[i].type == K_PATH)
			free(*cfg_str_field(c, &cfg_keys[i]));
		else if (cfg_keys[i].type == K_DNS ||
		    cfg_keys[i].type == K_WORDS || cfg_keys[i].type == K_LINES)
			cfg_list_free(cfg_list_field(c, &cfg_keys[i]));
	for (k = 0; k < c->n_uris; k++)
		free(c->uris[k]);
}

/* The effective configuration, for --check; secrets are never printed. */
void
cfg_print(const struct cfg *c, FILE *fp)
{
	const char *section = "";
	size_t i;
	int k;

	for (i = 0; i < cfg_nkeys; i++) {
		const struct key *key = &cfg_keys[i];
		const struct kenum *e;
		int v;

		if (strcmp(section, key->section) != 0) {
			fprintf(fp, "%s[%s]\n", i ? "\n" : "", key->section);
			section = key->section;
		}
		fprintf(fp, "%s = ", key->name);
		switch (key->type) {
		case K_STR:
		case K_PATH:
			fprintf(fp, "%s", *(char *const *)((const char *)c +
			    key->off));
			break;
		case K_DNS:
		case K_WORDS:
		case K_LINES:
			fprintf(fp, "%s", ((const struct cfglist *)((const char *)
			    c + key->off))->text);
			break;
		case K_INT:
		case K_BOOL:
		case K_ENUM:
			v = *(const int *)((const char *)c + key->off);
			if (key->type == K_INT)
				fprintf(fp, "%d", v);
			else if (key->type == K_BOOL)
				fprintf(fp, "%s", v ? "yes" : "no");
			else
				for (e = key->enums; e->name; e++)
					if (e->value == v)
						fprintf(fp, "%s", e->name);
			break;
		case K_UIDS:
			for (k = 0; k < c->n_allowed_uids; k++)
				fprintf(fp, "%s%u", k ? " " : "",
				    (unsigned)c->allowed_uids[k]);
			break;
		case K_URIS:
			for (k = 0; k < c->n_uris; k++)
				fprintf(fp, "%s%s", k ? " " : "", c->uris[k]);
			break;
		}
		fputc('\n', fp);
	}
}
