/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dict.c: see dict.h.
 *
 * FascistCheck(), which libpwquality calls, opens the dictionary's three
 * files for every password and then looks up some 180 variants of it,
 * each a binary search by fseek() and fread(): about 4,000 system calls
 * and 2.1 ms of CPU per password on the bench machine, three quarters in
 * the kernel, more than the directory spends on the whole reset
 * (BENCHMARKS.md).  Here the dictionary is opened once, its index and word
 * files are read into memory, and cracklib's two streams on them are
 * replaced by fmemopen() streams over the copies: a check is then
 * cracklib's own work, about 0.5 ms, and makes no system call.
 *
 * The streams sit in cracklib's PWDICT, which packer.h (libcrack2-dev)
 * lays out for cracklib's own sources.  Before a stream is replaced it is
 * checked to be an open stream on the very file cracklib was asked to
 * open (same device and inode); if not, or if the dictionary is
 * compressed, the handle is used as cracklib made it, which is correct,
 * only slower, and said once in the log.
 *
 * Statics: d, only under quality.c's pwq_lock (directory workers).
 */
#define IN_CRACKLIB		/* the PWDICT layout: see above */
#define HAVE_INTTYPES_H 1
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <packer.h>

#include "dict.h"
#include "log.h"

#define DICT_FILE_MAX	(64L << 20)	/* a bigger file stays on disk */
#define STREAM_BUF	1024		/* cracklib reads 4 or 512 bytes a seek */

struct copy {
	char	*data;
	char	 buf[STREAM_BUF];
};

static struct {
	PWDICT		*pw;
	char		 path[PATH_MAX];
	struct stat	 pwd, pwi;	/* the files when opened: a rebuild shows */
	struct copy	 index, wordlist;
	int		 warned;
} d;

static int
stat_suffix(const char *path, const char *suffix, struct stat *st)
{
	char name[PATH_MAX + 8];

	if ((size_t)snprintf(name, sizeof(name), "%s%s", path, suffix) >=
	    sizeof(name))
		return -1;
	return stat(name, st);
}

static int
read_all(int fd, char *buf, size_t n)
{
	size_t o = 0;
	ssize_t r;

	while (o < n) {
		r = pread(fd, buf + o, n - o, (off_t)o);
		if (r <= 0)
			return -1;
		o += (size_t)r;
	}
	return 0;
}

/*
 * *fpp, a stream on path+suffix, replaced by one over a copy of the file
 * in memory.  On failure *fpp is left as it was.
 */
static int
to_memory(FILE **fpp, const char *path, const char *suffix, struct copy *c)
{
	struct stat named, open;
	FILE *m;

	if (*fpp == NULL || stat_suffix(path, suffix, &named) != 0 ||
	    fstat(fileno(*fpp), &open) != 0 || !S_ISREG(open.st_mode) ||
	    open.st_dev != named.st_dev || open.st_ino != named.st_ino ||
	    open.st_size <= 0 || open.st_size > DICT_FILE_MAX)
		return -1;
	if ((c->data = malloc((size_t)open.st_size)) == NULL)
		return -1;
	if (read_all(fileno(*fpp), c->data, (size_t)open.st_size) != 0 ||
	    (m = fmemopen(c->data, (size_t)open.st_size, "r")) == NULL) {
		free(c->data);
		c->data = NULL;
		return -1;
	}
	/* glibc's default is a page or more, copied at every seek */
	(void)setvbuf(m, c->buf, _IOFBF, sizeof(c->buf));
	fclose(*fpp);
	*fpp = m;
	return 0;
}

int
dict_in_memory(void)
{
	return d.pw != NULL && d.index.data != NULL && d.wordlist.data != NULL;
}

void
dict_close(void)
{
	if (d.pw != NULL)
		PWClose(d.pw);	/* closes our streams too */
	free(d.index.data);
	free(d.wordlist.data);
	d.pw = NULL;
	d.index.data = d.wordlist.data = NULL;
}

static int
dict_open(const char *path)
{
	dict_close();
	if (stat_suffix(path, ".pwd", &d.pwd) != 0 ||
	    stat_suffix(path, ".pwi", &d.pwi) != 0 ||
	    (d.pw = PWOpen(path, "r")) == NULL)
		return -1;
	snprintf(d.path, sizeof(d.path), "%s", path);
	if ((d.pw->flags & PFOR_USEZLIB) != 0 ||
	    to_memory((FILE **)&d.pw->ifp, path, ".pwi", &d.index) != 0 ||
	    to_memory((FILE **)&d.pw->dfp, path, ".pwd", &d.wordlist) != 0) {
		if (!d.warned)
			log_msg(LOG_NOTICE, "cracklib dictionary %s: checked "
			    "from disk (not held in memory)", path);
		d.warned = 1;
	} else
		log_msg(LOG_DEBUG, "cracklib dictionary %s: held in memory",
		    path);
	return 0;
}

static int
same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * Open already, on the same path, and not rebuilt since (update-cracklib)?
 * Both files: cracklib's packer writes the index last.
 */
static int
dict_current(const char *path)
{
	struct stat pwd, pwi;

	return d.pw != NULL && strcmp(d.path, path) == 0 &&
	    stat_suffix(path, ".pwd", &pwd) == 0 && same_stat(&pwd, &d.pwd) &&
	    stat_suffix(path, ".pwi", &pwi) == 0 && same_stat(&pwi, &d.pwi);
}

const char *
dict_look(const char *path, const char *password, const char *user)
{
	if (path == NULL || *path == '\0')
		path = GetDefaultCracklibDict();
	if (strlen(path) >= sizeof(d.path))
		return "error loading dictionary";
	if (!dict_current(path) && dict_open(path) != 0)
		return "error loading dictionary";
	/* cracklib copies (and cuts) the password before it mangles it */
	return FascistLookUser(d.pw, (char *)password, user, NULL);
}

/*
 * cracklib keeps the last password it looked at, lowercased, reversed and
 * otherwise mangled, in the static buffers of its rules (Mangle and the
 * functions it calls): each is overwritten by mangling a dummy as long as
 * the longest password cracklib keeps.
 */
void
dict_scrub(void)
{
	static const char *const rules[] = { ":", "r", "u", "l", "c", "p", "d", "f",
	    "sxy", "@y" };
	char dummy[TRUNCSTRINGSIZE], rule[8];
	size_t i;

	memset(dummy, 'x', sizeof(dummy) - 1);
	dummy[sizeof(dummy) - 1] = '\0';
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		snprintf(rule, sizeof(rule), "%s", rules[i]);
		(void)Mangle(dummy, rule);
	}
}
