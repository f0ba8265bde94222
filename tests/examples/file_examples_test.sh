#!/usr/bin/env bash
# Runs the file examples on files made here, and on a file that is missing.
#
#   file_examples_test.sh READ_FILE_BINARY FILE_LINES_BINARY
set -u

read_file=$(realpath "$1")
file_lines=$(realpath "$2")
work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/file-examples.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0

# expect NAME EXPECTED_STATUS EXPECTED_OUTPUT COMMAND...
expect() {
  local name=$1 want_status=$2 want=$3
  shift 3
  local got status
  got=$(timeout 10 "$@" 2>&1)
  status=$?
  if [[ $status != "$want_status" || $got != "$want" ]]; then
    echo "FAIL $name: exit $status (want $want_status), output:"
    printf '%s\n--- wanted:\n%s\n---\n' "$got" "$want"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

printf 'test\n' >example.txt
expect "read_file prints the file" 0 'test' "$read_file"

printf 'alpha\nbeta\r\ngamma' >data.txt
expect "file_lines prints each line with print()'s extra newline" 0 $'alpha\n\nbeta\n\ngamma' "$file_lines"

expect "read_file names a missing file" 1 \
  "read_file: open missing.txt: No such file or directory" "$read_file" missing.txt
expect "file_lines names a directory" 1 \
  "file_lines: open $work: Is a directory" "$file_lines" "$work"

exit $((failures > 0))
