/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * method.h: a verification method is a unit.  Each has one file
 * (method_email.c, method_totp.c, method_sms.c, method_questions.c,
 * method_pass.c, method_sshkey.c) that
 * fills one struct method; method.c lists them in the order a reset asks
 * them.  reset.c and register.c loop over the list and name no method.
 *
 * A method either sends a code (channel: mail or SMS; the code kit,
 * codekit.c, makes it, sends it and compares the answer) or is answered
 * from what the person holds or knows (an app code, an answer), checked
 * on a worker by the work kind `check`, or is proved by what the caller
 * brought with START (the key sshd accepted: `start`, `proven`).  The hooks are called on the loop
 * thread only, and call nothing in reset.c or register.c: they give back
 * what the family then does.  Who may see what in the PAM conversation
 * (echo, the prompt's words) is the module's, from the CHALLENGE's method
 * (pam_sspr/recover.c), so it is not here.
 *
 * A method the person chooses before the name is known (the helpdesk
 * pass: START's purpose says so) is asked first and only then, of every
 * name alike: a fake flow is asked it too, and its answer goes through
 * the same worker, which knows the job is fake and matches nothing.
 */
#ifndef SSPR_METHOD_H
#define SSPR_METHOD_H

#include <stddef.h>

#include "flowint.h"

/* What a registration's answer (a method that sends nothing) led to. */
enum enrol_outcome {
	ENROL_DONE,		/* proved: store it */
	ENROL_NEXT,		/* taken; the next one is asked (enrol_ask) */
	ENROL_WRONG,		/* a wrong code: counted like one */
	ENROL_INVALID,		/* not a usable answer: said, not counted */
};

struct method {
	int		 id;		/* SSPR_METHOD_*, as a CHALLENGE says */
	const char	*name;		/* config, logs, audit, ssprctl */
	int		 action;	/* SSPR_ACT_* that registers it */
	unsigned	 reg_bit;	/* SSPR_REG_* in METHODS */
	int		 channel;	/* CH_MAIL, CH_SMS: a code is sent */
	int		 for_admins;	/* counts for an administrator */
	int		 proves_address; /* PURPOSE_VERIFY: an address */
	const char	*noun;		/* "code" or "answer", for the logs */
	/*
	 * asked first, it wears the fake flow's challenge (the table's
	 * first method, nothing sent) until answered: an account with only
	 * this method looks like an unknown name up to the proof
	 */
	int		 hidden;

	/* [policy] methods (and what it needs besides) offers it */
	int		(*enabled)(const struct cfg *);
	/* the account has it in a form a reset can ask */
	int		(*usable)(const struct cfg *, const struct account *);
	/* registered, as METHODS shows it (with the masked value, if any) */
	int		(*shown)(const struct cfg *, const struct account *,
			    struct msg_methods *);
	/* what a registration stored is now what the flow knows */
	void		(*remember)(struct flow *);
	/* the account step should offer registration (running out) */
	int		(*due)(const struct cfg *, const struct account *);
	/* registration: INFO before the first METHODS (NULL: none) */
	void		(*notice)(struct flow *);

	/* --- a method the caller proves with START (proven != NULL) --- */
	/* what START brought for it (NULL: nothing) */
	void		(*start)(struct flow *, const struct msg_start *);
	/* counts without a challenge; else it is not there at all */
	int		(*proven)(struct flow *);

	/* --- a method that sends a code (channel != CH_NONE) --- */
	/* where a reset's code goes */
	const char *	(*send_to)(const struct cfg *, const struct account *);
	/* a new address or number, as registered; -1: not one */
	int		(*value)(const char *, char *, size_t);
	/* an address or number as the person may see it */
	int		(*mask)(const char *, char *, size_t);

	/* --- a method answered directly (channel == CH_NONE) --- */
	enum work_kind	 check;		/* a reset's answer, on a worker */
	job_fn		 check_job;	/* the worker that checks it */
	int		 answer_len;	/* digits the answer has; 0: free */
	/* reset: before the first challenge (NULL: nothing) */
	void		(*prepare)(struct flow *);
	/* reset: INFO before each challenge, or when proven (NULL: none) */
	void		(*prompt)(struct flow *);
	/* reset: a right answer; 1 when another round is due */
	int		(*again)(struct flow *);
	/* registration: set up; 0, -1 failed, 1 not offered after all;
	 * with no enrol_ask the choice alone is stored (register_work.c
	 * makes what is shown once) */
	int		(*enrol)(struct flow *);
	/* registration: INFO and the CHALLENGE's fields; 0 or -1 */
	int		(*enrol_ask)(struct flow *, struct msg *);
	/* registration: an answer to enrol_ask's CHALLENGE */
	enum enrol_outcome (*enrol_answer)(struct flow *,
			    const struct secret *);

	/* HELLO_OK's SSPR_FEAT_* bit while enabled (0: none): the choice
	   below, or what START may carry for `start` */
	unsigned	 feature;

	/* --- a method the person chooses at START (0: never chosen) --- */
	int		 purpose;	/* SSPR_PURPOSE_* that chooses it */
	/* how many of methods_required it satisfies (NULL: 1) */
	int		(*counts)(const struct cfg *);
	const char	*notify;	/* the mail after a reset with it */
};

extern const struct method method_email, method_totp, method_sms,
    method_questions, method_pass, method_rcodes, method_sshkey;

/* The methods, in the order a reset asks them, NULL-terminated. */
extern const struct method *const methods[];

const struct method *method_by_id(int);
const struct method *method_by_action(int);
const struct method *method_chosen(int);
unsigned method_features(const struct cfg *, int);
const char *method_name(int);

#endif
