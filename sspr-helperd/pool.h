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

/*
 * What each worker owns.  idle is called with the seconds the worker has
 * waited for a job (0 right after one) and answers after how many seconds
 * of waiting to call it again, 0 for never: it lets a context close what
 * should not stay open unused (a directory connection).
 */
struct pool_ctx {
	void	*(*make)(void);
	void	 (*free)(void *);
	int	 (*idle)(void *, int);
};

struct pool;

struct pool *pool_new(const char *, int, const struct pool_ctx *, int);
void	pool_submit(struct pool *, struct job *);
void	pool_free(struct pool *);
int	pool_done_fd(void);
int	pool_done_init(void);
void	pool_drain(void);
int	pool_pending(struct pool *);

#endif
