/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pool.c: a fixed set of threads per kind of work, each with its own
 * context (a directory connection), a FIFO of jobs, and one completion
 * queue shared by all pools that wakes the loop through an eventfd.
 *
 * Statics: donq under its mutex (workers push, the loop pops); donefd
 * set before any pool starts, read-only after.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "pool.h"

struct queue {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct job	*head, *tail;
	int		 len;
};

struct pool {
	const char	*name;
	struct queue	 q;
	pthread_cond_t	 warm;		/* waiters that keep something open */
	int		 nwarm;
	pthread_t	*threads;
	int		 nthreads;
	int		 stop;
	struct pool_ctx	 ctx;
};

static struct queue	donq = { PTHREAD_MUTEX_INITIALIZER,
			    PTHREAD_COND_INITIALIZER, NULL, NULL, 0 };
static int		donefd = -1;

static void
push(struct queue *q, struct job *j)
{
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	q->len++;
}

static struct job *
pop(struct queue *q)
{
	struct job *j = q->head;

	if (j != NULL) {
		q->head = j->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->len--;
	}
	return j;
}

int
pool_done_init(void)
{
	donefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return donefd < 0 ? -1 : 0;
}

int
pool_done_fd(void)
{
	return donefd;
}

/*
 * The next job, waiting for one; NULL once the pool stops, or at the
 * deadline if there is one (a worker's idle time is up).  A worker that
 * keeps something open (its idle callback asked to be called again)
 * waits apart, and pool_submit wakes such a worker first: at a trickle of
 * work, one connection serves it, and the others close when their idle
 * time is up, instead of every step of a flow opening one of its own.
 */
static struct job *
next_job(struct pool *p, const struct timespec *deadline)
{
	pthread_cond_t *cond = deadline != NULL ? &p->warm : &p->q.cond;
	struct job *j;
	int rc = 0;

	pthread_mutex_lock(&p->q.lock);
	if (deadline != NULL)
		p->nwarm++;
	while (p->q.head == NULL && !p->stop && rc != ETIMEDOUT) {
		if (deadline != NULL)
			rc = pthread_cond_timedwait(cond, &p->q.lock,
			    deadline);
		else
			pthread_cond_wait(cond, &p->q.lock);
	}
	if (deadline != NULL)
		p->nwarm--;
	j = pop(&p->q);
	pthread_mutex_unlock(&p->q.lock);
	return j;
}

static int
stopping(struct pool *p)
{
	int stop;

	pthread_mutex_lock(&p->q.lock);
	stop = p->stop;
	pthread_mutex_unlock(&p->q.lock);
	return stop;
}

/*
 * Only the job that finds the queue empty wakes the loop: pool_drain
 * takes the whole queue after it has read the eventfd, so a job queued
 * behind another is taken with it, and one queued after the taking
 * finds the queue empty again.
 */
static void
finish(struct job *j)
{
	uint64_t one = 1;
	int first;

	pthread_mutex_lock(&donq.lock);
	first = donq.head == NULL;
	push(&donq, j);
	pthread_mutex_unlock(&donq.lock);
	if (first && write(donefd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: the loop wakes anyway */
	}
}

/*
 * Runs jobs.  Between them the context's idle callback runs outside the
 * queue's lock (it may talk to a server), at the time it asked for, so an
 * unused connection is closed on time and not only at the next job.
 */
static void *
worker(void *arg)
{
	struct pool *p = arg;
	void *ctx = p->ctx.make ? p->ctx.make() : NULL;
	struct timespec since, now, deadline;
	struct job *j;
	int after = 0;

	clock_gettime(CLOCK_MONOTONIC, &since);
	for (;;) {
		deadline = since;
		deadline.tv_sec += after;
		if ((j = next_job(p, after > 0 ? &deadline : NULL)) != NULL) {
			j->run(j, ctx);
			finish(j);
			clock_gettime(CLOCK_MONOTONIC, &since);
			after = p->ctx.idle ? p->ctx.idle(ctx, 0) : 0;
			continue;
		}
		if (stopping(p))
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		after = p->ctx.idle(ctx, (int)(now.tv_sec - since.tv_sec -
		    (now.tv_nsec < since.tv_nsec)));
	}
	if (p->ctx.free)
		p->ctx.free(ctx);
	return NULL;
}

struct pool *
pool_new(const char *name, int n, const struct pool_ctx *ctx, int stacksize)
{
	struct pool *p = calloc(1, sizeof(*p));
	pthread_condattr_t cattr;
	pthread_attr_t attr;
	int i;

	if (p == NULL || (p->threads = calloc((size_t)n, sizeof(pthread_t))) ==
	    NULL) {
		free(p);
		return NULL;
	}
	p->name = name;
	if (ctx != NULL)
		p->ctx = *ctx;
	pthread_mutex_init(&p->q.lock, NULL);
	/* idle deadlines must not move with the wall clock */
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->q.cond, &cattr);
	pthread_cond_init(&p->warm, &cattr);
	pthread_condattr_destroy(&cattr);
	pthread_attr_init(&attr);
	if (stacksize > 0)
		pthread_attr_setstacksize(&attr, (size_t)stacksize);
	for (i = 0; i < n; i++) {
		if (pthread_create(&p->threads[i], &attr, worker, p) != 0) {
			log_msg(LOG_ERR, "%s pool: cannot start thread %d",
			    name, i);
			break;
		}
		p->nthreads++;
	}
	pthread_attr_destroy(&attr);
	if (p->nthreads == 0) {
		pool_free(p);
		return NULL;
	}
	return p;
}

void
pool_submit(struct pool *p, struct job *j)
{
	pthread_mutex_lock(&p->q.lock);
	push(&p->q, j);
	if (p->nwarm > 0)
		pthread_cond_signal(&p->warm);
	/*
	 * More jobs queued than warm workers waiting (one signalled may not
	 * have woken yet): a burst must not wait for them one by one.
	 */
	if (p->q.len > p->nwarm)
		pthread_cond_signal(&p->q.cond);
	pthread_mutex_unlock(&p->q.lock);
}

int
pool_pending(struct pool *p)
{
	int n;

	pthread_mutex_lock(&p->q.lock);
	n = p->q.len;
	pthread_mutex_unlock(&p->q.lock);
	return n;
}

/* Lets queued jobs finish, then joins the threads. */
void
pool_free(struct pool *p)
{
	int i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->q.lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->q.cond);
	pthread_cond_broadcast(&p->warm);
	pthread_mutex_unlock(&p->q.lock);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->q.lock);
	pthread_cond_destroy(&p->q.cond);
	pthread_cond_destroy(&p->warm);
	free(p->threads);
	free(p);
}

/* On the loop thread: runs the done callback of every finished job. */
void
pool_drain(void)
{
	uint64_t n;
	struct job *list, *j;

	if (read(donefd, &n, sizeof(n)) < 0) {
		/* EAGAIN: nothing signalled, but look anyway */
	}
	pthread_mutex_lock(&donq.lock);
	list = donq.head;
	donq.head = donq.tail = NULL;
	donq.len = 0;
	pthread_mutex_unlock(&donq.lock);
	while ((j = list) != NULL) {
		list = j->next;
		j->done(j);
	}
}
