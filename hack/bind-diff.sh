#!/usr/bin/env bash
# Start BIND 9 as the reference server of the differential test
# (test/dnsdiff): authoritative only, on 127.0.0.1, in its own folder, no
# systemd, no privileged port. Modelled on the shared DNS-servers recipe.
#
#   usage: hack/bind-diff.sh start RUNDIR PORT ZONE=FILE [ZONE=FILE...]
#          hack/bind-diff.sh stop RUNDIR
#
# Options that make the comparison fair (each is listed, with its reason, in
# test/dnsdiff/README.md):
#   minimal-responses no-auth   no NS in the authority section of positive
#                               answers; exodns adds none (RFC 2181 sec. 6.1
#                               leaves it to the server)
#   rate-limit (absent)         BIND has no RRL unless configured; the test
#                               sends hundreds of identical queries
#   notify no, recursion no     an authoritative-only server, like exodns
set -euo pipefail
CMD=${1:?usage: bind-diff.sh start RUNDIR PORT ZONE=FILE... | stop RUNDIR}
RUN=${2:?usage: bind-diff.sh start RUNDIR PORT ZONE=FILE... | stop RUNDIR}

start() {
  local port=${1:?port}; shift
  mkdir -p "$RUN"
  rm -f "$RUN"/*.jnl
  {
    cat <<CONF
options {
    directory "$RUN";
    pid-file "$RUN/named.pid";
    session-keyfile "$RUN/session.key";
    listen-on port $port { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
    notify no;
    dnssec-validation no;
    minimal-responses no-auth;
};
controls { };
CONF
    local z
    for z in "$@"; do
      printf 'zone "%s" { type primary; file "%s"; };\n' "${z%%=*}" "${z#*=}"
    done
  } > "$RUN/named.conf"
  named-checkconf "$RUN/named.conf"
  for z in "$@"; do named-checkzone "${z%%=*}" "${z#*=}" >/dev/null || { named-checkzone "${z%%=*}" "${z#*=}" >&2; return 1; }; done
  named -g -c "$RUN/named.conf" > "$RUN/named.log" 2>&1 &
  echo $! > "$RUN/named.pid.launch"
  local first=${1%%=*}
  for _ in $(seq 200); do
    if dig +time=1 +tries=1 @127.0.0.1 -p "$port" "$first" SOA +short 2>/dev/null | grep -q .; then
      echo "bind ready on 127.0.0.1:$port"; return 0
    fi
    kill -0 "$(cat "$RUN/named.pid.launch")" 2>/dev/null || break
    sleep 0.05
  done
  echo "bind did not start; log:" >&2; cat "$RUN/named.log" >&2; return 1
}

stop() {
  local pid
  [ -s "$RUN/named.pid.launch" ] || return 0
  pid=$(cat "$RUN/named.pid.launch")
  kill "$pid" 2>/dev/null || return 0
  # Bounded wait, then SIGKILL.
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

case $CMD in
  start) shift 2; start "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start RUNDIR PORT ZONE=FILE... | stop RUNDIR" >&2; exit 2 ;;
esac
