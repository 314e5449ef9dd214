/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sspr-reset: the program of a dedicated password reset terminal.  It asks
 * for a user ID and runs the reset through the PAM service "sspr" (so a
 * site can stack its own modules in front), with a terminal conversation.
 * It logs nobody in and starts nothing: there is no shell to escape to.
 * Between people the screen and its scrollback are cleared, and a person
 * who walks away is timed out.
 *
 *   sspr-reset [-1] [-s SERVICE] [-t SECONDS]
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "sspr_proto.h"
#include "wire.h"
#include "text.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/share/locale"
#endif

#define DEFAULT_SERVICE	"sspr"
#define DEFAULT_IDLE	180	/* seconds at any prompt of a started reset */
#define LINE_MAX_BYTES	SSPR_SECRET_MAX

enum rd { RD_OK, RD_TIMEOUT, RD_EOF, RD_TOO_LONG };

struct kiosk {
	int		 idle;		/* seconds; 0 = wait for ever */
	int		 timed_out;	/* the person walked away */
	int		 gone;		/* the terminal went away */
};

static void
clear_screen(void)
{
	/* home, erase the screen, erase the scrollback (xterm, linux) */
	if (isatty(STDOUT_FILENO))
		fputs("\033[H\033[2J\033[3J", stdout);
	fflush(stdout);
}

/*
 * Reads one line from the terminal, waiting at most idle seconds for each
 * byte (0: for ever).  Byte by byte, so nothing typed after the newline is
 * taken for the next prompt.  A line longer than the buffer is read to its
 * end and refused.
 */
static enum rd
read_line(char *buf, size_t size, int idle)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	size_t n = 0;
	int too_long = 0;
	char c;

	for (;;) {
		int r = poll(&p, 1, idle > 0 ? idle * 1000 : -1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return RD_TIMEOUT;
		if (r < 0 || (p.revents & POLLIN) == 0)
			return RD_EOF;	/* hangup, error */
		r = (int)read(STDIN_FILENO, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return RD_EOF;
		if (c == '\n' || c == '\r')
			break;
		if (n + 1 < size)
			buf[n++] = c;
		else
			too_long = 1;
	}
	buf[n] = '\0';
	if (too_long) {
		explicit_bzero(buf, size);
		return RD_TOO_LONG;
	}
	return RD_OK;
}

/*
 * Prints a message or prompt of the PAM stack.  Any module of the site's
 * stack may have written it, and this terminal is shared: escape
 * sequences (a fake prompt, OSC 52 to the clipboard) are shown as '?'.
 */
static void
show(const char *text, const char *end)
{
	char *t = strdup(text);

	if (t == NULL)
		return;
	wire_text_clean(t, 1);
	fputs(t, stdout);
	fputs(end, stdout);
	free(t);
}

/* Asks one question; the answer is not echoed when hidden is set. */
static enum rd
ask(const char *prompt, int hidden, char *buf, size_t size, int idle)
{
	struct termios saved, quiet;
	int tty = hidden && tcgetattr(STDIN_FILENO, &saved) == 0;
	enum rd r;

	show(prompt, "");
	fflush(stdout);
	if (tty) {
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	r = read_line(buf, size, idle);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		fputs("\n", stdout);
	}
	return r;
}

static void
free_responses(struct pam_response *resp, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (resp[i].resp == NULL)
			continue;
		explicit_bzero(resp[i].resp, strlen(resp[i].resp));
		free(resp[i].resp);
	}
	free(resp);
}

static int
conversation(int n, const struct pam_message **msg,
    struct pam_response **out, void *data)
{
	struct kiosk *k = data;
	struct pam_response *resp;
	char line[LINE_MAX_BYTES + 1];
	enum rd r;
	int i;

