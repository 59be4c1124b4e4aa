#!/usr/bin/env bash
# Count what exodns's embedded server does per query, in numbers that do
# not depend on what else the machine is running (hack/dnsperf/run.sh's
# queries/s do):
#
#   - user-space instructions per query, under valgrind's callgrind: the
#     server is warmed with the query file three times, the counters are zeroed,
#     dnsperf sends the file once more (20,000 queries), and the counters
#     are read. Twice: with 100 queries outstanding (dnsperf -q 100, as
#     run.sh; the server, slowed down by valgrind, reads full batches) and
#     paced at 2,000 queries/s (mostly one query per wake-up: what the
#     server costs when it is not busy). Kernel time is not counted, and it
#     is most of a query's cost: see the system calls.
#   - system calls and context switches per query, natively, from perf
#     stat's tracepoints over one pass of a 100,000-query file at -q 100.
#
# usage: hack/dnsperf/instructions.sh [REV...]
#   Each REV (a git revision) is built and measured in turn, beside the
#   working tree ("." stands for it; the default is "." alone), so one run
#   compares before and after.
# env:   RECORDS (10000)  ROUNDS (3: medians of three)  KEEP=1
# needs: go, valgrind, dnsperf, dig; perf for the system calls
#        (apt-get install -y valgrind dnsperf bind9-dnsutils linux-perf)
set -euo pipefail

RECORDS=${RECORDS:-10000}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-25360}
ZONE=bench.test
[ $# -eq 0 ] && set -- .

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/exodns-instr.XXXXXX")
SERVER=

for bin in go valgrind callgrind_control dnsperf dig; do
  command -v "$bin" >/dev/null || { echo "missing $bin (apt-get install -y valgrind dnsperf bind9-dnsutils)" >&2; exit 2; }
done
HAVE_PERF=0
perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1 && HAVE_PERF=1

stop() {
  if [ -n "$SERVER" ]; then
    kill "$SERVER" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER" 2>/dev/null || true
    SERVER=
  fi
}
cleanup() {
  stop
  if [ "${KEEP:-}" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

wait_for() {
  for _ in $(seq 600); do
    dig +time=1 +tries=1 @127.0.0.1 -p "$PORT" "$ZONE" SOA +short 2>/dev/null | grep -q . && return 0
    kill -0 "$SERVER" 2>/dev/null || { echo "server exited" >&2; return 1; }
    sleep 0.2
  done
  echo "server did not start" >&2; return 1
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# build REV DIR: the serve command of REV, without cgo (valgrind follows
# Go's own threads; cgo's thread start trips callgrind).
build() {
  local src=$ROOT
  if [ "$1" != . ]; then
    src="$WORK/src-$2"; mkdir -p "$src"
    git -C "$ROOT" archive "$1" | tar -x -C "$src"
  fi
  (cd "$src" && CGO_ENABLED=0 go build -o "$WORK/serve-$2" ./hack/dnsperf/serve)
}

# ask ARGS...: one pass of dnsperf; prints the queries completed.
ask() {
  dnsperf -s 127.0.0.1 -p "$PORT" -c 8 -T 1 -n 1 "$@" > "$WORK/dnsperf.txt" 2>&1
  awk '/Queries completed:/ {print $3}' "$WORK/dnsperf.txt"
}

# dumps I: how many dumps callgrind has written for server I (cg-I.out.N).
dumps() { find "$WORK" -maxdepth 1 -name "cg-$1.out.*" | wc -l; }

mkdir -p "$WORK/q20k" "$WORK/q100k"
i=0
for rev in "$@"; do
  i=$((i + 1))
  build "$rev" "$i"
  [ "$i" = 1 ] && "$WORK/serve-1" -gen "$WORK/q20k" -n "$RECORDS" -queries 20000 && "$WORK/serve-1" -gen "$WORK/q100k" -n "$RECORDS" -queries 100000
  name=$rev; [ "$rev" = . ] && name="working tree ($(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo +changes))"
  echo "== $name"

  # Callgrind: -z zeroes the counters, -d dumps them to a new file.
  GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$WORK/cg-$i.out" \
    "$WORK/serve-$i" -listen "127.0.0.1:$PORT" -n "$RECORDS" > "$WORK/valgrind-$i.log" 2>&1 &
  SERVER=$!
  wait_for
  # Three passes fill the answer cache and let the garbage collector
  # finish with what filling it left.
  for _ in 1 2 3; do ask -d "$WORK/q20k/queries.txt" -q 100 >/dev/null; done
  for mode in "saturated -q 100" "paced -Q 2000"; do
    read -r label flag value <<< "$mode"
    all=()
    for _ in $(seq "$ROUNDS"); do
      callgrind_control -z "$SERVER" >/dev/null 2>&1
      n=$(ask -d "$WORK/q20k/queries.txt" "$flag" "$value")
      before=$(dumps "$i")
      callgrind_control -d "$SERVER" >/dev/null 2>&1
      for _ in $(seq 100); do [ "$(dumps "$i")" -gt "$before" ] && break; sleep 0.1; done
      ir=$(awk '/^summary:/ {print $2}' "$WORK/cg-$i.out.$(dumps "$i")")
      all+=("$(awk -v ir="$ir" -v n="$n" 'BEGIN { printf "%.0f", ir / n }')")
    done
    printf '  user-space instructions per query, %-9s (dnsperf %s %s): %s (rounds: %s)\n' "$label" "$flag" "$value" "$(median "${all[@]}")" "${all[*]}"
  done
  stop

  if [ "$HAVE_PERF" = 1 ]; then
    "$WORK/serve-$i" -listen "127.0.0.1:$PORT" -n "$RECORDS" > "$WORK/serve-$i.log" 2>&1 &
    SERVER=$!
    wait_for
    ask -d "$WORK/q100k/queries.txt" -q 100 >/dev/null
    declare -A per=()
    events=raw_syscalls:sys_enter,context-switches,syscalls:sys_enter_recvmmsg,syscalls:sys_enter_sendmmsg,syscalls:sys_enter_recvfrom,syscalls:sys_enter_sendto,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_futex,syscalls:sys_enter_nanosleep
    for _ in $(seq "$ROUNDS"); do
      # perf counts the server's events while dnsperf, its workload, runs.
      perf stat -x, -e "$events" -p "$SERVER" -o "$WORK/perf.txt" -- \
        dnsperf -s 127.0.0.1 -p "$PORT" -c 8 -T 1 -n 1 -d "$WORK/q100k/queries.txt" -q 100 > "$WORK/dnsperf.txt" 2>&1
      n=$(awk '/Queries completed:/ {print $3}' "$WORK/dnsperf.txt")
      while IFS=, read -r count _ event _; do
        [[ $count =~ ^[0-9]+$ ]] || continue
        per[$event]+=" $(awk -v c="$count" -v n="$n" 'BEGIN { printf "%.3f", c / n }')"
      done < "$WORK/perf.txt"
    done
    echo "  per query, natively (medians of $ROUNDS passes of 100,000 queries, -q 100):"
    for e in raw_syscalls:sys_enter context-switches syscalls:sys_enter_recvmmsg syscalls:sys_enter_sendmmsg syscalls:sys_enter_recvfrom syscalls:sys_enter_sendto syscalls:sys_enter_epoll_pwait syscalls:sys_enter_futex syscalls:sys_enter_nanosleep; do
      # shellcheck disable=SC2086
      printf '    %-28s %s\n' "${e#syscalls:sys_enter_}" "$(median ${per[$e]})"
    done
    unset per
    stop
  fi
done
