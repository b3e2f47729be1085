#!/bin/sh
# Run one libFuzzer harness of `make fuzz` for a bounded time, on a copy of
# its seed corpus (the source tree is never written to).
#   run.sh NAME      from the build tree, after the harness is built
# Environment: srcdir (the source tree, default .), FUZZ_SECONDS (default 60).
# Exit status 0 when the run ended with no finding; 1 on any finding (crash,
# sanitizer report, leak, broken invariant, timeout, out of memory), whose
# input is kept as tests/fuzz/finding-NAME-* (until the next run of NAME); the
# full log is tests/fuzz/fuzz_NAME.log.
set -u
name=$1
srcdir=${srcdir:-.}
seconds=${FUZZ_SECONDS:-60}
prog=tests/fuzz/fuzz_$name
log=tests/fuzz/fuzz_$name.log

# The largest input worth trying, per harness.
case $name in
config) max_len=4096 ;;         # some dozens of config lines
packet) max_len=512 ;;          # ARP is 42 bytes, an NA with options ~100
set_value) max_len=256 ;;       # a typed value, or a SET PDU of a few varbinds
history) max_len=8192 ;;        # ~25 entries, and lines past the reader's buffer
icmp) max_len=256 ;;            # an IPv4 header with options and an echo reply
*) echo "run.sh: unknown harness '$name'" >&2; exit 2 ;;
esac

rm -f tests/fuzz/finding-"$name"-*       # a previous run's
# On tmpfs when there is one (fuzz_history saves a file per input); the
# harness's own temporary files go in here too, so a crash leaves none behind.
base=${TMPDIR:-/tmp}
[ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
tmp=$(mktemp -d "$base/cmsha-fuzz-$name.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' 0
trap 'exit 130' INT TERM
cp -R "$srcdir/tests/fuzz/corpus/$name" "$tmp/corpus" || exit 2
seeds=$(ls "$tmp/corpus" | wc -l)
dict=
[ -f "$srcdir/tests/fuzz/$name.dict" ] && dict=-dict=$srcdir/tests/fuzz/$name.dict

# Any earlier ASAN_OPTIONS/UBSAN_OPTIONS (CI's) come last and win.
ASAN_OPTIONS="detect_leaks=1:allow_addr2line=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
TMPDIR=$tmp \
	"$prog" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="tests/fuzz/finding-$name-" \
	$dict "$tmp/corpus" >"$log" 2>&1
rc=$?

runs=$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$log")
if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	echo "fuzz_$name: $runs runs in $seconds s, corpus $seeds -> $(ls "$tmp/corpus" | wc -l) inputs, $cov, no findings"
	exit 0
fi
echo "fuzz_$name: FAILED (exit status $rc); the end of $log:" >&2
tail -n 80 "$log" >&2
for f in tests/fuzz/finding-"$name"-*; do
	[ -f "$f" ] && echo "fuzz_$name: finding kept as $f; reproduce with: $prog $f" >&2
done
exit 1
