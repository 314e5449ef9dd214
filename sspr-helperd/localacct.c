/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * localacct.c: is a name a local account, and with what uid?  Every
 * reset's START, every login's STATUS and every CHANGE asks, to refuse
 * root and the host's system accounts.  A name that is no local account
 * (the directory's people, nearly every question) is the costly answer:
 * getpwnam_r walks every source in nsswitch.conf to the end, and
 * systemd's userdb alone opens some 35 paths (~0.1 ms of CPU here).
 *
 * So the answer is kept for ttl seconds, as nscd (20 s for a name it
 * did not find) and sssd (entry_negative_timeout, 15 s) keep theirs: a
 * name that becomes a local account is refused at most ttl seconds
 * later, at once after a reload.  Bounded: LA_SETS x LA_WAYS answers,
 * the oldest in a set given up first; longer names, and NSS errors,
 * are never kept.  Names are chosen by whoever asks: a flood of them
 * only evicts answers, which are then asked of NSS again.
 * Statics: la under la_lock; the directory workers, and the loop at a
 * reload.
 */
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "localacct.h"

#define LA_SETS		256
#define LA_WAYS		4
#define LA_NAME		64	/* longer names are asked every time */

struct la_slot {
	char		 name[LA_NAME];
	long long	 until;		/* CLOCK_MONOTONIC ms; 0 empty */
	int		 found;
	uid_t		 uid;
};

static pthread_mutex_t	la_lock = PTHREAD_MUTEX_INITIALIZER;
static struct la_slot	la[LA_SETS][LA_WAYS];

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct la_slot *
set_of(const char *name)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *name != '\0'; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return la[h % LA_SETS];
}

/* 1 and *uid for a kept answer that a local account exists, 0 for one
 * that none does, -1 for none kept. */
static int
kept(const char *name, long long now, uid_t *uid)
{
	struct la_slot *s = set_of(name);
	int i, r = -1;

	pthread_mutex_lock(&la_lock);
	for (i = 0; i < LA_WAYS; i++)
		if (s[i].until > now && strcmp(s[i].name, name) == 0) {
			r = s[i].found;
			*uid = s[i].uid;
			break;
		}
	pthread_mutex_unlock(&la_lock);
	return r;
}

static void
keep(const char *name, long long until, int found, uid_t uid)
{
	struct la_slot *s = set_of(name), *v = &s[0];
	int i;

	pthread_mutex_lock(&la_lock);
	for (i = 0; i < LA_WAYS; i++) {
		if (strcmp(s[i].name, name) == 0) {
			v = &s[i];
			break;
		}
		if (s[i].until < v->until)
			v = &s[i];
	}
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->until = until;
	v->found = found;
	v->uid = uid;
	pthread_mutex_unlock(&la_lock);
}

/*
 * getpwnam_r(3): "0 or ENOENT or ESRCH or EBADF or EPERM or ...: the
 * given name or uid was not found"; glibc says ENOENT when the last
 * source could not be reached (sss without sssd), as nss_wrapper does
 * for a name it has not.  The other errors (EIO, ERANGE, EMFILE...) are
 * no answer.
 */
static int
not_found(int err)
{
	return err == ENOENT || err == ESRCH || err == EBADF || err == EPERM;
}

/*
 * 1 and *uid if name is a local account, 0 if it is none, -1 if NSS
 * could not say.  The answer's age counts from before NSS was asked.
 */
int
localacct_uid(const char *name, int ttl, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	long long now = now_ms();
	int r, cacheable = ttl > 0 && strlen(name) < LA_NAME;

	if (cacheable && (r = kept(name, now, uid)) >= 0)
		return r;
	if ((r = getpwnam_r(name, &pw, buf, sizeof(buf), &res)) != 0 &&
	    !not_found(r))
		return -1;
	r = res != NULL;
	*uid = r ? pw.pw_uid : 0;
	if (cacheable)
		keep(name, now + 1000LL * ttl, r, *uid);
	return r;
}

/* A reload: an administrator who has just added an account says so. */
void
localacct_forget(void)
{
	pthread_mutex_lock(&la_lock);
	memset(la, 0, sizeof(la));
	pthread_mutex_unlock(&la_lock);
}
