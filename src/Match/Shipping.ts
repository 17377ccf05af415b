// Shipping reconciliation (findings.md, Shipping): raised by set-based SQL over the
// stored records into the run's current_findings. Cases the spec leaves open are
// decided in docs/shipping.md; the comments below point there.
//
// The working sets live in temporary tables dropped at the end of the run's
// transaction, so each is computed once and read by several rules:
//   ship_scans    every parcel line of a known order, numbered within (伝票番号, order):
//                 scan_no 1 is the parcel counted, any later one a double scan;
//   ship_ordered  ordered_qty per order;
//   ship_orders   one row per known order with a counted parcel: what was received,
//                 when, from whom, and the first check (if any) that stops it;
//   ship_reships  every reshipment with what the rules need to know about it;
//   ship_unknown  parcel lines whose order id matches no order.
//
// A scope narrows the same rules to some order refs (docs/nightly.md): every working
// set is built from the records of those refs only, so a finding is raised exactly as
// the full run raises it, and only the findings of those refs are raised. Each finding
// carries its order ref (scope_ref), so the merge knows which stored ones it covers.
import { SqlClient, type Statement } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import type { ShippingScope } from "../Domain/ShippingScope.ts"
import { typoCandidates } from "./shipping/typoCandidates.ts"

export type { ShippingScope }

/** A ready order not re-shipped after this many business days since its last parcel is overdue (SHIP_NOT_RESHIPPED); the night scope reads the same number. */
export const reshipOverdueAfterBusinessDays = 2

export class ShippingMatch extends Context.Tag("keshikomi/ShippingMatch")<ShippingMatch, {
  /**
   * Raises into current_findings the shipping findings as of `asOf`: all of them, or
   * with a scope exactly those of its order refs (parcel lines, orders, reshipments).
   */
  readonly raise: (asOf: string, scope?: ShippingScope) => Effect.Effect<void>
}>() {}

// Unknown order ids are read this many at a time to generate their typo candidates;
// one id gives at most 82, so a page is at most 82,000 candidate rows.
const unknownIdsPerPage = 1_000
// Two parameters per candidate row, well under PostgreSQL's 65,535.
const candidateRowsPerInsert = 20_000
// Up to this many order refs, a scoped raise skips indexes and ANALYZE on its working
// sets: a few rows are read faster than indexed, and the desk needs its answer at once.
const smallScope = 1_000

/**
 * A condition "this value is in the scope": `column` against the scope's refs, or
 * against `values` (a subquery of the scope) when given. Always true without a scope.
 */
type Within = (column: Statement.Fragment, values?: Statement.Fragment) => Statement.Fragment

const withinScope = (sql: SqlClient.SqlClient, scope: ShippingScope | undefined): Within => (column, values) =>
  scope === undefined
    ? sql`true`
    : values === undefined
    ? sql`${column} IN (SELECT order_ref FROM ${sql(scope.orderRefs)})`
    : sql`${column} IN (${values})`

