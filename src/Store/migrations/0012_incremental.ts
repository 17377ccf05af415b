import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// Incremental nights (docs/nightly.md).
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // Parcel lines the intake desk added, changed or removed between runs, by normalised
  // order ref (known or not): the next run claims them and reconciles those refs.
  yield* sql`CREATE TABLE shipping_pending (order_ref text NOT NULL)`
  // The order ref a shipping finding belongs to, so that a run reconciling some refs
  // closes exactly their findings. Empty for other findings and until a full run sets it.
  yield* sql`ALTER TABLE findings ADD COLUMN scope_ref text`
  yield* sql`CREATE INDEX findings_open_scope_idx ON findings (scope_ref) WHERE closed_on IS NULL`
})
