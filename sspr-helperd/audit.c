/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit.c: see audit.h.  journald is spoken natively (KEY=value lines in
 * one datagram to /run/systemd/journal/socket, sd_journal_send's wire
 * format) so the daemon needs no libsystemd.  Each event is logged once:
 * to the journal when it is there, else to syslog (or stderr in the
 * foreground), plus the JSON file when configured.
 *
 * Statics: jfd, ffd, fpath, under lock: a relay audits on its threads
 * while the loop may reopen the file (reload).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "auditread.h"
#include "log.h"

#define JOURNAL_SOCKET	"/run/systemd/journal/socket"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int	jfd = -1;		/* journald, when it runs */
static int	ffd = -1;		/* the JSON-lines file */
static char	fpath[4096];

static const char *
or_dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

/*
 * Follows the configuration: (re)opens the JSON file, looks for the
 * journal once.  Under a test harness (foreground) the journal is not
 * used, so the lines land where the test reads them.
 */
void
audit_configure(const struct cfg *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int err = 0;

	pthread_mutex_lock(&lock);
	if (jfd < 0 && !log_to_stderr() && access(JOURNAL_SOCKET, W_OK) == 0) {
		snprintf(sa.sun_path, sizeof(sa.sun_path), JOURNAL_SOCKET);
		jfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (jfd >= 0 && connect(jfd, (struct sockaddr *)&sa,
		    sizeof(sa)) != 0) {
			close(jfd);
			jfd = -1;
		}
	}
	if (ffd >= 0 && strcmp(fpath, c->audit_file) == 0)
		goto out;
	if (ffd >= 0)
		close(ffd);
	ffd = -1;
	snprintf(fpath, sizeof(fpath), "%s", c->audit_file);
	if (*fpath == '\0')
		goto out;
	ffd = open(fpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	err = ffd < 0 ? errno : 0;
out:
	pthread_mutex_unlock(&lock);
	if (err != 0)
		log_msg(LOG_ERR, "audit file %s: %s", c->audit_file,
		    strerror(err));
}

void
audit_close(void)
{
	pthread_mutex_lock(&lock);
	if (jfd >= 0)
		close(jfd);
	if (ffd >= 0)
		close(ffd);
	jfd = ffd = -1;
	pthread_mutex_unlock(&lock);
}

/* A JSON string body: quotes, backslashes and controls escaped. */
static size_t
json_str(char *out, size_t size, const char *s)
{
	size_t o = 0;

	for (; s != NULL && *s != '\0' && o + 7 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch < 0x20) {
			o += (size_t)snprintf(out + o, size - o, "\\u%04x", ch);
		} else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
	return o;
}

/* One JSON object, no newline; -1 if it does not fit. */
int
audit_format_json(const struct audit_rec *r, long long when, char *buf,
    size_t size)
{
	const char *keys[] = { "event", "result", "reason", "user", "source",
	    "service", "method", "host", "server" };
	const char *vals[] = { r->event, r->result, r->reason, r->user,
	    r->source, r->service, r->method, r->host, r->server };
	char tbuf[32], v[600];
	size_t i, o;
	int n;

	act_time_text(when, tbuf, sizeof(tbuf));	/* the one format */
	n = snprintf(buf, size, "{\"time\":\"%s\",\"flow\":\"%06llx\","
	    "\"caller\":%u", tbuf, (unsigned long long)r->flow,
	    (unsigned)r->caller);
	if (n < 0 || (size_t)n >= size)
		return -1;
	o = (size_t)n;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (vals[i] == NULL)
			continue;
		json_str(v, sizeof(v), vals[i]);
		n = snprintf(buf + o, size - o, ",\"%s\":\"%s\"", keys[i], v);
		if (n < 0 || (size_t)n >= size - o)
			return -1;
		o += (size_t)n;
	}
	if (o + 2 > size)
		return -1;
	buf[o++] = '}';
	buf[o] = '\0';
	return (int)o;
}

