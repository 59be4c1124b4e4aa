#!/usr/bin/env bash
# Compare exodns's embedded DNS server with BIND 9 on the same zone: a
# 10k-record zone (A, with one CNAME and one TXT in twenty), served by named
# on 127.0.0.1:15353 and by exodns on 127.0.0.1:15354, each hit by dnsperf
# with the same query file and settings. Prints queries/s and the ratio.
#
# With RRL=1 (the default) a third server, exodns with response rate
# limiting on, runs on 127.0.0.1:15355. dnsperf sends everything from one
# address, which any real limit would throttle, so its rate is set out of
# reach (RRL_RATE): every response still goes through the limiter's table,
# and the difference to the plain exodns is what RRL costs ordinary traffic.
#
# usage: hack/dnsperf/run.sh [SECONDS]
# env:   RECORDS (10000)  CLIENTS (4)  OUTSTANDING (100)  ROUNDS (3)
#        RRL (1)  RRL_RATE (1000000000)
#        PROFILE=1 (CPU profile of exodns, top functions printed at the end)
#        KEEP=1 (keep the work dir)
# needs: go, named, named-checkzone, dig, dnsperf
#        (apt-get install -y bind9 bind9-dnsutils dnsperf)
set -euo pipefail

DURATION=${1:-20}
ROUNDS=${ROUNDS:-3}
RECORDS=${RECORDS:-10000}
CLIENTS=${CLIENTS:-4}
OUTSTANDING=${OUTSTANDING:-100}
BIND_PORT=15353
EXO_PORT=15354
RRL_PORT=15355
RRL=${RRL:-1}
RRL_RATE=${RRL_RATE:-1000000000}
ZONE=bench.test

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/exodns-dnsperf.XXXXXX")
PIDS=()

for bin in go named named-checkzone dig dnsperf; do
  command -v "$bin" >/dev/null || { echo "missing $bin (apt-get install -y bind9 bind9-dnsutils dnsperf)" >&2; exit 2; }
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
"$WORK/serve" -gen "$WORK" -n "$RECORDS"

echo "== starting BIND"
mkdir -p "$WORK/bind"
cat > "$WORK/bind/named.conf" <<EOF
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
EOF
named-checkzone -q "$ZONE" "$WORK/$ZONE.zone"
named -g -c "$WORK/bind/named.conf" > "$WORK/bind/named.log" 2>&1 &
PIDS+=($!)
wait_for bind "$BIND_PORT"

echo "== starting exodns"
PROFILE_ARGS=()
[ "${PROFILE:-}" = 1 ] && PROFILE_ARGS=(-cpuprofile "$WORK/exodns.cpu")
"$WORK/serve" -listen "127.0.0.1:$EXO_PORT" -n "$RECORDS" "${PROFILE_ARGS[@]}" > "$WORK/exodns.log" 2>&1 &
EXO_PID=$!
PIDS+=("$EXO_PID")
wait_for exodns "$EXO_PORT"
if [ "$RRL" = 1 ]; then
  "$WORK/serve" -listen "127.0.0.1:$RRL_PORT" -n "$RECORDS" -rrl-rate "$RRL_RATE" > "$WORK/exodns-rrl.log" 2>&1 &
  PIDS+=($!)
  wait_for "exodns (RRL on)" "$RRL_PORT"
fi

echo "== same answers?"
for q in "host1.$ZONE A" "alias0.$ZONE A" "txt10.$ZONE TXT" "missing1.$ZONE A" "host3.$ZONE AAAA"; do
  # shellcheck disable=SC2086
  b=$(dig +time=1 +tries=1 @127.0.0.1 -p $BIND_PORT $q +noall +answer +comments | grep -E 'status|IN' | sed 's/id: [0-9]*//' | sort)
  # shellcheck disable=SC2086
  e=$(dig +time=1 +tries=1 @127.0.0.1 -p $EXO_PORT $q +noall +answer +comments | grep -E 'status|IN' | sed 's/id: [0-9]*//' | sort)
  if [ "$b" = "$e" ]; then echo "  ok   $q"; else echo "  DIFF $q"; echo "$b" | sed 's/^/    bind:   /'; echo "$e" | sed 's/^/    exodns: /'; fi
