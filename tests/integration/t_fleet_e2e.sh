#!/bin/bash
# The main end-to-end suites once more, through a relay and a reset server
# (SSPR_FLEET=1: tests/lib/fleet.sh puts a relay with a host certificate in
# front of every daemon the suite starts; the module and the raw client
# talk to the relay, the flows run on the reset server, over TLS).
. "$SRC/tests/lib/env.sh"
for t in t_reset t_codes t_enum t_throttle; do
	out=$(SSPR_FLEET=1 SSPR_FLEET_CHECK=$T/$t.seen "$SRC/tests/integration/$t.sh" 2>&1)
	r=$?
	ok $r "$t through a relay and a reset server ($(grep -c '^ok' <<<"$out") checks)"
	[ $r -eq 0 ] || grep -A3 '^not ok' <<<"$out" | sed 's/^/#   /' | head -n 30
	[ -s "$T/$t.seen" ]
	ok $? "$t: the flows ran on the reset server under the relay's certificate name"
done
done_testing
