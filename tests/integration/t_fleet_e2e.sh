#!/bin/bash
# The main end-to-end suites once more, through a relay and a reset server
# (SSPR_FLEET=1: tests/lib/fleet.sh puts a relay with a host certificate in
# front of every daemon the suite starts; the module and the raw client
# talk to the relay, the flows run on the reset server, over TLS).  t_ad
# needs the Samba AD DC lab: where it cannot run, its part is skipped
# (a failure under SSPR_TEST_REQUIRE_ALL, as run.sh counts skips).
. "$SRC/tests/lib/env.sh"
for t in t_reset t_codes t_enum t_throttle t_ad; do
	out=$(SSPR_FLEET=1 SSPR_FLEET_CHECK=$T/$t.seen "$SRC/tests/integration/$t.sh" 2>&1)
	r=$?
	if [ $r -eq 77 ]; then
		why=$(grep -m1 -o 'SKIP.*' <<<"$out")
		[ -z "${SSPR_TEST_REQUIRE_ALL:-}" ]
		ok $? "$t through a relay and a reset server # $why"
		continue
	fi
	ok $r "$t through a relay and a reset server ($(grep -c '^ok' <<<"$out") checks)"
	[ $r -eq 0 ] || grep -A3 '^not ok' <<<"$out" | sed 's/^/#   /' | head -n 30
	[ -s "$T/$t.seen" ]
	ok $? "$t: the flows ran on the reset server under the relay's certificate name"
	[ -f "$T/$t.seen.direct" ] && [ ! -s "$T/$t.seen.direct" ]
	ok $? "$t: and none past the relay" ||
		head -n 5 "$T/$t.seen.direct" | sed 's/^/#   /'
done
done_testing
