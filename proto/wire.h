/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wire.h: bounded big-endian reader and writer over one frame.  Every
 * read checks the bytes left first; the first failure sticks, so a
 * caller may read all fields and check once (wire_end).
 */
#ifndef SSPR_WIRE_H
#define SSPR_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "secret.h"
#include "sspr_proto.h"

struct wire_rd {
	const unsigned char	*p;
	size_t			 len;
	size_t			 off;
	int			 bad;
};

struct wire_wr {
	unsigned char		 buf[SSPR_FRAME_HDR + SSPR_FRAME_MAX];
	size_t			 len;
	int			 bad;
};

void	wire_rd_init(struct wire_rd *, const void *, size_t);
uint8_t	wire_get_u8(struct wire_rd *);
uint16_t wire_get_u16(struct wire_rd *);
uint32_t wire_get_u32(struct wire_rd *);
void	wire_get_str(struct wire_rd *, char *, size_t);
void	wire_get_secret(struct wire_rd *, struct secret *);
int	wire_end(const struct wire_rd *);

void	wire_wr_init(struct wire_wr *, uint16_t);
void	wire_put_u8(struct wire_wr *, uint8_t);
void	wire_put_u16(struct wire_wr *, uint16_t);
void	wire_put_u32(struct wire_wr *, uint32_t);
void	wire_put_str(struct wire_wr *, const char *, size_t);
void	wire_put_secret(struct wire_wr *, const struct secret *);
int	wire_wr_finish(struct wire_wr *);
void	wire_wr_wipe(struct wire_wr *);

uint32_t wire_peek_len(const unsigned char *);
uint16_t wire_peek_type(const unsigned char *);
int	wire_text_ok(const unsigned char *, size_t);
void	wire_text_clean(char *, int);

#endif
