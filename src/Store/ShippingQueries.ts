// Read queries behind the shipping workbook's worklists. Each one starts from the
// findings open after the run (`findings.closed_on IS NULL`) and joins the stored records only
// for what staff need to see: no rule is applied here again. Rows are streamed.
import type { SqlClient } from "@effect/sql"
import { Effect, Stream } from "effect"
import type { Severity } from "../Domain/Finding.ts"
import { addressFields, openAddress as openSealedAddress } from "../Seal/SealedColumns.ts"
import type { SealerShape } from "../Seal/Sealer.ts"
import { findingDecision, findingStatus } from "./FindingsStore.ts"

/** One order to re-ship now (SHIP_READY), with its label fields when the export has them. */
export type FindingStatus = "新規" | "継続" | "対応済"

export interface ReadyRow {
  readonly order_id: string
  readonly status: FindingStatus
  readonly overdue: boolean
  readonly seller_id: string
  readonly circle_name: string
  readonly parcel_ids: string
  readonly last_received_on: string
  readonly business_days: number
  readonly items: string
  readonly item_count: number
  readonly conditions: string
  readonly notes: string
  readonly has_address: boolean
  readonly postal_code: string | null
  readonly prefecture: string | null
  readonly city: string | null
  readonly address_line: string | null
  readonly recipient_name: string | null
  readonly phone: string | null
  readonly resolved_by: string | null
  readonly resolved_on: string | null
  readonly resolution_note: string | null
}

/** One error or warning, with the action to take and the ids to find the goods by. */
export interface ActionRow {
  readonly action: string
  readonly guidance: string
  readonly severity: Severity
  readonly code: string
  readonly subject_id: string
  readonly related_id: string
  readonly seller_id: string | null
  readonly circle_name: string | null
  readonly order_id: string | null
  readonly parcel_id: string | null
  readonly tracking_no: string | null
  readonly detail: string
  readonly first_seen: string
  readonly status: FindingStatus
}

/** One item of an order still awaiting its parcel (one row per item line). */
export interface AwaitingRow {
  readonly seller_id: string
  readonly circle_name: string
  readonly order_id: string
  readonly ordered_on: string
  readonly item_id: string | null
  readonly item_name: string | null
  readonly quantity: number | null
  readonly first_seen: string
  readonly status: FindingStatus
  readonly resolved_by: string | null
  readonly resolved_on: string | null
  readonly resolution_note: string | null
}

/**
 * One item line of a seller's open order: still awaited (SHIP_AWAITING_PARCEL) or
 * received short (SHIP_COUNT_SHORT, not yet handled). Seller-side facts only: no buyer,
 * no address.
 */
export interface SellerOpenRow {
  readonly seller_id: string
  readonly circle_name: string
  readonly order_id: string
  readonly ordered_on: string
  readonly short: boolean
  readonly ordered_qty: number
  readonly received_qty: number
  readonly item_id: string | null
  readonly item_name: string | null
  readonly quantity: number | null
}

/** How long goods have waited in the office (summary sheet). */
export interface WaitingParcel {
  readonly parcel_id: string
  readonly order_id: string
  readonly received_on: string
  readonly calendar_days: number
  readonly business_days: number
}

export interface ActionGuideRow {
  readonly code: string
  readonly action: string
  readonly rank: number
  readonly guidance: string
}

export interface ShippingQueries {
  /** `overdueOnly`: only the orders overdue for re-shipping (SHIP_NOT_RESHIPPED), for a capped sheet. */
  readonly readyToReship: (runId: number, asOf: string, options?: { readonly overdueOnly?: boolean }) => Stream.Stream<ReadyRow>
  readonly needingAction: (runId: number, guides: ReadonlyArray<ActionGuideRow>) => Stream.Stream<ActionRow>
  readonly awaitingParcels: (runId: number) => Stream.Stream<AwaitingRow>
  /** The ready order that has waited longest since its last parcel arrived. */
  readonly longestReady: (asOf: string) => Effect.Effect<WaitingParcel | undefined>
  /** The oldest parcel in the office not yet re-shipped: ready, held, or being checked. */
  readonly oldestNotReshipped: (asOf: string) => Effect.Effect<WaitingParcel | undefined>
  readonly awaitingSellerCount: () => Effect.Effect<number>
  /**
   * Every seller's open orders, by seller, order and item; with `sellers` (a table with a
   * seller_id column), only those sellers'.
   */
  readonly sellerOpenOrders: (sellers?: string) => Stream.Stream<SellerOpenRow>
}

