#!/usr/bin/env bash
# Start the servers the scale-out tests use, installing them when missing (idempotent):
# PostgreSQL and Redis from Debian's packages, and moto's S3-compatible server from the venv.
# Prints the environment the tests read (POLYDOC_TEST_PG_URL, POLYDOC_TEST_REDIS_URL, POLYDOC_TEST_S3_URL).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
S3_PORT=${S3_PORT:-59000}
RUN_DIR=${POLYDOC_SERVICES_DIR:-/tmp/polydoc-services}
mkdir -p "$RUN_DIR"

need=()
command -v redis-server >/dev/null || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
if ((${#need[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# PostgreSQL: a private cluster on its own port, owned by the postgres user (initdb refuses root)
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PG_DATA="$RUN_DIR/pg"
if ! "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null; then
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    mkdir -p "$PG_DATA" && chown postgres "$PG_DATA" "$RUN_DIR" 2>/dev/null || true
    su postgres -c "$PG_BIN/initdb -D '$PG_DATA' -A trust -U postgres" >/dev/null
  fi
  su postgres -c "$PG_BIN/pg_ctl -D '$PG_DATA' -l '$RUN_DIR/pg.log' -o '-p $PG_PORT -k /tmp -c max_connections=300 -c fsync=off' -w start" >/dev/null
fi

if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --port "$REDIS_PORT" --daemonize yes --save "" --appendonly no --logfile "$RUN_DIR/redis.log"
fi

if ! curl -fs "http://127.0.0.1:$S3_PORT/" >/dev/null 2>&1; then
  nohup .venv/bin/moto_server -H 127.0.0.1 -p "$S3_PORT" >"$RUN_DIR/s3.log" 2>&1 &
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$S3_PORT/" >/dev/null 2>&1 && break; sleep 0.2; done
fi

echo "export POLYDOC_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/postgres"
echo "export POLYDOC_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
echo "export POLYDOC_TEST_S3_ENDPOINT=http://127.0.0.1:$S3_PORT"
