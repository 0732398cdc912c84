#!/usr/bin/env bash
# Writes prisma/migrations/<timestamp>_<name>/migration.sql from the difference between the
# committed migrations and prisma/schema.prisma. `prisma migrate dev` needs a shadow database
# through the native engine, which these machines cannot download; this does the same offline:
# apply the committed migrations to a scratch database, then diff it against the schema.
set -euo pipefail
name=${1:?usage: npm run db:new-migration -- <snake_case_name>}
[[ $name =~ ^[a-z0-9_]+$ ]] || { echo "migration name: lowercase letters, digits and _ only" >&2; exit 2; }
cd "$(dirname "$0")/.."
admin=${TESSERA_TEST_ADMIN_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
scratch="tessera_newmig_$$"
export PRISMA_SCHEMA_ENGINE_BINARY=/dev/null PRISMA_QUERY_ENGINE_LIBRARY=/dev/null PRISMA_HIDE_UPDATE_MESSAGE=1
export DATABASE_URL="${admin%/*}/$scratch"
psql -q "$admin" -c "CREATE DATABASE $scratch"
trap 'psql -q "$admin" -c "DROP DATABASE IF EXISTS $scratch WITH (FORCE)"' EXIT
npx prisma migrate deploy >/dev/null
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_$name"
sql=$(npx prisma migrate diff --from-url "$DATABASE_URL" --to-schema-datamodel prisma/schema.prisma --script)
if ! grep -qvE '^(--.*)?$' <<<"$sql"; then echo "schema and migrations already agree: nothing to write"; exit 0; fi
mkdir -p "$dir" && printf '%s\n' "$sql" > "$dir/migration.sql"
echo "wrote $dir/migration.sql"
