#!/usr/bin/env bash
# Runs the HTTP examples: scraper and api_stats on the local site each starts
# in its own process, and scraper on URLs that fail (a closed port, a host
# that does not resolve). Checks the table rows against the files saved, and
# the average against the numbers printed.
#
#   http_examples_test.sh SCRAPER API_STATS
set -u

scraper=$(realpath "$1")
api_stats=$(realpath "$2")
work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/http-examples.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL $*"
  failures=$((failures + 1))
}
ok() { echo "ok   $*"; }

# --- scraper, default: 20 pages and a 404 from its own local site.
timeout 30 "$scraper" --out "$work/pages" >"$work/out" 2>"$work/err"
status=$?
[[ $status == 0 ]] && ok "scraper exits with 0" || fail "scraper exits with $status"
cat "$work/out"

rows=$(grep -E '^http://127\.0\.0\.1:[0-9]+/articles/' "$work/out")
[[ $(grep -c ' 200 ' <<<"$rows") == 20 ]] && ok "20 rows with 200" || fail "not 20 rows with status 200"
grep -qE '/articles/missing\.html +404 +[0-9]+ ' <<<"$rows" && ok "the missing page is a 404 row" ||
  fail "no 404 row for the missing page"
grep -qE '/articles/11\.html +200 +524288 ' <<<"$rows" && ok "page 11 has its 512 KiB" ||
  fail "page 11 is not 524288 bytes"

# Every row's file is in the folder, with the row's byte count.
sum=0
mismatches=0
while read -r url status bytes ms file; do
  size=$(stat -c %s "$work/pages/$file" 2>/dev/null || echo missing)
  [[ $size == "$bytes" ]] || { echo "  $file: $size bytes on disk, $bytes in the table"; mismatches=$((mismatches + 1)); }
  sum=$((sum + bytes))
done <<<"$rows"
[[ $mismatches == 0 ]] && ok "each saved file has the row's size" || fail "$mismatches files differ from their rows"
[[ $(ls "$work/pages" | wc -l) == 21 ]] && ok "21 files saved" || fail "$(ls "$work/pages" | wc -l) files saved, not 21"
grep -qE "^21 URLs: 21 responses, 0 errors, $sum bytes$" "$work/out" && ok "the totals line adds up" ||
  fail "no totals line with 21 responses and $sum bytes"

# The slowest page takes 750 ms; fetched one after the other they take more
# than 2.8 s, so fetching concurrently must gain more than 2x.
if [[ $(grep '^wall time' "$work/out") =~ ^wall\ time\ ([0-9.]+)\ s\;\ the\ single\ times\ add\ up\ to\ ([0-9.]+)\ s ]]; then
  wall=${BASH_REMATCH[1]} single=${BASH_REMATCH[2]}
  awk -v w="$wall" -v s="$single" 'BEGIN { exit !(w >= 0.75 && w < 5 && s > 2 * w) }' &&
    ok "wall time $wall s against $single s" || fail "wall time $wall s against $single s"
else
  fail "no wall time line"
fi
grep -qx "saved in $work/pages" "$work/out" && ok "names the folder" || fail "no 'saved in $work/pages'"
grep -q 'pages 21/21' "$work/err" && ok "progress reaches 21/21" || fail "no 'pages 21/21' on stderr"
grep -q $'\r' "$work/err" && fail "carriage returns on stderr, which is not a terminal" || ok "plain progress lines"

# --- without --out: a new folder under $TMPDIR.
TMPDIR="$work" timeout 30 "$scraper" >"$work/out2" 2>/dev/null
folder=$(sed -n 's/^saved in //p' "$work/out2")
[[ $folder == "$work"/coio-scraper-* && $(ls "$folder" | wc -l) == 21 ]] && ok "default folder $folder" ||
  fail "default folder '$folder' is not a new one under \$TMPDIR with 21 files"

# --- URLs that fail, from a file: rows with the error, exit 1.
printf '# a closed port, then a name that cannot resolve\nhttp://127.0.0.1:1/\n\nhttp://nonexistent.invalid/\n' \
  >"$work/urls.txt"
timeout 60 "$scraper" --out "$work/bad" --file "$work/urls.txt" >"$work/out3" 2>"$work/err3"
status=$?
cat "$work/out3" "$work/err3"
[[ $status == 1 ]] && ok "failed URLs: exit 1" || fail "failed URLs: exit $status, not 1"
grep -qiE '^http://127\.0\.0\.1:1/ +error +- +[0-9]+ +.*connect' "$work/out3" && ok "closed port row" ||
  fail "no error row for the closed port"
grep -qiE '^http://nonexistent\.invalid/ +error +- +[0-9]+ +.*resolve' "$work/out3" && ok "unresolvable host row" ||
  fail "no error row for the unresolvable host"
grep -q '^2 URLs: 0 responses, 2 errors, 0 bytes$' "$work/out3" && ok "totals: 2 errors" || fail "no totals line with 2 errors"

# --- api_stats, default: six stations, and their average.
timeout 30 "$api_stats" >"$work/api" 2>&1
status=$?
cat "$work/api"
[[ $status == 0 ]] && ok "api_stats exits with 0" || fail "api_stats exits with $status"
values=$(sed -nE 's|^http://127\.0\.0\.1:[0-9]+/stations/[1-6]: temperature = ([0-9.]+) \([0-9]+ ms\)$|\1|p' "$work/api")
[[ $(wc -l <<<"$values") == 6 ]] && ok "six temperatures" || fail "not six temperatures"
want=$(awk '{ s += $1 } END { printf "%.2f", s / NR }' <<<"$values")
grep -qx "average temperature over 6 calls: $want" "$work/api" && ok "average $want" || fail "no average $want"
[[ $want == 13.17 ]] && ok "the stations' values" || fail "average $want, the stations say 13.17"

# --- api_stats on a closed port: an error per call, exit 1.
timeout 30 "$api_stats" http://127.0.0.1:1/stations >"$work/api2" 2>&1
status=$?
[[ $status == 1 && $(grep -c ': error: ' "$work/api2") == 6 ]] && ok "api_stats on a closed port" ||
  { fail "api_stats on a closed port: exit $status"; cat "$work/api2"; }

exit $((failures > 0))
