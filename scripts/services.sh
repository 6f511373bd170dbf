#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432, user postgres without password, database `test`) and Redis
# (127.0.0.1:6379) are installed and running, as the tests need them. Installs with apt-get when
# missing, starts them when stopped, and fails loudly when it can't.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "services.sh: need root (or sudo) to install/start PostgreSQL and Redis" >&2; exit 1; }
  SUDO="sudo"
fi

missing=()
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql postgresql-client)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server redis-tools)
if [ ${#missing[@]} -gt 0 ]; then
  echo "services.sh: installing ${missing[*]}" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

wait_for() { # wait_for SECONDS CMD...
  local n=$1; shift
  for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  return 1
}

# PostgreSQL
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  [ -n "$version" ] || { echo "services.sh: no PostgreSQL cluster under /etc/postgresql" >&2; exit 1; }
  echo "services.sh: starting PostgreSQL $version" >&2
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for 30 pg_isready -h 127.0.0.1 -p 5432 -q || { echo "services.sh: PostgreSQL did not start" >&2; exit 1; }
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  # A fresh Debian install asks for a password on TCP: trust local connections, as the tests expect.
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  echo "services.sh: trusting 127.0.0.1 and ::1 in $hba" >&2
  $SUDO sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  wait_for 10 psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' || { echo "services.sh: cannot connect to PostgreSQL as postgres" >&2; exit 1; }
fi
if [ "$(psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1 from pg_database where datname = 'test'")" != 1 ]; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test'
fi

# Redis
if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  echo "services.sh: starting Redis" >&2
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for 15 sh -c 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG' || { echo "services.sh: Redis did not start" >&2; exit 1; }
fi
echo "services.sh: PostgreSQL and Redis are up" >&2
