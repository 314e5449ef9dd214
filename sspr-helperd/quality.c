/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * quality.c: see quality.h.  Runs on a directory worker.  The password is
 * judged as typed: never trimmed, folded or cut (NIST SP 800-63B 3.1.1.2),
 * and its length is counted in Unicode code points, not bytes.
 *
 * Statics: pwq_lock, taken by directory workers; pwq_set, pwq_gen,
 * pwq_read, pwq_dictcheck, pwq_dictpath, under it.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <pwquality.h>

#include "dict.h"
#include "log.h"
#include "quality.h"

/* cracklib keeps static state (and dict.c its one handle): one at a time */
static pthread_mutex_t pwq_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * libpwquality's settings as read for the configuration of generation
 * pwq_gen at pwq_read (CLOCK_MONOTONIC seconds): reading pwquality.conf
 * (and pwquality.conf.d) for every check cost more than the check's own
 * classes and patterns.  They are read again after a reload and at most
 * PWQ_KEEP_S later, so an edit of the host's file takes effect within a
 * second, as it did when every check read it.
 */
#define PWQ_KEEP_S	1

static pwquality_settings_t *pwq_set;
static unsigned long pwq_gen;
static time_t pwq_read;
static int pwq_dictcheck;
static const char *pwq_dictpath;	/* in pwq_set */

size_t
quality_codepoints(const unsigned char *s, size_t n)
{
	size_t i, cp = 0;

	for (i = 0; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			cp++;
	return cp;
}

/* Does the password contain a word of the file (case-insensitive)? */
static int
banned(const char *file, const struct secret *pw)
{
	char lower[SSPR_SECRET_MAX + 1], line[256];
	size_t i, n;
	FILE *fp;
	int hit = 0;

	if (*file == '\0')
		return 0;
	if ((fp = fopen(file, "re")) == NULL) {
		log_msg(LOG_WARNING, "banned_words_file %s: cannot open", file);
		return 0;
	}
	for (i = 0; i <= pw->len; i++)
		lower[i] = (char)tolower(pw->buf[i]);
	while (!hit && fgets(line, sizeof(line), fp) != NULL) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		for (i = 0; i < n; i++)
			line[i] = (char)tolower((unsigned char)line[i]);
		if (n > 0 && line[0] != '#' && strstr(lower, line) != NULL)
			hit = 1;
	}
	fclose(fp);
	explicit_bzero(lower, sizeof(lower));
	return hit;
}

static int
pwq_reason(int r, const char *aux)
{
	switch (r) {
	case PWQ_ERROR_MIN_LENGTH:
		return SSPR_R_POLICY_TOO_SHORT;
	case PWQ_ERROR_MIN_DIGITS:
	case PWQ_ERROR_MIN_UPPERS:
	case PWQ_ERROR_MIN_LOWERS:
	case PWQ_ERROR_MIN_OTHERS:
	case PWQ_ERROR_MIN_CLASSES:
		return SSPR_R_POLICY_CLASSES;
	case PWQ_ERROR_CRACKLIB_CHECK:
		/*
		 * A missing dictionary, or a daemon user missing from
		 * passwd (cracklib looks up its caller), is the host's
		 * problem, not the user's.
		 */
		if (aux != NULL && (strstr(aux, "error loading") != NULL ||
		    strstr(aux, "not registered") != NULL)) {
			log_msg(LOG_WARNING, "pwquality: %s", aux);
			return 0;
		}
		/* cracklib also refuses "too simplistic/systematic" ones */
		return aux != NULL && strstr(aux, "dictionary") == NULL ?
		    SSPR_R_POLICY_SIMPLE : SSPR_R_POLICY_DICTIONARY;
	case PWQ_ERROR_USER_CHECK:
	case PWQ_ERROR_GECOS_CHECK:
		return SSPR_R_POLICY_PERSONAL;
	case PWQ_ERROR_BAD_WORDS:
		return SSPR_R_POLICY_BANNED;
	case PWQ_ERROR_EMPTY_PASSWORD:
		return SSPR_R_POLICY_INVALID;
	case PWQ_ERROR_PALINDROME:
	case PWQ_ERROR_CASE_CHANGES_ONLY:
	case PWQ_ERROR_ROTATED:
	case PWQ_ERROR_MAX_CONSECUTIVE:
	case PWQ_ERROR_MAX_CLASS_REPEAT:
	case PWQ_ERROR_MAX_SEQUENCE:
	case PWQ_ERROR_TOO_SIMILAR:
	case PWQ_ERROR_SAME_PASSWORD:
		return SSPR_R_POLICY_SIMPLE;
	default:
		return SSPR_R_POLICY_QUALITY;
	}
}

