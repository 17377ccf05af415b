// How a run matches (docs/nightly.md, Incremental nights): everything again, or only
// the order refs that this night's changes can touch. The shipping findings of every
// other ref are, by construction, what a full run would raise again, so they stand.
//
// The scope of a night: the refs of orders, order items, parcel lines and reshipments
// this run's ingest inserted or changed (changed_run), the refs the intake desk
// announced in shipping_pending, and the refs whose findings read those records:
//   - every order sharing a reshipment tracking number with one in scope (the count of
//     orders on that tracking number, and the other orders named in the detail);
//   - every unknown parcel line that has a changed order one typo away (a new order can
//     become, or stop being, its suggestion);
//   - every seller-mismatch line whose slip names the seller of a changed order (its
//     detail shows that seller's circle name);
//   - when business days passed since the last run, every ready order that crossed the
//     SHIP_NOT_RESHIPPED threshold since (its detail names no count of days, so an order
//     already overdue stays as it is).
//
// The payout scope of a night: the requests and transfers this run's ingest inserted or
// changed, the requests whose date-driven findings the move of the as-of date can change
// (a due date crossed), and the requests of transfer files written or voided since the
// last run. PayoutMatch.raise widens it to its closure (src/Match/payouts/scope.ts). A
// change to the schedule, the payout methods or the bank master matches in full.
import { SqlClient, type Statement } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import type { PayoutScope } from "../Domain/PayoutScope.ts"
import { storedCalendarDigest } from "../Store/Calendar.ts"
import { reshipOverdueAfterBusinessDays, type ShippingScope } from "./Shipping.ts"
import { typoCandidates } from "./shipping/typoCandidates.ts"

/**
 * The version of the matching rules. Change it with any change to what a rule raises
 * (src/Match): the next run then matches in full, so no finding of the old rules stays.
 */
export const matchRulesVersion = "2026-12-01.3"

export type MatchMode =
  | {
    readonly _tag: "full"
    /** Why, as staff read it in the log. */
    readonly reason: string
  }
  | {
    readonly _tag: "incremental"
    readonly scope: ShippingScope
    /** How many order refs the night reconciles. */
    readonly orderRefs: number
    /** The payouts the night starts from; the raise widens the tables to their closure. */
    readonly payoutScope: PayoutScope
    /** How many requests and transfers the payout scope starts from. */
    readonly payoutSeeds: number
  }

/** What an incremental night reconciles, as the log and the run's summary say it. */
export const incrementalSummary = (mode: Extract<MatchMode, { _tag: "incremental" }>) =>
  `出荷は変更のあった注文 ${mode.orderRefs} 件、支払いは変更のあった依頼・振込 ${mode.payoutSeeds} 件とその関連`

export class NightScope extends Context.Tag("keshikomi/NightScope")<NightScope, {
  /**
   * Claims the desk's announced changes and decides how run `runId` matches as of
   * `asOf`. Call after ingest, inside the run's transaction.
   */
  readonly decide: (runId: number, asOf: string, options: { readonly full: boolean }) => Effect.Effect<MatchMode>
  /** Records what run `runId` matched against, for the next run's decision. */
  readonly record: (runId: number, asOf: string) => Effect.Effect<void>
}>() {}

/** The run's scope table (dropped at commit). */
const scopeTable = "night_scope"
/** The run's payout scope tables (dropped at commit). */
const payoutScope: PayoutScope = { requests: "night_payout_requests", transfers: "night_payout_transfers" }
/** The transfer files this run saw (dropped at commit), recorded for the next run. */
const zenginSeenTable = "night_zengin_seen"
// Unknown order refs are read this many at a time to find their typo candidates.
const unknownRefsPerPage = 1_000

