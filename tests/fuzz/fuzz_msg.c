/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_msg: the input is one frame as msg_decode sees it (u16 type and
 * the body, without the length).  A message that decodes must satisfy
 * the caps of sspr_proto.h, must encode again, and must encode to the
 * very bytes it came from: the encoding is canonical, so two parties can
 * never read one frame two ways.
 */
#include <string.h>

#include "fuzz.h"
#include "msg.h"
#include "wire.h"

/* A decoded str field: NUL within buf, at most cap bytes, valid text. */
static void
check_str(const char *buf, size_t size, size_t cap)
{
	const char *nul = memchr(buf, '\0', size);

	FUZZ_ASSERT(size == cap + 1);
	FUZZ_ASSERT(nul != NULL);
	FUZZ_ASSERT((size_t)(nul - buf) <= cap);
	FUZZ_ASSERT(wire_text_ok((const unsigned char *)buf,
	    (size_t)(nul - buf)));
}

static void
check_secret(const struct secret *s)
{
	FUZZ_ASSERT(s->len <= SSPR_SECRET_MAX);
	FUZZ_ASSERT(s->buf[s->len] == '\0');
	FUZZ_ASSERT(memchr(s->buf, '\0', s->len) == NULL);
}

static void
check_invariants(const struct msg *m)
{
	FUZZ_ASSERT(strcmp(msg_name(m->type), "unknown") != 0);
	switch (m->type) {
	case SSPR_MSG_HELLO:
		check_str(m->u.hello.service, sizeof(m->u.hello.service),
		    SSPR_SERVICE_MAX);
		check_str(m->u.hello.tty, sizeof(m->u.hello.tty), SSPR_TTY_MAX);
		check_str(m->u.hello.rhost, sizeof(m->u.hello.rhost),
		    SSPR_RHOST_MAX);
		check_str(m->u.hello.ruser, sizeof(m->u.hello.ruser),
		    SSPR_USER_MAX);
		check_str(m->u.hello.lang, sizeof(m->u.hello.lang),
		    SSPR_LANG_MAX);
		break;
	case SSPR_MSG_START:
		check_str(m->u.start.user, sizeof(m->u.start.user),
		    SSPR_USER_MAX);
		check_str(m->u.start.keys, sizeof(m->u.start.keys),
		    SSPR_KEYS_MAX);
		break;
	case SSPR_MSG_ANSWER:
	case SSPR_MSG_NEW_PASSWORD:
		check_secret(&m->u.secret);
		break;
	case SSPR_MSG_CHALLENGE:
		check_str(m->u.challenge.destination,
		    sizeof(m->u.challenge.destination), SSPR_DEST_MAX);
		break;
	case SSPR_MSG_REJECTED:
		check_str(m->u.rejected.detail, sizeof(m->u.rejected.detail),
		    SSPR_DETAIL_MAX);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg m, again;
	struct wire_wr wr;

	if (msg_decode(&m, data, size) != 0)
		return 0;
	check_invariants(&m);

	FUZZ_ASSERT(msg_encode(&m, &wr) == 0);
	FUZZ_ASSERT(wr.len == SSPR_FRAME_HDR - 2 + size);
	FUZZ_ASSERT(wire_peek_len(wr.buf) == size);
	FUZZ_ASSERT(size <= SSPR_FRAME_MAX);
	FUZZ_ASSERT(memcmp(wr.buf + 4, data, size) == 0);

	/* decode fills the struct field by field over zeroes: comparable */
	FUZZ_ASSERT(msg_decode(&again, wr.buf + 4, wr.len - 4) == 0);
	FUZZ_ASSERT(memcmp(&m, &again, sizeof(m)) == 0);

	msg_wipe(&m);
	msg_wipe(&again);
	wire_wr_wipe(&wr);
	return 0;
}
