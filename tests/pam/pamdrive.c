/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pamdrive: runs the real libpam stack of one service file, answering its
 * prompts from a script, and writes what a person would have seen.
 *
 *   pamdrive -d CONFDIR -s SERVICE -u USER -f SCRIPT [-n ROUNDS]
 *            [-e NAME=VALUE]
 *
 * The service file is read from CONFDIR with pam_start_confdir (no root,
 * no LD_PRELOAD).  SCRIPT has one line per expected prompt:
 *
 *   REGEX => ANSWER
 *
 * The prompt must match REGEX (POSIX extended) or the run fails.  ANSWER
 * is literal; "!command" runs command with /bin/sh and answers with the
 * first line it prints (how tests fetch a code from the mail sink).
 * Hostile applications are played by special answers: <conv-error> (the
 * conversation fails), <null-response> (success, but no response array),
 * <null-answer> (success, a NULL answer), <long> (100,000 characters).
 * When the script runs out, the conversation fails (PAM_CONV_ERR).
 *
 * -e puts NAME=VALUE into the PAM environment before the stack runs, as
 * an application may (LANG, for one).  -r sets PAM_RHOST (an SSH login).
 *
 * -o names what to run, in order, comma-separated: auth (the default),
 * acct (pam_acct_mgmt), passwd (pam_chauthtok, as passwd(1) calls it),
 * expired (pam_chauthtok with PAM_CHANGE_EXPIRED_AUTHTOK, as login and
 * sshd call it after acct said PAM_NEW_AUTHTOK_REQD), or login (auth,
 * acct, and expired when acct demands it: what login(1) does).
 *
 * The program takes its locale from the environment (LANG, LC_*), as
 * login and su do, so the module's sentences follow it.
 *
 * Output (stdout) is the transcript: one line per message, answers never
 * shown, then "result: <pam_strerror>" per round, the codeset of the
 * program's locale after the stack has run, then the values of
 * SSPR_PASSWORD_RESET in the PAM environment.  Exit status: 0 if every script line was used, 3 on a mismatch.
 */
#include <langinfo.h>
#include <locale.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_appl.h>

#define MAX_LINES	64

struct step {
	regex_t		re;
	char		*answer;
	char		*pattern;
};

static struct step	steps[MAX_LINES];
static int		nsteps, next_step, mismatch;

static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

static int
load_script(const char *path)
{
	char line[4096], *sep;
	FILE *fp = fopen(path, "r");

	if (fp == NULL) {
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL && nsteps < MAX_LINES) {
		chomp(line);
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((sep = strstr(line, " => ")) == NULL) {
			fprintf(stderr, "%s: missing ' => ' in: %s\n", path,
			    line);
			fclose(fp);
			return -1;
		}
		*sep = '\0';
		if (regcomp(&steps[nsteps].re, line, REG_EXTENDED | REG_NOSUB)
		    != 0) {
			fprintf(stderr, "%s: bad regex: %s\n", path, line);
			fclose(fp);
			return -1;
		}
		steps[nsteps].pattern = strdup(line);
		steps[nsteps].answer = strdup(sep + 4);
		nsteps++;
	}
	fclose(fp);
	return 0;
}

static char *
run_command(const char *cmd)
{
	char buf[4096] = "";
	FILE *p = popen(cmd, "r");

	if (p == NULL)
		return strdup("");
	if (fgets(buf, sizeof(buf), p) == NULL)
		buf[0] = '\0';
	pclose(p);
	chomp(buf);
	return strdup(buf);
}

enum quirk { Q_NONE, Q_CONV_ERROR, Q_NULL_RESPONSE, Q_NULL_ANSWER };
static enum quirk quirk;

static char *
special(const char *a)
{
	char *p;

	if (strcmp(a, "<conv-error>") == 0)
		quirk = Q_CONV_ERROR;
	else if (strcmp(a, "<null-response>") == 0)
		quirk = Q_NULL_RESPONSE;
	else if (strcmp(a, "<null-answer>") == 0)
		quirk = Q_NULL_ANSWER;
	else if (strcmp(a, "<long>") == 0 && (p = malloc(100001)) != NULL) {
		memset(p, 'a', 100000);
		p[100000] = '\0';
		return p;
	}
	return quirk == Q_NONE ? strdup(a) : strdup("");
}

