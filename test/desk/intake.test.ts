// What the desk stores: 受付番号 unique across desks at once and past the export's; lines
// corrected or withdrawn moved to the audit and reflected in the next run; the day's CSV
// in the parcels export's format, read back by ingest as the same lines; and the parcels
// export beside the desk counting a parcel once.
import { Chunk, Effect, ManagedRuntime, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { deskLayer } from "../../src/App.ts"
import { Desk } from "../../src/Desk/Desk.ts"
import { japanTime } from "../../src/Desk/japanTime.ts"
import { address, item, order, outDir, parcel, writeInbox } from "../shipping/inbox.ts"
import { createTestDatabase, databaseLayer, raisedFindings, runPipeline } from "../support/testDatabase.ts"
import { type DeskTestDatabase, deskDatabase, intake, query, today } from "./support.ts"

const aozora = (id: string) => order(id, "S104233", "サークル青空")
const todayCompact = () => today().replaceAll("-", "")
const todaySlash = () => today().replaceAll("-", "/")

// Orders PS-0041xxxx of one seller, each of one item.
const orderIds = Array.from({ length: 30 }, (_, i) => `PS-0041${String(2000 + i).padStart(4, "0")}`)
const inbox = () => ({
  orders: [...orderIds.map(aozora), aozora("PS-00412345"), aozora("PS-00419000")],
  items: [...orderIds.map((id) => item(id, "I1", "コピー本", 1)), item("PS-00412345", "I1", "夏の新刊セット", 2), item("PS-00419000", "I1", "缶バッジ", 3)],
  addresses: [address("PS-00412345", "山田 花子", "神南1-2-3")],
  // Typed at the office this morning under the spreadsheet's own numbering.
  parcels: [parcel(`IN-${todayCompact()}-0007`, `${todaySlash()} 00:01`, "9999-0000-0001", "S104233", orderIds[29]!, 1)]
})

let db: DeskTestDatabase

beforeAll(async () => {
  db = await deskDatabase(inbox())
})

afterAll(async () => {
  await db?.close()
})

const csvOf = (date: string) =>
  db.desk((desk) =>
    Stream.runCollect(desk.dayCsv(date)).pipe(Effect.map((chunks) => Buffer.concat(Chunk.toReadonlyArray(chunks).map((c) => Buffer.from(c)))))
  )

describe("受付番号", () => {
  it("is unique across two desks receiving 20 parcels at once, and past the day's highest stored one", async () => {
    const other = ManagedRuntime.make(deskLayer(databaseLayer(db.url)))
    try {
      const parcels = orderIds.slice(0, 20).map((id, i) => intake(`1000-${String(i).padStart(4, "0")}`, [[id, 1]]))
      const results = await Promise.all(parcels.map((p, i) =>
        i % 2 === 0
          ? db.desk((desk) => desk.receive(p))
          : other.runPromise(Effect.flatMap(Desk, (desk) => desk.receive(p)))
      ))
      const ids = results.map((r) => r.parcelId).sort()
      expect(new Set(ids).size).toBe(20)
      expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `IN-${todayCompact()}-${String(8 + i).padStart(4, "0")}`))
      for (const r of results) {
        expect(r.receivedAt).toMatch(new RegExp(`^${today()}T\\d{2}:\\d{2}:\\d{2}\\+09:00$`))
        expect(r.decisions[0]!.decision._tag).toBe("Reship")
      }
    } finally {
      await other.dispose()
    }
  })
})