// Business days after `day` up to and including as_of (the rule of SHIP_NOT_RESHIPPED,
// shown here only as a figure).
const businessDaysSince = (sql: SqlClient.SqlClient, day: string, asOf: string) => sql`
  (SELECT count(*) FROM jp_calendar c
   WHERE c.is_business_day AND c.day > ${sql.literal(day)} AND c.day <= ${asOf}::date)::int`

export type SealedReadyRow = Omit<ReadyRow, typeof addressFields[number]> & { readonly address_sealed: Uint8Array | null }

// 再発送リスト's findings go first into a working table of their own, which is ANALYZEd:
// the query below is then planned from their true number, whatever the base tables'
// statistics say (the run analyses them after ingest, but findings only change after
// that). Planned on a guess of a handful of open findings of one code, the lateral form
// this replaced looked up per order, and a set-based form ran for minutes (issue 12). Whether
// an order is overdue comes from the same scan of findings (a window over the order's
// open SHIP_READY and SHIP_NOT_RESHIPPED findings), not from a join.
const readyListed = "reship_listed"

/**
 * 再発送リスト's query, after setting up its working table (so: inside the run's
 * transaction): its rows with the address still sealed (the test holds them against the
 * lateral form, test/support/readyReference.ts).
 */
export const readyToReshipStatement = (sql: SqlClient.SqlClient, runId: number, asOf: string, options?: { readonly overdueOnly?: boolean }) =>
  Effect.gen(function*() {
    yield* sql`DROP TABLE IF EXISTS ${sql(readyListed)}`
    yield* sql`
      CREATE TEMP TABLE ${sql(readyListed)} ON COMMIT DROP AS
      SELECT w.order_id, w.related_id, w.first_run, w.resolved_at, w.resolved_by, w.resolution_note, w.overdue
      FROM (
        SELECT f.code, f.subject_id AS order_id, f.related_id, f.first_run, f.resolved_at, f.resolved_by, f.resolution_note,
               bool_or(f.code = 'SHIP_NOT_RESHIPPED') OVER (PARTITION BY f.subject_id) AS overdue
        FROM findings f
        WHERE f.code IN ('SHIP_READY', 'SHIP_NOT_RESHIPPED') AND f.closed_on IS NULL
      ) w
      WHERE w.code = 'SHIP_READY' ${options?.overdueOnly === true ? sql`AND w.overdue` : sql``}`
    yield* sql`ANALYZE ${sql(readyListed)}`
    // Each part is an aggregate keyed by the working table's columns, so that every row
    // count the planner works from is derived from the working table's true one (a hash
    // join, not a loop over lookups planned for a handful of rows):
    // - listed: one row per finding, from one join of the findings with their orders'
    //   parcel lines: the parcels, and the day the last counted one arrived (the finding's
    //   related parcel; parcel_lines' key is (parcel_id, order_ref), so one line at most);
    // - items: the orders' items, once per order;
    // - days: the business days waited, once per day of arrival.
    return sql<SealedReadyRow>`
      WITH listed AS MATERIALIZED (
        -- One finding per (order, related parcel): min() and bool_or() only carry its values
        -- through the grouping (any_value would say so, but needs PostgreSQL 16; README: 15+).
        SELECT r.order_id, r.related_id, min(r.first_run) AS first_run, min(r.resolved_at) AS resolved_at,
               min(r.resolved_by) AS resolved_by, min(r.resolution_note) AS resolution_note, bool_or(r.overdue) AS overdue,
               (min(pl.received_at) FILTER (WHERE pl.parcel_id = r.related_id) AT TIME ZONE 'Asia/Tokyo')::date AS received_on,
               string_agg(pl.parcel_id, '、' ORDER BY pl.received_at, pl.parcel_id) AS parcel_ids,
               string_agg(DISTINCT pl.condition, '・') AS conditions,
               coalesce(string_agg(NULLIF(pl.note, ''), ' / ' ORDER BY pl.received_at, pl.parcel_id), '') AS notes
        FROM ${sql(readyListed)} r JOIN parcel_lines pl ON pl.order_ref = r.order_id
        GROUP BY r.order_id, r.related_id
        -- The finding's related parcel is the last one counted for the order.
        HAVING bool_or(pl.parcel_id = r.related_id)
      ),
      items AS MATERIALIZED (
        SELECT r.order_id, string_agg(oi.item_name || ' ×' || oi.quantity, ' / ' ORDER BY oi.item_id) AS items,
               sum(oi.quantity)::int AS item_count
        FROM (SELECT DISTINCT order_id FROM ${sql(readyListed)}) r JOIN order_items oi ON oi.order_id = r.order_id
        GROUP BY r.order_id
      ),
      days AS MATERIALIZED (
        SELECT d.received_on, ${businessDaysSince(sql, "d.received_on", asOf)} AS business_days
        FROM (SELECT DISTINCT received_on FROM listed) d
      )
      SELECT f.order_id, ${findingStatus(sql, runId, "f")} AS status, ${findingDecision(sql, "f")},
             f.overdue, o.seller_id, o.circle_name,
             f.parcel_ids, to_char(f.received_on, 'YYYY-MM-DD') AS last_received_on,
             d.business_days,
             coalesce(i.items, '') AS items, coalesce(i.item_count, 0) AS item_count,
             f.conditions, f.notes,
             a.order_id IS NOT NULL AS has_address,
             a.address_sealed
      FROM listed f
      JOIN days d ON d.received_on = f.received_on
      JOIN orders o ON o.order_id = f.order_id
      LEFT JOIN items i ON i.order_id = f.order_id
      LEFT JOIN shipping_addresses a ON a.order_id = f.order_id
      -- The order the desk works: open before handled, longest waiting first, then by seller.
      ORDER BY f.resolved_at IS NOT NULL, f.received_on, o.seller_id, f.order_id, f.related_id`
  })

