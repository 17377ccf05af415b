// The intake desk's core (docs/desk.md): a parcel scanned at the desk is saved as
// parcel lines, exactly as a parcels export row would be stored, and each order line is
// decided at once by the nightly run's own shipping rules, raised for the parcel's
// orders only, inside the transaction that saves it. Corrections and withdrawals move
// the old line to an audit table, so parcel_lines holds only live lines; every line
// added, changed or removed is announced in shipping_pending for the next run.
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Either, Layer, Stream } from "effect"
import { normaliseOrderId } from "../Domain/OrderId.ts"
import { ShippingMatch } from "../Match/Shipping.ts"
import { typoCandidates } from "../Match/shipping/typoCandidates.ts"
import { refreshCalendar } from "../Store/Calendar.ts"
import { FindingsStore } from "../Store/FindingsStore.ts"
import { PersonalData } from "../Store/PersonalData.ts"
import { decideLine, findingsOfLine, type OrderFacts, type RaisedFinding, sortCandidates } from "./decision.ts"
import {
  Desk,
  type IntakeCorrection,
  type IntakeLine,
  IntakeNotFound,
  IntakeRejected,
  type IntakeResult,
  type IntakeWithdrawal,
  type OrderCandidate,
  type OrderDecision,
  type ParcelIntake
} from "./Desk.ts"
import { lineLabel, type ParcelLine, parcelLineOf, serverCells } from "./intakeCells.ts"
import { japanDate, japanDayRange, japanTime } from "./japanTime.ts"
import { type ParcelLineRow, parcelsCsvHead, parcelsCsvLine } from "./parcelsCsv.ts"

// Every desk write holds this lock for its transaction (any number, fixed forever; the
// run's is 4_242_001): two desks deciding on the same order at once would each miss the
// other's parcel. A decision takes milliseconds, so desks wait for each other unnoticed.
const deskLockKey = 4_242_016

// A parcel with more orders than this is a typing accident, not a parcel.
const maxOrdersPerParcel = 200
const maxParcelsPerDay = 9_999

/** A stored desk line, as read back. */
interface StoredLine extends ParcelLineRow {
  readonly order_ref: string
  readonly desk_line_no: number | null
}

const storedColumns = (sql: SqlClient.SqlClient) =>
  sql`parcel_id, order_ref, order_ref_typed, received_at, carrier, tracking_no, seller_id, item_count, condition, note, desk_line_no`

const rejected = (field: string, message: string) => new IntakeRejected({ field, message })

/** Cells of one export row for a desk line: the parcel's fields and one order line. */
const cellsOf = (fields: {
  readonly carrier: string
  readonly trackingNo: string
  readonly sellerId?: string | null | undefined
  readonly condition: string
  readonly note: string
  readonly orderIdTyped: string
  readonly itemCount: number | string
}): Record<string, string> => ({
  ...serverCells,
  配送業者: fields.carrier,
  伝票番号: fields.trackingNo,
  頒布者ID: fields.sellerId ?? "",
  注文ID: fields.orderIdTyped,
  点数: typeof fields.itemCount === "number" && !Number.isSafeInteger(fields.itemCount) ? "" : String(fields.itemCount),
  状態: fields.condition,
  備考: fields.note
})

/** The parcel's order lines as export rows (without 受付番号 and 受付日時), or the first broken rule. */
const checkIntake = (intake: ParcelIntake): Either.Either<ReadonlyArray<ParcelLine>, IntakeRejected> => {
  if (intake.by.trim() === "") return Either.left(rejected("by", "担当者名を入力してください。"))
  if (intake.orders.length === 0) return Either.left(rejected("注文ID", "注文IDを1つ以上入力してください。"))
  if (intake.orders.length > maxOrdersPerParcel) {
    return Either.left(rejected("注文ID", `1つの荷物に入力できる注文は${maxOrdersPerParcel}件までです。`))
  }
  const lines: Array<ParcelLine> = []
  for (const [index, order] of intake.orders.entries()) {
    const line = parcelLineOf(cellsOf({ ...intake, ...order }), lineLabel(index, intake.orders.length))
    if (Either.isLeft(line)) return Either.left(line.left)
    const twice = lines.findIndex((l) => l.order_ref === line.right.order_ref)
    if (twice >= 0) {
      return Either.left(rejected(
        "注文ID",
        `注文 ${line.right.order_ref} が1つの荷物に2回入力されています（${twice + 1}件目と${index + 1}件目）。点数をまとめて1行にしてください。`
      ))
    }
    lines.push(line.right)
  }
  return Either.right(lines)
}

