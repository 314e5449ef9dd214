#!/usr/bin/python3
"""human-solve.py SRC TRANSCRIPT: reads the last human-check picture from a
pamdrive transcript and prints the characters, using the font in the
daemon's source.  It exists to measure what the check is worth: a script
that knows the font answers every picture (see SECURITY.md)."""
import re
import sys

src, transcript = sys.argv[1], sys.argv[2]
c = open(src + "/sspr-helperd/human.c", encoding="utf-8").read()
alphabet = re.search(r'alphabet\[\] = "([^"]+)"', c).group(1)
glyphs = re.findall(r'\{ ("[.#]{5}"(?:, "[.#]{5}"){6}) \}', c)
font = [[row.strip('" ') for row in g.split(",")] for g in glyphs]
assert len(font) == len(alphabet), "font and alphabet disagree"

lines = open(transcript, encoding="utf-8").read().split("\n")
start = max(i for i, l in enumerate(lines)
            if l.startswith("[info]") and i + 8 < len(lines)
            and all(not x.startswith("[") for x in lines[i + 1:i + 9])
            and any("\u2588" in x for x in lines[i + 1:i + 9]))
rows = lines[start + 1:start + 9]

answer = ""
for g in range(5):
    cells = []
    for r in rows:
        seg = r[g * 13:g * 13 + 10].ljust(10)
        cells.append("".join("#" if seg[2 * k] == "\u2588" else "."
                             for k in range(5)))
    for shift in (0, 1):
        col = cells[shift:shift + 7]
        if col in font:
            answer += alphabet[font.index(col)]
            break
    else:
        answer += "?"
print(answer)
