#!/bin/sh
# fuzz.sh BUILD SECONDS TARGET...: runs BUILD/fuzz/fuzz_TARGET (libFuzzer)
# for SECONDS each, one after the other.  The seeds in
# tests/fuzz/corpus/TARGET are read, never written: new inputs go to the
# working corpus BUILD/fuzz/corpus/TARGET, which later runs start from.
# With FUZZ_MERGE=1 the inputs that add coverage are merged into the
# seeds afterwards.  A crash or broken property stops here with exit 1;
# its input is left in BUILD/fuzz/crashes/.
set -eu
build=$1 secs=$2
shift 2
src=$(cd "$(dirname "$0")/../.." && pwd)
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

for t in "$@"; do
	bin=$build/fuzz/fuzz_$t
	work=$build/fuzz/corpus/$t
	seeds=$src/tests/fuzz/corpus/$t
	log=$build/fuzz/$t.log
	set --
	[ -f "$src/tests/fuzz/$t.dict" ] && set -- "-dict=$src/tests/fuzz/$t.dict"
	mkdir -p "$work" "$build/fuzz/crashes"
	if ! "$bin" "$@" -max_total_time="$secs" -max_len=8192 -timeout=10 \
	    -rss_limit_mb=1024 -print_final_stats=1 \
	    -artifact_prefix="$build/fuzz/crashes/$t-" \
	    "$work" "$seeds" >"$log" 2>&1; then
		echo "fuzz_$t: FAILED; from $log:"
		grep -m 1 -E 'property broken|ERROR: |SUMMARY: ' "$log" |
		    sed 's/^/    /'
		tail -n 30 "$log" | sed 's/^/    /'
		echo "replay with: $bin FILE (or, after make check,"
		echo "build/tests/test_fuzz_$t FILE); then add FILE to $seeds"
		exit 1
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	printf 'fuzz_%-6s %4ss  %9s runs  %s  corpus %s files\n' "$t" "$secs" \
	    "$runs" "$cov" "$(ls "$work" | wc -l)"
	if [ -n "${FUZZ_MERGE:-}" ]; then
		"$bin" "$@" -merge=1 -max_len=8192 "$seeds" "$work" \
		    >"$build/fuzz/$t-merge.log" 2>&1
		echo "    merged into $seeds: $(ls "$seeds" | wc -l) files"
	fi
done
