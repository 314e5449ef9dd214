/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dir_ldap.h: the LDAP connection a directory worker owns, shared by the
 * OpenLDAP and Active Directory back ends.  Only dir*.c include <ldap.h>.
 */
#ifndef SSPR_DIR_LDAP_H
#define SSPR_DIR_LDAP_H

#include <ldap.h>

#include "dir.h"
#include "dirstore.h"

/* What differs between directory kinds; every call has a bound dconn. */
struct dir_ops {
	const char	*name;
	int		 add_aux_class;	/* add ssprAccount to entries */
	/* a lookup: the attributes read_entry reads, the login names */
	const char *const *entry_attrs;
	const char *const *names;
	void		(*read_entry)(struct dconn *, LDAPMessage *,
			    struct account *);
	int		(*set_password)(struct dconn *, const struct account *,
			    const struct secret *, struct dir_result *);
	int		(*unlock)(struct dconn *, const struct account *,
			    struct dir_result *);
	int		(*member_of)(struct dconn *, const char *, const char *,
			    const struct cfglist *);
	int		(*change_password)(struct dconn *, const struct account *,
			    const struct secret *, const struct secret *,
			    struct dir_result *);
	const char	*changed_attr;	/* moves on every password change */
};

struct dconn {
	LDAP		*ld;
	struct cfg	*cfg;			/* what ld was opened with */
	int		 uri;			/* index of the server in use */
	const struct dir_ops *ops;		/* per server (type = auto) */
	const char	*hints_oid;		/* AD policy hints offered */
};

void	dir_dialect_add(const struct dir_ops *);
const struct dir_ops *dir_dialect(const char *);

int	dconn_open(struct dconn *, struct cfg *, struct dir_result *);
void	dconn_drop(struct dconn *, int);
int	dconn_lost(int);
int	dir_connect_tls(LDAP **, const struct cfg *, int, char *, size_t);
int	dir_bind_as(LDAP *, const char *, const char *, size_t, int, char **);
int	dconn_open_as(struct dconn *, const char *, const struct secret *,
	    LDAP **, char **);
int	dir_search_user(struct dconn *, const char *, char **,
	    LDAPMessage **, struct dir_result *);
char	*dir_get_one(LDAP *, LDAPMessage *, const char *, int *);
int	ad_encode_password(const struct secret *, unsigned char *, size_t);
int	ad_classify(const char *, int *);
void	dir_filter_attribute(const struct cfg *, char *, size_t);
int	dir_user_attribute(const char *, char *, size_t);
void	dir_strs_free(char **);
int	dir_read_common(struct dconn *, LDAPMessage *, struct account *,
	    const char *const *);
void	dir_read_counters(LDAP *, LDAPMessage *, struct account *);
void	dir_read_registration(LDAP *, LDAPMessage *, struct account *);
extern char *dir_counter_attrs[];
int	dir_unlock_write(struct dconn *, const struct account *, LDAPMod **,
	    struct dir_result *);
int	dir_read_back(struct dconn *, const char *, const char *, char **);
struct dir_store_rec;
int	dir_method_store(struct dconn *, struct cfg *, const struct account *,
	    const struct dir_store_rec *, struct dir_result *);
int	dir_totp_step_swap(struct dconn *, struct cfg *,
	    const struct account *, const char *, long long,
	    struct dir_result *);
int	dir_totp_reseal(struct dconn *, struct cfg *, const struct account *,
	    const char *, struct dir_result *);
int	dir_value_consume(struct dconn *, struct cfg *,
	    const struct account *, enum dir_value, const char *,
	    struct dir_result *);
int	dir_write_outcome(struct dconn *, const struct account *,
	    const char *, struct dir_result *);

#endif
