#!/usr/bin/env bash
# Compare exodns's embedded DNS server with Knot DNS and BIND 9 on the same
# zone: a 10k-record zone (A, with one CNAME and one TXT in twenty), served
# by each on its own port of 127.0.0.1, each hit by dnsperf with the same
# query file and settings (-c 8 -T 1 by default, as issue 13 measures).
# Prints queries/s and the server's CPU time per query (user and system)
# for each, and the ratios exodns/Knot and exodns/BIND.
#
# With BASE=REV (a git revision), exodns as built from REV takes part too,
# as exodns@REV: before and after a change in one run.
#
# Ports (PORT_BASE+): BIND 3, exodns 4, exodns with RRL 5, Knot 6,
# exodns@BASE 7. The
# default base, 25350, keeps clear of the provider tests' servers
# (/work/shared/recipes/dns-servers.sh uses 15353-15357).
#
# With RRL=1 (the default) a fourth server, exodns with response rate
# limiting on, takes part. dnsperf sends everything from one address, which
# any real limit would throttle, so its rate is set out of reach
# (RRL_RATE): every response still goes through the limiter's table, and
# the difference to the plain exodns is what RRL costs ordinary traffic.
#
# CPU per query is the server process's user+system time (from
# /proc/PID/stat) over the run, divided by the queries dnsperf completed.
# On a shared machine it moves less than queries/s, which also counts the
# time the neighbours take.
#
# usage: hack/dnsperf/run.sh [SECONDS]
# env:   RECORDS (10000)  CLIENTS (8)  THREADS (1)  OUTSTANDING (100)
#        ROUNDS (3)  RRL (1)  RRL_RATE (1000000000)  KNOT (1)  PORT_BASE (25350)
#        BASE (a git revision to compare with; none by default)
#        PROFILE=1 (Go CPU profile of exodns, top functions printed at the end)
#        PERF=1 (after the rounds, perf record -e cpu-clock of exodns and of
#                Knot, kernel included, one DURATION run each; needs perf)
#        KEEP=1 (keep the work dir)
# needs: go, named, named-checkzone, knotd, dig, dnsperf; perf for PERF=1
#        (apt-get install -y bind9 bind9-dnsutils knot dnsperf linux-perf)
set -euo pipefail

DURATION=${1:-20}
ROUNDS=${ROUNDS:-3}
RECORDS=${RECORDS:-10000}
CLIENTS=${CLIENTS:-8}
THREADS=${THREADS:-1}
OUTSTANDING=${OUTSTANDING:-100}
PORT_BASE=${PORT_BASE:-25350}
BIND_PORT=$((PORT_BASE + 3))
EXO_PORT=$((PORT_BASE + 4))
RRL_PORT=$((PORT_BASE + 5))
KNOT_PORT=$((PORT_BASE + 6))
BASE_PORT=$((PORT_BASE + 7))
RRL=${RRL:-1}
RRL_RATE=${RRL_RATE:-1000000000}
KNOT=${KNOT:-1}
ZONE=bench.test

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/exodns-dnsperf.XXXXXX")
PIDS=()

NEEDS=(go named named-checkzone dig dnsperf)
[ "$KNOT" = 1 ] && NEEDS+=(knotd)
[ "${PERF:-}" = 1 ] && NEEDS+=(perf)
for bin in "${NEEDS[@]}"; do
  command -v "$bin" >/dev/null || { echo "missing $bin (apt-get install -y bind9 bind9-dnsutils knot dnsperf linux-perf)" >&2; exit 2; }
done

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    # Bounded wait: a server that ignores SIGTERM gets SIGKILL after ~5 s.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "${KEEP:-}" = 1 ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# wait_for NAME PORT: until the server answers the zone's SOA, at most 10 s.
wait_for() {
  for _ in $(seq 100); do
    if dig +time=1 +tries=1 @127.0.0.1 -p "$2" "$ZONE" SOA +short 2>/dev/null | grep -q .; then
      echo "$1 ready on 127.0.0.1:$2"; return 0
    fi
    sleep 0.1
  done
  echo "$1 did not start on port $2" >&2; return 1
}

