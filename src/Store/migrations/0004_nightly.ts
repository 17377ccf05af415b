import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// Nightly operation: staff decisions on findings (with an audit trail), and the counts
// per code each run raised, for `keshikomi status`.
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE findings ADD COLUMN resolved_at timestamptz`
  yield* sql`ALTER TABLE findings ADD COLUMN resolved_by text`
  yield* sql`ALTER TABLE findings ADD COLUMN resolution_note text`
  // The run that closed the finding (the data no longer raised it), for 解消済 lists.
  yield* sql`ALTER TABLE findings ADD COLUMN closed_run bigint REFERENCES runs (run_id)`
  // Every decision ever taken, also the refused ones, in the order taken.
  yield* sql`
    CREATE TABLE finding_decisions (
      decision_id bigserial PRIMARY KEY,
      decided_at  timestamptz NOT NULL DEFAULT now(),
      code        text NOT NULL,
      subject_id  text NOT NULL,
      related_id  text NOT NULL,
      decided_by  text NOT NULL,
      note        text NOT NULL,
      source      text NOT NULL,
      outcome     text NOT NULL
    )`
  yield* sql`ALTER TABLE runs ADD COLUMN dry_run boolean NOT NULL DEFAULT false`
  yield* sql`ALTER TABLE runs ADD COLUMN counts jsonb`
  yield* sql`ALTER TABLE runs ADD COLUMN files jsonb`
})