export const DeskLive = Layer.effect(Desk, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const shipping = yield* ShippingMatch
  const findings = yield* FindingsStore
  const personal = yield* PersonalData

  // Business days need the calendar, which a run fills; a desk may start before any run.
  yield* refreshCalendar(sql)

  const lock = sql`SELECT pg_advisory_xact_lock(${deskLockKey})`

  const now = Clock.currentTimeMillis.pipe(Effect.map(japanTime))

  const announce = (orderRefs: ReadonlyArray<string>) =>
    sql`INSERT INTO shipping_pending ${sql.insert([...new Set(orderRefs)].map((order_ref) => ({ order_ref })))}`

  /** The next 受付番号 of the day, past every one stored (from an export too) and given out. */
  const nextParcelId = (compactDate: string, date: string) =>
    Effect.gen(function*() {
      const prefix = `IN-${compactDate}-`
      const [row] = yield* sql<{ last_no: number }>`
        INSERT INTO desk_parcel_numbers AS n (day, last_no)
        VALUES (${date}::date, 1 + coalesce((
          SELECT max(substr(parcel_id, 13)::int) FROM parcel_lines
          WHERE parcel_id >= ${prefix + "0000"} AND parcel_id <= ${prefix + "9999"}
            AND parcel_id ~ ${`^IN-${compactDate}-[0-9]{4}$`}), 0))
        ON CONFLICT (day) DO UPDATE SET last_no = greatest(n.last_no + 1, EXCLUDED.last_no)
        RETURNING last_no`
      const no = row!.last_no
      if (no > maxParcelsPerDay) {
        return yield* rejected("受付番号", `今日の受付番号が上限（${maxParcelsPerDay}件）に達しました。事務局の管理者に連絡してください。`)
      }
      return prefix + String(no).padStart(4, "0")
    })

  const linesOfParcel = (parcelId: string) =>
    sql<StoredLine>`
      SELECT ${storedColumns(sql)} FROM parcel_lines
      WHERE parcel_id = ${parcelId} AND source = 'desk'
      ORDER BY desk_line_no, order_ref`

  const intakeLine = (row: StoredLine, withdrawn = false): IntakeLine => ({
    parcelId: row.parcel_id,
    receivedAt: japanTime(new Date(row.received_at)).iso,
    orderIdTyped: row.order_ref_typed,
    orderId: row.order_ref,
    itemCount: row.item_count,
    withdrawn
  })

  /** Every stored order one typo away from an unknown id, with what the slip says about it. */
  const candidatesFor = (orderRef: string, slipSeller: string | null, itemCount: number) =>
    Effect.gen(function*() {
      const ids = typoCandidates([orderRef]).map((c) => c.candidate)
      if (ids.length === 0) return []
      const rows = yield* sql<{ order_id: string; seller_id: string; circle_name: string; ordered_qty: number }>`
        SELECT o.order_id, o.seller_id, o.circle_name,
               coalesce((SELECT sum(i.quantity) FROM order_items i WHERE i.order_id = o.order_id), 0)::int AS ordered_qty
        FROM orders o WHERE o.order_id IN ${sql.in(ids)}`
      return sortCandidates(rows.map((r): OrderCandidate => ({
        orderId: r.order_id,
        sellerId: r.seller_id,
        circleName: r.circle_name,
        orderedQty: r.ordered_qty,
        sellerMatches: slipSeller !== null && r.seller_id === slipSeller,
        countMatches: r.ordered_qty === itemCount
      })))
    })

  /**
   * Decides every live line of a parcel: the shipping rules, scoped to the parcel's order
   * refs, raise exactly those refs' findings into this transaction's current_findings, and
   * each line's decision is read off them (decision.ts). Inside the caller's transaction.
   */
  const decideParcel = (parcelId: string, asOf: string, saved?: ReadonlyArray<StoredLine>) =>
    Effect.gen(function*() {
      const lines = saved ?? (yield* linesOfParcel(parcelId))
      yield* sql`
        CREATE TEMP TABLE desk_scope ON COMMIT DROP AS
        SELECT DISTINCT order_ref FROM parcel_lines WHERE parcel_id = ${parcelId}`
      yield* findings.begin
      yield* shipping.raise(asOf, { orderRefs: "desk_scope" })
      // The findings, and what the rules computed beside them (their working sets of this
      // transaction), in one round trip.
      const [read] = yield* sql<{ raised: Array<RaisedFinding>; facts: Array<OrderFacts & { order_id: string }>; first_scans: Array<{ order_id: string; first_parcel_id: string }> }>`
        SELECT
          (SELECT coalesce(json_agg(json_build_object('code', code, 'subject_id', subject_id, 'related_id', related_id, 'detail', detail)), '[]')
           FROM current_findings WHERE code LIKE 'SHIP\\_%') AS raised,
          (SELECT coalesce(json_agg(json_build_object('order_id', order_id, 'status', status, 'receivedQty', received_qty, 'orderedQty', ordered_qty)), '[]')
           FROM ship_orders WHERE order_id IN (SELECT order_ref FROM desk_scope)) AS facts,
          (SELECT coalesce(json_agg(json_build_object('order_id', order_id, 'first_parcel_id', first_parcel_id)), '[]')
           FROM ship_scans WHERE parcel_id = ${parcelId}) AS first_scans`
      const raised = read!.raised
      const facts = new Map(read!.facts.map((r) => [r.order_id, r]))
      const firstScans = new Map(read!.first_scans.map((r) => [r.order_id, r.first_parcel_id]))

      const verdicts = lines.map((line) => {
        const decided = { parcelId, orderRef: line.order_ref, orderRefTyped: line.order_ref_typed }
        return decideLine(decided, findingsOfLine(decided, raised), facts.get(line.order_ref), firstScans.get(line.order_ref))
      })
      // The label only for a ready order (reports.md: the shipping reader's right).
      const ready = verdicts.flatMap((v) => (v.decision._tag === "Reship" ? [v.decision.orderId] : []))
      const labels = ready.length === 0 ? new Map() : yield* personal.addressesOf(ready)
      const decisions: Array<{ line: IntakeLine; decision: OrderDecision }> = []
      for (const [index, line] of lines.entries()) {
        const decision = verdicts[index]!.decision
        if (decision._tag === "Reship") {
          const address = labels.get(decision.orderId)
          decisions.push({
            line: intakeLine(line),
            decision: {
              ...decision,
              label: address === undefined ? null : {
                postalCode: address.postalCode,
                prefecture: address.prefecture,
                city: address.city,
                addressLine: address.addressLine,
                recipientName: address.recipientName,
                phone: address.phone
              }
            }
          })
        } else if (decision._tag === "NotFound") {
          const candidates = yield* candidatesFor(line.order_ref, line.seller_id, line.item_count)
          decisions.push({ line: intakeLine(line), decision: { ...decision, candidates } })
        } else {
          decisions.push({ line: intakeLine(line), decision })
        }
      }
      return decisions
    })

  const inTransaction = <A, E>(effect: Effect.Effect<A, E>) =>
    effect.pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))

  const receive = Effect.fn("Desk.receive")(function*(intake: ParcelIntake, asOf?: string) {
    const checked = checkIntake(intake)
    if (Either.isLeft(checked)) return yield* checked.left
    yield* checkAsOf(asOf)
    return yield* inTransaction(Effect.gen(function*() {
      yield* lock
      // Read under the lock: 受付日時 then 受付番号 follow the order parcels were saved in.
      const at = yield* now
      const parcelId = yield* nextParcelId(at.compactDate, at.date)
      const rows = checked.right.map((line, index) => ({
        ...line,
        parcel_id: parcelId,
        received_at: at.instant,
        source: "desk",
        desk_by: intake.by.trim(),
        desk_line_no: index + 1
      }))
      // Saved and announced in one statement: a decision is a few dozen round trips.
      yield* sql`
        WITH saved AS (INSERT INTO parcel_lines ${sql.insert(rows)} RETURNING order_ref)
        INSERT INTO shipping_pending (order_ref) SELECT DISTINCT order_ref FROM saved`
      const decisions = yield* decideParcel(parcelId, asOf ?? at.date, rows)
      return { parcelId, receivedAt: at.iso, decisions } satisfies IntakeResult
    }))
  })

  /** Records a refused correction or withdrawal (the change itself was rolled back). */
  const auditRefusal = (action: string, parcelId: string, orderRef: string, by: string, reason: string, error: { readonly message: string }) =>
    sql`
      INSERT INTO desk_line_audit (action, parcel_id, order_ref, by_whom, reason, outcome)
      VALUES (${action}, ${parcelId}, ${orderRef}, ${by}, ${reason}, ${`refused: ${error.message}`})`.pipe(Effect.orDie)

  /** The live desk line of (受付番号, 注文ID as typed, normalised), locked, with its whole row for the audit. */
  const liveLine = (parcelId: string, orderRef: string) =>
    Effect.gen(function*() {
      const [row] = yield* sql<StoredLine & { whole: unknown }>`
        SELECT ${storedColumns(sql)}, to_jsonb(pl) AS whole FROM parcel_lines pl
        WHERE parcel_id = ${parcelId} AND order_ref = ${orderRef} AND source = 'desk'
        FOR UPDATE`
      if (row === undefined) {
        return yield* new IntakeNotFound({
          parcelId,
          message: `受付 ${parcelId} に注文 ${orderRef} の受付の行はありません（取り消し済みか、受付の画面で入力した行ではありません）。`
        })
      }
      return row
    })

  /** An as-of given by the caller must be a date; absent, the desk decides as of today in Japan. */
  const checkAsOf = (asOf: string | undefined) =>
    asOf !== undefined && japanDate(asOf) === undefined
      ? Effect.fail(rejected("asOf", `基準日「${asOf}」は YYYY-MM-DD の日付ではありません。`))
      : Effect.void

  const checkChange = (by: string, reason: string) =>
    by.trim() === "" ? Effect.fail(rejected("by", "担当者名を入力してください。"))
    : reason.trim() === "" ? Effect.fail(rejected("reason", "理由を入力してください。"))
    : Effect.void

  const correct = Effect.fn("Desk.correct")(function*(correction: IntakeCorrection, asOf?: string) {
    const orderRef = normaliseOrderId(correction.orderIdTyped.trim())
    const attempt = Effect.gen(function*() {
      yield* checkChange(correction.by, correction.reason)
      if (correction.newOrderIdTyped === undefined && correction.newItemCount === undefined) {
        return yield* rejected("注文ID", "訂正する注文IDか点数を入力してください。")
      }
      yield* checkAsOf(asOf)
      return yield* inTransaction(Effect.gen(function*() {
        yield* lock
        const old = yield* liveLine(correction.parcelId, orderRef)
        const checked = parcelLineOf(cellsOf({
          carrier: old.carrier,
          trackingNo: old.tracking_no,
          sellerId: old.seller_id,
          condition: old.condition,
          note: old.note,
          orderIdTyped: correction.newOrderIdTyped ?? old.order_ref_typed,
          itemCount: correction.newItemCount ?? old.item_count
        }))
        if (Either.isLeft(checked)) return yield* checked.left
        const line = checked.right
        if (line.order_ref_typed === old.order_ref_typed && line.item_count === old.item_count) {
          return yield* rejected("注文ID", "訂正の前と後で注文IDも点数も同じです。")
        }
        if (line.order_ref !== old.order_ref) {
          const [clash] = yield* sql`SELECT 1 FROM parcel_lines WHERE parcel_id = ${old.parcel_id} AND order_ref = ${line.order_ref}`
          if (clash !== undefined) {
            return yield* rejected("注文ID", `受付 ${old.parcel_id} にはもう注文 ${line.order_ref} の行があります。その行の点数を訂正し、この行は取り消してください。`)
          }
        }
        yield* sql`DELETE FROM parcel_lines WHERE parcel_id = ${old.parcel_id} AND order_ref = ${old.order_ref}`
        // The same parcel line, with only what the correction changes: 受付番号, 受付日時,
        // who entered it and its place in the parcel stay.
        const [after] = yield* sql<{ whole: unknown }>`
          INSERT INTO parcel_lines ${sql.insert({
            ...line,
            parcel_id: old.parcel_id,
            received_at: new Date(old.received_at),
            source: "desk",
            desk_by: (old.whole as { desk_by: string | null }).desk_by,
            desk_line_no: old.desk_line_no
          })}
          RETURNING to_jsonb(parcel_lines) AS whole`
        yield* sql`
          INSERT INTO desk_line_audit (action, parcel_id, order_ref, by_whom, reason, before, after, outcome)
          VALUES ('correct', ${old.parcel_id}, ${old.order_ref}, ${correction.by.trim()}, ${correction.reason.trim()},
                  ${JSON.stringify(old.whole)}::jsonb, ${JSON.stringify(after!.whole)}::jsonb, 'applied')`
        yield* announce([old.order_ref, line.order_ref])
        const at = yield* now
        const decisions = yield* decideParcel(old.parcel_id, asOf ?? at.date)
        return { parcelId: old.parcel_id, receivedAt: japanTime(new Date(old.received_at)).iso, decisions } satisfies IntakeResult
      }))
    })
    return yield* attempt.pipe(
      Effect.tapError((error) => auditRefusal("correct", correction.parcelId, orderRef, correction.by, correction.reason, error))
    )
  })

  const withdraw = Effect.fn("Desk.withdraw")(function*(withdrawal: IntakeWithdrawal) {
    const orderRef = normaliseOrderId(withdrawal.orderIdTyped.trim())
    const attempt = Effect.gen(function*() {
      yield* checkChange(withdrawal.by, withdrawal.reason)
      yield* inTransaction(Effect.gen(function*() {
        yield* lock
        const old = yield* liveLine(withdrawal.parcelId, orderRef)
        yield* sql`DELETE FROM parcel_lines WHERE parcel_id = ${old.parcel_id} AND order_ref = ${old.order_ref}`
        yield* sql`
          INSERT INTO desk_line_audit (action, parcel_id, order_ref, by_whom, reason, before, outcome)
          VALUES ('withdraw', ${old.parcel_id}, ${old.order_ref}, ${withdrawal.by.trim()}, ${withdrawal.reason.trim()},
                  ${JSON.stringify(old.whole)}::jsonb, 'applied')`
        yield* announce([old.order_ref])
      }))
    })
    return yield* attempt.pipe(
      Effect.tapError((error) => auditRefusal("withdraw", withdrawal.parcelId, orderRef, withdrawal.by, withdrawal.reason, error))
    )
  })

  /** The desk's live lines received on a Japan date, by 受付日時, 受付番号, line. */
  const liveLinesOfDay = (date: string) => {
    const { from, to } = japanDayRange(date)
    return sql<StoredLine>`
      SELECT ${storedColumns(sql)} FROM parcel_lines
      WHERE source = 'desk' AND received_at >= ${from} AND received_at < ${to}
      ORDER BY received_at, parcel_id, desk_line_no, order_ref`
  }

  const day = Effect.fn("Desk.day")(function*(date: string) {
    if (japanDate(date) === undefined) return []
    const { from, to } = japanDayRange(date)
    const live = yield* liveLinesOfDay(date)
    const withdrawn = yield* sql<StoredLine>`
      SELECT before->>'parcel_id' AS parcel_id, before->>'order_ref' AS order_ref,
             before->>'order_ref_typed' AS order_ref_typed, (before->>'received_at')::timestamptz AS received_at,
             before->>'carrier' AS carrier, before->>'tracking_no' AS tracking_no, before->>'seller_id' AS seller_id,
             (before->>'item_count')::int AS item_count, before->>'condition' AS condition, before->>'note' AS note,
             (before->>'desk_line_no')::int AS desk_line_no
      FROM desk_line_audit
      WHERE action = 'withdraw' AND outcome = 'applied'
        AND (before->>'received_at')::timestamptz >= ${from} AND (before->>'received_at')::timestamptz < ${to}`
    const all = [...live.map((l) => ({ l, withdrawn: false })), ...withdrawn.map((l) => ({ l, withdrawn: true }))]
    all.sort((a, b) =>
      new Date(a.l.received_at).getTime() - new Date(b.l.received_at).getTime() ||
      (a.l.parcel_id < b.l.parcel_id ? -1 : a.l.parcel_id > b.l.parcel_id ? 1 : 0) ||
      (a.l.desk_line_no ?? 0) - (b.l.desk_line_no ?? 0)
    )
    return all.map(({ l, withdrawn }) => intakeLine(l, withdrawn))
  }, Effect.orDie)

  const encoder = new TextEncoder()
  const dayCsv = (date: string) =>
    Stream.fromEffect(japanDate(date) === undefined ? Effect.succeed([]) : liveLinesOfDay(date)).pipe(
      Stream.orDie,
      Stream.flatMap((rows) => Stream.fromIterable([parcelsCsvHead(), ...rows.map(parcelsCsvLine)])),
      Stream.map((text) => encoder.encode(text))
    )

  return {
    receive: (intake, asOf) => receive(intake, asOf),
    correct: (correction, asOf) => correct(correction, asOf),
    withdraw: (withdrawal) => withdraw(withdrawal),
    day,
    dayCsv
  }
}))