/**
 * A row of 再発送リスト with its address opened: here, for that sheet only (docs/privacy.md).
 * Built field by field: a rest-and-spread copy with Object.fromEntries cost twice the
 * opening itself per row (bench/unseal-probe.ts), and the literal keeps the sealed bytes out.
 */
export const openReadyRow = (sealer: SealerShape) => (row: SealedReadyRow): ReadyRow => {
  const address = row.address_sealed === null ? undefined : openSealedAddress(sealer, row.address_sealed)
  return {
    order_id: row.order_id,
    status: row.status,
    overdue: row.overdue,
    seller_id: row.seller_id,
    circle_name: row.circle_name,
    parcel_ids: row.parcel_ids,
    last_received_on: row.last_received_on,
    business_days: row.business_days,
    items: row.items,
    item_count: row.item_count,
    conditions: row.conditions,
    notes: row.notes,
    has_address: row.has_address,
    postal_code: address?.postal_code ?? null,
    prefecture: address?.prefecture ?? null,
    city: address?.city ?? null,
    address_line: address?.address_line ?? null,
    recipient_name: address?.recipient_name ?? null,
    phone: address?.phone ?? null,
    resolved_by: row.resolved_by,
    resolved_on: row.resolved_on,
    resolution_note: row.resolution_note
  } satisfies Record<keyof ReadyRow, unknown>
}

