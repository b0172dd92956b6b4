#!/bin/sh
# Temporal's two stores on PostgreSQL: create each database if missing, then bring its schema up
# to the version this admin-tools image ships. Safe to run again.
set -eu
tool="temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u temporal"
schemas=/etc/temporal/schema/postgresql/v12
for store in temporal:temporal temporal_visibility:visibility; do
  database=${store%%:*}
  schema=${store##*:}
  $tool --db "$database" create || true
  $tool --db "$database" setup-schema -v 0.0
  $tool --db "$database" update-schema -d "$schemas/$schema/versioned"
done
echo "Temporal schema ready"
