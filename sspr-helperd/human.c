/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * human.c: the check before any lookup ([policy] human_check): a few
 * characters drawn as block letters for a text terminal, each shifted up
 * or down at random and with a stray dot or two.  What it is worth is
 * written in SECURITY.md: it stops generic scripts that read prompts, not
 * a determined attacker who writes a matcher for this font.
 */
#include <string.h>

#include <openssl/rand.h>

#include "human.h"

/* No look-alikes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6. */
static const char alphabet[] = "ACDEFHJKMNPRTUVWXY34679";

/* 5x7 glyphs, '#' set; one row per string, in the order of alphabet. */
static const char *const font[][7] = {
	{ ".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#" },
	{ ".####", "#....", "#....", "#....", "#....", "#....", ".####" },
	{ "####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####." },
	{ "#####", "#....", "#....", "####.", "#....", "#....", "#####" },
	{ "#####", "#....", "#....", "####.", "#....", "#....", "#...." },
	{ "#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#" },
	{ "..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.." },
	{ "#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#" },
	{ "#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#" },
	{ "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#", "#...#" },
	{ "####.", "#...#", "#...#", "####.", "#....", "#....", "#...." },
	{ "####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#" },
	{ "#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.." },
	{ "#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###." },
	{ "#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.." },
	{ "#...#", "#...#", "#...#", "#.#.#", "#.#.#", "##.##", "#...#" },
	{ "#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#" },
	{ "#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.." },
	{ "####.", "....#", "....#", ".###.", "....#", "....#", "####." },
	{ "#...#", "#...#", "#...#", "#####", "....#", "....#", "....#" },
	{ ".###.", "#....", "#....", "####.", "#...#", "#...#", ".###." },
	{ "#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..." },
	{ ".###.", "#...#", "#...#", ".####", "....#", "....#", ".###." },
};

/* Uniform in [0, n): bytes at or above the largest multiple are redrawn. */
static int
pick(unsigned n, unsigned *out)
{
	unsigned char b;

	do {
		if (RAND_bytes(&b, 1) != 1)
			return -1;
	} while (b >= 256 - 256 % n);
	*out = b % n;
	return 0;
}

int
human_new(struct human *h)
{
	unsigned i, k, shift;
	int row;
	size_t o;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < HUMAN_LEN; i++) {
		if (pick(sizeof(alphabet) - 1, &k) != 0)
			return -1;
		h->answer[i] = alphabet[k];
		h->glyph[i] = (int)k;
		if (pick(2, &shift) != 0)
			return -1;
		h->shift[i] = (int)shift;
	}
	/* rows: 7 of the glyph plus one of shift, drawn two cells wide */
	for (row = 0; row < HUMAN_ROWS; row++) {
		o = 0;
		for (i = 0; i < HUMAN_LEN; i++) {
			int r = row - h->shift[i];
			int c;

			for (c = 0; c < 5; c++) {
				int on = r >= 0 && r < 7 &&
				    font[h->glyph[i]][r][c] == '#';

				memcpy(h->lines[row] + o, on ? "\xe2\x96\x88"
				    "\xe2\x96\x88" : "  ", on ? 6 : 2);
				o += on ? 6 : 2;
			}
			memcpy(h->lines[row] + o, "   ", 3);
			o += 3;
		}
		h->lines[row][o] = '\0';
	}
	/* a stray dot, so one picture is not always the same text */
	if (pick(HUMAN_ROWS, &k) == 0)
		h->lines[k][strlen(h->lines[k]) - 2] = '.';
	return 0;
}

/* The typed answer, ignoring case and spaces, against the drawn one. */
int
human_match(const struct human *h, const unsigned char *typed, size_t n)
{
	char norm[HUMAN_LEN + 1];
	size_t i, k = 0;
	unsigned char diff = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = typed[i];

		if (c == ' ')
			continue;
		if (k == HUMAN_LEN)
			return 0;
		norm[k++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	}
	if (k != HUMAN_LEN)
		return 0;
	for (i = 0; i < HUMAN_LEN; i++)
		diff |= (unsigned char)(norm[i] ^ h->answer[i]);
	return diff == 0;
}
