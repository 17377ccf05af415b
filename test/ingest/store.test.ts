// Ingest against the real database: idempotence, replacement, all-or-nothing money
// files, rows set aside, and a failed run that changes nothing.
import * as fs from "node:fs"
import * as path from "node:path"
import { beforeEach, describe, expect, it } from "vitest"
import {
  bankTransferRow, bankTransfersCsv,
  orderItemsCsv,
  ordersCsv,
  parcelsCsv,
  tempDir,
  writeInbox
} from "../support/inbox.ts"
import { createTestDatabase, query, raisedFindings, runPipeline } from "../support/testDatabase.ts"

const asOf = "2023-09-05"
const order = (id: string, status = "awaiting_shipment") =>
  `${id},2023-08-10T21:14:03+09:00,S104233,サークル青空,B2023311,pictspace_anonymous,${status},1500`


/** Every stored record, so that "nothing changed" can be asserted exactly. */
const snapshot = async (url: string) => ({
  orders: await query(url, "SELECT * FROM orders ORDER BY order_id"),
  items: await query(url, "SELECT * FROM order_items ORDER BY order_id, item_id"),
  parcels: await query(url, "SELECT * FROM parcel_lines ORDER BY parcel_id, order_ref"),
  transfers: await query(url, "SELECT * FROM transfers ORDER BY channel, transfer_id"),
  files: await query(url, "SELECT sha256, kind, file_name, rows_applied, rows_rejected FROM input_files ORDER BY sha256"),
  findings: await query(url, "SELECT code, subject_id, related_id, first_seen, closed_on FROM findings ORDER BY 1, 2, 3")
})

let url: string
let out: string
beforeEach(async () => {
  url = await createTestDatabase()
  out = tempDir()
})

describe("applying files", () => {
  it("applies the same file only once, even dropped again under another name", async () => {
    const inbox = writeInbox({
      "orders_20230901.csv": ordersCsv(order("PS-00000001")),
      "order_items_20230901.csv": orderItemsCsv("PS-00000001,I1,夏の新刊セット,2,750")
    })
    const first = await runPipeline(url, { inbox, outDir: out, asOf })
    expect(first.exitCode).toBe(0)
    const before = await snapshot(url)
    fs.copyFileSync(path.join(inbox, "orders_20230901.csv"), path.join(inbox, "orders_20230902.csv"))
    const second = await runPipeline(url, { inbox, outDir: out, asOf })
    expect(second.ingest.files.map((f) => f.outcome)).toEqual(["already_applied", "already_applied", "already_applied"])
    expect(await snapshot(url)).toEqual(before)
  })

  it("lets a record in a later file replace the earlier one", async () => {
    await runPipeline(url, {
      inbox: writeInbox({ "orders_20230901.csv": ordersCsv(order("PS-00000001"), order("PS-00000002")) }),
      outDir: out,
      asOf
    })
    await runPipeline(url, {
      inbox: writeInbox({ "orders_20230902.csv": ordersCsv(order("PS-00000001", "cancelled")) }),
      outDir: out,
      asOf
    })
    expect(await query(url, "SELECT order_id, status FROM orders ORDER BY order_id")).toEqual([
      { order_id: "PS-00000001", status: "cancelled" },
      { order_id: "PS-00000002", status: "awaiting_shipment" }
    ])
  })

  it("applies files of one kind in name order, so the newest export wins", async () => {
    const inbox = writeInbox({
      "orders_20230902.csv": ordersCsv(order("PS-00000001", "shipped")),
      "orders_20230901.csv": ordersCsv(order("PS-00000001"))
    })
    await runPipeline(url, { inbox, outDir: out, asOf })
    expect(await query(url, "SELECT status FROM orders")).toEqual([{ status: "shipped" }])
  })
})

