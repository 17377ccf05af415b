// What the finance workbook reads about payouts: the findings a run raised, joined with
// the stored requests, transfers and the matching step's results (payout_assignments,
// payout_request_state) for display. Nothing here decides a finding.
//
// Account numbers are stored and read masked only; holder names are stored sealed and
// opened here, row by row, for finance.xlsx (docs/privacy.md). Addresses, item names,
// user ids and wallet user refs are never selected. Amounts are whole yen, well
// within a double, so they are read as float8 rather than int8 strings.
import type { SqlClient } from "@effect/sql"
import { Effect, Stream } from "effect"
import type { Severity } from "../Domain/Finding.ts"
import type { SealerShape } from "../Seal/Sealer.ts"
import { findingDecision, findingStatus } from "./FindingsStore.ts"

/** One line of the control totals: a group of requests (or of orphan transfers). */
export interface ControlTotalRow {
  /** 1 schedule window, 2 outside every window, 3 deferred, 4 withdrawn, 5 orphan transfers */
  readonly category: number
  readonly group_label: string
  readonly method_label: string
  readonly due_date: string | null
  readonly requests: number
  /** What is owed: the requested amount; 0 for withdrawn requests and orphan transfers. */
  readonly owed_amount: number
  readonly paid_count: number
  readonly paid_amount: number
  readonly unpaid_count: number
  readonly unpaid_amount: number
  readonly overpaid_amount: number
  readonly underpaid_amount: number
}

export interface ChannelTotalRow {
  readonly channel_label: string
  readonly completed_count: number
  readonly completed_amount: number
  readonly assigned_count: number
  readonly assigned_amount: number
  readonly orphan_count: number
  readonly orphan_amount: number
  readonly failed_count: number
  readonly cancelled_count: number
}

interface FindingColumns {
  readonly code: string
  readonly severity: Severity
  readonly subject_id: string
  readonly related_id: string
  readonly detail: string
  readonly first_seen: string
  /** As on the Findings sheet: 対応済 once staff resolved it (keshikomi resolve). */
  readonly status: "新規" | "継続" | "対応済"
  /** The decision on a handled finding (対応者, 対応日 in Japan, メモ). */
  readonly resolved_by: string | null
  readonly resolved_on: string | null
  readonly resolution_note: string | null
}

/** An error or warning, with what finance needs beside it to act. */
export interface ActionRow extends FindingColumns {
  readonly method_label: string | null
  readonly requested_amount: number | null
  readonly due_date: string | null
  readonly requested_holder: string | null
  readonly transfer_channel_label: string | null
  readonly transfer_amount: number | null
  readonly transfer_date: string | null
  readonly transfer_holder: string | null
  readonly transfer_account: string | null
}

export interface MatchedRow extends FindingColumns {
  readonly channel_label: string
  readonly matched_by: string
  readonly transfer_date: string
  readonly amount: number
  readonly fee: number | null
  readonly requested_on: string
  readonly due_date: string | null
  readonly holder_name: string | null
  readonly bank_code: string | null
  readonly branch_code: string | null
  readonly account_type_label: string | null
  readonly account_number_masked: string | null
}

export interface UnpaidRow extends FindingColumns {
  readonly service: string
  readonly kind: string
  readonly method_label: string
  readonly amount: number
  readonly requested_on: string
  readonly window_no: number | null
  readonly nominal_due: string | null
  readonly due_date: string | null
  readonly holder_name: string | null
  readonly bank_code: string | null
  readonly branch_code: string | null
  readonly account_type_label: string | null
  readonly account_number_masked: string | null
}

export interface OrphanRow extends FindingColumns {
  readonly channel_label: string
  readonly transfer_date: string
  readonly amount: number
  readonly fee: number | null
  readonly reference: string | null
  readonly holder_name: string | null
  readonly bank_code: string | null
  readonly branch_code: string | null
  readonly account_type_label: string | null
  readonly account_number_masked: string | null
}

