import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// Incremental nights (docs/nightly.md): what the last committed run matched against,
// so that the next one knows whether reconciling only what changed gives the full answer.
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE match_state (
      singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      run_id          bigint NOT NULL REFERENCES runs (run_id),
      as_of           date NOT NULL,
      rules_version   text NOT NULL,
      calendar_digest text NOT NULL
    )`
  // A night finds the shipping records its ingest changed by these (migration 0010).
  for (const table of ["orders", "order_items", "parcel_lines", "reshipments"]) {
    yield* sql`CREATE INDEX ${sql(`${table}_changed_run_idx`)} ON ${sql(table)} (changed_run)`
  }
})
