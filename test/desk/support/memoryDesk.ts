// A small in-memory `Desk` for the web front's HTTP tests: fixed orders, fixed answers,
// every call recorded. It is a test double of the contract (src/Desk/Desk.ts), not the
// nightly rules: the decisions that the real rules give are tested on DeskLive.
import { Effect, Layer, Stream } from "effect"
import { Desk, IntakeNotFound, IntakeRejected, type IntakeLine, type IntakeResult, type OrderDecision, type ParcelIntake } from "../../../src/Desk/Desk.ts"
import { isOneTypoApart, normaliseOrderId } from "../../../src/Domain/OrderId.ts"

export interface MemoryOrder {
  readonly orderId: string
  readonly sellerId: string
  readonly circleName: string
  readonly orderedQty: number
  readonly status: "awaiting_shipment" | "cancelled" | "refunded"
  readonly method: "pictspace_anonymous" | "direct"
}

export const memoryOrders: ReadonlyArray<MemoryOrder> = [
  { orderId: "PS-00000001", sellerId: "S000001", circleName: "サークル青空", orderedQty: 1, status: "awaiting_shipment", method: "pictspace_anonymous" },
  { orderId: "PS-00000002", sellerId: "S000001", circleName: "サークル青空", orderedQty: 3, status: "awaiting_shipment", method: "pictspace_anonymous" },
  { orderId: "PS-00000003", sellerId: "S000002", circleName: "月光堂", orderedQty: 1, status: "cancelled", method: "pictspace_anonymous" },
  { orderId: "PS-00000004", sellerId: "S000002", circleName: "月光堂", orderedQty: 1, status: "awaiting_shipment", method: "direct" },
  { orderId: "PS-00000015", sellerId: "S000003", circleName: "星見書房", orderedQty: 2, status: "awaiting_shipment", method: "pictspace_anonymous" }
]

export const memoryLabel = {
  postalCode: "100-0001",
  prefecture: "東京都",
  city: "千代田区",
  addressLine: "千代田1-1",
  recipientName: "山田花子",
  phone: "03-0000-0000"
}

export interface MemoryDeskState {
  readonly lines: Array<IntakeLine & { readonly trackingNo: string; readonly by: string }>
  readonly intakes: Array<ParcelIntake>
  readonly audit: Array<string>
}

