#!/usr/bin/env bash
# Real DNS servers for the provider integration tests (test/providers), each
# on 127.0.0.1 in its own folder: no systemd, no privileged port, no query
# leaving the machine. BIND, PowerDNS and etcd come from Debian (.ci/run
# installs them); CoreDNS from hack/coredns.sh.
#
#   hack/dns-servers.sh prepare SERVER DIR   write DIR's config and data once
#                                            (kept on later calls, so a
#                                            restarted server keeps its data),
#                                            then print the command that runs
#                                            it in the foreground, one
#                                            argument per line
#   hack/dns-servers.sh start SERVER DIR     prepare, run in the background,
#                                            wait until it answers
#   hack/dns-servers.sh stop SERVER DIR      stop what start started
#
# SERVER is bind, pdns, etcd or coredns. Settings, from the environment:
#   ZONE=example.test       the zone served (BIND, PowerDNS, CoreDNS)
#   PORT                    DNS port (BIND 15353, PowerDNS 15355, CoreDNS 15357)
#   API_PORT=18081          PowerDNS REST API;  API_KEY=ci-secret
#   ETCD_PORT=12379, ETCD_PEER_PORT=12380, ETCD_URL (CoreDNS's etcd)
#   TSIG_NAME=ci-key, TSIG_SECRET (base64; default: a new random key)
#   EXTRA_RECORDS=FILE      zone-file lines added to BIND's zone
#   DNSSEC=1                BIND signs the zone (dnssec-policy default)
#   COREDNS_BIN             the CoreDNS binary
set -euo pipefail
CMD=${1:?usage: dns-servers.sh prepare|start|stop SERVER DIR}
SERVER=${2:?usage: dns-servers.sh prepare|start|stop SERVER DIR}
DIR=${3:?usage: dns-servers.sh prepare|start|stop SERVER DIR}
ZONE=${ZONE:-example.test}
TSIG_NAME=${TSIG_NAME:-ci-key}
API_KEY=${API_KEY:-ci-secret}

prepare_bind() {
  local port=${PORT:-15353}
  if [ ! -e "$DIR/named.conf" ]; then
    mkdir -p "$DIR/keys"
    local secret=${TSIG_SECRET:-$(head -c 32 /dev/urandom | base64)}
    printf 'key "%s" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' "$TSIG_NAME" "$secret" > "$DIR/tsig.key"
    {
      printf '$TTL 300\n@ IN SOA ns1.%s. hostmaster.%s. ( 1 3600 600 86400 60 )\n  IN NS ns1.%s.\nns1 IN A 127.0.0.1\n' "$ZONE" "$ZONE" "$ZONE"
      [ -z "${EXTRA_RECORDS:-}" ] || cat "$EXTRA_RECORDS"
    } > "$DIR/zone.db"
    local signing=""
    [ "${DNSSEC:-0}" = 1 ] && signing="dnssec-policy default; key-directory \"$DIR/keys\";"
    cat > "$DIR/named.conf" <<CONF
include "$DIR/tsig.key";
options {
    directory "$DIR";
    pid-file "$DIR/named.pid";
    session-keyfile "$DIR/session.key";
    listen-on port $port { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
    notify no;
    dnssec-validation no;
};
controls { };
zone "$ZONE" {
    type primary;
    file "$DIR/zone.db";
    allow-update { key "$TSIG_NAME"; };
    allow-transfer { key "$TSIG_NAME"; };
    $signing
};
CONF
    named-checkconf "$DIR/named.conf" >&2
    named-checkzone "$ZONE" "$DIR/zone.db" >&2
  fi
  printf '%s\n' named -g -c "$DIR/named.conf"
}

prepare_pdns() {
  local port=${PORT:-15355} api=${API_PORT:-18081}
  if [ ! -e "$DIR/pdns.conf" ]; then
    mkdir -p "$DIR"
    sqlite3 "$DIR/pdns.sqlite3" < /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
    cat > "$DIR/pdns.conf" <<CONF
launch=gsqlite3
gsqlite3-database=$DIR/pdns.sqlite3
local-address=127.0.0.1
local-port=$port
socket-dir=$DIR
daemon=no
guardian=no
disable-syslog=yes
security-poll-suffix=
default-soa-content=ns1.@ hostmaster.@ 0 10800 3600 604800 60
api=yes
api-key=$API_KEY
webserver=yes
webserver-address=127.0.0.1
webserver-port=$api
webserver-allow-from=127.0.0.0/8
CONF
  fi
  printf '%s\n' pdns_server --config-dir="$DIR"
}

prepare_etcd() {
  local port=${ETCD_PORT:-12379} peer=${ETCD_PEER_PORT:-12380}
  mkdir -p "$DIR"
  printf '%s\n' etcd --name ci --data-dir "$DIR/data" \
    --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "ci=http://127.0.0.1:$peer" --initial-cluster-state new --log-level warn --logger zap
}

prepare_coredns() {
  local port=${PORT:-15357}
  : "${COREDNS_BIN:?COREDNS_BIN must name the CoreDNS binary (hack/coredns.sh builds it)}"
  if [ ! -e "$DIR/Corefile" ]; then
    mkdir -p "$DIR"
    cat > "$DIR/Corefile" <<CONF
$ZONE:$port {
    bind 127.0.0.1
    etcd $ZONE {
        path /skydns
        endpoint ${ETCD_URL:-http://127.0.0.1:12379}
    }
    errors
}
CONF
  fi
  printf '%s\n' "$COREDNS_BIN" -conf "$DIR/Corefile"
}

ready() { # bounded: 20 s
  local i
  for i in $(seq 400); do
    case $SERVER in
      bind) dig +time=1 +tries=1 @127.0.0.1 -p "${PORT:-15353}" "$ZONE" SOA +short 2>/dev/null | grep -q . && return 0 ;;
      pdns) curl -sf -H "X-API-Key: $API_KEY" "http://127.0.0.1:${API_PORT:-18081}/api/v1/servers/localhost" >/dev/null && return 0 ;;
      etcd) curl -sf "http://127.0.0.1:${ETCD_PORT:-12379}/health" >/dev/null && return 0 ;;
      coredns) dig +time=1 +tries=1 @127.0.0.1 -p "${PORT:-15357}" "$ZONE" SOA 2>/dev/null | grep -q NOERROR && return 0 ;;
    esac
    kill -0 "$(cat "$DIR/launch.pid")" 2>/dev/null || break
    sleep 0.05
  done
  echo "$SERVER did not start; log:" >&2; cat "$DIR/server.log" >&2; return 1
}

case $CMD in
  prepare) "prepare_$SERVER" ;;
  start)
    mapfile -t argv < <("prepare_$SERVER")
    "${argv[@]}" > "$DIR/server.log" 2>&1 < /dev/null &
    echo $! > "$DIR/launch.pid"
    ready && echo "$SERVER ready"
    ;;
  stop)
    [ -s "$DIR/launch.pid" ] || exit 0
    pid=$(cat "$DIR/launch.pid")
    kill "$pid" 2>/dev/null || exit 0
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    ;;
  *) echo "usage: $0 prepare|start|stop SERVER DIR" >&2; exit 2 ;;
esac