describe("a line corrected or withdrawn at the desk", () => {
  it("re-points a mistyped id to the picked candidate: audited, announced, and the next run agrees", async () => {
    const received = await db.desk((desk) => desk.receive(intake("2000-0001", [["PS-0041234S", 2]])))
    const first = received.decisions[0]!.decision
    expect(first._tag).toBe("NotFound")
    expect(first._tag === "NotFound" && first.candidates.map((c) => c.orderId)).toEqual(["PS-00412345"])

    const corrected = await db.desk((desk) =>
      desk.correct({ parcelId: received.parcelId, orderIdTyped: "PS-0041234S", newOrderIdTyped: "PS-00412345", by: "受付 佐藤", reason: "候補から選択" })
    )
    expect(corrected.parcelId).toBe(received.parcelId)
    expect(corrected.receivedAt).toBe(received.receivedAt)
    expect(corrected.decisions.map((d) => [d.line.orderId, d.decision._tag])).toEqual([["PS-00412345", "Reship"]])

    const lines = await query(db.url, "SELECT order_ref, order_ref_typed, item_count FROM parcel_lines WHERE parcel_id = $1", [received.parcelId])
    expect(lines).toEqual([{ order_ref: "PS-00412345", order_ref_typed: "PS-00412345", item_count: 2 }])
    const audit = await query<{ action: string; by_whom: string; reason: string; before: any; after: any; outcome: string }>(
      db.url, "SELECT action, by_whom, reason, before, after, outcome FROM desk_line_audit WHERE parcel_id = $1", [received.parcelId]
    )
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: "correct", by_whom: "受付 佐藤", reason: "候補から選択", outcome: "applied" })
    expect(audit[0]!.before).toMatchObject({ order_ref: "PS-0041234S", order_ref_typed: "PS-0041234S", item_count: 2, source: "desk" })
    expect(audit[0]!.after).toMatchObject({ order_ref: "PS-00412345", item_count: 2, source: "desk" })
    const pending = await query<{ order_ref: string }>(db.url, "SELECT DISTINCT order_ref FROM shipping_pending WHERE order_ref IN ('PS-0041234S', 'PS-00412345') ORDER BY 1")
    expect(pending.map((p) => p.order_ref)).toEqual(["PS-00412345", "PS-0041234S"])

    const findings = await db.nightly()
    expect(findings).toContain(`SHIP_READY PS-00412345 ${received.parcelId}`)
    expect(findings.filter((f) => f.includes("PS-0041234S"))).toEqual([])
  })

  it("takes a corrected count", async () => {
    const received = await db.desk((desk) => desk.receive(intake("2000-0002", [["PS-00419000", 1]])))
    expect(received.decisions[0]!.decision).toMatchObject({ _tag: "Hold", remaining: 2 })
    const corrected = await db.desk((desk) =>
      desk.correct({ parcelId: received.parcelId, orderIdTyped: "ps-00419000", newItemCount: 3, by: "受付 佐藤", reason: "数え直し" })
    )
    expect(corrected.decisions[0]!.decision).toMatchObject({ _tag: "Reship", orderId: "PS-00419000" })
  })

  it("is gone from parcel_lines once withdrawn, kept in the audit, marked in the day's list, and not found again", async () => {
    const first = await db.desk((desk) => desk.receive(intake("2000-0003", [[orderIds[25]!, 1]])))
    const again = await db.desk((desk) => desk.receive(intake("2000-0003", [[orderIds[25]!, 1]])))
    expect(again.decisions[0]!.decision._tag).toBe("DoubleScan")
    await db.desk((desk) => desk.withdraw({ parcelId: again.parcelId, orderIdTyped: orderIds[25]!, by: "受付 佐藤", reason: "二重スキャン" }))

    expect(await query(db.url, "SELECT 1 FROM parcel_lines WHERE parcel_id = $1", [again.parcelId])).toEqual([])
    const audit = await query(db.url, "SELECT action, reason, after FROM desk_line_audit WHERE parcel_id = $1", [again.parcelId])
    expect(audit).toEqual([{ action: "withdraw", reason: "二重スキャン", after: null }])
    const day = await db.desk((desk) => desk.day(today()))
    expect(day.filter((l) => l.parcelId === again.parcelId)).toEqual([
      { parcelId: again.parcelId, receivedAt: again.receivedAt, orderIdTyped: orderIds[25], orderId: orderIds[25], itemCount: 1, withdrawn: true }
    ])
    expect(day.filter((l) => l.parcelId === first.parcelId).map((l) => l.withdrawn)).toEqual([false])
    expect((await csvOf(today())).toString("utf8")).not.toContain(again.parcelId)

    const findings = await db.nightly()
    expect(findings.filter((f) => f.includes(again.parcelId))).toEqual([])
    expect(findings).toContain(`SHIP_READY ${orderIds[25]} ${first.parcelId}`)
  })

  it("is refused, and the refusal audited, when the line is not a live desk line", async () => {
    const outcome = await db.attempt((desk) =>
      desk.withdraw({ parcelId: `IN-${todayCompact()}-0007`, orderIdTyped: orderIds[29]!, by: "受付 佐藤", reason: "誤入力" })
    )
    expect(outcome).toMatchObject({ ok: false, error: { _tag: "IntakeNotFound", parcelId: `IN-${todayCompact()}-0007` } })
    expect(await query(db.url, "SELECT 1 FROM parcel_lines WHERE parcel_id = $1", [`IN-${todayCompact()}-0007`])).toHaveLength(1)
    const audit = await query<{ outcome: string }>(db.url, "SELECT outcome FROM desk_line_audit WHERE parcel_id = $1", [`IN-${todayCompact()}-0007`])
    expect(audit.map((a) => a.outcome)).toEqual([expect.stringMatching(/^refused: 受付 IN-\d{8}-0007 に注文 PS-00412029 の受付の行はありません/)])
    expect(await db.attempt((desk) => desk.withdraw({ parcelId: "IN-1", orderIdTyped: "PS-1", by: "受付 佐藤", reason: " " })))
      .toMatchObject({ ok: false, error: { _tag: "IntakeRejected", field: "reason" } })
  })
})