export const memoryDesk = (options: { readonly date: string; readonly fail?: boolean } = { date: "2023-09-01" }) => {
  const state: MemoryDeskState = { lines: [], intakes: [], audit: [] }
  let parcels = 0
  const byId = new Map(memoryOrders.map((o) => [o.orderId, o]))

  const decide = (line: IntakeLine, sellerId: string | undefined): OrderDecision => {
    const order = byId.get(line.orderId)
    if (order === undefined) {
      const candidates = memoryOrders.filter((o) => isOneTypoApart(o.orderId, line.orderId)).map((o) => ({
        orderId: o.orderId,
        sellerId: o.sellerId,
        circleName: o.circleName,
        orderedQty: o.orderedQty,
        sellerMatches: sellerId === o.sellerId,
        countMatches: line.itemCount === o.orderedQty
      }))
      return { _tag: "NotFound", orderIdTyped: line.orderIdTyped, candidates, message: "この注文IDの注文はありません" }
    }
    const earlier = state.lines.filter((l) => !l.withdrawn && l.orderId === order.orderId && l.parcelId !== line.parcelId)
    const receivedBefore = earlier.reduce((n, l) => n + l.itemCount, 0)
    if (receivedBefore >= order.orderedQty) {
      return { _tag: "DoubleScan", orderId: order.orderId, firstParcelId: earlier[0]!.parcelId, message: "この注文はもう受け付けています" }
    }
    if (order.status !== "awaiting_shipment") return { _tag: "Return", orderId: order.orderId, reason: "キャンセル済み", message: "注文はキャンセルされています" }
    if (order.method !== "pictspace_anonymous") return { _tag: "Check", orderId: order.orderId, codes: ["SHIP_METHOD_NOT_ANONYMOUS"], message: "ピクスペ匿名配送の注文ではありません" }
    const received = receivedBefore + line.itemCount
    if (received < order.orderedQty) return { _tag: "Hold", orderId: order.orderId, remaining: order.orderedQty - received, message: `${received}/${order.orderedQty} 点が届いています` }
    return { _tag: "Reship", orderId: order.orderId, label: memoryLabel, message: "すべて届きました" }
  }

  const resultOf = (parcelId: string, sellerId: string | undefined): IntakeResult => {
    const lines = state.lines.filter((l) => l.parcelId === parcelId && !l.withdrawn)
    return {
      parcelId,
      receivedAt: lines[0]?.receivedAt ?? `${options.date}T10:00:00+09:00`,
      decisions: lines.map((line) => ({ line: stripLine(line), decision: decide(line, sellerId) }))
    }
  }

  const stripLine = (line: MemoryDeskState["lines"][number]): IntakeLine => ({
    parcelId: line.parcelId,
    receivedAt: line.receivedAt,
    orderIdTyped: line.orderIdTyped,
    orderId: line.orderId,
    itemCount: line.itemCount,
    withdrawn: line.withdrawn
  })

  const find = (parcelId: string, orderIdTyped: string) => {
    const index = state.lines.findIndex((l) => l.parcelId === parcelId && l.orderIdTyped === orderIdTyped && !l.withdrawn)
    return index < 0
      ? Effect.fail(new IntakeNotFound({ parcelId, message: `受付番号 ${parcelId} に注文ID ${orderIdTyped} の行はありません` }))
      : Effect.succeed(index)
  }

  const sellers = new Map<string, string | undefined>()
  const sellerOf = (parcelId: string) => sellers.get(parcelId)

  const layer = Layer.succeed(Desk, {
    receive: (intake) =>
      Effect.gen(function*() {
        if (options.fail === true) return yield* Effect.die(new Error("database gone: PS-00000001 山田花子"))
        if (intake.trackingNo === "0000") return yield* new IntakeRejected({ field: "伝票番号", message: "伝票番号 0000 は使えません" })
        parcels += 1
        const parcelId = `IN-${options.date.replaceAll("-", "")}-${String(parcels).padStart(4, "0")}`
        const receivedAt = `${options.date}T10:${String(parcels % 60).padStart(2, "0")}:00+09:00`
        state.intakes.push(intake)
        sellers.set(parcelId, intake.sellerId)
        for (const order of intake.orders) {
          state.lines.push({
            parcelId,
            receivedAt,
            orderIdTyped: order.orderIdTyped,
            orderId: normaliseOrderId(order.orderIdTyped),
            itemCount: order.itemCount,
            withdrawn: false,
            trackingNo: intake.trackingNo,
            by: intake.by
          })
        }
        return resultOf(parcelId, intake.sellerId)
      }),
    correct: (correction) =>
      Effect.gen(function*() {
        const index = yield* find(correction.parcelId, correction.orderIdTyped)
        const old = state.lines[index]!
        const orderIdTyped = correction.newOrderIdTyped ?? old.orderIdTyped
        state.lines[index] = { ...old, orderIdTyped, orderId: normaliseOrderId(orderIdTyped), itemCount: correction.newItemCount ?? old.itemCount }
        state.audit.push(`訂正 ${correction.parcelId} ${correction.orderIdTyped} → ${orderIdTyped} ${correction.reason} ${correction.by}`)
        return resultOf(correction.parcelId, sellerOf(correction.parcelId))
      }),
    withdraw: (withdrawal) =>
      Effect.gen(function*() {
        const index = yield* find(withdrawal.parcelId, withdrawal.orderIdTyped)
        state.lines[index] = { ...state.lines[index]!, withdrawn: true }
        state.audit.push(`取消 ${withdrawal.parcelId} ${withdrawal.orderIdTyped} ${withdrawal.reason} ${withdrawal.by}`)
      }),
    day: (date) => Effect.succeed(state.lines.filter((l) => l.receivedAt.startsWith(date)).map(stripLine)),
    dayCsv: (date) =>
      Stream.make(
        new TextEncoder().encode(
          "\uFEFF受付番号,受付日時,配送業者,伝票番号,頒布者ID,注文ID,点数,状態,備考\r\n" +
            state.lines.filter((l) => l.receivedAt.startsWith(date) && !l.withdrawn).map((l) => `${l.parcelId},,,${l.trackingNo},,${l.orderIdTyped},${l.itemCount},,\r\n`).join("")
        )
      )
  })
  return { layer, state }
}
