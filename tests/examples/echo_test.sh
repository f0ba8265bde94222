#!/usr/bin/env bash
# Runs examples/echo_server on a free port of 127.0.0.1 and talks to it with
# real clients: OpenBSD netcat (Debian's netcat-openbsd), curl's telnet://
# mode, and examples/echo_client. Checks the echoed bytes exactly, what the
# server prints, and that SIGTERM and SIGINT stop it at once with exit
# status 0, also while a client is connected.
#
#   echo_test.sh SERVER CLIENT
#
# Built with --config=mingw, SERVER and CLIENT are the Windows programs
# (.exe) and run under Wine, in the prefix tools/wine/run_test.sh made, while
# nc and curl stay Linux programs: Linux clients talk to the Windows server
# over 127.0.0.1, a check across systems no unit test gives. Wine
# turns a SIGINT into a Ctrl+C event, and Windows has no SIGTERM, so the
# server is stopped with SIGINT both times; its lines end in CRLF, as a
# Windows program's text output does.
#
# A missing nc or curl fails the test. Every process started here is ended
# on exit, and every client runs under timeout(1).
set -u

server=$1
client=$2

wine_mode=false
[[ $server == *.exe ]] && wine_mode=true

run=()                                # what runs the examples
first_stop=TERM                       # the signal that stops the first server
first_start=()                        # what the first server starts under
if $wine_mode; then
  command -v wine >/dev/null || { echo "FAIL: wine is not installed"; exit 1; }
  run=(wine)
  first_stop=INT
  first_start=(env --default-signal=INT)
fi

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
die() {
  echo "FAIL: $*"
  exit 1
}

command -v nc >/dev/null || die "nc is not installed (Debian package netcat-openbsd)"
nc -h 2>&1 | grep -q OpenBSD || die "nc is not OpenBSD netcat (Debian package netcat-openbsd)"
command -v curl >/dev/null || die "curl is not installed (Debian package curl)"

work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/echo_test.XXXXXX")
pids=() # started and not yet waited for