describe("the day's parcels CSV", () => {
  it("is the parcels export's format, and ingest reads it back as the same lines", async () => {
    const tricky = await db.desk((desk) =>
      desk.receive(intake("２０００ー０００４", [["ｐｓ００４１２０２７", 1], [" PS−00412028 ", 1]], {
        sellerId: undefined,
        condition: "破損",
        note: "箱がつぶれて到着, \"要確認\"\n2個口",
        carrier: "佐川急便"
      }))
    )
    const bytes = await csvOf(today())
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.toString("utf8").slice(1)
    expect(text.split("\r\n")[0]).toBe("受付番号,受付日時,配送業者,伝票番号,頒布者ID,注文ID,点数,状態,備考")
    expect(text.endsWith("\r\n")).toBe(true)
    const at = japanTime(new Date(tricky.receivedAt)).cell
    expect(text).toContain(`${tricky.parcelId},${at},佐川急便,2000-0004,,ｐｓ００４１２０２７,1,破損,"箱がつぶれて到着, ""要確認""\n2個口"\r\n`)

    // A fresh database given the same orders and only this file stores exactly the desk's lines.
    const fresh = await createTestDatabase()
    await runPipeline(fresh, { inbox: writeInbox({ ...inbox(), parcels: [] }, "20230901"), outDir: outDir(), asOf: today() })
    await runPipeline(fresh, { inbox: writeInboxFile(`parcels_${todayCompact()}.csv`, bytes), outDir: outDir(), asOf: today() })
    const columns = "parcel_id, order_ref, order_ref_typed, received_at, carrier, tracking_no, seller_id, item_count, condition, note"
    const desk = await query(db.url, `SELECT ${columns} FROM parcel_lines WHERE source = 'desk' ORDER BY parcel_id, order_ref`)
    const read = await query(fresh, `SELECT ${columns} FROM parcel_lines WHERE parcel_id LIKE 'IN-%' AND parcel_id <> $1 ORDER BY parcel_id, order_ref`, [`IN-${todayCompact()}-0007`])
    expect(read).toEqual(desk)
    expect(desk.length).toBeGreaterThan(20)
  })
})

describe("the parcels export beside the desk", () => {
  it("counts a parcel once whether it comes back under the desk's 受付番号 or under the office's own", async () => {
    const before = await db.nightly()
    const lines = await query<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM parcel_lines")
    // The day's CSV dropped in the inbox: the same 受付番号 and order replace the same lines.
    const after = await db.nightly(undefined, "20300101")
    expect(after).toEqual(before)
    await runPipeline(db.url, { inbox: writeInboxFile(`parcels_${todayCompact()}.csv`, await csvOf(today())), outDir: outDir(), asOf: today() })
    expect(await raisedFindings(db.url, "SHIP_")).toEqual(before)
    expect(await query(db.url, "SELECT count(*)::int AS n FROM parcel_lines")).toEqual(lines)

    // The office typed the same slip and order under its own number: a double scan, counted once.
    const received = await db.desk((desk) => desk.receive(intake("3000-0001", [[orderIds[26]!, 1]])))
    expect(received.decisions[0]!.decision._tag).toBe("Reship")
    const findings = await db.nightly({
      parcels: [parcel(`IN-${todayCompact()}-9001`, `${todaySlash()} 23:59`, "30000001", "S104233", orderIds[26]!, 1)]
    }, "20300102")
    expect(findings.filter((f) => f.includes(orderIds[26]!))).toEqual([
      `SHIP_DUPLICATE_SCAN IN-${todayCompact()}-9001 ${orderIds[26]}`,
      `SHIP_READY ${orderIds[26]} ${received.parcelId}`
    ])
  })
})

const writeInboxFile = (name: string, bytes: Buffer) => {
  const dir = writeInbox({}, "20000101")
  fs.writeFileSync(path.join(dir, name), bytes)
  return dir
}
