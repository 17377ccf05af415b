import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// Shipping reconciliation: one parcel scanned twice is found by (伝票番号, order) and the
// first scan is the one counted, so the lines are read in that order.
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE INDEX parcel_lines_tracking_idx ON parcel_lines (tracking_no, order_ref, received_at, parcel_id)`
})