static pwquality_settings_t *
pwq_settings(const struct cfg *c)
{
	pwquality_settings_t *s;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (pwq_set != NULL && pwq_gen == c->gen &&
	    ts.tv_sec - pwq_read < PWQ_KEEP_S)
		return pwq_set;
	if ((s = pwquality_default_settings()) == NULL)
		return NULL;
	(void)pwquality_read_config(s, *c->pwquality_conf ?
	    c->pwquality_conf : NULL, NULL);
	if (pwq_set != NULL)
		pwquality_free_settings(pwq_set);
	pwq_set = s;
	pwq_gen = c->gen;
	pwq_read = ts.tv_sec;
	pwq_dictcheck = 1;
	pwq_dictpath = NULL;
	(void)pwquality_get_int_value(s, PWQ_SETTING_DICT_CHECK, &pwq_dictcheck);
	(void)pwquality_get_str_value(s, PWQ_SETTING_DICT_PATH, &pwq_dictpath);
	(void)pwquality_set_int_value(s, PWQ_SETTING_DICT_CHECK, 0);
	return s;
}

/*
 * libpwquality with the host's /etc/security/pwquality.conf (or
 * [password] pwquality_conf), as read at most a second ago (pwq_settings).
 * Its minlen counts bytes; ours (min_length) counts characters and comes
 * first.  Its dictionary check is turned off and made here instead, last
 * as libpwquality makes it, on a dictionary held open in memory (dict.c):
 * the same cracklib check, without cracklib reopening and searching the
 * files on disk for every password.
 */
static int
pwquality(const struct cfg *c, const char *user, const struct secret *pw,
    const struct secret *old)
{
	pwquality_settings_t *s;
	const char *why;
	void *aux = NULL;
	int r, reason = 0;

	pthread_mutex_lock(&pwq_lock);
	if ((s = pwq_settings(c)) == NULL) {
		pthread_mutex_unlock(&pwq_lock);
		return 0;
	}
	r = pwquality_check(s, (const char *)pw->buf, old ? (const char *)
	    old->buf : NULL, user, &aux);
	if (r < 0)
		reason = pwq_reason(r, NULL);
	else if (pwq_dictcheck && (why = dict_look(pwq_dictpath,
	    (const char *)pw->buf, user)) != NULL)
		reason = pwq_reason(PWQ_ERROR_CRACKLIB_CHECK, why);
	if (pwq_dictcheck)
		dict_scrub();
	pthread_mutex_unlock(&pwq_lock);
	return reason;
}

/* 0, or the SSPR_R_POLICY_* reason the password is refused for. */
int
quality_check(const struct cfg *c, const char *user, const struct secret *pw,
    const struct secret *old)
{
	size_t cp = quality_codepoints(pw->buf, pw->len);
	int reason;

	if (c->min_length > 0 && cp < (size_t)c->min_length)
		return SSPR_R_POLICY_TOO_SHORT;
	if (cp > (size_t)c->max_length)
		return SSPR_R_POLICY_TOO_LONG;
	if (banned(c->banned_words_file, pw))
		return SSPR_R_POLICY_BANNED;
	if (!c->pwquality)
		return 0;
	reason = pwquality(c, user, pw, old);
	secret_scrub_stack();	/* what libpwquality and cracklib left there */
	return reason;
}
