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
 * That still left cracklib's search itself at 0.4-1 ms per password,
 * three quarters of it not comparing words but fetching them: FindPW()
 * binary-searches the dictionary for each of some 180 manglings and asks
 * GetPW() for every probe, and GetPW() seeks in the index, reads a
 * 16-word block and decompresses all 16 words of it (strcpy), for every
 * probe, even of the block it has just decompressed.  So the daemon
 * defines GetPW() itself: for the dictionary open here it answers from a
 * table of every word, made once when the dictionary is opened by asking
 * cracklib's own GetPW() for each block; for any other handle (cracklib's
 * own FascistCheck(), the unit test's reference) it calls cracklib's.
 * libcrack's FindPW() reaches GetPW() through its PLT, so the
 * executable's definition is the one bound (the linker exports it, since
 * libcrack defines it too); a libcrack that bound the call internally
 * would simply never call this one, and the check would be as before,
 * only slower.  The words compared and the order of the search are
 * cracklib's: only where a word comes from changes.
 *
 * Statics: d, only under quality.c's pwq_lock (directory workers);
 * real_getpw, set once (pthread_once).
 */
#define IN_CRACKLIB		/* the PWDICT layout: see above */
#define HAVE_INTTYPES_H 1
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
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
/* ~14 bytes a word (0.7 MiB for Debian's 51,526); more: cracklib's GetPW() */
#define WORDS_MAX	(1U << 20)

struct copy {
	char	*data;
	char	 buf[STREAM_BUF];
};

static struct {
	PWDICT		*pw;
	char		 path[PATH_MAX];
	struct stat	 pwd, pwi;	/* the files when opened: a rebuild shows */
	struct copy	 index, wordlist;
	/* every word of d.pw, as cracklib's GetPW() gives it */
	char		*text;
	uint32_t	*off;	/* word i at text + off[i] */
	uint32_t	 nwords;
	int		 warned;
} d;

typedef char	*getpw_fn(PWDICT *, uint32_t);
static getpw_fn	*real_getpw;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

static void
real_init(void)
{
	real_getpw = (getpw_fn *)dlsym(RTLD_NEXT, "GetPW");
}

/*
 * cracklib's, for every handle but ours (see the top of the file).  Only
 * libcrack calls it, so libcrack is loaded and its GetPW() found; were it
 * not, no answer is safe (NULL would read as "not in the dictionary").
 */
char *
GetPW(PWDICT *pwp, uint32_t number)
{
	if (pwp == d.pw && d.off != NULL && number < d.nwords)
		return d.text + d.off[number];
	pthread_once(&real_once, real_init);
	if (real_getpw == NULL) {
		log_msg(LOG_CRIT, "cracklib's GetPW not found: cannot check "
		    "passwords against the dictionary");
		abort();
	}
	return real_getpw(pwp, number);
}

static void
words_free(void)
{
	free(d.text);
	free(d.off);
	d.text = NULL;
	d.off = NULL;
	d.nwords = 0;
}

/*
 * The table of d.pw's words, from cracklib's own GetPW(): one call per
 * 16-word block, whose words it leaves decompressed in data_get (checked:
 * otherwise one call per word).  On failure there is no table, and every
 * lookup goes to cracklib's GetPW() as before.
 */
static int
words_load(void)
{
	uint32_t n = PW_WORDS(d.pw), i;
	size_t size = 0, used = 0, len;
	char *w = NULL, *t;
	int block = 0;

	pthread_once(&real_once, real_init);
	if (real_getpw == NULL || n == 0 || n > WORDS_MAX ||
	    (d.off = calloc(n, sizeof(*d.off))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (i % NUMWORDS == 0 || !block) {
			if ((w = real_getpw(d.pw, i)) == NULL)
				goto fail;
			block = w == d.pw->data_get[i % NUMWORDS];
		} else
			w = d.pw->data_get[i % NUMWORDS];
		len = strnlen(w, MAXWORDLEN - 1);
		if (used + len + 1 > size) {
			size = size ? 2 * size : 64 * 1024;
			if (size > UINT32_MAX ||
			    (t = realloc(d.text, size)) == NULL)
				goto fail;
			d.text = t;
		}
		memcpy(d.text + used, w, len);
		d.text[used + len] = '\0';
		d.off[i] = (uint32_t)used;
		used += len + 1;
	}
	if ((t = realloc(d.text, used)) != NULL)
		d.text = t;
	d.nwords = n;
	return 0;
fail:
	words_free();
	return -1;
}

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

int
dict_word_table(void)
{
	return d.pw != NULL && d.off != NULL;
}

void
dict_close(void)
{
	if (d.pw != NULL)
		PWClose(d.pw);	/* closes our streams too */
	words_free();
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
	if (words_load() != 0)
		log_msg(LOG_NOTICE, "cracklib dictionary %s: no word table; "
		    "words are decompressed for every lookup", path);
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
