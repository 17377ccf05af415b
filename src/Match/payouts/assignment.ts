// Which request each transfer belongs to (findings.md, Payouts, matching steps 1–3),
// written to payout_assignments. Needs the run's snapshot (snapshot.ts).
//
// Step 2 reads as a loop ("transfers in order of date then 受付番号, each takes the
// earliest-requested request not yet matched by a completed transfer"). Within one
// group of equal (channel, destination, amount) that loop pairs the k-th completed
// transfer with the k-th request still open after step 1, and gives every completed
// transfer beyond the open requests to the group's earliest request. A failed or
// cancelled transfer moved no money: it is aimed at the request the next completed
// transfer would take, and takes nothing away from it. So the loop is a pair of
// row_number()s and a running count, joined — no row is read into Node.
//
// With a scope (closed: scope.ts) only the scope's transfers are placed again; the
// others keep the row the last run wrote, which is the one a full run would write.
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { PayoutScope } from "../../Domain/PayoutScope.ts"

export const assignTransfers = (sql: SqlClient.SqlClient, scope?: PayoutScope) =>
  Effect.gen(function*() {
    if (scope === undefined) yield* sql`TRUNCATE payout_assignments`
    else {
      yield* sql`
        DELETE FROM payout_assignments a USING ${sql(scope.transfers)} s
        WHERE a.channel = s.channel AND a.transfer_id = s.transfer_id`
    }
    // 1. By reference: the 顧客コード / reference names a known request, whatever the
    //    amount, destination, channel or outcome.
    yield* sql`
      INSERT INTO payout_assignments (channel, transfer_id, request_id, matched_by)
      SELECT t.channel, t.transfer_id, r.request_id, 'reference'
      FROM payout_run_transfer t
      JOIN payout_run_request r ON r.request_id = t.reference`
    // Emptied and refilled on a full run: its statistics are gone (and never there on a
    // first load), and step 2 and the rules join it (planned on a guess, nested loops).
    // A night changes a few rows of it and keeps the statistics it has.
    if (scope === undefined) yield* sql`ANALYZE payout_assignments`
    // 2. Otherwise by destination and amount, among the requests whose method the
    //    transfer's channel pays. A reference that names no request is no reference.
    yield* sql`
      WITH unreferenced AS (
        SELECT t.channel, t.transfer_id, t.destination, t.amount, t.outcome, t.transfer_date
        FROM payout_run_transfer t
        WHERE t.destination IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM payout_run_request r WHERE r.request_id = t.reference)
      ),
      candidate AS (
        SELECT r.request_id, r.method_channel AS channel, r.destination, r.amount,
               row_number() OVER (
                 PARTITION BY r.method_channel, r.destination, r.amount
                 ORDER BY r.requested_at, r.request_id COLLATE "C"
               ) AS group_rank,
               EXISTS (
                 SELECT 1
                 FROM payout_assignments a
                 JOIN payout_run_transfer t ON t.channel = a.channel AND t.transfer_id = a.transfer_id
                 WHERE a.request_id = r.request_id AND t.outcome = 'completed'
               ) AS taken
        FROM payout_run_request r
        WHERE r.method_channel IS NOT NULL AND r.destination IS NOT NULL
          -- Only the groups a transfer without a reference falls into: a group is kept
          -- whole or not at all, so its ranks are the same as over every request.
          AND EXISTS (
            SELECT 1 FROM unreferenced u
            WHERE u.channel = r.method_channel AND u.destination = r.destination AND u.amount = r.amount
          )
      ),
      still_open AS (
        SELECT c.request_id, c.channel, c.destination, c.amount,
               row_number() OVER (PARTITION BY c.channel, c.destination, c.amount ORDER BY c.group_rank) AS open_rank
        FROM candidate c
        WHERE NOT c.taken
      ),
      slotted AS (
        -- The completed transfer numbered k takes open request k; any other transfer aims
        -- at the one the next completed transfer would take.
        SELECT u.channel, u.transfer_id, u.destination, u.amount,
               count(*) FILTER (WHERE u.outcome = 'completed') OVER (
                 PARTITION BY u.channel, u.destination, u.amount
                 ORDER BY u.transfer_date, u.transfer_id COLLATE "C"
                 ROWS UNBOUNDED PRECEDING
               ) + CASE WHEN u.outcome = 'completed' THEN 0 ELSE 1 END AS slot
        FROM unreferenced u
      )
      INSERT INTO payout_assignments (channel, transfer_id, request_id, matched_by)
      SELECT s.channel, s.transfer_id, coalesce(o.request_id, earliest.request_id), 'destination'
      FROM slotted s
      JOIN candidate earliest
        ON earliest.channel = s.channel AND earliest.destination = s.destination
       AND earliest.amount = s.amount AND earliest.group_rank = 1
      LEFT JOIN still_open o
        ON o.channel = s.channel AND o.destination = s.destination
       AND o.amount = s.amount AND o.open_rank = s.slot`
    if (scope === undefined) yield* sql`ANALYZE payout_assignments`
    // 3. A transfer left without a row belongs to no request (an orphan when completed).
  })

/** Each request's due date and what its transfers add up to, for the rules and the workbook. */
export const summariseRequests = (sql: SqlClient.SqlClient, scope?: PayoutScope) =>
  Effect.gen(function*() {
    yield* sql`
      CREATE TEMP TABLE payout_run_state ON COMMIT DROP AS
      SELECT r.request_id,
             (count(t.transfer_id) FILTER (WHERE t.outcome = 'completed'))::int AS completed_count,
             (coalesce(sum(t.amount) FILTER (WHERE t.outcome = 'completed'), 0))::bigint AS paid_amount,
             string_agg(t.transfer_id, ', ' ORDER BY t.transfer_id COLLATE "C")
               FILTER (WHERE t.outcome = 'completed') AS completed_ids,
             (count(t.transfer_id) FILTER (WHERE t.outcome = 'failed'))::int AS failed_count,
             string_agg(t.transfer_id, ', ' ORDER BY t.transfer_id COLLATE "C")
               FILTER (WHERE t.outcome = 'failed') AS failed_ids,
             string_agg(
               t.transfer_id || '（' || to_char(t.transfer_date, 'YYYY/MM/DD') || coalesce('、' || t.failure_reason, '') || '）',
               '、' ORDER BY t.transfer_id COLLATE "C"
             ) FILTER (WHERE t.outcome = 'failed') AS failed_desc
      FROM payout_run_request r
      LEFT JOIN payout_assignments a ON a.request_id = r.request_id
      LEFT JOIN payout_run_transfer t ON t.channel = a.channel AND t.transfer_id = a.transfer_id
      GROUP BY r.request_id`
    yield* sql`CREATE UNIQUE INDEX ON payout_run_state (request_id)`
    // Temporary tables are never analysed automatically; the rules filter it by its counts.
    yield* sql`ANALYZE payout_run_state`
    if (scope === undefined) yield* sql`TRUNCATE payout_request_state`
    else yield* sql`DELETE FROM payout_request_state s USING ${sql(scope.requests)} x WHERE s.request_id = x.request_id`
    // With the request's group, for the next night's scope (scope.ts).
    yield* sql`
      INSERT INTO payout_request_state
        (request_id, window_no, nominal_due, due_date, completed_count, paid_amount, failed_count,
         group_channel, group_destination, group_amount)
      SELECT r.request_id, r.window_no, r.nominal_due, r.due_date, s.completed_count, s.paid_amount, s.failed_count,
             r.method_channel, r.destination, r.amount
      FROM payout_run_request r
      JOIN payout_run_state s ON s.request_id = r.request_id`
  })
