/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * method.c: the verification methods, in the order a reset asks them:
 * email first, so that most real accounts look like the unknown ones
 * (which are shown an email challenge that nothing can answer).  Adding
 * a method: its file, a line here, its bits in sspr_proto.h, the schema,
 * the config docs and the module's prompts (see DESIGN.md).  Read-only,
 * loop thread.
 */
#include "method.h"

const struct method *const methods[] = {
	&method_email,
	&method_totp,
	&method_sms,
	&method_questions,
	&method_pass,
	&method_rcodes,
	&method_sshkey,		/* when proven, a reset counts it first */
	NULL,
};

const struct method *
method_by_id(int id)
{
	int i;

	for (i = 0; methods[i] != NULL; i++)
		if (methods[i]->id == id)
			return methods[i];
	return NULL;
}

const struct method *
method_by_action(int action)
{
	int i;

	for (i = 0; action != 0 && methods[i] != NULL; i++)
		if (methods[i]->action == action)
			return methods[i];
	return NULL;
}

/* The method a START of this purpose chose (the pass), or NULL. */
const struct method *
method_chosen(int purpose)
{
	int i;

	for (i = 0; purpose != 0 && methods[i] != NULL; i++)
		if (methods[i]->purpose == purpose)
			return methods[i];
	return NULL;
}

/* HELLO_OK's bits for the methods a person may choose, as enabled. */
unsigned
method_features(const struct cfg *c, int relayed)
{
	unsigned bits = 0;
	int i;

	/*
	 * A method the caller proves (the SSH key) never counts for a flow
	 * that came through a relay: the reset server cannot see the caller.
	 * Not announced there either, so the module keeps the key on the host.
	 */
	for (i = 0; methods[i] != NULL; i++)
		if (methods[i]->feature != 0 && methods[i]->enabled(c) &&
		    !(relayed && methods[i]->proven != NULL))
			bits |= methods[i]->feature;
	return bits;
}

/*
 * The name the logs and the audit give a flow's method.  Before any is
 * asked (0) a flow is named after the first, as the caller sees it.
 */
const char *
method_name(int id)
{
	const struct method *m = method_by_id(id);

	return (m != NULL ? m : methods[0])->name;
}
