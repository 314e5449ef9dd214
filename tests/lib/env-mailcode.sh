#!/bin/bash
# env-mailcode.sh T RCPT N: prints the code of the Nth code mail to RCPT in
# T/mail (notifications do not count), waiting up to 30 s for it (run by
# pamdrive as a "!command").
T=$1
for _ in $(seq 300); do
	f=$(grep -l '^X-SSPR-Message: code' "$T/mail"/*-"$2".eml 2>/dev/null |
	    sed -n "${3:-1}p")
	[ -n "$f" ] && break
	sleep 0.1
done
[ -n "$f" ] && grep -oE '\b[0-9]{6,10}\b' "$f" | head -n 1
