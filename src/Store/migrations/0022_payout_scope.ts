import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// Incremental payout nights (docs/nightly.md): what a night needs to find the payouts its
// changes can touch without reading every one.
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // Each request's assignment group as the last run saw it (channel of its method, its
  // destination, its amount): a request whose amount or destination changes leaves a
  // group whose other requests and transfers must be paired again. NULL until a run fills it.
  yield* sql`ALTER TABLE payout_request_state ADD COLUMN group_channel text`
  yield* sql`ALTER TABLE payout_request_state ADD COLUMN group_destination bytea`
  yield* sql`ALTER TABLE payout_request_state ADD COLUMN group_amount bigint`
  // The requests whose due date the move of the as-of date crosses.
  yield* sql`CREATE INDEX payout_request_state_due_idx ON payout_request_state (due_date)`
  // What the last run matched payouts against: the schedule, the methods and the bank
  // master as one digest (a change matches in full), and the transfer files it saw (the
  // newest file id, the voided ones) so that a night looks again at the requests of files
  // written or voided since.
  yield* sql`ALTER TABLE match_state ADD COLUMN payout_digest text`
  yield* sql`ALTER TABLE match_state ADD COLUMN zengin_last_file bigint`
  yield* sql`ALTER TABLE match_state ADD COLUMN zengin_voided bigint[]`
  // A night finds the payout records its ingest changed, and their group neighbours, by these.
  yield* sql`CREATE INDEX payout_requests_changed_run_idx ON payout_requests (changed_run)`
  yield* sql`CREATE INDEX transfers_changed_run_idx ON transfers (changed_run)`
  yield* sql`CREATE INDEX payout_requests_destination_idx ON payout_requests (destination_key)`
  // A PAY_ORPHAN_TRANSFER is one finding per transfer id, whatever the channel.
  yield* sql`CREATE INDEX transfers_transfer_id_idx ON transfers (transfer_id)`
})
