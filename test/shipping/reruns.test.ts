// Findings keep their identity from run to run (code, subject, related): a state that
// lasts is 継続 with its first-seen date, and one that ends is closed.
import ExcelJS from "exceljs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { createTestDatabase, query, raisedFindings, runPipeline } from "../support/testDatabase.ts"
import { item, order, outDir, parcel, reship, writeInbox } from "./inbox.ts"

interface Stored {
  readonly code: string
  readonly subject_id: string
  readonly related_id: string
  readonly first_seen: string
  readonly closed_on: string | null
}

const stored = (url: string) =>
  query<Stored>(
    url,
    `SELECT code, subject_id, related_id, to_char(first_seen, 'YYYY-MM-DD') AS first_seen,
            to_char(closed_on, 'YYYY-MM-DD') AS closed_on
     FROM findings WHERE code LIKE 'SHIP_%' ORDER BY code, subject_id, related_id`
  )

describe("shipping findings across runs", () => {
  it("follow an order from awaiting, to ready, to overdue, to re-shipped", async () => {
    const url = await createTestDatabase()
    const out = outDir()
    const run = (inbox: Parameters<typeof writeInbox>[0], asOf: string, stamp: string) =>
      runPipeline(url, { inbox: writeInbox(inbox, stamp), outDir: out, asOf })

    await run({
      orders: [order("PS-00412388", "S104233", "サークル青空")],
      items: [item("PS-00412388", "I1", "夏の新刊セット", 1)]
    }, "2023-08-31", "20230831")
    expect(await raisedFindings(url, "SHIP_")).toEqual(["SHIP_AWAITING_PARCEL PS-00412388 S104233"])

    await run({ parcels: [parcel("IN-1", "2023/09/01 10:00", "4410-0000-0001", "S104233", "PS-00412388", 1)] }, "2023-09-01", "20230901")
    expect(await raisedFindings(url, "SHIP_")).toEqual(["SHIP_READY PS-00412388 IN-1"])

    // Nothing new arrives; the order waits.
    await run({}, "2023-09-05", "20230905")
    expect(await raisedFindings(url, "SHIP_")).toEqual(["SHIP_READY PS-00412388 IN-1"])
    await run({}, "2023-09-06", "20230906")
    expect(await raisedFindings(url, "SHIP_")).toEqual(["SHIP_NOT_RESHIPPED PS-00412388 IN-1", "SHIP_READY PS-00412388 IN-1"])

    await run({ reshipments: [reship("PS-00412388", "489000000001", "2023-09-07T10:00:00+09:00")] }, "2023-09-07", "20230907")
    expect(await raisedFindings(url, "SHIP_")).toEqual(["SHIP_RESHIPPED PS-00412388 489000000001"])

    expect(await stored(url)).toEqual([
      { code: "SHIP_AWAITING_PARCEL", subject_id: "PS-00412388", related_id: "S104233", first_seen: "2023-08-31", closed_on: "2023-09-01" },
      { code: "SHIP_NOT_RESHIPPED", subject_id: "PS-00412388", related_id: "IN-1", first_seen: "2023-09-06", closed_on: "2023-09-07" },
      { code: "SHIP_READY", subject_id: "PS-00412388", related_id: "IN-1", first_seen: "2023-09-01", closed_on: "2023-09-07" },
      { code: "SHIP_RESHIPPED", subject_id: "PS-00412388", related_id: "489000000001", first_seen: "2023-09-07", closed_on: null }
    ])
  })

  it("raise the same findings when the same inbox is run again", async () => {
    const url = await createTestDatabase()
    const inbox = writeInbox({
      orders: [order("PS-00412345", "S104233", "サークル青空"), order("PS-00412346", "S104233", "サークル青空")],
      items: [item("PS-00412345", "I1", "本", 2), item("PS-00412346", "I1", "本", 1)],
      parcels: [
        parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S104233", "PS-00412345", 1),
        parcel("IN-2", "2023/09/04 11:00", "1111-0001", "S104233", "PS-00412345", 1),
        parcel("IN-3", "2023/09/04 12:00", "1111-0003", "S104233", "PS-0041234X", 1)
      ]
    })
    await runPipeline(url, { inbox, outDir: outDir(), asOf: "2023-09-05" })
    const first = await raisedFindings(url, "SHIP_")
    await runPipeline(url, { inbox, outDir: outDir(), asOf: "2023-09-05" })
    expect(await raisedFindings(url, "SHIP_")).toEqual(first)
    expect(first).toEqual([
      "SHIP_AWAITING_PARCEL PS-00412346 S104233",
      "SHIP_COUNT_SHORT PS-00412345 IN-1",
      "SHIP_DUPLICATE_SCAN IN-2 PS-00412345",
      "SHIP_UNKNOWN_ORDER IN-3 PS-0041234X"
    ])
    const open = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM findings WHERE code LIKE 'SHIP_%' AND closed_on IS NULL`)
    expect(open[0]!.n).toBe(4)
  })

  it("show a finding staff marked handled as 対応済 at the bottom of 要対応, with the note", async () => {
    const url = await createTestDatabase()
    const out = outDir()
    await runPipeline(url, {
      inbox: writeInbox({
        orders: [order("PS-00000001", "S104233", "サークル青空"), order("PS-00000002", "S104233", "サークル青空")],
        items: [item("PS-00000001", "I1", "本", 2), item("PS-00000002", "I1", "本", 2)],
        parcels: [
          parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S104233", "PS-00000001", 1),
          parcel("IN-2", "2023/09/04 11:00", "1111-0002", "S104233", "PS-00000002", 1)
        ]
      }),
      outDir: out,
      asOf: "2023-09-05"
    })
    await query(
      url,
      `UPDATE findings SET resolved_at = now(), resolved_by = '佐藤', resolution_note = '残りは9/8着と連絡あり'
       WHERE code = 'SHIP_COUNT_SHORT' AND subject_id = 'PS-00000001'`
    )
    await runPipeline(url, { inbox: writeInbox({}), outDir: out, asOf: "2023-09-06" })
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(path.join(out, "2023-09-06", "shipping.xlsx"))
    const rows: Array<Array<unknown>> = []
    workbook.getWorksheet("要対応")!.eachRow((row) => rows.push((row.values as Array<unknown>).slice(1)))
    const [header, ...body] = rows
    const at = (name: string) => header!.indexOf(name)
    // The handled one has left 要対応; the Findings sheet keeps it as 対応済.
    expect(body.map((r) => [r[at("注文ID")], r[at("状態")], r[at("対応状況")], r[at("指摘キー")]])).toEqual([
      ["PS-00000002", "継続", "未対応", "SHIP_COUNT_SHORT|PS-00000002|IN-2"]
    ])
    const findings: Array<Array<unknown>> = []
    workbook.getWorksheet("Findings")!.eachRow((row) => findings.push((row.values as Array<unknown>).slice(1)))
    expect(findings.filter((r) => r[0] === "SHIP_COUNT_SHORT").map((r) => [r[2], r[6]])).toEqual([
      ["PS-00000001", "対応済"],
      ["PS-00000002", "継続"]
    ])
  })
})