echo "== building and generating $RECORDS records in $WORK"
(cd "$ROOT" && go build -o "$WORK/serve" ./hack/dnsperf/serve)
if [ -n "${BASE:-}" ]; then
  mkdir -p "$WORK/base-src"
  git -C "$ROOT" archive "$BASE" | tar -x -C "$WORK/base-src"
  (cd "$WORK/base-src" && go build -o "$WORK/serve-base" ./hack/dnsperf/serve)
fi
"$WORK/serve" -gen "$WORK" -n "$RECORDS"
named-checkzone -q "$ZONE" "$WORK/$ZONE.zone"

# The servers taking part: NAMES[i] answers on PORTS[i], process SPIDS[i].
NAMES=(); PORTS=(); SPIDS=()

echo "== starting BIND"
mkdir -p "$WORK/bind"
cat > "$WORK/bind/named.conf" <<CONF
options {
    directory "$WORK/bind";
    pid-file "$WORK/bind/named.pid";
    session-keyfile "$WORK/bind/session.key";
    listen-on port $BIND_PORT { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
    notify no;
    dnssec-validation no;
    minimal-responses yes;
};
controls { };
zone "$ZONE" { type primary; file "$WORK/$ZONE.zone"; };
CONF
named -g -c "$WORK/bind/named.conf" > "$WORK/bind/named.log" 2>&1 &
PIDS+=($!); NAMES+=(BIND); PORTS+=("$BIND_PORT"); SPIDS+=($!)
wait_for bind "$BIND_PORT"

if [ "$KNOT" = 1 ]; then
  echo "== starting Knot"
  # Knot keeps its journal and timers under database.storage, which must
  # exist before it starts. No journal, no zone file writes: it only serves.
  mkdir -p "$WORK/knot/db"
  cat > "$WORK/knot/knot.conf" <<CONF
server:
    rundir: "$WORK/knot"
    pidfile: "$WORK/knot/knot.pid"
    listen: 127.0.0.1@$KNOT_PORT
log:
  - target: stderr
    any: warning
database:
    storage: "$WORK/knot/db"
zone:
  - domain: $ZONE
    storage: "$WORK"
    file: "$ZONE.zone"
    zonefile-sync: -1
    journal-content: none
CONF
  knotd -c "$WORK/knot/knot.conf" > "$WORK/knot/knot.log" 2>&1 &
  PIDS+=($!); NAMES+=(Knot); PORTS+=("$KNOT_PORT"); SPIDS+=($!)
  wait_for knot "$KNOT_PORT"
fi

echo "== starting exodns"
PROFILE_ARGS=()
[ "${PROFILE:-}" = 1 ] && PROFILE_ARGS=(-cpuprofile "$WORK/exodns.cpu")
"$WORK/serve" -listen "127.0.0.1:$EXO_PORT" -n "$RECORDS" "${PROFILE_ARGS[@]}" > "$WORK/exodns.log" 2>&1 &
EXO_PID=$!
PIDS+=("$EXO_PID"); NAMES+=(exodns); PORTS+=("$EXO_PORT"); SPIDS+=("$EXO_PID")
wait_for exodns "$EXO_PORT"
if [ "$RRL" = 1 ]; then
  "$WORK/serve" -listen "127.0.0.1:$RRL_PORT" -n "$RECORDS" -rrl-rate "$RRL_RATE" > "$WORK/exodns-rrl.log" 2>&1 &
  PIDS+=($!); NAMES+=(exodns+RRL); PORTS+=("$RRL_PORT"); SPIDS+=($!)
  wait_for "exodns (RRL on)" "$RRL_PORT"
fi

if [ -n "${BASE:-}" ]; then
  "$WORK/serve-base" -listen "127.0.0.1:$BASE_PORT" -n "$RECORDS" > "$WORK/exodns-base.log" 2>&1 &
  PIDS+=($!); NAMES+=("exodns@$BASE"); PORTS+=("$BASE_PORT"); SPIDS+=($!)
  wait_for "exodns@$BASE" "$BASE_PORT"
fi

echo "== same answers as BIND?"
for q in "host1.$ZONE A" "alias0.$ZONE A" "txt10.$ZONE TXT" "missing1.$ZONE A" "host3.$ZONE AAAA"; do
  # shellcheck disable=SC2086
  b=$(dig +time=1 +tries=1 @127.0.0.1 -p $BIND_PORT $q +noall +answer +comments | grep -E 'status|IN' | sed 's/id: [0-9]*//' | sort)
  for i in "${!NAMES[@]}"; do
    [ "${PORTS[$i]}" = "$BIND_PORT" ] && continue
    # shellcheck disable=SC2086
    e=$(dig +time=1 +tries=1 @127.0.0.1 -p ${PORTS[$i]} $q +noall +answer +comments | grep -E 'status|IN' | sed 's/id: [0-9]*//' | sort)
    if [ "$b" = "$e" ]; then echo "  ok   ${NAMES[$i]}: $q"; else
      echo "  DIFF ${NAMES[$i]}: $q"; echo "$b" | sed 's/^/    BIND: /'; echo "$e" | sed "s/^/    ${NAMES[$i]}: /"; fi
  done
done

# cpu_ticks PID: user and system clock ticks the process has used so far.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12, $13 }' "/proc/$1/stat"; }
# thread_ticks PID: "TID TICKS" for each of the process's threads, user
# and system together.
thread_ticks() {
  local f
  for f in /proc/"$1"/task/*/stat; do
    awk -v f="$f" '{ sub(/^.*\) /, ""); print f, $12 + $13 }' "$f" 2>/dev/null || true
  done
}
# idle_ticks: the machine's idle clock ticks so far, all cores.
idle_ticks() { awk '/^cpu / { print $5 }' /proc/stat; }
TICK=$(getconf CLK_TCK)

# perf I: one dnsperf run of DURATION against server I. Sets QPS, CPU_US
# (server CPU per completed query, in microseconds) and its parts USR_US
# and SYS_US: the kernel's share (system calls, the loopback delivery the
# sender pays for, context switches) is most of it, and a change in user
# space shows only in USR_US.
#
# It also sets CLIENT_BUSY, the share of a core dnsperf's busiest thread
# used, CLIENT_US, dnsperf's own CPU per query, and IDLE, the cores the
# machine left idle, over the run but its first and last second (runs of
# 5 s or more): with the busiest client thread near a whole core, queries/s
# is the client's ceiling, whichever server answers.
run_one() {
  local i=$1 d=$2 out u0 s0 u1 s1 done dp w
  out="$WORK/dnsperf-${PORTS[$i]}-$d.txt"
  read -r u0 s0 < <(cpu_ticks "${SPIDS[$i]}")
  dnsperf -s 127.0.0.1 -p "${PORTS[$i]}" -d "$WORK/queries.txt" -l "$d" \
    -c "$CLIENTS" -T "$THREADS" -q "$OUTSTANDING" > "$out" 2>&1 &
  dp=$!
  CLIENT_BUSY=; CLIENT_US=; IDLE=
  if [ "$d" -ge 5 ]; then
    w=$((d - 2))
    sleep 1
    thread_ticks "$dp" > "$WORK/threads0"; idle_ticks > "$WORK/idle0"
    sleep "$w"
    thread_ticks "$dp" > "$WORK/threads1"; idle_ticks > "$WORK/idle1"
  fi
  wait "$dp"
  read -r u1 s1 < <(cpu_ticks "${SPIDS[$i]}")
  QPS=$(awk '/Queries per second:/ {print $4}' "$out")
  done=$(awk '/Queries completed:/ {print $3}' "$out")
  per_query() { awk -v t="$1" -v hz="$TICK" -v n="$done" 'BEGIN { printf "%.2f", (n > 0) ? t * 1e6 / hz / n : 0 }'; }
  CPU_US=$(per_query $((u1 - u0 + s1 - s0)))
  USR_US=$(per_query $((u1 - u0)))
  SYS_US=$(per_query $((s1 - s0)))
  if [ -n "${w:-}" ]; then
    read -r CLIENT_BUSY CLIENT_US < <(awk -v hz="$TICK" -v w="$w" -v q="$QPS" 'NR == FNR { t0[$1] = $2; next }
      { d = $2 - t0[$1]; s += d; if (d > m) m = d }
      END { printf "%.0f %.2f\n", 100 * m / hz / w, (q > 0) ? s * 1e6 / hz / (q * w) : 0 }' "$WORK/threads0" "$WORK/threads1")
    IDLE=$(awk -v hz="$TICK" -v w="$w" 'NR == 1 { i0 = $1; next } { printf "%.2f", ($1 - i0) / hz / w }' "$WORK/idle0" "$WORK/idle1")
  fi
}
summary() { grep -E 'Queries (sent|completed|lost)|Response codes|Average Latency' "$WORK/dnsperf-$1-$DURATION.txt" | sed 's/^ */    /'; }

echo "== warm-up (2 s each)"
for i in "${!NAMES[@]}"; do run_one "$i" 2; done

# The servers take turns, ROUNDS times, each round starting one server
# later, and the median counts: on a shared machine a single run says as
# much about the neighbours as about the server.
N=${#NAMES[@]}
declare -A ALL_QPS ALL_CPU ALL_USR ALL_SYS ALL_BUSY ALL_CLIENT ALL_IDLE
echo "== dnsperf: ${DURATION}s x $ROUNDS rounds each, -c $CLIENTS -T $THREADS -q $OUTSTANDING, $(nproc) cores"
for round in $(seq "$ROUNDS"); do
  line="  round $round:"
  for k in $(seq 0 $((N - 1))); do
    i=$(( (k + round - 1) % N ))
    run_one "$i" "$DURATION"
    ALL_QPS[$i]="${ALL_QPS[$i]:-} $QPS"; ALL_CPU[$i]="${ALL_CPU[$i]:-} $CPU_US"
    ALL_USR[$i]="${ALL_USR[$i]:-} $USR_US"; ALL_SYS[$i]="${ALL_SYS[$i]:-} $SYS_US"
    line+=$(printf ' %s %.0f q/s (%s us/q: %s usr + %s sys' "${NAMES[$i]}" "$QPS" "$CPU_US" "$USR_US" "$SYS_US")
    if [ -n "$CLIENT_BUSY" ]; then
      ALL_BUSY[$i]="${ALL_BUSY[$i]:-} $CLIENT_BUSY"; ALL_CLIENT[$i]="${ALL_CLIENT[$i]:-} $CLIENT_US"; ALL_IDLE[$i]="${ALL_IDLE[$i]:-} $IDLE"
      line+=$(printf '; dnsperf %s us/q, busiest thread %s%%; idle %s cores' "$CLIENT_US" "$CLIENT_BUSY" "$IDLE")
    fi
    line+="),"
  done
  echo "${line%,}"
done

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
spread() { printf '%s\n' "$@" | sort -g | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%.0f-%.0f", lo, hi}'; }
declare -A MED MEDCPU CEIL
echo "== medians of $ROUNDS rounds (range), CPU per query"
for i in "${!NAMES[@]}"; do
  # shellcheck disable=SC2086
  MED[${NAMES[$i]}]=$(median ${ALL_QPS[$i]})
  # shellcheck disable=SC2086
  printf '  %-11s %8.0f q/s (%s)  %s us/q (CPU, median; user %s, system %s)\n' "${NAMES[$i]}" "${MED[${NAMES[$i]}]}" "$(spread ${ALL_QPS[$i]})" \
    "$(median ${ALL_CPU[$i]})" "$(median ${ALL_USR[$i]})" "$(median ${ALL_SYS[$i]})"
  MEDCPU[${NAMES[$i]}]=$(median ${ALL_CPU[$i]})
done
echo "== the client, medians: dnsperf's CPU per query, its busiest thread's share of a core, the machine's idle cores"
for i in "${!NAMES[@]}"; do
  [ -n "${ALL_BUSY[$i]:-}" ] || continue
  # shellcheck disable=SC2086
  printf '  against %-11s dnsperf %s us/q, busiest thread %s%% of a core, %s cores idle;' "${NAMES[$i]}" \
    "$(median ${ALL_CLIENT[$i]})" "$(median ${ALL_BUSY[$i]})" "$(median ${ALL_IDLE[$i]})"
  # The most this machine could answer with no core idle: its cores over
  # the client's and the server's CPU per query together.
  # shellcheck disable=SC2086
  CEIL[${NAMES[$i]}]=$(awk -v n="$(nproc)" -v c="$(median ${ALL_CLIENT[$i]})" -v s="${MEDCPU[${NAMES[$i]}]}" 'BEGIN { printf "%.0f", n * 1e6 / (c + s) }')
  printf ' ceiling with no core idle %s q/s\n' "${CEIL[${NAMES[$i]}]}"
done
if [ "$KNOT" = 1 ] && [ -n "${CEIL[exodns]:-}" ]; then
  awk -v e="${CEIL[exodns]}" -v k="${MED[Knot]}" 'BEGIN { printf "  exodns'"'"'s ceiling over Knot'"'"'s measured queries/s: %.2f (the client'"'"'s own CPU per query bounds it)\n", e / k }'
fi
echo "  versions: BIND $(named -v | awk '{print $2}')$([ "$KNOT" = 1 ] && echo ", Knot $(knotd -V | awk '{print $NF}')")"
for i in "${!NAMES[@]}"; do
  echo "  ${NAMES[$i]}, last run:"; summary "${PORTS[$i]}"
done
ratio() { awk -v e="$2" -v b="$3" -v n="$1" 'BEGIN { if (b > 0) printf "  ratio %s: %.2f\n", n, e / b }'; }
[ "$KNOT" = 1 ] && ratio exodns/Knot "${MED[exodns]}" "${MED[Knot]}"
# Queries per second of server CPU: what each server could answer with
# the client off the machine, one core each.
[ "$KNOT" = 1 ] && awk -v e="${MEDCPU[exodns]}" -v k="${MEDCPU[Knot]}" 'BEGIN { if (e > 0) printf "  ratio exodns/Knot in queries per CPU-second (server CPU per query, Knot over exodns): %.2f\n", k / e }' 
ratio exodns/BIND "${MED[exodns]}" "${MED[BIND]}"
[ -n "${BASE:-}" ] && ratio "exodns/exodns@$BASE" "${MED[exodns]}" "${MED[exodns@$BASE]}"
if [ "$RRL" = 1 ]; then
  # Paired by round: each round's two runs are seconds apart, so the mean of
  # the per-round differences cancels most of what the neighbours do.
  e_i=-1; r_i=-1
  for i in "${!NAMES[@]}"; do
    [ "${NAMES[$i]}" = exodns ] && e_i=$i
    [ "${NAMES[$i]}" = exodns+RRL ] && r_i=$i
  done
  # shellcheck disable=SC2086
  paste -d' ' <(printf '%s\n' ${ALL_QPS[$e_i]}) <(printf '%s\n' ${ALL_QPS[$r_i]}) |
    awk '{ d = 100 * ($1 - $2) / $1; s += d; ss += d * d; n++ }
         END { m = s / n; sd = (n > 1) ? sqrt((ss - n * m * m) / (n - 1)) : 0
               printf "  RRL cost: %.1f %% of queries/s (mean of %d paired rounds, sd %.1f)\n", m, n, sd }'
fi

if [ "${PERF:-}" = 1 ]; then
  for i in "${!NAMES[@]}"; do
    case ${NAMES[$i]} in exodns | Knot) ;; *) continue ;; esac
    echo "== perf: where ${NAMES[$i]} spends its CPU (cpu-clock samples, kernel included)"
    perf record -q -e cpu-clock -p "${SPIDS[$i]}" -o "$WORK/perf-${NAMES[$i]}.data" -- sleep "$DURATION" 2>/dev/null &
    PERF_PID=$!
    run_one "$i" "$DURATION"
    wait "$PERF_PID" || true
    echo "  $(printf '%.0f' "$QPS") q/s, $CPU_US us/q while recording"
    perf report -q -i "$WORK/perf-${NAMES[$i]}.data" --no-children --sort sym --percent-limit 0.7 2>/dev/null | head -40
  done
fi

if [ "${PROFILE:-}" = 1 ]; then
  kill "$EXO_PID"
  for _ in $(seq 50); do kill -0 "$EXO_PID" 2>/dev/null || break; sleep 0.1; done
  echo "== where exodns spends its time (Go profile, user space only)"
  go tool pprof -top -nodecount=25 "$WORK/serve" "$WORK/exodns.cpu" 2>/dev/null | head -32
fi