export const makeShippingQueries = (sql: SqlClient.SqlClient, sealer: SealerShape): ShippingQueries => {
  const openAddress = openReadyRow(sealer)

  const readyToReship = (runId: number, asOf: string, options?: { readonly overdueOnly?: boolean }) =>
    Stream.unwrap(Effect.map(readyToReshipStatement(sql, runId, asOf, options), (statement) => statement.stream)).pipe(Stream.map(openAddress), Stream.orDie)

  // Where to find the goods: the order (or the id as typed, for an unknown one), the
  // intake record, the outbound tracking number; the seller is the order's, or the one
  // written on the slip when the order is unknown.
  const needingAction = (runId: number, guides: ReadonlyArray<ActionGuideRow>) => {
    const guideRows = sql.csv(guides.map((g) => sql`(${g.code}, ${g.action}, ${g.rank}::int, ${g.guidance})`))
    return sql<ActionRow>`
      WITH guide (code, action, rank, guidance) AS (VALUES ${guideRows}),
      raised AS (
        SELECT f.*, g.action, g.rank, g.guidance,
               CASE WHEN f.code IN ('SHIP_SELLER_MISMATCH', 'SHIP_DUPLICATE_SCAN', 'SHIP_UNKNOWN_ORDER') THEN f.related_id
                    ELSE f.subject_id END AS order_id,
               CASE WHEN f.code IN ('SHIP_SELLER_MISMATCH', 'SHIP_DUPLICATE_SCAN', 'SHIP_UNKNOWN_ORDER') THEN f.subject_id
                    WHEN f.code IN ('SHIP_RESHIP_WITHOUT_INTAKE', 'SHIP_RESHIP_DUPLICATE') THEN NULL
                    ELSE f.related_id END AS parcel_id,
               CASE WHEN f.code IN ('SHIP_RESHIP_WITHOUT_INTAKE', 'SHIP_RESHIP_DUPLICATE') THEN f.related_id END AS tracking_no
        FROM findings f JOIN guide g ON g.code = f.code
        -- Handled findings (対応済) leave the worklist; the Findings sheet keeps them.
        WHERE f.closed_on IS NULL AND f.resolved_at IS NULL
      )
      SELECT r.action, r.guidance, r.severity, r.code, r.subject_id, r.related_id,
             coalesce(o.seller_id, slip.seller_id) AS seller_id, o.circle_name,
             r.order_id, r.parcel_id,
             coalesce(r.tracking_no, pl.tracking_no) AS tracking_no,
             r.detail, to_char(r.first_seen, 'YYYY-MM-DD') AS first_seen,
             ${findingStatus(sql, runId, "r")} AS status
      FROM raised r
      LEFT JOIN orders o ON o.order_id = r.order_id AND r.code <> 'SHIP_UNKNOWN_ORDER'
      LEFT JOIN parcel_lines slip
        ON r.code = 'SHIP_UNKNOWN_ORDER' AND slip.parcel_id = r.subject_id AND slip.order_ref_typed = r.related_id
      LEFT JOIN LATERAL (
        SELECT x.tracking_no FROM parcel_lines x
        WHERE x.parcel_id = r.parcel_id
        ORDER BY x.order_ref = r.order_id DESC, x.order_ref_typed = r.order_id DESC, x.order_ref
        LIMIT 1
      ) pl ON r.parcel_id IS NOT NULL
      ORDER BY r.rank, coalesce(o.seller_id, slip.seller_id) NULLS LAST, r.order_id, r.parcel_id NULLS FIRST,
               r.code, r.subject_id, r.related_id`.stream.pipe(Stream.orDie)
  }

  const awaitingParcels = (runId: number) =>
    sql<AwaitingRow>`
      SELECT o.seller_id, o.circle_name, o.order_id,
             to_char(o.ordered_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD') AS ordered_on,
             oi.item_id, oi.item_name, oi.quantity,
             to_char(f.first_seen, 'YYYY-MM-DD') AS first_seen,
             ${findingStatus(sql, runId, "f")} AS status, ${findingDecision(sql, "f")}
      FROM findings f
      JOIN orders o ON o.order_id = f.subject_id
      LEFT JOIN order_items oi ON oi.order_id = o.order_id
      WHERE f.code = 'SHIP_AWAITING_PARCEL' AND f.closed_on IS NULL
      ORDER BY o.seller_id, o.order_id, oi.item_id`.stream.pipe(Stream.orDie)

  const waited = (asOf: string) => sql`
    to_char(w.received_on, 'YYYY-MM-DD') AS received_on,
    (${asOf}::date - w.received_on) AS calendar_days,
    ${businessDaysSince(sql, "w.received_on", asOf)} AS business_days`

  const longestReady = (asOf: string) =>
    sql<WaitingParcel>`
      SELECT w.parcel_id, w.order_id, ${waited(asOf)}
      FROM (
        SELECT f.related_id AS parcel_id, f.subject_id AS order_id,
               (pl.received_at AT TIME ZONE 'Asia/Tokyo')::date AS received_on
        FROM findings f JOIN parcel_lines pl ON pl.parcel_id = f.related_id AND pl.order_ref = f.subject_id
        WHERE f.code = 'SHIP_READY' AND f.closed_on IS NULL
      ) w
      ORDER BY w.received_on, w.order_id
      LIMIT 1`.pipe(Effect.map((rows) => rows[0]), Effect.orDie)

  // Goods the office still holds for re-shipping: orders that are ready or held on a
  // count or seller question, and parcels whose order is unknown; not the parcels that
  // are to go back to the seller (cancelled, other method, already shipped).
  const oldestNotReshipped = (asOf: string) =>
    sql<WaitingParcel>`
      WITH held_order AS (
        SELECT subject_id AS order_id FROM findings
        WHERE closed_on IS NULL AND code IN ('SHIP_READY', 'SHIP_COUNT_SHORT', 'SHIP_COUNT_OVER')
        UNION
        SELECT related_id FROM findings WHERE closed_on IS NULL AND code = 'SHIP_SELLER_MISMATCH'
        EXCEPT
        SELECT subject_id FROM findings
        WHERE closed_on IS NULL AND code IN ('SHIP_ORDER_CANCELLED', 'SHIP_METHOD_NOT_ANONYMOUS', 'SHIP_ALREADY_SHIPPED')
      ),
      held_parcel AS (
        SELECT pl.parcel_id, pl.order_ref AS order_id, pl.received_at
        FROM held_order h JOIN parcel_lines pl ON pl.order_ref = h.order_id
        WHERE NOT EXISTS (SELECT 1 FROM reshipments r WHERE r.order_id = h.order_id)
        UNION ALL
        SELECT pl.parcel_id, f.related_id, pl.received_at
        FROM findings f JOIN parcel_lines pl ON pl.parcel_id = f.subject_id AND pl.order_ref_typed = f.related_id
        WHERE f.code = 'SHIP_UNKNOWN_ORDER' AND f.closed_on IS NULL
      )
      SELECT w.parcel_id, w.order_id, ${waited(asOf)}
      FROM (
        SELECT parcel_id, order_id, received_at, (received_at AT TIME ZONE 'Asia/Tokyo')::date AS received_on
        FROM held_parcel
      ) w
      ORDER BY w.received_at, w.parcel_id
      LIMIT 1`.pipe(Effect.map((rows) => rows[0]), Effect.orDie)

  const awaitingSellerCount = () =>
    sql<{ n: number }>`
      SELECT count(DISTINCT related_id)::int AS n FROM findings
      WHERE code = 'SHIP_AWAITING_PARCEL' AND closed_on IS NULL`.pipe(
      Effect.map((rows) => rows[0]?.n ?? 0),
      Effect.orDie
    )

  const sellerOpenOrders = (sellers?: string) =>
    sql<SellerOpenRow>`
      WITH open_order AS (${sellerOpenOrderKeys(sql)})
      SELECT o.seller_id, o.circle_name, o.order_id,
             to_char(o.ordered_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD') AS ordered_on,
             oo.short,
             coalesce((SELECT sum(x.quantity) FROM order_items x WHERE x.order_id = o.order_id), 0)::int AS ordered_qty,
             coalesce((SELECT sum(pl.item_count) FROM parcel_lines pl WHERE pl.order_ref = o.order_id), 0)::int AS received_qty,
             oi.item_id, oi.item_name, oi.quantity
      FROM open_order oo
      JOIN orders o ON o.order_id = oo.order_id
      LEFT JOIN order_items oi ON oi.order_id = o.order_id
      ${sellers === undefined ? sql`` : sql`WHERE oo.seller_id IN (SELECT seller_id FROM ${sql(sellers)})`}
      ORDER BY o.seller_id, o.order_id, oi.item_id`.stream.pipe(Stream.orDie)

  return { readyToReship, needingAction, awaitingParcels, longestReady, oldestNotReshipped, awaitingSellerCount, sellerOpenOrders }
}

/**
 * The orders the seller lists show, one row per order and kind (received short or still
 * awaited), with the seller they are listed under: open, unresolved SHIP_AWAITING_PARCEL
 * and SHIP_COUNT_SHORT findings of known orders. Every list's rows come from these
 * (sellerOpenOrders); the seller-list record keeps them to find the lists a night moves.
 */
export const sellerOpenOrderKeys = (sql: SqlClient.SqlClient) => sql`
  SELECT DISTINCT o.seller_id, f.subject_id AS order_id, f.code = 'SHIP_COUNT_SHORT' AS short
  FROM findings f JOIN orders o ON o.order_id = f.subject_id
  WHERE f.closed_on IS NULL AND f.resolved_at IS NULL
    AND f.code IN ('SHIP_AWAITING_PARCEL', 'SHIP_COUNT_SHORT')`
