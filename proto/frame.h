/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * frame.h: send and receive one whole frame on a blocking stream socket
 * within a deadline.  Used by the module and the command-line tools; the
 * daemon reads frames incrementally in its event loop instead.
 */
#ifndef SSPR_FRAME_H
#define SSPR_FRAME_H

#include "msg.h"

/* Results besides 0. */
#define FRAME_ERR_IO		-1	/* socket error or peer closed */
#define FRAME_ERR_TIMEOUT	-2	/* the deadline passed */
#define FRAME_ERR_FORMAT	-3	/* bad length or undecodable body */

int	frame_send_msg(int, const struct msg *, int);
int	frame_recv_msg(int, struct msg *, int);
const char *frame_strerror(int);

#endif
