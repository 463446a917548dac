#!/usr/bin/env bash
# Starts the machine's PostgreSQL cluster and makes sure the test role and database exist.
# Prints the connection URL on stdout (and nothing else there). Used by .ci/run and by the jest
# global set-up when TEST_DATABASE_URL is not given. Needs root (pg_ctlcluster, su postgres).
set -euo pipefail
log() { echo "start-postgres: $*" >&2; }
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  log "PostgreSQL is not installed (apt-get install -y postgresql)"; exit 1
fi
read -r ver cluster port status _ < <(pg_lsclusters --no-header | head -n 1) || true
if [ -z "${ver:-}" ]; then
  ver=$(ls /usr/lib/postgresql | sort -n | tail -n 1); cluster=main
  log "creating cluster $ver/$cluster"; pg_createcluster "$ver" "$cluster" >&2
  read -r ver cluster port status _ < <(pg_lsclusters --no-header | head -n 1)
fi
if [ "$status" != "online" ]; then
  log "starting cluster $ver/$cluster on port $port"; pg_ctlcluster "$ver" "$cluster" start >&2
fi
psql_su() { su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -qtAc \"$1\""; }
if [ "$(psql_su "select 1 from pg_roles where rolname='ngc'")" != "1" ]; then
  psql_su "create role ngc login password 'ngc' createdb" >&2
fi
if [ "$(psql_su "select 1 from pg_database where datname='ngc_test'")" != "1" ]; then
  psql_su "create database ngc_test owner ngc" >&2
fi
echo "postgres://ngc:ngc@127.0.0.1:$port/ngc_test"
