#!/usr/bin/env bash
# Start a PostgreSQL server on 127.0.0.1:5432 for the store suite, installing Debian's package
# when none is there. Database `test`, trust auth for `postgres` on loopback (tests only).
# Prints the test URL on stdout; everything else goes to stderr. Exit 1 when it cannot start.
set -euo pipefail
log() { echo "[postgres] $*" >&2; }

if command -v pg_isready >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q; then
  log "a server already answers on 127.0.0.1:5432"
else
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    log "installing Debian's postgresql"
    export DEBIAN_FRONTEND=noninteractive
    [ -n "${APT_UPDATED:-}" ] || apt-get update -qq >&2
    apt-get install -y -qq postgresql >/dev/null
  fi
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$version main"; then
    log "creating cluster $version/main"
    pg_createcluster "$version" main >&2
  fi
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -q "catalogue-tests" "$hba"; then
    # Trust on loopback only, for the throw-away test server; prepended so it wins.
    { echo "host all all 127.0.0.1/32 trust # catalogue-tests"
      echo "host all all ::1/128 trust # catalogue-tests"
      cat "$hba"; } > "$hba.new" && mv "$hba.new" "$hba"
    chown postgres:postgres "$hba"
  fi
  conf="/etc/postgresql/$version/main/postgresql.conf"
  grep -q "^listen_addresses" "$conf" || echo "listen_addresses = '127.0.0.1'" >> "$conf"
  grep -q "^port = 5432" "$conf" || sed -i 's/^port = .*/port = 5432/' "$conf"
  status=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}')
  if [ "$status" = "online" ]; then
    pg_ctlcluster "$version" main reload >&2
  else
    log "starting cluster $version/main"
    pg_ctlcluster "$version" main start >&2
  fi
  for _ in $(seq 1 60); do
    pg_isready -h 127.0.0.1 -p 5432 -q && break
    sleep 1
  done
  pg_isready -h 127.0.0.1 -p 5432 -q || { log "server did not become ready in 60 s"; exit 1; }
fi

if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" postgres \
    | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE test" postgres >&2
fi
echo "postgresql://postgres@127.0.0.1:5432/test"
