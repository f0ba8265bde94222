#!/usr/bin/env bash
# Runs an example and checks what it prints.
#
#   run_example.sh BINARY EXPECTED_FILE
#
# EXPECTED_FILE holds one extended regular expression per line of output, in
# order; each must match its whole line. Lines starting with '#' are
# comments, except one directive:
#
#   #seconds MIN MAX    the run must take between MIN and MAX seconds
#
# The example must exit with 0 and print exactly as many lines as there are
# patterns. A Windows program (BINARY.exe, built with --config=mingw) runs
# under Wine, in the prefix tools/wine/run_test.sh made; the CRs of its line
# ends are dropped, and only MIN is checked: Wine's start-up of a program
# takes from 0.1 s to over 3 s on a loaded machine, so that MAX would measure
# Wine rather than the example (whose order of lines still shows which
# coroutines ran concurrently).
set -u

binary=$1
expected_file=$2

patterns=()
min_seconds=""
max_seconds=""
while IFS= read -r line || [[ -n $line ]]; do
  if [[ $line =~ ^#seconds[[:space:]]+([0-9.]+)[[:space:]]+([0-9.]+)$ ]]; then
    min_seconds=${BASH_REMATCH[1]}
    max_seconds=${BASH_REMATCH[2]}
  elif [[ $line != \#* ]]; then
    patterns+=("$line")
  fi
done <"$expected_file"

run=()
if [[ $binary == *.exe ]]; then
  run=(wine)
  [[ -n $max_seconds ]] && max_seconds=999999  # no upper bound
fi

start=$(date +%s%N)
output=$("${run[@]}" "$binary")
status=$?
end=$(date +%s%N)
output=${output//$'\r'/}
seconds=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')

echo "--- output of $binary (exit $status, ${seconds} s)"
echo "$output"
echo "---"

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

[[ $status -eq 0 ]] || fail "exit status $status, want 0"

mapfile -t lines <<<"$output"
[[ -z $output ]] && lines=()
if [[ ${#lines[@]} -ne ${#patterns[@]} ]]; then
  fail "printed ${#lines[@]} lines, want ${#patterns[@]}"
fi
for i in "${!patterns[@]}"; do
  got=${lines[i]-<no line>}
  if ! [[ $got =~ ^${patterns[i]}$ ]]; then
    fail "line $((i + 1)): got '$got', want /${patterns[i]}/"
  fi
done

if [[ -n $min_seconds ]]; then
  if ! awk -v s="$seconds" -v lo="$min_seconds" -v hi="$max_seconds" 'BEGIN { exit !(s >= lo && s <= hi) }'; then
    fail "took $seconds s, want between $min_seconds and $max_seconds s"
  fi
fi

if [[ $failures -ne 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "PASS"