forget() {
  local keep=() p
  for p in "${pids[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  pids=("${keep[@]}")
}
cleanup() {
  local p
  exec 3>&- 2>/dev/null
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  [[ ${#pids[@]} -gt 0 ]] && sleep 0.5
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  $wine_mode && wineserver -k 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# FILE as text: without the CRs of a Windows program's line ends.
text_of() {
  if $wine_mode; then tr -d '\r' <"$1"; else cat "$1"; fi
}

# Waits up to 10 s for a line of FILE equal to LINE.
wait_for_line() {
  local file=$1 line=$2 i
  for ((i = 0; i < 200; i++)); do
    text_of "$file" | grep -Fxq -- "$line" && return 0
    sleep 0.05
  done
  fail "no line '$line' in $file after 10 s"
  return 1
}

# Starts the server on a free port (it binds port 0 and prints the port);
# sets server_pid and port. Arguments go before the server's command line.
start_server() {
  local log=$1 i
  shift
  "$@" "${run[@]}" "$server" 127.0.0.1 0 >"$log.out" 2>"$log.err" &
  server_pid=$!
  pids+=("$server_pid")
  port=""
  for ((i = 0; i < 200; i++)); do
    port=$(text_of "$log.out" 2>/dev/null | sed -nE "s/^Serving on \('127\.0\.0\.1', ([0-9]+)\)$/\1/p")
    [[ -n $port ]] && break
    sleep 0.05
  done
  if [[ -z $port ]]; then
    cat "$log.out" "$log.err"
    die "the server printed no 'Serving on' line within 10 s"
  fi
  echo "server $server_pid serving on 127.0.0.1:$port"
}

# True while PID has not exited (an exited child is a zombie until waited).
running() {
  local stat
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# Sends SIGNAL to the server; it must exit with 0 within 5 s.
stop_server() {
  local signal=$1 start i status
  start=$(date +%s%N)
  kill -s "$signal" "$server_pid"
  for ((i = 0; i < 100; i++)); do
    running "$server_pid" || break
    sleep 0.05
  done
  if running "$server_pid"; then
    fail "the server still runs 5 s after SIG$signal"
    kill -KILL "$server_pid"
  fi
  wait "$server_pid"
  status=$?
  forget "$server_pid"
  echo "SIG$signal: the server exited with $status after $(ms_since "$start") ms"
  [[ $status -eq 0 ]] || fail "the server exited with $status after SIG$signal, want 0"
}

# check_lines NAME FILE PATTERN...: FILE has one line per pattern, each
# matching its pattern (an extended regular expression) whole.
check_lines() {
  local name=$1 file=$2 i=0 p got lines=()
  shift 2
  mapfile -t lines < <(text_of "$file")
  if [[ ${#lines[@]} -ne $# ]]; then
    fail "$name: ${#lines[@]} lines, want $#"
  fi
  for p in "$@"; do
    got=${lines[i]-<no line>}
    [[ $got =~ ^${p}$ ]] || fail "$name, line $((i + 1)): got '${got:0:200}', want /${p:0:200}/"
    i=$((i + 1))
  done
}

peer="\('127\.0\.0\.1', [0-9]+\)"
run1=$work/run1

start_server "$run1" "${first_start[@]}"

# 1. nc sends lines, a 60000-byte one among them and a last one without
# "\n", then shuts down its side (-N); the server echoes each line, and
# what is left at the end, and closes.
long=$(head -c 60000 /dev/zero | tr '\0' 'x')
{
  printf 'one\n'
  printf 'two words\n'
  printf "tab\there 'quoted'\n"
  printf '%s\n' "$long"
  printf 'last'
} >"$work/nc.in"
echo "nc: timeout 10 nc -N 127.0.0.1 $port <nc.in >nc.out"
timeout 10 nc -N 127.0.0.1 "$port" <"$work/nc.in" >"$work/nc.out"
status=$?
[[ $status -eq 0 ]] || fail "nc exited with $status, want 0"
cmp "$work/nc.in" "$work/nc.out" || fail "nc got back other bytes than it sent"

# 2. Two nc clients at once: A sends a line and stays connected while B
# comes, is served and leaves; then A sends its second line.
echo "nc: two clients at once"
mkfifo "$work/a.in"
timeout 10 nc -N 127.0.0.1 "$port" <"$work/a.in" >"$work/a.out" &
a_pid=$!
pids+=("$a_pid")
exec 3<>"$work/a.in" # the writing end, held here: closing it ends A's input
printf 'a1\n' >&3
wait_for_line "$run1.out" "Send: 'a1\n'"
printf 'b1\nb2\n' | timeout 10 nc -N 127.0.0.1 "$port" >"$work/b.out" 3>&-
status=$?
[[ $status -eq 0 ]] || fail "nc B exited with $status, want 0"
[[ $(cat "$work/b.out") == $'b1\nb2' ]] || fail "nc B got '$(cat "$work/b.out")', want b1 b2"
printf 'a2\n' >&3
exec 3>&-
wait "$a_pid"
status=$?
forget "$a_pid"
[[ $status -eq 0 ]] || fail "nc A exited with $status, want 0"
[[ $(cat "$work/a.out") == $'a1\na2' ]] || fail "nc A got '$(cat "$work/a.out")', want a1 a2"

# 3. examples/echo_client.
echo "echo_client: timeout 10 echo_client 127.0.0.1 $port 'Hello World!' \"it's\""
timeout 10 "${run[@]}" "$client" 127.0.0.1 "$port" 'Hello World!' "it's" >"$work/client.out" 2>"$work/client.err"
status=$?
[[ $status -eq 0 ]] || fail "echo_client exited with $status, want 0: $(cat "$work/client.err")"
check_lines echo_client "$work/client.out" \
  "Send: 'Hello World!\\\\n'" \
  "Received: 'Hello World!\\\\n'" \
  'Send: "it'"'"'s\\n"' \
  'Received: "it'"'"'s\\n"' \
  'Close the connection'

# 4. curl (telnet://) sends two lines and waits for the server to close; the
# server gets SIGTERM (SIGINT under Wine) while curl is connected, sends what it was writing,
# and lets curl go.
echo "curl: printf 'alpha\\nbeta\\n' | timeout 10 curl -sS telnet://127.0.0.1:$port"
printf 'alpha\nbeta\n' | timeout 10 curl -sS "telnet://127.0.0.1:$port" >"$work/curl.out" 2>"$work/curl.err" &
curl_pid=$!
pids+=("$curl_pid")
wait_for_line "$run1.out" "Send: 'beta\n'"

stop_server "$first_stop"
curl_start=$(date +%s%N)
wait "$curl_pid"
status=$?
forget "$curl_pid"
echo "curl exited with $status $(ms_since "$curl_start") ms after the server"
[[ $status -eq 0 ]] || fail "curl exited with $status, want 0: $(cat "$work/curl.err")"
[[ $(cat "$work/curl.out") == $'alpha\nbeta' ]] || fail "curl got '$(cat "$work/curl.out")', want alpha beta"

check_lines "the server's output" "$run1.out" \
  "Serving on \('127\.0\.0\.1', $port\)" \
  "Received 'one\\\\n' from $peer" \
  "Send: 'one\\\\n'" \
  "Received 'two words\\\\n' from $peer" \
  "Send: 'two words\\\\n'" \
  "Received \"tab\\\\there 'quoted'\\\\n\" from $peer" \
  "Send: \"tab\\\\there 'quoted'\\\\n\"" \
  "Received 'x{200}x*\\\\n' from $peer" \
  "Send: 'x{200}x*\\\\n'" \
  "Received 'last' from $peer" \
  "Send: 'last'" \
  'Close the connection' \
  "Received 'a1\\\\n' from $peer" \
  "Send: 'a1\\\\n'" \
  "Received 'b1\\\\n' from $peer" \
  "Send: 'b1\\\\n'" \
  "Received 'b2\\\\n' from $peer" \
  "Send: 'b2\\\\n'" \
  'Close the connection' \
  "Received 'a2\\\\n' from $peer" \
  "Send: 'a2\\\\n'" \
  'Close the connection' \
  "Received 'Hello World!\\\\n' from $peer" \
  "Send: 'Hello World!\\\\n'" \
  "Received \"it's\\\\n\" from $peer" \
  "Send: \"it's\\\\n\"" \
  'Close the connection' \
  "Received 'alpha\\\\n' from $peer" \
  "Send: 'alpha\\\\n'" \
  "Received 'beta\\\\n' from $peer" \
  "Send: 'beta\\\\n'"
[[ $(grep -c "^Received 'x" "$run1.out") -eq 1 && $(grep "^Received 'x" "$run1.out" | tr -cd x | wc -c) -eq 60000 ]] ||
  fail "the server did not print the 60000-byte line whole"
[[ -s $run1.err ]] && fail "the server wrote to stderr: $(head -c 2000 "$run1.err")"

# 5. Nothing listens any more: echo_client reports the refused connection.
timeout 10 "${run[@]}" "$client" 127.0.0.1 "$port" >"$work/refused.out" 2>"$work/refused.err"
status=$?
[[ $status -eq 1 ]] || fail "echo_client to a closed port exited with $status, want 1"
refused="Connection refused"
# Windows words it its own way ("...actively refused it."), and mingw's
# C++ library cannot word every code it is given: the address must be there.
$wine_mode && refused=".+"
check_lines "echo_client's error" "$work/refused.err" \
  "echo_client: connect to 127\.0\.0\.1:$port: $refused"

# 6. SIGINT (Ctrl+C) stops it too. Background jobs of a script start with
# SIGINT ignored; env gives this one the default disposition back.
run2=$work/run2
start_server "$run2" env --default-signal=INT
printf 'ping\n' | timeout 10 nc -N 127.0.0.1 "$port" >"$work/ping.out"
[[ $(cat "$work/ping.out") == ping ]] || fail "nc got '$(cat "$work/ping.out")' from the second server, want ping"
stop_server INT
[[ -s $run2.err ]] && fail "the second server wrote to stderr: $(head -c 2000 "$run2.err")"

if [[ $failures -ne 0 ]]; then
  for f in "$run1.out" "$run1.err" "$run2.out" "$run2.err"; do
    echo "--- $(basename "$f")"
    cut -c1-200 "$f"
  done
  echo "$failures check(s) failed"
  exit 1
fi
echo "PASS"