done

# perf PORT: queries per second from one dnsperf run.
perf() {
  dnsperf -s 127.0.0.1 -p "$1" -d "$WORK/queries.txt" -l "$2" -c "$CLIENTS" -q "$OUTSTANDING" > "$WORK/dnsperf-$1-$2.txt" 2>&1
  awk '/Queries per second:/ {print $4}' "$WORK/dnsperf-$1-$2.txt"
}
summary() { grep -E 'Queries (sent|completed|lost)|Response codes|Average Latency' "$WORK/dnsperf-$1-$DURATION.txt" | sed 's/^ */    /'; }

echo "== warm-up (2 s each)"
perf "$BIND_PORT" 2 >/dev/null
perf "$EXO_PORT" 2 >/dev/null
[ "$RRL" = 1 ] && perf "$RRL_PORT" 2 >/dev/null

# The servers take turns, ROUNDS times, and the median counts: on a shared
# machine a single run says as much about the neighbours as about the server.
echo "== dnsperf: ${DURATION}s x $ROUNDS rounds each, $CLIENTS clients, $OUTSTANDING outstanding, $(nproc) cores"
BIND_ALL=(); EXO_ALL=(); RRL_ALL=()
for round in $(seq "$ROUNDS"); do
  b=$(perf "$BIND_PORT" "$DURATION"); BIND_ALL+=("$b")
  if [ "$RRL" = 1 ]; then
    # The two exodns take turns going first, so neither always runs on a
    # machine the other has just warmed (or tired).
    if [ $((round % 2)) = 1 ]; then
      e=$(perf "$EXO_PORT" "$DURATION"); r=$(perf "$RRL_PORT" "$DURATION")
    else
      r=$(perf "$RRL_PORT" "$DURATION"); e=$(perf "$EXO_PORT" "$DURATION")
    fi
    EXO_ALL+=("$e"); RRL_ALL+=("$r")
    printf '  round %d: BIND %.0f q/s, exodns %.0f q/s, exodns with RRL %.0f q/s\n' "$round" "$b" "$e" "$r"
  else
    e=$(perf "$EXO_PORT" "$DURATION"); EXO_ALL+=("$e")
    printf '  round %d: BIND %.0f q/s, exodns %.0f q/s\n' "$round" "$b" "$e"
  fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
BIND_QPS=$(median "${BIND_ALL[@]}")
EXO_QPS=$(median "${EXO_ALL[@]}")
echo "  BIND 9 ($(named -v | awk '{print $2}')): median $BIND_QPS q/s; last run:"
summary "$BIND_PORT"
echo "  exodns: median $EXO_QPS q/s; last run:"
summary "$EXO_PORT"
awk -v e="$EXO_QPS" -v b="$BIND_QPS" 'BEGIN { if (b > 0) printf "  ratio exodns/BIND: %.2f\n", e / b }'
if [ "$RRL" = 1 ]; then
  RRL_QPS=$(median "${RRL_ALL[@]}")
  echo "  exodns with RRL on (rate $RRL_RATE/s, so nothing is limited): median $RRL_QPS q/s; last run:"
  summary "$RRL_PORT"
  # Paired by round: each round's two runs are seconds apart, so the mean of
  # the per-round differences cancels most of what the neighbours do.
  paste -d' ' <(printf '%s\n' "${EXO_ALL[@]}") <(printf '%s\n' "${RRL_ALL[@]}") |
    awk '{ d = 100 * ($1 - $2) / $1; s += d; ss += d * d; n++ }
         END { m = s / n; sd = (n > 1) ? sqrt((ss - n * m * m) / (n - 1)) : 0
               printf "  RRL cost: %.1f %% of queries/s (mean of %d paired rounds, sd %.1f)\n", m, n, sd }'
fi

if [ "${PROFILE:-}" = 1 ]; then
  kill "$EXO_PID"
  for _ in $(seq 50); do kill -0 "$EXO_PID" 2>/dev/null || break; sleep 0.1; done
  echo "== where exodns spends its time"
  go tool pprof -top -nodecount=25 "$WORK/serve" "$WORK/exodns.cpu" 2>/dev/null | head -32
fi
