import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// The intake desk (docs/desk.md): parcel lines entered at the desk are ordinary
// parcel_lines rows (the rules read them like any export line), marked by `source`;
// the day's 受付番号 counter; and the audit of every line corrected or withdrawn, which
// leaves parcel_lines holding only live lines. Every line added, changed or removed is
// announced in shipping_pending (0012) for the next run.
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // 'export' for lines read from a parcels export (the default, also for every stored
  // line), 'desk' for lines entered at the desk; who entered it and its place in the parcel.
  yield* sql`ALTER TABLE parcel_lines ADD COLUMN source text NOT NULL DEFAULT 'export'`
  yield* sql`ALTER TABLE parcel_lines ADD COLUMN desk_by text`
  yield* sql`ALTER TABLE parcel_lines ADD COLUMN desk_line_no integer`
  // The day's intake list and CSV read the desk's lines by 受付日時.
  yield* sql`CREATE INDEX parcel_lines_desk_received_idx ON parcel_lines (received_at) WHERE source = 'desk'`
  // The last 受付番号 NNNN given out per Japan date (IN-YYYYMMDD-NNNN).
  yield* sql`
    CREATE TABLE desk_parcel_numbers (
      day     date PRIMARY KEY,
      last_no integer NOT NULL
    )`
  // Kept forever: every correction and withdrawal, also the refused ones, in the order taken.
  // before/after are the whole parcel line (after is NULL for a withdrawal or a refusal).
  yield* sql`
    CREATE TABLE desk_line_audit (
      audit_id   bigserial PRIMARY KEY,
      at         timestamptz NOT NULL DEFAULT now(),
      action     text NOT NULL,
      parcel_id  text NOT NULL,
      order_ref  text NOT NULL,
      by_whom    text NOT NULL,
      reason     text NOT NULL,
      before     jsonb,
      after      jsonb,
      outcome    text NOT NULL
    )`
  yield* sql`CREATE INDEX desk_line_audit_parcel_idx ON desk_line_audit (parcel_id)`
})