export const NightScopeLive = Layer.effect(NightScope, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const calendarDigest = storedCalendarDigest(sql)

  // Everything the payout rules read besides requests, transfers and transfer files.
  const payoutDigest = sql<{ digest: string }>`
    SELECT md5(concat_ws('|',
      (SELECT string_agg(concat_ws(',', window_no, method, requested_from, requested_to, due_date), ';' ORDER BY window_no, method) FROM payout_windows),
      (SELECT string_agg(method, ',' ORDER BY method) FROM payout_deferred_methods),
      (SELECT string_agg(concat_ws(',', method, label, channel), ';' ORDER BY method) FROM payout_methods),
      (SELECT string_agg(version, ',' ORDER BY version) FROM bank_master_version))) AS digest`.pipe(
    Effect.map((rows) => rows[0]!.digest)
  )

  const addPayoutRequests = (select: Statement.Fragment) =>
    sql`INSERT INTO ${sql(payoutScope.requests)} (request_id) SELECT DISTINCT request_id FROM (${select}) s (request_id) ON CONFLICT DO NOTHING`

  const buildPayoutScope = (
    runId: number,
    previous: { readonly asOf: string; readonly lastFile: string | null; readonly voided: ReadonlyArray<string> },
    asOf: string
  ) =>
    Effect.gen(function*() {
      yield* addPayoutRequests(sql`SELECT request_id FROM payout_requests WHERE changed_run = ${runId}`)
      yield* sql`
        INSERT INTO ${sql(payoutScope.transfers)} (channel, transfer_id)
        SELECT channel, transfer_id FROM transfers WHERE changed_run = ${runId}`
      // A due date crossed: unpaid requests due on or after the last as-of and before this
      // one (PAY_PENDING / PAY_SCHEDULED become PAY_UNPAID_OVERDUE / PAY_TRANSFER_FAILED).
      // Nothing else the rules raise reads the date. The stored due date is tonight's
      // (the schedule and the calendar are unchanged, else the run matches in full).
      if (asOf > previous.asOf) {
        yield* addPayoutRequests(sql`
          SELECT s.request_id FROM payout_request_state s JOIN payout_requests r ON r.request_id = s.request_id
          WHERE s.due_date >= ${previous.asOf}::date AND s.due_date < ${asOf}::date
            AND r.status = 'requested' AND s.completed_count = 0`)
      }
      // Transfer files written or voided since the last run (keshikomi zengin), as this run saw them.
      yield* addPayoutRequests(sql`
        SELECT fr.request_id FROM zengin_file_requests fr JOIN zengin_files f ON f.file_id = fr.file_id
        CROSS JOIN ${sql(zenginSeenTable)} seen
        WHERE f.file_id <= seen.last_file
          AND (${previous.lastFile}::bigint IS NULL OR f.file_id > ${previous.lastFile}::bigint
               OR (f.file_id = ANY(seen.voided) AND NOT f.file_id = ANY(${previous.voided}::bigint[])))`)
      yield* sql`ANALYZE ${sql(payoutScope.requests)}`
      yield* sql`ANALYZE ${sql(payoutScope.transfers)}`
      const [size] = yield* sql<{ n: number }>`
        SELECT (SELECT count(*) FROM ${sql(payoutScope.requests)}) + (SELECT count(*) FROM ${sql(payoutScope.transfers)}) AS n`
      return Number(size!.n)
    })

  const addToScope = (select: Statement.Fragment) =>
    sql`INSERT INTO ${sql(scopeTable)} (order_ref) SELECT DISTINCT order_ref FROM (${select}) s (order_ref) ON CONFLICT DO NOTHING`

  // Unknown lines of refs not yet in scope whose typo candidates include a changed order.
  // Every unknown line has an open SHIP_UNKNOWN_ORDER finding after the last run, so the
  // open findings list the unknown refs without reading every parcel line.
  const addTypoNeighbours = (runId: number) =>
    Effect.gen(function*() {
      let after = ""
      while (true) {
        const page = yield* sql<{ order_ref: string }>`
          SELECT DISTINCT f.scope_ref AS order_ref FROM findings f
          WHERE f.code = 'SHIP_UNKNOWN_ORDER' AND f.closed_on IS NULL AND f.scope_ref > ${after}
            AND NOT EXISTS (SELECT 1 FROM ${sql(scopeTable)} s WHERE s.order_ref = f.scope_ref)
          ORDER BY 1
          LIMIT ${unknownRefsPerPage}`
        if (page.length === 0) return
        after = page[page.length - 1]!.order_ref
        const candidates = typoCandidates(page.map((r) => r.order_ref))
        const changed = new Set((yield* sql<{ order_id: string }>`
          SELECT order_id FROM orders
          WHERE order_id = ANY(${candidates.map((c) => c.candidate)}::text[]) AND changed_run = ${runId}`).map((r) => r.order_id))
        const touched = [...new Set(candidates.filter((c) => changed.has(c.candidate)).map((c) => c.order_ref))]
        if (touched.length > 0) yield* sql`INSERT INTO ${sql(scopeTable)} ${sql.insert(touched.map((order_ref) => ({ order_ref })))} ON CONFLICT DO NOTHING`
        if (page.length < unknownRefsPerPage) return
      }
    })

  const buildScope = (runId: number, asOf: string, previousAsOf: string, businessDaysPassed: boolean) =>
    Effect.gen(function*() {
      yield* addToScope(sql`
        SELECT order_id FROM orders WHERE changed_run = ${runId}
        UNION ALL SELECT order_id FROM order_items WHERE changed_run = ${runId}
        UNION ALL SELECT order_ref FROM parcel_lines WHERE changed_run = ${runId}
        UNION ALL SELECT order_id FROM reshipments WHERE changed_run = ${runId}`)
      if (businessDaysPassed) {
        // Only the ready orders crossing the threshold tonight: below it nothing they
        // raise reads the date, and past it SHIP_NOT_RESHIPPED's detail names no count of
        // days, so an order already overdue raises the same findings every night. The
        // last parcel (the finding's related id) gives the day. More than the threshold's
        // business days have passed since an arrival day exactly when that day is on or
        // before the last day whose running count of business days is threshold + 1 below
        // as_of's: one date, found first, so the findings are filtered by it (joining each
        // of them to the calendar let the planner scan the 80-year calendar once per
        // finding: minutes at 100k). The same date for the last run's as_of bounds it
        // below: an order whose last parcel came on or before it was already overdue
        // then, and the last run raised that (its findings are a full run's, and an order
        // changed since is in scope already).
        const [threshold] = yield* sql<{ cutoff: string | null; previous_cutoff: string | null }>`
          WITH business_day_no AS (
            SELECT day, count(*) FILTER (WHERE is_business_day) OVER (ORDER BY day) AS n FROM jp_calendar
          )
          SELECT to_char(max(d.day) FILTER (WHERE d.n <= (SELECT a.n FROM business_day_no a WHERE a.day = ${asOf}::date) - ${reshipOverdueAfterBusinessDays + 1}::int), 'YYYY-MM-DD') AS cutoff,
                 to_char(max(d.day) FILTER (WHERE d.n <= (SELECT a.n FROM business_day_no a WHERE a.day = ${previousAsOf}::date) - ${reshipOverdueAfterBusinessDays + 1}::int), 'YYYY-MM-DD') AS previous_cutoff
          FROM business_day_no d`
        if (threshold?.cutoff != null) {
          const crossedSince = threshold.previous_cutoff === null
            ? sql``
            : sql`AND (pl.received_at AT TIME ZONE 'Asia/Tokyo')::date > ${threshold.previous_cutoff}::date`
          yield* addToScope(sql`
            SELECT f.subject_id
            FROM findings f
            JOIN parcel_lines pl ON pl.parcel_id = f.related_id AND pl.order_ref = f.subject_id
            WHERE f.code = 'SHIP_READY' AND f.closed_on IS NULL
              AND (pl.received_at AT TIME ZONE 'Asia/Tokyo')::date <= ${threshold.cutoff}::date
              ${crossedSince}
              AND (pl.received_at AT TIME ZONE 'Asia/Tokyo')::date >= (SELECT min(day) FROM jp_calendar)
              AND NOT EXISTS (SELECT 1 FROM findings late
                              WHERE late.code = 'SHIP_NOT_RESHIPPED' AND late.subject_id = f.subject_id
                                AND late.related_id = f.related_id AND late.closed_on IS NULL)`)
        }
      }
      const ordersChanged = (yield* sql<{ any: boolean }>`
        SELECT EXISTS (SELECT 1 FROM orders WHERE changed_run = ${runId}) AS any`)[0]!.any
      if (ordersChanged) {
        yield* addTypoNeighbours(runId)
        yield* addToScope(sql`
          SELECT f.scope_ref FROM findings f
          JOIN parcel_lines pl ON pl.parcel_id = f.subject_id AND pl.order_ref = f.scope_ref
          WHERE f.code = 'SHIP_SELLER_MISMATCH' AND f.closed_on IS NULL
            AND pl.seller_id IN (SELECT seller_id FROM orders WHERE changed_run = ${runId})`)
      }
      // Last, so that the refs added above bring their tracking neighbours too.
      yield* addToScope(sql`
        SELECT other.order_id
        FROM ${sql(scopeTable)} s
        JOIN reshipments r ON r.order_id = s.order_ref
        JOIN reshipments other ON other.tracking_no = r.tracking_no AND other.order_id <> r.order_id`)
      yield* sql`ANALYZE ${sql(scopeTable)}`
      return (yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(scopeTable)}`)[0]!.n
    })

  const decide = Effect.fn("NightScope.decide")(function*(runId: number, asOf: string, options: { readonly full: boolean }) {
    yield* sql`CREATE TEMP TABLE ${sql(scopeTable)} (order_ref text PRIMARY KEY) ON COMMIT DROP`
    yield* sql`CREATE TEMP TABLE ${sql(payoutScope.requests)} (request_id text PRIMARY KEY) ON COMMIT DROP`
    yield* sql`
      CREATE TEMP TABLE ${sql(payoutScope.transfers)} (channel text, transfer_id text, PRIMARY KEY (channel, transfer_id)) ON COMMIT DROP`
    // Read once: the files the scope looks at are the files recorded as seen.
    yield* sql`
      CREATE TEMP TABLE ${sql(zenginSeenTable)} ON COMMIT DROP AS
      SELECT max(file_id) AS last_file,
             coalesce(array_agg(file_id ORDER BY file_id) FILTER (WHERE voided_at IS NOT NULL), '{}') AS voided
      FROM zengin_files`
    // Claimed in either mode: a full run reconciles those refs too. A run that fails
    // rolls the claim back with everything else.
    yield* sql`
      WITH claimed AS (DELETE FROM shipping_pending RETURNING order_ref)
      INSERT INTO ${sql(scopeTable)} (order_ref) SELECT DISTINCT order_ref FROM claimed`
    const [state] = yield* sql<{
      as_of: string
      rules_version: string
      calendar_digest: string
      payout_digest: string | null
      zengin_last_file: string | null
      zengin_voided: ReadonlyArray<string> | null
    }>`
      SELECT to_char(as_of, 'YYYY-MM-DD') AS as_of, rules_version, calendar_digest, payout_digest,
             zengin_last_file, zengin_voided::text[] AS zengin_voided
      FROM match_state`
    const full = (reason: string): MatchMode => ({ _tag: "full", reason })
    if (options.full) return full("--full の指定")
    if (state === undefined) return full("前回の照合の記録がない（初回またはアップグレード後）")
    if (state.rules_version !== matchRulesVersion) return full(`照合ルールの版が変わった（${state.rules_version} → ${matchRulesVersion}）`)
    if (asOf < state.as_of) return full(`基準日 ${asOf} が前回の基準日 ${state.as_of} より前`)
    if ((yield* calendarDigest) !== state.calendar_digest) return full("営業日カレンダーが変わった")
    if ((yield* payoutDigest) !== state.payout_digest) return full("支払スケジュール・支払方法・金融機関マスタのいずれかが変わった")
    const businessDaysPassed = asOf > state.as_of && (yield* sql<{ n: number }>`
      SELECT count(*)::int AS n FROM jp_calendar
      WHERE is_business_day AND day > ${state.as_of}::date AND day <= ${asOf}::date`)[0]!.n > 0
    const orderRefs = yield* buildScope(runId, asOf, state.as_of, businessDaysPassed)
    const payoutSeeds = yield* buildPayoutScope(
      runId,
      { asOf: state.as_of, lastFile: state.zengin_last_file, voided: state.zengin_voided ?? [] },
      asOf
    )
    return { _tag: "incremental", scope: { orderRefs: scopeTable }, orderRefs, payoutScope, payoutSeeds } satisfies MatchMode
  }, Effect.orDie)

  const record = Effect.fn("NightScope.record")(function*(runId: number, asOf: string) {
    const digest = yield* calendarDigest
    const payouts = yield* payoutDigest
    yield* sql`
      INSERT INTO match_state (singleton, run_id, as_of, rules_version, calendar_digest, payout_digest, zengin_last_file, zengin_voided)
      SELECT true, ${runId}, ${asOf}::date, ${matchRulesVersion}, ${digest}, ${payouts}, z.last_file, z.voided
      FROM ${sql(zenginSeenTable)} z
      ON CONFLICT (singleton) DO UPDATE
        SET run_id = EXCLUDED.run_id, as_of = EXCLUDED.as_of,
            rules_version = EXCLUDED.rules_version, calendar_digest = EXCLUDED.calendar_digest,
            payout_digest = EXCLUDED.payout_digest, zengin_last_file = EXCLUDED.zengin_last_file,
            zengin_voided = EXCLUDED.zengin_voided`
  }, Effect.orDie)

  return { decide, record }
}))
