/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state.c: a mutex-protected hash map from key ("a:" + SHA-256 of the DN for accounts,
 * "s:" + source) to struct tstate, loaded from the state file at start,
 * written back by a flusher thread when something changed.  If a write
 * fails, state_healthy() says so and the flow stops issuing and checking
 * codes (fail closed, as google-authenticator does when it cannot
 * persist its state); the flusher then retries every second, so the
 * store heals by itself once the disk takes writes again.
 *
 * Statics: under lock, any thread and the flusher; path and flusher
 * are set before the flusher starts.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "log.h"
#include "state.h"

#define NBUCKETS	8192
#define MAX_ENTRIES	100000
#define KEY_MAX		600
#define EVICT_SAMPLE	32	/* source entries weighed per eviction */
#define EVICT_SCAN	1024	/* entries looked at, at most, per eviction */

/*
 * An entry holds only the events it has (a source seen once costs about
 * 200 bytes with its key, not a struct tstate's 1 KiB): the time stamps of
 * codes sent, then those of wrong codes, in one array.  Changes go through
 * a struct tstate (get, change, put).
 */
struct entry {
	struct entry	*next;
	long long	*ev;
	long long	 blocked_until;
	int		 n_sent, n_fails;
	char		 key[];
};

static struct entry	*buckets[NBUCKETS];
static size_t		 nentries, max_entries = MAX_ENTRIES;
static unsigned		 cursor;	/* where the next eviction looks */
static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t	 written = PTHREAD_COND_INITIALIZER;
static pthread_t	 flusher;
static int		 running, dirty, healthy = 1, urgent;
/*
 * Generations: gen counts changes; the flusher notes the generation its
 * snapshot had (tried_gen) and, when the write succeeded, written_gen.
 * state_sync() waits on them.
 */
static unsigned long long gen, tried_gen, written_gen;
static char		*path;
static long long	 horizon;	/* longest window: older events drop */

static unsigned
hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % NBUCKETS;
}

static void
entry_free(struct entry *e)
{
	free(e->ev);
	free(e);
}

static int
is_source(const struct entry *e)
{
	return strncmp(e->key, "s:", 2) == 0;
}

static long long
newest(const struct entry *e)
{
	long long t = 0;
	int i;

	for (i = 0; i < e->n_sent + e->n_fails; i++)
		if (e->ev[i] > t)
			t = e->ev[i];
	return t;
}

/*
 * Is a less harmful to forget than b?  A forgotten source gets its flows
 * and wrong codes back, so one with failures or many flows is worth
 * more than a quiet one; among equals the one idle longest goes.
 */
static int
less_harmful(const struct entry *a, const struct entry *b, long long now)
{
	int ab = a->blocked_until > now, bb = b->blocked_until > now;

	if (ab != bb)
		return ab < bb;
	if (a->n_fails != b->n_fails)
		return a->n_fails < b->n_fails;
	if (a->n_sent != b->n_sent)
		return a->n_sent < b->n_sent;
	return newest(a) < newest(b);
}

/*
 * Makes room for one entry by forgetting a source: the least harmful of
 * the first EVICT_SAMPLE met from a cursor that moves on each time, so
 * under a flood an insert costs a few buckets, not a scan of the table.
 * A full table that refused new sources would shut resets off for
 * everyone.  Accounts are never forgotten: their counters and blocks
 * are what protect them.
 */
static int
evict(long long now)
{
	struct entry **pp, **victim = NULL, *e;
	unsigned nb, seen = 0, looked = 0;

	for (nb = 0; nb < NBUCKETS && seen < EVICT_SAMPLE &&
	    looked < EVICT_SCAN; nb++)
		for (pp = &buckets[(cursor + nb) % NBUCKETS]; (e = *pp) != NULL;
		    pp = &e->next) {
			looked++;
			if (!is_source(e))
				continue;
			seen++;
			if (victim == NULL || less_harmful(e, *victim, now))
				victim = pp;
		}
	cursor = (cursor + nb) % NBUCKETS;
	if (victim == NULL)
		return -1;
	e = *victim;
	*victim = e->next;
	entry_free(e);
	nentries--;
	return 0;
}

