#!/usr/bin/env bash
# Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL from the last committed
# prisma/schema.prisma to the working one. `prisma migrate dev` needs a shadow database through the
# native engine, and `migrate diff --from-url` is refused through a driver adapter; diffing two
# schema files works offline. The drift test (libs/db/src/migrations.spec.ts) guarantees the
# committed schema is exactly what the committed migrations build.
set -euo pipefail
name=${1:?usage: npm run db:new-migration -- <snake_case_name>}
[[ $name =~ ^[a-z0-9_]+$ ]] || { echo "migration name: lowercase letters, digits and _ only" >&2; exit 2; }
cd "$(dirname "$0")/.."
export PRISMA_SCHEMA_ENGINE_BINARY=/dev/null PRISMA_QUERY_ENGINE_LIBRARY=/dev/null
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
# The CLI connects to the datasource even to diff files: give it a scratch database.
admin=${TESSERA_TEST_ADMIN_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
scratch="tessera_newmig_$$"
export DATABASE_URL="${admin%/*}/$scratch"
psql -q "$admin" -c "CREATE DATABASE $scratch"
base=$(mktemp --suffix=.prisma)
trap 'rm -f "$base"; psql -q "$admin" -c "DROP DATABASE IF EXISTS $scratch WITH (FORCE)"' EXIT
if git show HEAD:prisma/schema.prisma > "$base" 2>/dev/null; then from=(--from-schema-datamodel "$base"); else from=(--from-empty); fi
sql=$(npx prisma migrate diff "${from[@]}" --to-schema-datamodel prisma/schema.prisma --script)
if ! grep -qvE '^(--.*)?$' <<<"$sql"; then echo "the schema has not changed since the last commit: nothing to write"; exit 0; fi
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_$name"
mkdir -p "$dir" && printf '%s\n' "$sql" > "$dir/migration.sql"
echo "wrote $dir/migration.sql"