static char *
answer_for(const char *prompt)
{
	struct step *s;

	if (next_step >= nsteps) {
		printf("(script has no answer for this prompt)\n");
		return NULL;
	}
	s = &steps[next_step++];
	if (regexec(&s->re, prompt, 0, NULL, 0) != 0) {
		printf("(prompt does not match /%s/)\n", s->pattern);
		mismatch = 1;
		return NULL;
	}
	if (s->answer[0] == '!')
		return run_command(s->answer + 1);
	return special(s->answer);
}

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	int i;

	(void)data;
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		const char *tag;

		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:	tag = "prompt-hidden"; break;
		case PAM_PROMPT_ECHO_ON:	tag = "prompt"; break;
		case PAM_ERROR_MSG:		tag = "error"; break;
		case PAM_TEXT_INFO:		tag = "info"; break;
		default:			tag = "?"; break;
		}
		printf("[%s] %s\n", tag, msg[i]->msg);
		fflush(stdout);
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		quirk = Q_NONE;
		if ((r[i].resp = answer_for(msg[i]->msg)) == NULL ||
		    quirk == Q_CONV_ERROR || quirk == Q_NULL_RESPONSE) {
			for (; i >= 0; i--)
				free(r[i].resp);
			free(r);
			if (quirk == Q_NULL_RESPONSE) {
				*resp = NULL;
				return PAM_SUCCESS;
			}
			return PAM_CONV_ERR;
		}
		if (quirk == Q_NULL_ANSWER) {
			free(r[i].resp);
			r[i].resp = NULL;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

static int
run(pam_handle_t *pamh, const char *op)
{
	int r;

	if (strcmp(op, "auth") == 0)
		return pam_authenticate(pamh, 0);
	if (strcmp(op, "acct") == 0)
		return pam_acct_mgmt(pamh, 0);
	if (strcmp(op, "passwd") == 0)
		return pam_chauthtok(pamh, 0);
	if (strcmp(op, "expired") == 0)
		return pam_chauthtok(pamh, PAM_CHANGE_EXPIRED_AUTHTOK);
	if (strcmp(op, "login") == 0) {
		if ((r = pam_authenticate(pamh, 0)) != PAM_SUCCESS)
			return r;
		r = pam_acct_mgmt(pamh, 0);
		printf("acct: %s\n", pam_strerror(pamh, r));
		if (r == PAM_NEW_AUTHTOK_REQD)
			r = pam_chauthtok(pamh, PAM_CHANGE_EXPIRED_AUTHTOK);
		return r;
	}
	fprintf(stderr, "pamdrive: unknown operation %s\n", op);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *dir = NULL, *service = "sspr-test", *user = NULL;
	const char *script = NULL, *env, *putenv_arg = NULL, *rhost = NULL;
	char ops[256] = "auth", buf[sizeof(ops)], *op, *save;
	struct pam_conv pc = { conv, NULL };
	pam_handle_t *pamh = NULL;
	int ch, rounds = 1, i, r;

	/* the locale of the login, as login(1) and su(1) set it */
	setlocale(LC_ALL, "");
	while ((ch = getopt(argc, argv, "d:s:u:f:n:e:o:r:")) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 's': service = optarg; break;
		case 'u': user = optarg; break;
		case 'f': script = optarg; break;
		case 'n': rounds = atoi(optarg); break;
		case 'e': putenv_arg = optarg; break;
		case 'o': snprintf(ops, sizeof(ops), "%s", optarg); break;
		case 'r': rhost = optarg; break;
		default:
			fprintf(stderr, "usage: pamdrive -d DIR -s SERVICE -u "
			    "USER -f SCRIPT [-n ROUNDS] [-e NAME=VALUE] [-o OPS] "
			    "[-r RHOST]\n");
			return 2;
		}
	}
	if (dir == NULL || user == NULL || script == NULL ||
	    load_script(script) != 0)
		return 2;
	r = pam_start_confdir(service, user, &pc, dir, &pamh);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "pam_start_confdir: %s\n",
		    pam_strerror(pamh, r));
		return 2;
	}
	pam_set_item(pamh, PAM_TTY, "pts/test");
	if (rhost != NULL)
		pam_set_item(pamh, PAM_RHOST, rhost);
	if (putenv_arg != NULL && pam_putenv(pamh, putenv_arg) != PAM_SUCCESS) {
		fprintf(stderr, "pam_putenv %s failed\n", putenv_arg);
		return 2;
	}
	for (i = 0; i < rounds; i++) {
		memcpy(buf, ops, sizeof(buf));
		for (op = strtok_r(buf, ",", &save); op != NULL;
		    op = strtok_r(NULL, ",", &save)) {
			r = run(pamh, op);
			printf("result: %s\n", pam_strerror(pamh, r));
		}
	}
	/* a module may switch languages for itself, never for its host */
	printf("codeset %s\n", nl_langinfo(CODESET));
	env = pam_getenv(pamh, "SSPR_PASSWORD_RESET");
	printf("env SSPR_PASSWORD_RESET=%s\n", env ? env : "(unset)");
	pam_end(pamh, r);
	if (mismatch)
		return 3;
	return next_step == nsteps ? 0 : 4;
}
