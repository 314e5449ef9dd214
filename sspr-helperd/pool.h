/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pool.h: worker threads for blocking work (directory, mail), so the
 * event loop never waits on a server.  A job runs on a worker; its done
 * callback runs later on the loop thread, after pool_drain.
 */
#ifndef SSPR_POOL_H
#define SSPR_POOL_H

struct job {
	struct job	*next;
	void		(*run)(struct job *, void *);	/* worker thread */
	void		(*done)(struct job *);		/* loop thread */
};

struct pool;

struct pool *pool_new(const char *, int, void *(*)(void), void (*)(void *),
	    int);
void	pool_submit(struct pool *, struct job *);
void	pool_free(struct pool *);
int	pool_done_fd(void);
int	pool_done_init(void);
void	pool_drain(void);
int	pool_pending(struct pool *);

#endif
