// The run's view of payouts, in temporary tables (dropped at commit): each request with
// the channel that pays its method, where its money should go and when it is due; each
// transfer with where its money went. The rules below compare these, never the raw
// export columns, so that they hold for any channel. Personal values are compared by
// their keyed hashes only (destination, holder_key, account_number_key: docs/privacy.md);
// the masked account number is all these tables hold of an account.
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { PayoutScope } from "../../Domain/PayoutScope.ts"

/** The snapshot of every request and transfer, or of those `scope` names (closed: scope.ts). */
export const takeSnapshot = (sql: SqlClient.SqlClient, scope?: PayoutScope) =>
  Effect.gen(function*() {
    // Each window's due date per method, moved to the next bank business day
    // (weekends, national holidays, 12/31–1/3) by jp_calendar (migration 0003).
    yield* sql`
      CREATE TEMP TABLE payout_run_window ON COMMIT DROP AS
      SELECT w.window_no, w.method, w.requested_from, w.requested_to, w.due_date AS nominal_due,
             payout_business_day_on_or_after(w.due_date) AS due_date
      FROM payout_windows w`
    // A request is covered by the window whose requested_from..requested_to (inclusive,
    // Japan dates) holds its requested_at and that names its method; should windows
    // overlap, the first of them. Found once per (method, day) the windows cover and
    // joined by equality: a lateral look-up per request ran once per request (300,000
    // sorts of the window table at 300k).
    yield* sql`
      CREATE TEMP TABLE payout_run_window_day ON COMMIT DROP AS
      SELECT DISTINCT ON (w.method, d.day) w.method, d.day::date AS day, w.window_no, w.nominal_due, w.due_date
      FROM payout_run_window w
      CROSS JOIN generate_series(w.requested_from, w.requested_to, interval '1 day') AS d (day)
      ORDER BY w.method, d.day, w.window_no`
    yield* sql`ANALYZE payout_run_window_day`
    yield* sql`
      CREATE TEMP TABLE payout_run_request ON COMMIT DROP AS
      SELECT r.request_id, r.amount, r.method, r.status, r.requested_at,
             r.holder_key, r.holder_writable, r.bank_code, r.branch_code, r.account_type, r.account_masked, r.account_number_key,
             m.channel AS method_channel,
             r.destination_key AS destination,
             d.method IS NOT NULL AS deferred,
             w.window_no, w.nominal_due, w.due_date
      FROM payout_requests r
      LEFT JOIN payout_methods m ON m.method = r.method
      LEFT JOIN payout_deferred_methods d ON d.method = r.method
      LEFT JOIN payout_run_window_day w
        ON w.method = r.method AND w.day = (r.requested_at AT TIME ZONE 'Asia/Tokyo')::date
      ${scope === undefined ? sql`` : sql`WHERE r.request_id IN (SELECT request_id FROM ${sql(scope.requests)})`}`
    yield* sql`CREATE UNIQUE INDEX ON payout_run_request (request_id)`
    yield* sql`
      CREATE TEMP TABLE payout_run_transfer ON COMMIT DROP AS
      SELECT t.channel, t.transfer_id, t.reference, t.amount, t.outcome, t.transfer_date, t.fee, t.failure_reason,
             t.holder_key, t.bank_code, t.branch_code, t.account_type, t.account_masked, t.account_number_key,
             t.destination_key AS destination
      FROM transfers t
      ${scope === undefined ? sql`` : sql`WHERE (t.channel, t.transfer_id) IN (SELECT channel, transfer_id FROM ${sql(scope.transfers)})`}`
    yield* sql`CREATE UNIQUE INDEX ON payout_run_transfer (channel, transfer_id)`
    yield* sql`ANALYZE payout_run_request`
    yield* sql`ANALYZE payout_run_transfer`
  })