export const ShippingMatchLive = Layer.effect(ShippingMatch, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const buildWorkingSets = (within: Within, large: boolean) => Effect.gen(function*() {
    yield* sql`DROP TABLE IF EXISTS ship_scans, ship_ordered, ship_orders, ship_reships, ship_unknown, ship_typo_candidates, ship_ready`

    // A parcel scanned twice is the same 伝票番号 and the same order under another
    // 受付番号: the first scan (受付日時, then 受付番号) is the one counted. 伝票番号 are
    // compared by their digits, so 1234-5678-9012 and 123456789012 are one slip.
    yield* sql`
      CREATE TEMP TABLE ship_scans ON COMMIT DROP AS
      SELECT pl.parcel_id, pl.order_ref AS order_id, pl.received_at, pl.tracking_no,
             pl.seller_id AS slip_seller_id, o.seller_id AS order_seller_id, pl.item_count,
             row_number() OVER scan AS scan_no,
             first_value(pl.parcel_id) OVER scan AS first_parcel_id,
             first_value(pl.item_count) OVER scan AS first_item_count
      FROM parcel_lines pl
      JOIN orders o ON o.order_id = pl.order_ref
      WHERE ${within(sql`pl.order_ref`)}
      WINDOW scan AS (PARTITION BY regexp_replace(pl.tracking_no, '[^0-9]', '', 'g'), pl.order_ref ORDER BY pl.received_at, pl.parcel_id)`
    // Temporary tables are never analysed automatically, and each working set is read by
    // the next one's query: analysed as soon as it is built (ship_orders was planned on
    // a guess of 1,220 counted scans for 240,000 at 300k: nested loops throughout).
    if (large) yield* sql`CREATE INDEX ON ship_scans (order_id) WHERE scan_no = 1`
    if (large) yield* sql`ANALYZE ship_scans`

    yield* sql`
      CREATE TEMP TABLE ship_ordered ON COMMIT DROP AS
      SELECT order_id, sum(quantity)::int AS ordered_qty FROM order_items
      WHERE ${within(sql`order_id`)}
      GROUP BY order_id`
    if (large) yield* sql`ALTER TABLE ship_ordered ADD PRIMARY KEY (order_id)`
    if (large) yield* sql`ANALYZE ship_ordered`

    // Order of checks (findings.md): cancelled/refunded, then method, then already
    // shipped (the status in the orders export, as findings.md defines it).
    yield* sql`
      CREATE TEMP TABLE ship_orders ON COMMIT DROP AS
      SELECT o.order_id, o.seller_id, o.circle_name, o.status, o.shipping_method,
             l.received_qty, coalesce(q.ordered_qty, 0) AS ordered_qty,
             l.first_received_on, l.last_received_on, l.last_parcel_id, l.seller_mismatch,
             r.order_id IS NOT NULL AS reshipped,
             CASE
               WHEN o.status IN ('cancelled', 'refunded') THEN 'SHIP_ORDER_CANCELLED'
               WHEN o.shipping_method <> 'pictspace_anonymous' THEN 'SHIP_METHOD_NOT_ANONYMOUS'
               WHEN o.status = 'shipped' THEN 'SHIP_ALREADY_SHIPPED'
             END AS stopped_by
      FROM (
        SELECT order_id,
               sum(item_count)::int AS received_qty,
               (min(received_at) AT TIME ZONE 'Asia/Tokyo')::date AS first_received_on,
               (max(received_at) AT TIME ZONE 'Asia/Tokyo')::date AS last_received_on,
               (array_agg(parcel_id ORDER BY received_at DESC, parcel_id DESC))[1] AS last_parcel_id,
               coalesce(bool_or(slip_seller_id <> order_seller_id), false) AS seller_mismatch
        FROM ship_scans
        WHERE scan_no = 1
        GROUP BY order_id
      ) l
      JOIN orders o USING (order_id)
      LEFT JOIN ship_ordered q USING (order_id)
      LEFT JOIN (SELECT DISTINCT order_id FROM reshipments WHERE ${within(sql`order_id`)}) r USING (order_id)`
    if (large) yield* sql`ALTER TABLE ship_orders ADD PRIMARY KEY (order_id)`
    if (large) yield* sql`ANALYZE ship_orders`

    // "After intake" compares Japan dates: a reshipment keyed on the day its parcel
    // arrived is after it, whatever time was typed (docs/shipping.md). A scope reads
    // every reshipment on the tracking numbers of its orders, so the count of orders on
    // one tracking number is whole; only its own orders' rows are raised (in_scope).
    yield* sql`
      CREATE TEMP TABLE ship_reships ON COMMIT DROP AS
      SELECT r.order_id, r.tracking_no, r.carrier,
             (r.shipped_at AT TIME ZONE 'Asia/Tokyo')::date AS shipped_on,
             row_number() OVER per_order AS nth,
             first_value(r.tracking_no) OVER per_order AS first_tracking_no,
             count(*) OVER (PARTITION BY r.order_id) AS reships_of_order,
             count(*) OVER (PARTITION BY r.tracking_no) AS orders_on_tracking,
             o.order_id IS NOT NULL AS order_known,
             so.first_received_on,
             ${within(sql`r.order_id`)} AS in_scope
      FROM reshipments r
      LEFT JOIN orders o ON o.order_id = r.order_id
      LEFT JOIN ship_orders so ON so.order_id = r.order_id
      WHERE ${within(sql`r.tracking_no`, sql`SELECT t.tracking_no FROM reshipments t WHERE ${within(sql`t.order_id`)}`)}
      WINDOW per_order AS (PARTITION BY r.order_id ORDER BY r.shipped_at, r.tracking_no)`

    yield* sql`
      CREATE TEMP TABLE ship_unknown ON COMMIT DROP AS
      SELECT pl.parcel_id, pl.order_ref, pl.order_ref_typed, pl.seller_id AS slip_seller_id
      FROM parcel_lines pl
      WHERE ${within(sql`pl.order_ref`)}
        AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = pl.order_ref)`
    if (large) yield* sql`CREATE INDEX ON ship_unknown (order_ref)`
    yield* sql`CREATE TEMP TABLE ship_typo_candidates (order_ref text NOT NULL, candidate text NOT NULL) ON COMMIT DROP`
    if (large) yield* sql`ANALYZE ship_reships, ship_unknown`
  })

  // Candidates are generated page by page (keyset on the id), so memory stays bounded
  // however many ids are unknown. Plain queries, not a cursor: the run's single
  // connection cannot interleave a cursor with inserts.
  const collectTypoCandidates = Effect.gen(function*() {
    let after = ""
    while (true) {
      const page = yield* sql<{ order_ref: string }>`
        SELECT DISTINCT order_ref FROM ship_unknown
        WHERE order_ref > ${after}
        ORDER BY order_ref
        LIMIT ${unknownIdsPerPage}`
      if (page.length === 0) return
      after = page[page.length - 1]!.order_ref
      const rows = typoCandidates(page.map((r) => r.order_ref))
      for (let start = 0; start < rows.length; start += candidateRowsPerInsert) {
        yield* sql`INSERT INTO ship_typo_candidates ${sql.insert(rows.slice(start, start + candidateRowsPerInsert))}`
      }
      if (page.length < unknownIdsPerPage) return
    }
  })

  const raiseUnknownOrders = (large: boolean) => Effect.gen(function*() {
    yield* collectTypoCandidates
    if (large) {
      yield* sql`CREATE INDEX ON ship_typo_candidates (order_ref)`
      yield* sql`ANALYZE ship_typo_candidates`
    }
    // A suggestion only when exactly one order, of the seller on the slip (or of any
    // seller when none is written), is one typo away.
    yield* sql`
      INSERT INTO current_findings (code, subject_id, related_id, scope_ref, detail)
      SELECT 'SHIP_UNKNOWN_ORDER', u.parcel_id, u.order_ref_typed, u.order_ref,
             CASE WHEN s.suggestions = 1 THEN
               format('受付 %s の注文ID「%s」に当たる注文はなく、%s の書き間違いと思われるため、伝票と中身で確かめて受付記録の注文IDを直してください',
                      u.parcel_id, u.order_ref_typed,
                      CASE WHEN u.slip_seller_id IS NULL THEN '注文 ' || s.suggestion
                           ELSE '頒布者 ' || u.slip_seller_id || ' の注文 ' || s.suggestion END)
             ELSE
               format('受付 %s の注文ID「%s」に当たる注文がなく一字違いの候補も絞れないため、伝票と同梱物で注文IDを確かめて%sください',
                      u.parcel_id, u.order_ref_typed,
                      CASE WHEN u.slip_seller_id IS NULL THEN '受付記録を直して' ELSE '頒布者 ' || u.slip_seller_id || ' に問い合わせて' END)
             END
      FROM ship_unknown u
      LEFT JOIN LATERAL (
        SELECT count(DISTINCT o.order_id) AS suggestions, min(o.order_id) AS suggestion
        FROM ship_typo_candidates c
        JOIN orders o ON o.order_id = c.candidate
        WHERE c.order_ref = u.order_ref
          AND (u.slip_seller_id IS NULL OR o.seller_id = u.slip_seller_id)
      ) s ON true`
  })

  const raiseDuplicateScans = sql`
    INSERT INTO current_findings (code, subject_id, related_id, scope_ref, detail)
    SELECT 'SHIP_DUPLICATE_SCAN', s.parcel_id, s.order_id, s.order_id,
           format('受付 %s は受付 %s と伝票番号 %s・注文 %s が同じで同じ荷物の二重受付と思われるため、点数は %s の %s 点だけ数えました（%s受付記録を確かめ、重複なら取り消してください）',
                  s.parcel_id, s.first_parcel_id, s.tracking_no, s.order_id, s.first_parcel_id, s.first_item_count,
                  CASE WHEN s.item_count <> s.first_item_count
                    THEN format('この受付の %s 点とは食い違うので中身と', s.item_count) ELSE '' END)
    FROM ship_scans s
    WHERE s.scan_no > 1`

  // One finding per counted parcel: each one has to be returned or handled.
  const raiseStoppedOrders = sql`
    INSERT INTO current_findings (code, subject_id, related_id, scope_ref, detail)
    SELECT so.stopped_by, so.order_id, s.parcel_id, so.order_id,
           CASE so.stopped_by
             WHEN 'SHIP_ORDER_CANCELLED' THEN
               format('注文 %s は%sのため発送せず、受付 %s の荷物を頒布者 %s（%s）へ返送してください',
                      so.order_id, CASE so.status WHEN 'refunded' THEN '返金済み' ELSE 'キャンセル済み' END,
                      s.parcel_id, so.seller_id, so.circle_name)
             WHEN 'SHIP_METHOD_NOT_ANONYMOUS' THEN
               format('注文 %s の配送方法は%sで事務局からは発送できないため、受付 %s の荷物を頒布者 %s（%s）へ返送してください',
                      so.order_id,
                      CASE so.shipping_method WHEN 'yamato_anonymous' THEN 'ヤマト匿名配送（yamato_anonymous）'
                                              WHEN 'direct' THEN '直接発送（direct）'
                                              ELSE so.shipping_method END,
                      s.parcel_id, so.seller_id, so.circle_name)
             ELSE
               format('注文 %s は注文データで発送済みのため二重発送のおそれがあり、受付 %s の荷物は発送せず保管して頒布者 %s（%s）に確かめてください',
                      so.order_id, s.parcel_id, so.seller_id, so.circle_name)
           END
             || CASE WHEN s.slip_seller_id <> so.seller_id
                  THEN format('（伝票の頒布者は %s で注文と違うため、返送先を確かめてください）', s.slip_seller_id) ELSE '' END
    FROM ship_orders so
    JOIN ship_scans s ON s.order_id = so.order_id AND s.scan_no = 1
    WHERE so.stopped_by IS NOT NULL`

  // Checked per counted parcel, whatever the order's state: it tells who really sent it.
  // The circle of the seller on the slip is that of its first order (by id), so that a
  // full and a scoped raise name the same one (docs/nightly.md).
  const raiseSellerMismatches = sql`
    INSERT INTO current_findings (code, subject_id, related_id, scope_ref, detail)
    SELECT 'SHIP_SELLER_MISMATCH', s.parcel_id, s.order_id, s.order_id,
           format('受付 %s の伝票の頒布者は %sで、注文 %s の頒布者 %s（%s）と違うため、発送や返送の前に注文IDと差出人を確かめてください',
                  s.parcel_id, s.slip_seller_id || coalesce('（' || w.circle_name || '）', ' '),
                  s.order_id, so.seller_id, so.circle_name)
    FROM ship_scans s
    JOIN ship_orders so ON so.order_id = s.order_id
    LEFT JOIN LATERAL (SELECT circle_name FROM orders x WHERE x.seller_id = s.slip_seller_id ORDER BY x.order_id LIMIT 1) w ON true
    WHERE s.scan_no = 1 AND s.slip_seller_id <> s.order_seller_id`

  const raiseCounts = sql`
    INSERT INTO current_findings (code, subject_id, related_id, scope_ref, detail)
    SELECT CASE WHEN so.received_qty < so.ordered_qty THEN 'SHIP_COUNT_SHORT' ELSE 'SHIP_COUNT_OVER' END,
           so.order_id, so.last_parcel_id, so.order_id,
           CASE
             WHEN so.ordered_qty = 0 THEN
               format('注文 %s は注文明細がなく（注文 0 点）受領 %s 点と照合できないため、発送せずに注文明細（order_items）を確かめてください（最後の受付 %s）',
                      so.order_id, so.received_qty, so.last_parcel_id)
             WHEN so.reshipped AND so.received_qty < so.ordered_qty THEN
               format('注文 %s は再発送済みですが受領 %s / 注文 %s 点で足りなかったため、不足分の扱いを頒布者 %s（%s）と確かめてください（最後の受付 %s）',
                      so.order_id, so.received_qty, so.ordered_qty, so.seller_id, so.circle_name, so.last_parcel_id)
             WHEN so.reshipped THEN
               format('注文 %s は再発送済みですが受領 %s / 注文 %s 点で多かったため、余った品が事務局に残っていないか確かめ、あれば頒布者 %s（%s）へ返送してください（最後の受付 %s）',
                      so.order_id, so.received_qty, so.ordered_qty, so.seller_id, so.circle_name, so.last_parcel_id)
             WHEN so.received_qty < so.ordered_qty THEN
               format('注文 %s は受領 %s / 注文 %s 点で足りないため、残りが届くまで発送せず保留してください（最後の受付 %s）',
                      so.order_id, so.received_qty, so.ordered_qty, so.last_parcel_id)
             ELSE
               format('注文 %s は受領 %s / 注文 %s 点で多いため、発送せずに中身を注文明細と照合し、余った品を頒布者 %s（%s）へ返送してください（最後の受付 %s）',
                      so.order_id, so.received_qty, so.ordered_qty, so.seller_id, so.circle_name, so.last_parcel_id)
           END
    FROM ship_orders so
    WHERE so.stopped_by IS NULL AND so.received_qty <> so.ordered_qty`

  // Ready: received in full, awaiting_shipment (not stopped, not re-shipped), seller
  // matches. An order without item lines is never ready (docs/shipping.md).
  const raiseReady = (asOf: string) =>
    Effect.gen(function*() {
      // Business days after the day the last parcel arrived, up to and including as_of:
      // the difference of the running count of business days at the two dates.
      yield* sql`
        CREATE TEMP TABLE ship_ready ON COMMIT DROP AS
        WITH business_day_no AS (
          SELECT day, count(*) FILTER (WHERE is_business_day) OVER (ORDER BY day) AS n FROM jp_calendar
          -- Only the days from the earliest arrival to as_of: a difference of running counts
          -- does not depend on where the count starts, and the calendar holds 80 years
          -- (counting all of them was most of a one-order decision at the desk).
          WHERE day >= least(${asOf}::date, (SELECT min(last_received_on) FROM ship_orders))
            AND day <= greatest(${asOf}::date, (SELECT max(last_received_on) FROM ship_orders))
        )
        SELECT so.*, (as_of.n - arrived.n)::int AS business_days
        FROM ship_orders so
        JOIN business_day_no arrived ON arrived.day = so.last_received_on
        JOIN business_day_no as_of ON as_of.day = ${asOf}::date
        WHERE so.stopped_by IS NULL
          AND so.status = 'awaiting_shipment'
          AND NOT so.reshipped
          AND NOT so.seller_mismatch
          AND so.ordered_qty > 0
          AND so.received_qty = so.ordered_qty`
      yield* sql`
        INSERT INTO current_findings (code, subject_id, related_id, scope_ref, detail)
        SELECT 'SHIP_READY', r.order_id, r.last_parcel_id, r.order_id,
               format('注文 %s は受領 %s / 注文 %s 点がそろったので再発送してください（最後の受付 %s、%s 着）',
                      r.order_id, r.received_qty, r.ordered_qty, r.last_parcel_id, to_char(r.last_received_on, 'YYYY/MM/DD'))
        FROM ship_ready r`
      yield* sql`
        INSERT INTO current_findings (code, subject_id, related_id, scope_ref, detail)
        SELECT 'SHIP_NOT_RESHIPPED', r.order_id, r.last_parcel_id, r.order_id,
               format('注文 %s は %s に最後の荷物（受付 %s）が届いてから 2 営業日を過ぎても再発送されていないため、至急再発送してください',
                      r.order_id, to_char(r.last_received_on, 'YYYY/MM/DD'), r.last_parcel_id)
        FROM ship_ready r
        WHERE r.business_days > ${reshipOverdueAfterBusinessDays}::int`
    })

  const raiseReshipments = sql`
    INSERT INTO current_findings (code, subject_id, related_id, scope_ref, detail)
    SELECT f.code, r.order_id, r.tracking_no, r.order_id, f.detail
    FROM ship_reships r
    CROSS JOIN LATERAL (
      SELECT 'SHIP_RESHIPPED' AS code,
             format('注文 %s は %s に %s（追跡番号 %s）で再発送済みです', r.order_id,
                    to_char(r.shipped_on, 'YYYY/MM/DD'), r.carrier, r.tracking_no)
             -- A parcel that came after the reshipment was not in it (docs/shipping.md).
             || coalesce((SELECT format('が、その後に届いた受付 %s の中身が事務局に残っていないか確かめてください',
                                        string_agg(s.parcel_id, '・' ORDER BY s.received_at, s.parcel_id))
                          FROM ship_scans s
                          WHERE s.order_id = r.order_id AND s.scan_no = 1
                            AND (s.received_at AT TIME ZONE 'Asia/Tokyo')::date > r.shipped_on
                          HAVING count(*) > 0), '') AS detail
      WHERE r.reships_of_order = 1 AND r.orders_on_tracking = 1
        AND r.first_received_on IS NOT NULL AND r.shipped_on >= r.first_received_on
      UNION ALL
      SELECT 'SHIP_RESHIP_WITHOUT_INTAKE',
             CASE
               WHEN NOT r.order_known THEN
                 format('再発送記録（追跡番号 %s、%s）の注文 %s は注文データにないため、再発送記録の注文IDを確かめてください',
                        r.tracking_no, to_char(r.shipped_on, 'YYYY/MM/DD'), r.order_id)
               WHEN r.first_received_on IS NULL THEN
                 format('注文 %s は荷物の受付記録がないのに %s に追跡番号 %s で再発送されているため、受付記録の漏れか再発送記録の注文IDの誤りかを確かめてください',
                        r.order_id, to_char(r.shipped_on, 'YYYY/MM/DD'), r.tracking_no)
               ELSE
                 format('注文 %s の再発送（追跡番号 %s、%s）は最初の荷物の受付（%s）より前の日付のため、再発送記録と受付記録の注文IDと日付を確かめてください',
                        r.order_id, r.tracking_no, to_char(r.shipped_on, 'YYYY/MM/DD'), to_char(r.first_received_on, 'YYYY/MM/DD'))
             END
      WHERE r.first_received_on IS NULL OR r.shipped_on < r.first_received_on
      UNION ALL
      SELECT 'SHIP_RESHIP_DUPLICATE',
             CASE
               WHEN r.orders_on_tracking > 1 THEN
                 format('追跡番号 %s は注文 %s のほかに注文 %s の再発送にも使われているため、記録の誤りか同梱かを確かめてください',
                        r.tracking_no, r.order_id,
                        (SELECT string_agg(x.order_id, '・' ORDER BY x.order_id) FROM reshipments x
                         WHERE x.tracking_no = r.tracking_no AND x.order_id <> r.order_id))
               ELSE
                 format('注文 %s は追跡番号 %s に続いて %s に追跡番号 %s でも再発送されているため、二重発送でないか確かめてください',
                        r.order_id, r.first_tracking_no, to_char(r.shipped_on, 'YYYY/MM/DD'), r.tracking_no)
             END
      WHERE r.nth > 1 OR r.orders_on_tracking > 1
    ) f
    WHERE r.in_scope`

  // Nothing received yet and nothing re-shipped: what each seller still has to send.
  const raiseAwaiting = (within: Within) => sql`
    INSERT INTO current_findings (code, subject_id, related_id, scope_ref, detail)
    SELECT 'SHIP_AWAITING_PARCEL', o.order_id, o.seller_id, o.order_id,
           format('注文 %s は頒布者 %s（%s）からの荷物がまだ届いていません（注文 %s 点）',
                  o.order_id, o.seller_id, o.circle_name, coalesce(q.ordered_qty, 0))
    FROM orders o
    LEFT JOIN ship_ordered q ON q.order_id = o.order_id
    WHERE ${within(sql`o.order_id`)}
      AND o.status = 'awaiting_shipment'
      AND o.shipping_method = 'pictspace_anonymous'
      AND NOT EXISTS (SELECT 1 FROM parcel_lines pl WHERE pl.order_ref = o.order_id)
      AND NOT EXISTS (SELECT 1 FROM reshipments r WHERE r.order_id = o.order_id)`

  const raise = Effect.fn("ShippingMatch.raise")(function*(asOf: string, scope?: ShippingScope) {
    const within = withinScope(sql, scope)
    const large = scope === undefined || (yield* sql<{ large: boolean }>`
      SELECT count(*) > ${smallScope} AS large
      FROM (SELECT 1 FROM ${sql(scope.orderRefs)} LIMIT ${smallScope + 1}) s`)[0]!.large
    yield* buildWorkingSets(within, large)
    yield* raiseUnknownOrders(large)
    yield* raiseDuplicateScans
    yield* raiseStoppedOrders
    yield* raiseSellerMismatches
    yield* raiseCounts
    yield* raiseReady(asOf)
    yield* raiseReshipments
    yield* raiseAwaiting(within)
  }, Effect.orDie)

  return { raise }
}))