	*out = NULL;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	if ((resp = calloc((size_t)n, sizeof(*resp))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		int style = msg[i]->msg_style;

		if (style == PAM_ERROR_MSG || style == PAM_TEXT_INFO) {
			show(msg[i]->msg, "\n");
			continue;
		}
		if (style != PAM_PROMPT_ECHO_OFF && style != PAM_PROMPT_ECHO_ON)
			goto fail;
		r = ask(msg[i]->msg, style == PAM_PROMPT_ECHO_OFF, line,
		    sizeof(line), k->idle);
		if (r != RD_OK)		/* a half-typed password */
			explicit_bzero(line, sizeof(line));
		if (r == RD_TIMEOUT)
			k->timed_out = 1;
		if (r == RD_EOF)
			k->gone = 1;
		if (r == RD_TOO_LONG)
			printf("%s\n", _("That answer is too long."));
		if (r != RD_OK)
			goto fail;
		resp[i].resp = strdup(line);
		explicit_bzero(line, sizeof(line));
		if (resp[i].resp == NULL)
			goto fail;
	}
	fflush(stdout);
	*out = resp;
	return PAM_SUCCESS;
fail:
	fflush(stdout);
	free_responses(resp, n);
	return PAM_CONV_ERR;
}

/* A user ID as a directory could hold it: printable, no blanks. */
static int
user_ok(const char *u)
{
	size_t n = strlen(u), i;

	if (n == 0 || n > SSPR_USER_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f)
			return 0;
	return 1;
}

static void
banner(void)
{
	clear_screen();
	printf("%s\n\n%s\n%s\n\n", _("Password reset"),
	    _("Forgot your password? Type your user ID and press Enter."),
	    _("A verification code will be sent to the recovery email "
	    "address of your account."));
	fflush(stdout);
}

/* One person: user ID, the reset through PAM, the outcome. */
static void
serve(struct kiosk *k, const char *service, int *reset_done)
{
	struct pam_conv conv = { conversation, k };
	pam_handle_t *pamh = NULL;
	char user[SSPR_USER_MAX + 2], done[8];
	const char *tty, *flag;
	enum rd r;
	int rc;

	*reset_done = 0;
	k->timed_out = 0;
	banner();
	tcflush(STDIN_FILENO, TCIFLUSH);
	/* the screen is clean: waiting here for the next person is fine */
	r = ask(_("User ID: "), 0, user, sizeof(user), 0);
	if (r == RD_EOF) {
		k->gone = 1;
		return;
	}
	if (r != RD_OK || !user_ok(user)) {
		if (r == RD_OK && user[0] == '\0')
			return;
		printf("%s\n", _("That is not a valid user ID."));
		goto wait;
	}
	rc = pam_start(service, user, &conv, &pamh);
	if (rc != PAM_SUCCESS) {
		printf("%s\n", _("Password reset is unavailable right now."));
		goto wait;
	}
	if ((tty = ttyname(STDIN_FILENO)) != NULL)
		pam_set_item(pamh, PAM_TTY, tty);
	rc = pam_authenticate(pamh, 0);
	flag = pam_getenv(pamh, "SSPR_PASSWORD_RESET");
	*reset_done = flag != NULL && strcmp(flag, "1") == 0;
	pam_end(pamh, rc);
	if (k->gone)
		return;
	if (k->timed_out) {
		printf("\n%s\n", _("No answer for a while: starting over."));
		fflush(stdout);
		sleep(3);
		return;
	}
	if (*reset_done)
		printf("\n%s\n", _("Done. You can now log in with your new "
		    "password at your own computer."));
wait:
	r = ask(_("Press Enter to finish."), 0, done, sizeof(done), k->idle);
	if (r == RD_EOF)
		k->gone = 1;
}

/*
 * Ctrl-D becomes an ordinary character, so only a real hangup ends the
 * program; the signal keys are ignored below.
 */
static int
kiosk_terminal(struct termios *saved)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, saved) != 0)
		return 0;
	t = *saved;
	t.c_cc[VEOF] = _POSIX_VDISABLE;
	return tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: sspr-reset [-1] [-s SERVICE] [-t SECONDS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct kiosk k = { .idle = DEFAULT_IDLE };
	const char *service = DEFAULT_SERVICE;
	struct termios saved;
	int once = 0, ch, reset_done = 0, tty;
	char *end;
	long v;

	setlocale(LC_ALL, "");
	bindtextdomain(SSPR_TEXTDOMAIN, LOCALEDIR);
	while ((ch = getopt(argc, argv, "1s:t:")) != -1) {
		switch (ch) {
		case '1':
			once = 1;
			break;
		case 's':
			if (strlen(optarg) == 0 || strlen(optarg) >
			    SSPR_SERVICE_MAX || strchr(optarg, '/') != NULL)
				usage();
			service = optarg;
			break;
		case 't':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    v < 5 || v > 3600)
				usage();
			k.idle = (int)v;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	/* no way out of the program from the keyboard */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTSTP, SIG_IGN);
	tty = kiosk_terminal(&saved);
	do {
		serve(&k, service, &reset_done);
		clear_screen();
	} while (!once && !k.gone);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return reset_done ? 0 : 1;
}
