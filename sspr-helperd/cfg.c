/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cfg.c: a configuration's life.  cfg_load reads sspr-helperd.conf in
 * steps, each in its own file: the text (cfgparse.c, keys from
 * cfgkeys.c's table), the rules across keys (cfgcheck.c), then the files
 * the keys name (cfgfiles.c).  The result is read-only and shared by
 * reference: a reload builds a new one, flows keep the one they started
 * with, and the last reference wipes its secrets.
 *
 * Statics: gens, any thread, atomic.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cfg.h"
#include "cfgkeys.h"
#include "cfgparse.h"
#include "keys.h"

static struct cfg *
cfg_new(const char *path)
{
	static unsigned long gens;
	struct cfg *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->refs = 1;
	c->gen = __atomic_add_fetch(&gens, 1, __ATOMIC_RELAXED);
	if ((c->path = strdup(path)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

/* Parses text as the file at path, without reading any secret file. */
struct cfg *
cfg_parse(const char *path, const char *text, size_t len, char *err,
    size_t errsize)
{
	struct parser ps = { .path = path, .err = err, .errsize = errsize };

	if ((ps.cfg = cfg_new(path)) == NULL) {
		snprintf(err, errsize, "%s: out of memory", path);
		return NULL;
	}
	if (cfg_parse_text(&ps, text, len) != 0 || cfg_check(&ps) != 0) {
		cfg_unref(ps.cfg);
		return NULL;
	}
	return ps.cfg;
}

/* Excludes the pages holding c's secrets from core dumps. */
static int
madvise_secret(struct cfg *c)
{
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)c & ~((uintptr_t)pg - 1);
	uintptr_t e = ((uintptr_t)(c + 1) + (uintptr_t)pg - 1) &
	    ~((uintptr_t)pg - 1);

	return madvise((void *)a, e - a, MADV_DONTDUMP);
}

/* Loads path, its secret files included.  NULL with err set on failure. */
struct cfg *
cfg_load(const char *path, char *err, size_t errsize)
{
	struct parser ps = { .path = path, .err = err, .errsize = errsize };
	char *text = NULL;
	size_t len;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (cfg_file_safe(&ps, fd) != 0)
		goto out;
	if ((text = cfg_read_text(fd, &len)) == NULL) {
		if (errno == ENOMEM)
			snprintf(err, errsize, "%s: out of memory", path);
		else
			snprintf(err, errsize, "%s: unreadable or larger than "
			    "%d bytes", path, CFG_FILE_MAX);
		goto out;
	}
	if ((ps.cfg = cfg_new(path)) == NULL) {
		snprintf(err, errsize, "%s: out of memory", path);
		goto out;
	}
	/* the service account's password stays in RAM and out of cores */
	(void)mlock(ps.cfg, sizeof(*ps.cfg));
	(void)madvise_secret(ps.cfg);
	if (cfg_parse_text(&ps, text, len) != 0 || cfg_check(&ps) != 0 ||
	    cfg_read_files(&ps) != 0) {
		cfg_unref(ps.cfg);
		ps.cfg = NULL;
	}
out:
	free(text);
	close(fd);
	return ps.cfg;
}

struct cfg *
cfg_ref(struct cfg *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

void
cfg_unref(struct cfg *c)
{
	if (c == NULL || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	cfg_keys_free(c);
	free(c->path);
	secret_wipe(&c->bind_password);
	secret_wipe(&c->mail_password);
	secret_wipe(&c->sms_auth_header);
	if (c->totp_keys != NULL) {
		/* keys.c's own pages; see keys_map_size() */
		explicit_bzero(c->totp_keys, keys_map_size());
		munmap(c->totp_keys, keys_map_size());
	}
	free(c);
}
