/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * method_sshkey.c: a key sshd accepted for this very user, before PAM
 * ran (AuthenticationMethods publickey,keyboard-interactive), that the
 * directory lists for the account ([sshkey] attribute, sshPublicKey by
 * default).  Nothing is asked: START brings the keys (SSH_AUTH_INFO_0,
 * via the module), and the method counts only when the caller is sshd
 * and one of them is one of the account's (or a certificate of [sshkey]
 * cert_authority for the user).  If it does not count, the method is not
 * there, as for an account without a key: nobody learns more than an
 * account without one shows.  Loop thread only.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "method.h"
#include "peer.h"
#include "sshkey.h"

static int
sshkey_enabled(const struct cfg *c)
{
	return cfg_method(c, "sshkey");
}

/* Keys listed, or certificates of the configured CA. */
static int
sshkey_usable(const struct cfg *c, const struct account *a)
{
	return (a->ssh_keys != NULL && a->ssh_keys[0] != NULL) ||
	    *c->sshkey_ca != '\0';
}

/* Not registered through pam_sspr: the directory's administrators do. */
static int
sshkey_shown(const struct cfg *c, const struct account *a,
    struct msg_methods *mm)
{
	(void)c;
	(void)a;
	(void)mm;
	return 0;
}

/*
 * Only sshd may say which key it accepted: a root caller that may act
 * for others, from a PAM service [sshkey] services names, running a
 * program of [sshkey] sshd_paths.  When this daemon may not look at its
 * caller's program (it runs as _sspr; sshd's is root's), the module has
 * checked its own (pam_sspr(8), sshd=): the same process, as trusted as
 * the root caller it is.  A flow a relay forwards has no local process
 * to look at, and the relay's word that its caller was root says nothing
 * of the program: never counted there (SECURITY.md).  The reason, or NULL.
 */
static const char *
not_sshd(const struct flow *f)
{
	const struct cfg *c = f->cfg;

	if (f->host[0] != '\0')
		return "the flow came through a relay";
	if (f->uid != 0 || f->self_only)
		return "the caller is not root";
	if (!cfglist_has(&c->sshkey_services, f->service))
		return "the PAM service is not in [sshkey] services";
	if (peer_program(f->pid, (const char *const *)c->sshkey_sshd.item,
	    c->sshkey_sshd.n) == PEER_OTHER)
		return "the caller's program is not in [sshkey] sshd_paths";
	return NULL;
}

static void
sshkey_start(struct flow *f, const struct msg_start *st)
{
	const char *why;

	if (st->keys[0] == '\0' || !sshkey_enabled(f->cfg) ||
	    f->ssh_accepted != NULL)
		return;
	if ((why = not_sshd(f)) != NULL) {
		flog(f, LOG_WARNING, "SSH keys from a caller that is not sshd "
		    "(%s): not counted", why);
		return;
	}
	f->ssh_accepted = strdup(st->keys);
}

/*
 * A key the directory lists, or a certificate of [sshkey] cert_authority
 * for the user sshd authenticated (START's, which the module took from
 * PAM_USER), valid now.
 */
static int
sshkey_proven(struct flow *f)
{
	static struct sshkey ca;	/* 8 KiB: loop thread only */
	int have_ca;

	if (f->ssh_accepted == NULL)
		return 0;
	have_ca = *f->cfg->sshkey_ca != '\0' &&
	    sshkey_parse_authorized(f->cfg->sshkey_ca, &ca) == 0;
	return sshkey_match(f->ssh_accepted, f->acct.ssh_keys,
	    have_ca ? &ca : NULL, f->user, (long long)time(NULL));
}

/* Told only to the holder of the key, who knows it is registered. */
static void
sshkey_prompt(struct flow *f)
{
	flow_info(f, SSPR_INFO_SSHKEY);
}

const struct method method_sshkey = {
	.id = SSPR_METHOD_SSHKEY,
	.name = "sshkey",
	.action = -1,		/* never a registration step */
	.reg_bit = 0,
	.channel = CH_NONE,
	.for_admins = 1,
	.noun = "key",
	.feature = SSPR_FEAT_SSHKEY,
	.enabled = sshkey_enabled,
	.usable = sshkey_usable,
	.shown = sshkey_shown,
	.start = sshkey_start,
	.proven = sshkey_proven,
	.prompt = sshkey_prompt,
};