static struct entry *
find(const char *key, int create)
{
	unsigned b = hash(key);
	struct entry *e;
	size_t n;

	for (e = buckets[b]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	if (!create || (n = strlen(key)) > KEY_MAX)
		return NULL;
	if (nentries >= max_entries && evict(time(NULL)) != 0)
		return NULL;
	if ((e = calloc(1, sizeof(*e) + n + 1)) == NULL)
		return NULL;
	memcpy(e->key, key, n + 1);
	e->next = buckets[b];
	buckets[b] = e;
	nentries++;
	return e;
}

/* Something changed: the flusher writes it within a second. */
static void
changed(void)
{
	dirty = 1;
	gen++;
}

static void
entry_get(const struct entry *e, struct tstate *t)
{
	memset(t, 0, sizeof(*t));
	t->blocked_until = e->blocked_until;
	t->n_sent = e->n_sent;
	t->n_fails = e->n_fails;
	if (e->n_sent > 0)
		memcpy(t->sent, e->ev, (size_t)e->n_sent * sizeof(*e->ev));
	if (e->n_fails > 0)
		memcpy(t->fails, e->ev + e->n_sent,
		    (size_t)e->n_fails * sizeof(*e->ev));
}

/* -1 (e unchanged) when memory runs out: the caller fails closed. */
static int
entry_put(struct entry *e, const struct tstate *t)
{
	size_t n = (size_t)t->n_sent + (size_t)t->n_fails;
	long long *ev = NULL;

	if (n > 0 && (ev = malloc(n * sizeof(*ev))) == NULL)
		return -1;
	if (t->n_sent > 0)
		memcpy(ev, t->sent, (size_t)t->n_sent * sizeof(*ev));
	if (t->n_fails > 0)
		memcpy(ev + t->n_sent, t->fails,
		    (size_t)t->n_fails * sizeof(*ev));
	free(e->ev);
	e->ev = ev;
	e->n_sent = t->n_sent;
	e->n_fails = t->n_fails;
	e->blocked_until = t->blocked_until;
	return 0;
}

/* Drops e's events older than the longest window, in place. */
static void
entry_prune(struct entry *e, long long now)
{
	int i, k = 0, sent = 0;

	for (i = 0; i < e->n_sent + e->n_fails; i++) {
		if (e->ev[i] <= now - horizon)
			continue;
		if (i < e->n_sent)
			sent++;
		e->ev[k++] = e->ev[i];
	}
	e->n_fails = k - sent;
	e->n_sent = sent;
}

/* Keys are written as hex, so a DN's spaces and newlines are harmless. */
static void
write_entry(FILE *fp, const struct entry *e)
{
	const unsigned char *k;
	int i;

	fputs("v1 ", fp);
	for (k = (const unsigned char *)e->key; *k != '\0'; k++)
		fprintf(fp, "%02x", *k);
	fprintf(fp, " %lld %d", e->blocked_until, e->n_sent);
	for (i = 0; i < e->n_sent; i++)
		fprintf(fp, " %lld", e->ev[i]);
	fprintf(fp, " %d", e->n_fails);
	for (i = 0; i < e->n_fails; i++)
		fprintf(fp, " %lld", e->ev[e->n_sent + i]);
	fputc('\n', fp);
}

/*
 * With the lock held: the whole map as text, dropping entries with
 * nothing left in them.  Cheap; the slow part (write_file) runs unlocked.
 */
static char *
serialize(size_t *len)
{
	long long now = time(NULL);
	struct entry **pp, *e;
	char *buf = NULL;
	FILE *fp;
	int i;

	if ((fp = open_memstream(&buf, len)) == NULL)
		return NULL;
	for (i = 0; i < NBUCKETS; i++)
		for (pp = &buckets[i]; (e = *pp) != NULL;) {
			entry_prune(e, now);
			if (e->n_sent == 0 && e->n_fails == 0 &&
			    e->blocked_until <= now) {
				*pp = e->next;
				entry_free(e);
				nentries--;
				continue;
			}
			write_entry(fp, e);
			pp = &e->next;
		}
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* temp file, fsync, rename, fsync of the directory: all or nothing. */
static int
write_file(const char *buf, size_t len)
{
	char tmp[4096], dir[4096];
	ssize_t w;
	size_t off = 0;
	int fd, err = 0;

	/*
	 * A name of its own (mkostemp: O_EXCL, 0600): a second daemon given
	 * the same file (socket activation beside a running one) must not
	 * write into our half-written copy.
	 */
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return errno;
	errno = EIO;	/* for a write that stops short without saying why */
	while (off < len && (w = write(fd, buf + off, len - off)) > 0)
		off += (size_t)w;
	if (off < len || fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = errno;
	if (err != 0) {
		/* a full disk gets back what the half-written copy took */
		(void)unlink(tmp);
		return err;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (fsync(fd) != 0)
			err = errno;
		close(fd);
	}
	return err;
}

/*
 * Called with the lock held; drops it while writing.  Writes the map as
 * it is now and tells state_sync() waiters how it went: 0 or an errno.
 */
static int
save(void)
{
	unsigned long long g = gen;
	size_t len = 0;
	char *buf;
	int err = ENOMEM;

	dirty = 0;
	if ((buf = serialize(&len)) != NULL) {
		pthread_mutex_unlock(&lock);
		err = write_file(buf, len);
		free(buf);
		pthread_mutex_lock(&lock);
	}
	tried_gen = g;
	if (err == 0)
		written_gen = g;
	pthread_cond_broadcast(&written);
	return err;
}

/* One write; a change of health is logged once, not every second. */
static void
flush(void)
{
	int err = save();

	if (err != 0 && healthy)
		log_msg(LOG_ERR, "state file %s: %s; refusing resets until it "
		    "can be written", path, strerror(err));
	else if (err == 0 && !healthy)
		log_msg(LOG_NOTICE, "state file %s writable again", path);
	healthy = err == 0;
}

static void
load_line(char *line)
{
	char key[KEY_MAX + 1], *p, *tok, *save = NULL;
	struct tstate t = { 0 };
	struct entry *e;
	size_t i, n;
	int k, cnt;

	if ((tok = strtok_r(line, " \n", &save)) == NULL ||
	    strcmp(tok, "v1") != 0 ||
	    (tok = strtok_r(NULL, " \n", &save)) == NULL ||
	    (n = strlen(tok)) % 2 != 0 || n / 2 > KEY_MAX)
		return;
	for (i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(tok + 2 * i, "%2x", &v) != 1 || v == 0)
			return;
		key[i] = (char)v;
	}
	key[n / 2] = '\0';
	if ((p = strtok_r(NULL, " \n", &save)) == NULL)
		return;
	t.blocked_until = atoll(p);
	for (k = 0; k < 2; k++) {
		long long *arr = k ? t.fails : t.sent;
		int *na = k ? &t.n_fails : &t.n_sent;

		if ((p = strtok_r(NULL, " \n", &save)) == NULL)
			return;
		cnt = atoi(p);
		while (cnt-- > 0 && (p = strtok_r(NULL, " \n", &save)) != NULL)
			tstate_add(arr, na, atoll(p));
	}
	if ((e = find(key, 1)) != NULL)
		(void)entry_put(e, &t);
}

/*
 * Writes what changed, once a second, or at once for a state_sync()
 * waiter.  While a write fails it tries every second even with nothing
 * new, so the store heals by itself when the disk has room again.
 */
static void *
flush_loop(void *arg)
{
	struct timespec ts;

	(void)arg;
	pthread_mutex_lock(&lock);
	while (running) {
		if (!urgent) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&wake, &lock, &ts);
		}
		if (dirty || urgent || !healthy) {
			urgent = 0;
			flush();
		}
	}
	if (dirty || !healthy)
		flush();
	pthread_mutex_unlock(&lock);
	return NULL;
}