const accountTypeLabel = (column: string) =>
  `CASE ${column} WHEN '1' THEN '普通' WHEN '2' THEN '当座' WHEN '4' THEN '貯蓄' ELSE ${column} END`

/** Rows as read: the holder name columns still sealed, under `<column>_sealed`. */
type Sealed<Row, Columns extends keyof Row> = Omit<Row, Columns> & { readonly [K in Columns & string as `${K}_sealed`]: Uint8Array | null }

export const payoutQueries = (sql: SqlClient.SqlClient, sealer: SealerShape) => {
  /** Opens the sealed holder name columns of each row, for the sheet that shows them. */
  const opened = <Row, Columns extends keyof Row & string>(columns: ReadonlyArray<Columns>) => (row: Sealed<Row, Columns>): Row => {
    const out: Record<string, unknown> = { ...row }
    for (const c of columns) {
      out[c] = sealer.openOrNull(out[`${c}_sealed`] as Uint8Array | null)
      delete out[`${c}_sealed`]
    }
    return out as Row
  }

  const findingColumns = (runId: number) => sql`
    f.code, f.severity, f.subject_id, f.related_id, f.detail,
    to_char(f.first_seen, 'YYYY-MM-DD') AS first_seen,
    ${findingStatus(sql, runId, "f")} AS status,
    ${findingDecision(sql, "f")}`

  /**
   * Requests by schedule window and method, then those outside every window, deferred
   * and withdrawn, then orphan transfers by channel. In every line
   * owed − paid = unpaid + underpaid − overpaid.
   */
  const controlTotals = sql<ControlTotalRow>`
    WITH request AS (
      SELECT r.method, s.completed_count, s.paid_amount::float8 AS paid_amount,
             CASE WHEN r.status = 'withdrawn' THEN 4
                  WHEN d.method IS NOT NULL THEN 3
                  WHEN s.window_no IS NULL THEN 2
                  ELSE 1 END AS category,
             CASE WHEN r.status = 'requested' AND d.method IS NULL THEN coalesce(s.window_no, 0) ELSE 0 END AS window_no,
             CASE WHEN r.status = 'withdrawn' THEN 0 ELSE r.amount END::float8 AS owed
      FROM payout_requests r
      JOIN payout_request_state s ON s.request_id = r.request_id
      LEFT JOIN payout_deferred_methods d ON d.method = r.method
    ),
    grouped AS (
      SELECT category, window_no, method,
             count(*)::int AS requests,
             sum(owed) AS owed_amount,
             (count(*) FILTER (WHERE completed_count > 0))::int AS paid_count,
             sum(paid_amount) AS paid_amount,
             (count(*) FILTER (WHERE completed_count = 0 AND owed > 0))::int AS unpaid_count,
             coalesce(sum(owed) FILTER (WHERE completed_count = 0), 0) AS unpaid_amount,
             coalesce(sum(greatest(paid_amount - owed, 0)) FILTER (WHERE completed_count > 0), 0) AS overpaid_amount,
             coalesce(sum(greatest(owed - paid_amount, 0)) FILTER (WHERE completed_count > 0), 0) AS underpaid_amount
      FROM request
      GROUP BY category, window_no, method
    ),
    line AS (
      SELECT 1 AS category, w.window_no, w.method FROM payout_windows w
      UNION
      SELECT category, window_no, method FROM grouped
    ),
    orphan AS (
      SELECT t.channel, count(*)::int AS n, sum(t.amount)::float8 AS amount
      FROM transfers t
      WHERE t.outcome = 'completed'
        AND NOT EXISTS (SELECT 1 FROM payout_assignments a WHERE a.channel = t.channel AND a.transfer_id = t.transfer_id)
      GROUP BY t.channel
    )
    SELECT * FROM (
      SELECT l.category,
             CASE l.category
               WHEN 1 THEN format('第%s期（依頼日 %s〜%s）', l.window_no,
                                  to_char(w.requested_from, 'YYYY/MM/DD'), to_char(w.requested_to, 'YYYY/MM/DD'))
               WHEN 2 THEN '期間外（支払期日なし）'
               WHEN 3 THEN '保留（支払い再開待ち）'
               ELSE '取り下げ（支払不要）' END AS group_label,
             coalesce(m.label, l.method) AS method_label,
             to_char(payout_business_day_on_or_after(w.due_date), 'YYYY-MM-DD') AS due_date,
             coalesce(g.requests, 0) AS requests, coalesce(g.owed_amount, 0) AS owed_amount,
             coalesce(g.paid_count, 0) AS paid_count, coalesce(g.paid_amount, 0) AS paid_amount,
             coalesce(g.unpaid_count, 0) AS unpaid_count, coalesce(g.unpaid_amount, 0) AS unpaid_amount,
             coalesce(g.overpaid_amount, 0) AS overpaid_amount, coalesce(g.underpaid_amount, 0) AS underpaid_amount,
             l.window_no AS window_order, coalesce(m.sort_order, 99) AS method_order, l.method AS method_key
      FROM line l
      LEFT JOIN grouped g ON g.category = l.category AND g.window_no = l.window_no AND g.method = l.method
      LEFT JOIN payout_windows w ON l.category = 1 AND w.window_no = l.window_no AND w.method = l.method
      LEFT JOIN payout_methods m ON m.method = l.method
      UNION ALL
      SELECT 5, '孤立振込（依頼なし）', coalesce(m.label, o.channel), NULL,
             0, 0, o.n, o.amount, 0, 0, o.amount, 0,
             0, coalesce(m.sort_order, 99), o.channel
      FROM orphan o
      LEFT JOIN payout_methods m ON m.channel = o.channel
    ) totals
    ORDER BY category, window_order, method_order, method_key`.pipe(Effect.orDie)

  /** Every channel's transfers: what moved money, and where it was found to belong. */
  const channelTotals = sql<ChannelTotalRow>`
    SELECT coalesce(m.label, t.channel) AS channel_label,
           (count(*) FILTER (WHERE t.outcome = 'completed'))::int AS completed_count,
           coalesce(sum(t.amount) FILTER (WHERE t.outcome = 'completed'), 0)::float8 AS completed_amount,
           (count(*) FILTER (WHERE t.outcome = 'completed' AND a.request_id IS NOT NULL))::int AS assigned_count,
           coalesce(sum(t.amount) FILTER (WHERE t.outcome = 'completed' AND a.request_id IS NOT NULL), 0)::float8 AS assigned_amount,
           (count(*) FILTER (WHERE t.outcome = 'completed' AND a.request_id IS NULL))::int AS orphan_count,
           coalesce(sum(t.amount) FILTER (WHERE t.outcome = 'completed' AND a.request_id IS NULL), 0)::float8 AS orphan_amount,
           (count(*) FILTER (WHERE t.outcome = 'failed'))::int AS failed_count,
           (count(*) FILTER (WHERE t.outcome = 'cancelled'))::int AS cancelled_count
    FROM transfers t
    LEFT JOIN payout_assignments a ON a.channel = t.channel AND a.transfer_id = t.transfer_id
    LEFT JOIN payout_methods m ON m.channel = t.channel
    GROUP BY coalesce(m.label, t.channel), coalesce(m.sort_order, 99)
    ORDER BY coalesce(m.sort_order, 99), 1`.pipe(Effect.orDie)

  /**
   * The payout errors and warnings of run `runId`, with the request and the one transfer
   * they name: open ones first, errors before warnings, codes in the order `priority`
   * gives them, then oldest first.
   *
   * Driven by the findings: a few thousand rows, each looking up its request, assignment
   * and transfer by key (the lateral subqueries, kept apart by `OFFSET 0` so that the
   * planner cannot turn them into hash joins over every request, assignment and transfer,
   * which was most of the sheet's time). Orphans only among the transfers an open
   * PAY_ORPHAN_TRANSFER names.
   */
  const actionItems = (runId: number, priority: ReadonlyArray<string>) =>
    sql<Sealed<ActionRow, "requested_holder" | "transfer_holder">>`
      WITH orphan AS (
        SELECT DISTINCT ON (t.transfer_id) t.channel, t.transfer_id
        FROM transfers t
        WHERE t.outcome = 'completed'
          AND t.transfer_id IN (SELECT n.subject_id FROM findings n WHERE n.code = 'PAY_ORPHAN_TRANSFER' AND n.closed_on IS NULL)
          AND NOT EXISTS (SELECT 1 FROM payout_assignments a WHERE a.channel = t.channel AND a.transfer_id = t.transfer_id)
        ORDER BY t.transfer_id, t.channel
      )
      SELECT ${findingColumns(runId)},
             r.method_label,
             r.amount::float8 AS requested_amount,
             to_char(r.due_date, 'YYYY-MM-DD') AS due_date,
             r.account_holder_sealed AS requested_holder_sealed,
             coalesce(cm.label, t.channel) AS transfer_channel_label,
             CASE WHEN t.transfer_id IS NOT NULL THEN t.amount
                  WHEN f.code = 'PAY_DUPLICATE' THEN r.paid_amount END::float8 AS transfer_amount,
             to_char(t.transfer_date, 'YYYY-MM-DD') AS transfer_date,
             t.holder_name_sealed AS transfer_holder_sealed,
             payout_account_label(t.bank_code, t.branch_code, t.account_type, t.account_masked) AS transfer_account
      FROM findings f
      LEFT JOIN LATERAL (
        SELECT r.amount, r.account_holder_sealed, m.label AS method_label, s.due_date, s.paid_amount
        FROM payout_requests r
        LEFT JOIN payout_request_state s ON s.request_id = r.request_id
        LEFT JOIN payout_methods m ON m.method = r.method
        WHERE f.code <> 'PAY_ORPHAN_TRANSFER' AND r.request_id = f.subject_id
        OFFSET 0
      ) r ON true
      -- The one transfer the finding names: the request's own (related id), or the orphan.
      LEFT JOIN LATERAL (
        SELECT a.channel, a.transfer_id FROM payout_assignments a
        WHERE f.code <> 'PAY_ORPHAN_TRANSFER' AND a.request_id = f.subject_id AND a.transfer_id = f.related_id
        OFFSET 0
      ) a ON true
      LEFT JOIN orphan o ON f.code = 'PAY_ORPHAN_TRANSFER' AND o.transfer_id = f.subject_id
      LEFT JOIN LATERAL (
        SELECT t.* FROM transfers t
        WHERE t.channel = coalesce(a.channel, o.channel) AND t.transfer_id = coalesce(a.transfer_id, o.transfer_id)
        OFFSET 0
      ) t ON true
      LEFT JOIN payout_methods cm ON cm.channel = t.channel
      -- Handled findings (対応済) leave the worklist; the Findings sheet keeps them.
      WHERE f.closed_on IS NULL AND f.side = 'payout' AND f.severity IN ('error', 'warning') AND f.resolved_at IS NULL
      ORDER BY CASE f.severity WHEN 'error' THEN 0 ELSE 1 END,
               coalesce(array_position(string_to_array(${priority.join(",")}, ','), f.code), 99),
               f.first_seen, f.subject_id, f.related_id`.stream.pipe(
        Stream.map(opened<ActionRow, "requested_holder" | "transfer_holder">(["requested_holder", "transfer_holder"])),
        Stream.orDie
      )

  /** PAY_MATCHED of run `runId`: newly matched first, then by request. */
  const matched = (runId: number) =>
    sql<Sealed<MatchedRow, "holder_name">>`
      SELECT ${findingColumns(runId)},
             coalesce(cm.label, t.channel) AS channel_label,
             a.matched_by,
             to_char(t.transfer_date, 'YYYY-MM-DD') AS transfer_date,
             t.amount::float8 AS amount,
             t.fee::float8 AS fee,
             to_char(r.requested_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD') AS requested_on,
             to_char(s.due_date, 'YYYY-MM-DD') AS due_date,
             coalesce(t.holder_name_sealed, r.account_holder_sealed) AS holder_name_sealed,
             t.bank_code, t.branch_code,
             ${sql.unsafe(accountTypeLabel("t.account_type"))} AS account_type_label,
             t.account_masked AS account_number_masked
      FROM findings f
      JOIN payout_requests r ON r.request_id = f.subject_id
      JOIN payout_request_state s ON s.request_id = r.request_id
      JOIN payout_assignments a ON a.request_id = f.subject_id AND a.transfer_id = f.related_id
      JOIN transfers t ON t.channel = a.channel AND t.transfer_id = a.transfer_id
      LEFT JOIN payout_methods cm ON cm.channel = t.channel
      WHERE f.closed_on IS NULL AND f.code = 'PAY_MATCHED'
      ORDER BY f.first_run DESC, f.subject_id`.stream.pipe(Stream.map(opened<MatchedRow, "holder_name">(["holder_name"])), Stream.orDie)

  /** PAY_PENDING, PAY_SCHEDULED and PAY_DEFERRED of run `runId`: by due date (none last), scheduled then deferred last. */
  const unpaid = (runId: number) =>
    sql<Sealed<UnpaidRow, "holder_name">>`
      SELECT ${findingColumns(runId)},
             r.service, r.kind, coalesce(m.label, r.method) AS method_label, r.amount::float8 AS amount,
             to_char(r.requested_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD') AS requested_on,
             s.window_no,
             to_char(s.nominal_due, 'YYYY-MM-DD') AS nominal_due,
             to_char(s.due_date, 'YYYY-MM-DD') AS due_date,
             r.account_holder_sealed AS holder_name_sealed, r.bank_code, r.branch_code,
             ${sql.unsafe(accountTypeLabel("r.account_type"))} AS account_type_label,
             r.account_masked AS account_number_masked
      FROM findings f
      JOIN payout_requests r ON r.request_id = f.subject_id
      JOIN payout_request_state s ON s.request_id = r.request_id
      LEFT JOIN payout_methods m ON m.method = r.method
      WHERE f.closed_on IS NULL AND f.code IN ('PAY_PENDING', 'PAY_SCHEDULED', 'PAY_DEFERRED')
      ORDER BY CASE f.code WHEN 'PAY_PENDING' THEN 0 WHEN 'PAY_SCHEDULED' THEN 1 ELSE 2 END, s.due_date NULLS LAST, r.requested_at, f.subject_id`.stream
      .pipe(Stream.map(opened<UnpaidRow, "holder_name">(["holder_name"])), Stream.orDie)

  /** PAY_ORPHAN_TRANSFER of run `runId`, with the transfer. */
  const orphans = (runId: number) =>
    sql<Sealed<OrphanRow, "holder_name">>`
      SELECT ${findingColumns(runId)},
             coalesce(cm.label, t.channel) AS channel_label,
             to_char(t.transfer_date, 'YYYY-MM-DD') AS transfer_date,
             t.amount::float8 AS amount, t.fee::float8 AS fee, t.reference, t.holder_name_sealed,
             t.bank_code, t.branch_code,
             ${sql.unsafe(accountTypeLabel("t.account_type"))} AS account_type_label,
             t.account_masked AS account_number_masked
      FROM findings f
      JOIN transfers t ON t.transfer_id = f.subject_id AND t.outcome = 'completed'
      LEFT JOIN payout_methods cm ON cm.channel = t.channel
      WHERE f.closed_on IS NULL AND f.code = 'PAY_ORPHAN_TRANSFER'
        AND NOT EXISTS (SELECT 1 FROM payout_assignments a WHERE a.channel = t.channel AND a.transfer_id = t.transfer_id)
      ORDER BY t.transfer_date, t.transfer_id COLLATE "C"`.stream.pipe(Stream.map(opened<OrphanRow, "holder_name">(["holder_name"])), Stream.orDie)

  return { controlTotals, channelTotals, actionItems, matched, unpaid, orphans }
}

export type PayoutQueries = ReturnType<typeof payoutQueries>