describe("bad input", () => {
  it("rejects a bank file with one bad row whole: none of its transfers is stored, exit 2", async () => {
    const inbox = writeInbox({
      "bank_transfers_20230821.csv": {
        encoding: "cp932",
        text: bankTransfersCsv(bankTransferRow("20230821-000001", "12,300"), bankTransferRow("20230821-000002", "12,3OO"), bankTransferRow("20230821-000003", "5,000"))
      }
    })
    const result = await runPipeline(url, { inbox, outDir: out, asOf })
    expect(result.exitCode).toBe(2)
    expect(await query(url, "SELECT * FROM transfers")).toEqual([])
    expect(await query(url, "SELECT * FROM input_files")).toEqual([])
    const [finding] = await query<{ code: string; subject_id: string; detail: string }>(
      url,
      "SELECT code, subject_id, detail FROM findings"
    )
    expect(finding).toMatchObject({ code: "INPUT_FILE_REJECTED", subject_id: "bank_transfers_20230821.csv" })
    expect(finding!.detail).toContain("3行目")
    expect(finding!.detail).toContain("振込金額")
  })

  it("keeps the good rows of a parcels file and sets the bad one aside with its line", async () => {
    const inbox = writeInbox({
      "orders_20230901.csv": ordersCsv(order("PS-00000001")),
      "parcels_20230901.csv": {
        encoding: "cp932",
        text: parcelsCsv(
          "IN-20230901-0001,2023/09/01 10:12,日本郵便,1111-2222-3333,S104233,PS-00000001,1,良好,",
          "IN-20230901-0002,2023/09/01 10:15,日本郵便,1111-2222-4444,S104233,PS-00000001,-1,良好,",
          "IN-20230901-0003,2023/09/01 10:20,ヤマト運輸,5555-6666-7777,,ＰＳ－０００００００１,1,開封,箱に傷"
        )
      }
    })
    const result = await runPipeline(url, { inbox, outDir: out, asOf })
    expect(result.exitCode).toBe(2)
    expect(await query(url, "SELECT parcel_id FROM parcel_lines ORDER BY parcel_id")).toEqual([
      { parcel_id: "IN-20230901-0001" },
      { parcel_id: "IN-20230901-0003" }
    ])
    expect(await raisedFindings(url, "INPUT_")).toEqual(["INPUT_ROW_REJECTED parcels_20230901.csv 3"])
  })

  it("reports the rows set aside again while their file is still in the inbox", async () => {
    const inbox = writeInbox({ "orders_20230901.csv": ordersCsv(order("PS-00000001"), order("PS-1")) })
    await runPipeline(url, { inbox, outDir: out, asOf })
    const again = await runPipeline(url, { inbox, outDir: out, asOf })
    expect(again.exitCode).toBe(2)
    expect(await raisedFindings(url, "INPUT_")).toEqual(["INPUT_ROW_REJECTED orders_20230901.csv 3"])
  })

  it("rejects an empty file, a file without a required column, and a file of no known kind", async () => {
    const inbox = writeInbox({
      "orders_20230901.csv": "",
      "order_items_20230901.csv": "order_id,item_id,quantity\r\nPS-00000001,I1,1\r\n",
      "notes.txt": "hello"
    })
    const result = await runPipeline(url, { inbox, outDir: out, asOf })
    expect(result.exitCode).toBe(2)
    expect(await raisedFindings(url, "INPUT_")).toEqual([
      "INPUT_FILE_REJECTED notes.txt",
      "INPUT_FILE_REJECTED order_items_20230901.csv",
      "INPUT_FILE_REJECTED orders_20230901.csv"
    ])
  })

  it("sets aside an order item whose order is unknown", async () => {
    const inbox = writeInbox({
      "orders_20230901.csv": ordersCsv(order("PS-00000001")),
      "order_items_20230901.csv": orderItemsCsv("PS-00000001,I1,新刊,1,500", "PS-00000009,I1,新刊,1,500")
    })
    await runPipeline(url, { inbox, outDir: out, asOf })
    expect(await query(url, "SELECT order_id FROM order_items")).toEqual([{ order_id: "PS-00000001" }])
    expect(await raisedFindings(url, "INPUT_")).toEqual(["INPUT_ROW_REJECTED order_items_20230901.csv 3"])
  })
})

describe("a failed run", () => {
  it("leaves the database exactly as it was", async () => {
    await runPipeline(url, { inbox: writeInbox({ "orders_20230901.csv": ordersCsv(order("PS-00000001")) }), outDir: out, asOf })
    const before = await snapshot(url)
    const runsBefore = await query(url, "SELECT run_id, outcome FROM runs")
    // The output folder is a file: the workbooks cannot be written after ingest succeeded.
    const blocked = path.join(tempDir(), "not-a-folder")
    fs.writeFileSync(blocked, "")
    const inbox = writeInbox({
      "orders_20230902.csv": ordersCsv(order("PS-00000001", "cancelled"), order("PS-00000002")),
      "parcels_20230902.csv": parcelsCsv("IN-20230902-0001,2023/09/02 10:12,日本郵便,1111-2222-3333,S104233,PS-00000002,1,良好,")
    })
    await expect(runPipeline(url, { inbox, outDir: blocked, asOf })).rejects.toThrow()
    expect(await snapshot(url)).toEqual(before)
    // The history gains one line saying the run failed; nothing else changed.
    const runsAfter = await query<{ run_id: string; outcome: string }>(url, "SELECT run_id, outcome FROM runs ORDER BY run_id")
    expect(runsAfter.slice(0, -1)).toEqual(runsBefore)
    expect(runsAfter.at(-1)!.outcome).toBe("failed")
  })
})

describe("encodings", () => {
  it("gives the same records and findings for a CP932 and a UTF-8 copy of one parcels file", async () => {
    const parcels = parcelsCsv(
      "IN-20230901-0001,2023/09/01 10:12,日本郵便,1111-2222-3333,S104233,ｐｓ００００００００１,1,良好,ﾃｽﾄ",
      "IN-20230901-0002,2023/09/01 10:15,佐川急便,1111-2222-4444,,PS-0000009X,2,破損,角が潰れています"
    )
    const results = []
    for (const encoding of ["cp932", "utf-8-bom"] as const) {
      const db = await createTestDatabase()
      await runPipeline(db, {
        inbox: writeInbox({ "orders_20230901.csv": ordersCsv(order("PS-00000001")), "parcels_20230901.csv": { encoding, text: parcels } }),
        outDir: tempDir(),
        asOf
      })
      results.push({
        parcels: await query(db, "SELECT * FROM parcel_lines ORDER BY parcel_id"),
        findings: await raisedFindings(db)
      })
    }
    expect(results[0]).toEqual(results[1])
    expect(results[0]!.parcels).toHaveLength(2)
  })
})