/*
 * One journal datagram: the line as MESSAGE and each field of r as its
 * own (the fleet's two only when set).  Its length, or -1 if it does not
 * fit.  The fields are the wire's text, which holds no newline; host
 * and server are a certificate name and a configured NAME:PORT.
 */
int
audit_format_journal(const struct audit_rec *r, const char *line, char *buf,
    size_t size)
{
	int n;

	n = snprintf(buf, size, "MESSAGE=%s\nPRIORITY=5\n"
	    "SYSLOG_FACILITY=10\nSYSLOG_IDENTIFIER=sspr-helperd\n"
	    "SSPR_EVENT=%s\nSSPR_RESULT=%s\nSSPR_REASON=%s\nSSPR_USER=%s\n"
	    "SSPR_SOURCE=%s\nSSPR_SERVICE=%s\nSSPR_METHOD=%s\n"
	    "SSPR_FLOW=%06llx\nSSPR_CALLER_UID=%u\n%s%s%s%s%s%s", line,
	    r->event, or_dash(r->result), or_dash(r->reason), or_dash(r->user),
	    or_dash(r->source), or_dash(r->service), or_dash(r->method),
	    (unsigned long long)r->flow, (unsigned)r->caller,
	    r->host ? "SSPR_HOST=" : "", r->host ? r->host : "",
	    r->host ? "\n" : "", r->server ? "SSPR_SERVER=" : "",
	    r->server ? r->server : "", r->server ? "\n" : "");
	return n > 0 && (size_t)n < size ? n : -1;
}

/*
 * The lock is held only while jfd and ffd are used: what is logged about
 * it (syslog, stderr) is logged after, so no logging ever waits for the
 * audit lock nor the audit lock for logging.
 */
void
audit(const struct audit_rec *r)
{
	char line[1200], json[2048], jbuf[2048], user[300], source[300];
	char service[100], where[400], path[sizeof(fpath)];
	int n, jn, journaled = 0, err = 0;
	ssize_t w;

	/* the fleet's words: a host's certificate name, a server's NAME:PORT */
	where[0] = '\0';
	if (r->host != NULL || r->server != NULL)
		snprintf(where, sizeof(where), "%s%.*s%s%.*s",
		    r->host ? " host=" : "", 100, r->host ? r->host : "",
		    r->server ? " server=" : "", 300,
		    r->server ? r->server : "");
	/* the caller chose these three: see log_field */
	snprintf(line, sizeof(line), "audit: event=%s result=%s reason=%s "
	    "user=%s source=%s service=%s method=%s flow=%06llx caller=%u%s",
	    r->event, or_dash(r->result), or_dash(r->reason),
	    log_field(user, sizeof(user), r->user),
	    log_field(source, sizeof(source), r->source),
	    log_field(service, sizeof(service), r->service),
	    or_dash(r->method), (unsigned long long)r->flow,
	    (unsigned)r->caller, where);
	jn = audit_format_journal(r, line, jbuf, sizeof(jbuf));
	if ((n = audit_format_json(r, (long long)time(NULL), json,
	    sizeof(json) - 1)) > 0)
		json[n++] = '\n';
	pthread_mutex_lock(&lock);
	if (jfd >= 0 && jn > 0)
		journaled = send(jfd, jbuf, (size_t)jn, MSG_NOSIGNAL |
		    MSG_DONTWAIT) == jn;
	if (ffd >= 0 && n > 0 && (w = write(ffd, json, (size_t)n)) != n) {
		err = w < 0 ? errno : EIO;	/* short: the disk is full */
		snprintf(path, sizeof(path), "%s", fpath);
	}
	pthread_mutex_unlock(&lock);
	if (!journaled)
		log_msg(LOG_NOTICE, "%s", line);
	if (err != 0)
		log_msg(LOG_ERR, "audit file %s: %s", path, strerror(err));
}
