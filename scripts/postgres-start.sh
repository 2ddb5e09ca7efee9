#!/usr/bin/env bash
# Start a PostgreSQL server on loopback (as the postgres user) and create the test database.
# Prints the SQLAlchemy URL to use.
set -euo pipefail
ver=$(ls -d /usr/lib/postgresql/*/bin/postgres | cut -d/ -f5 | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$ver main"; then
  pg_createcluster "$ver" main >/dev/null
fi
pg_ctlcluster "$ver" main start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
su postgres -c "psql -q -h 127.0.0.1 -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null 2>&1 \
  || su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='qalxan_test'\"" | grep -q 1 \
  || su postgres -c "createdb qalxan_test"
echo "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/qalxan_test"
