#!/usr/bin/env bash
# Start or stop the single-node OpenSearch 2.19 of deploy/opensearch-node on 127.0.0.1.
#   node.sh start   builds the node if needed (Maven, quiet), starts it with its data in a new
#                   temporary directory, waits until `GET /` answers, prints its URL on stdout
#   node.sh stop    stops it and removes its data
#   node.sh status  exit 0 when the node of the pid file answers
# Settings (environment): OPENSEARCH_PORT (9200), OPENSEARCH_HEAP (512m),
# OPENSEARCH_START_TIMEOUT in seconds (240), OPENSEARCH_STATE_DIR (var/opensearch),
# JAVA_HOME (a Java 17; default the Debian one when present).
# Logs go to stderr; only the URL goes to stdout, so `URL=$(node.sh start)` works.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${OPENSEARCH_PORT:-9200}"
heap="${OPENSEARCH_HEAP:-512m}"
timeout="${OPENSEARCH_START_TIMEOUT:-240}"
state="${OPENSEARCH_STATE_DIR:-$root/var/opensearch}"
pidfile="$state/node.pid"
homefile="$state/node.home"
url="http://127.0.0.1:$port"
log() { echo "[opensearch] $*" >&2; }

if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
answers() { curl -fsS -m 5 "$url/" >/dev/null 2>&1; }

build() {
  local jar="$here/target/opensearch-node.jar"
  if [ -f "$jar" ] && [ -z "$(find "$here/pom.xml" "$here/src" -newer "$jar" -type f)" ]; then
    return
  fi
  command -v mvn >/dev/null || { log "Maven (mvn) is needed to build the node"; exit 1; }
  log "building the node (the first build downloads ~70 MB from Maven Central into ~/.m2)"
  local started; started=$(date +%s)
  (cd "$here" && timeout 900 mvn -q -B package) >&2 || { log "Maven build failed"; exit 1; }
  log "built in $(( $(date +%s) - started )) s"
}

start() {
  if running; then
    answers && { log "already running (pid $(cat "$pidfile"))"; echo "$url"; return; }
    log "pid $(cat "$pidfile") is alive but $url does not answer"; exit 1
  fi
  if answers; then log "something else already answers on $url"; exit 1; fi
  "$java" -version >/dev/null 2>&1 || { log "no Java found (set JAVA_HOME to a Java 17)"; exit 1; }
  build
  mkdir -p "$state"
  local home; home=$(mktemp -d "${TMPDIR:-/tmp}/catalogue-opensearch.XXXXXX")
  echo "$home" > "$homefile"
  log "starting on $url (heap $heap, data in $home)"
  local started; started=$(date +%s)
  # setsid: the node outlives this script, and `stop` ends it by its own pid.
  setsid "$java" "-Xms$heap" "-Xmx$heap" -XX:+UseSerialGC -Djava.awt.headless=true \
    -jar "$here/target/opensearch-node.jar" "$home" "$port" >"$home/node.log" 2>&1 </dev/null &
  echo $! > "$pidfile"
  while ! answers; do
    if ! running; then
      log "the node exited during start; its log:"; tail -n 40 "$home/node.log" >&2
      rm -f "$pidfile"; exit 1
    fi
    if [ $(( $(date +%s) - started )) -ge "$timeout" ]; then
      log "no answer on $url after $timeout s; stopping it. Its log:"
      tail -n 40 "$home/node.log" >&2; stop; exit 1
    fi
    sleep 1
  done
  log "ready in $(( $(date +%s) - started )) s (pid $(cat "$pidfile"))"
  echo "$url"
}

stop() {
  if running; then
    local pid; pid=$(cat "$pidfile")
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then log "pid $pid still alive after 30 s: killing it"; kill -9 "$pid"; fi
    log "stopped (pid $pid)"
  fi
  rm -f "$pidfile"
  if [ -f "$homefile" ]; then
    local home; home=$(cat "$homefile")
    case "$home" in */catalogue-opensearch.*) rm -rf "$home" ;; esac
    rm -f "$homefile"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running && answers ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