/*
 * An account's key: "a:" and the SHA-256 of its DN, so a DN of any length
 * (the directory sets it) makes a key of one length.
 */
void
state_account_key(const char *dn, char key[STATE_ACCOUNT_KEY_LEN])
{
	unsigned char md[32];
	unsigned int n = 0, i;

	memset(md, 0, sizeof(md));
	(void)EVP_Digest(dn, strlen(dn), md, &n, EVP_sha256(), NULL);
	memcpy(key, "a:", 2);
	for (i = 0; i < sizeof(md); i++)
		snprintf(key + 2 + 2 * i, 3, "%02x", md[i]);
}

/* After a reload: a longer window keeps older events. */
void
state_set_horizon(long long longest_window)
{
	pthread_mutex_lock(&lock);
	horizon = longest_window;
	pthread_mutex_unlock(&lock);
}

/* Loads file (missing is fine) and starts the flusher. */
int
state_open(const char *file, long long longest_window, char *err, size_t esz)
{
	char line[8192];
	FILE *fp;
	int e;

	horizon = longest_window;
	if ((path = strdup(file)) == NULL) {
		snprintf(err, esz, "out of memory");
		return -1;
	}
	if ((fp = fopen(file, "re")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL)
			load_line(line);
		fclose(fp);
	} else if (errno != ENOENT) {
		snprintf(err, esz, "%s: %s", file, strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&lock);
	e = save();
	healthy = e == 0;
	pthread_mutex_unlock(&lock);
	if (e != 0) {
		snprintf(err, esz, "%s: cannot be written: %s", file,
		    strerror(e));
		return -1;
	}
	running = 1;
	if (pthread_create(&flusher, NULL, flush_loop, NULL) != 0) {
		running = 0;
		snprintf(err, esz, "cannot start the state file writer");
		return -1;
	}
	return 0;
}

/* Writes what is pending and stops the flusher. */
void
state_close(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	running = 0;
	dirty = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(flusher, NULL);
}

void
state_get(const char *key, struct tstate *out)
{
	struct entry *e;

	pthread_mutex_lock(&lock);
	e = find(key, 0);
	if (e != NULL)
		entry_get(e, out);
	else
		memset(out, 0, sizeof(*out));
	pthread_mutex_unlock(&lock);
}

/* Records one event (STATE_SENT or STATE_FAIL); *after gets the state. */
int
state_event(const char *key, int kind, long long when, struct tstate *after)
{
	struct tstate t;
	struct entry *e;
	int r = -1;

	pthread_mutex_lock(&lock);
	if ((e = find(key, 1)) != NULL) {
		entry_get(e, &t);
		if (kind == STATE_SENT)
			tstate_add(t.sent, &t.n_sent, when);
		else
			tstate_add(t.fails, &t.n_fails, when);
		if (entry_put(e, &t) == 0) {
			if (after != NULL)
				*after = t;
			changed();
			r = 0;
		}
	}
	pthread_mutex_unlock(&lock);
	return r;
}

void
state_block(const char *key, long long until)
{
	struct entry *e;

	pthread_mutex_lock(&lock);
	if ((e = find(key, 1)) != NULL) {
		e->blocked_until = until;
		changed();
	}
	pthread_mutex_unlock(&lock);
}

void
state_clear(const char *key)
{
	struct entry *e;

	pthread_mutex_lock(&lock);
	if ((e = find(key, 0)) != NULL) {
		free(e->ev);
		e->ev = NULL;
		e->n_sent = e->n_fails = 0;
		e->blocked_until = 0;
		changed();
	}
	pthread_mutex_unlock(&lock);
}

int
state_healthy(void)
{
	int h;

	pthread_mutex_lock(&lock);
	h = healthy;
	pthread_mutex_unlock(&lock);
	return h;
}

/*
 * Waits until every change made so far is in the state file: 0, or -1
 * if the write failed or took more than ms milliseconds.  The flusher is
 * woken rather than waited for, so this costs one write, not a second.
 */
int
state_sync(long long ms)
{
	unsigned long long want;
	struct timespec ts;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&lock);
	want = gen;
	if (written_gen < want) {
		urgent = 1;
		pthread_cond_signal(&wake);
	}
	/* a failed write counts only if it had our changes in it */
	while (running && written_gen < want && tried_gen < want && r == 0)
		r = pthread_cond_timedwait(&written, &lock, &ts);
	r = written_gen >= want ? 0 : -1;
	pthread_mutex_unlock(&lock);
	return r;
}

/* For tests: a smaller table, to fill it quickly. */
void
state_set_max_entries(size_t n)
{
	pthread_mutex_lock(&lock);
	max_entries = n;
	pthread_mutex_unlock(&lock);
}
