// Retention (docs/privacy.md): addresses, a settled request's account details and old
// report folders are removed when due, exactly those, and matching is unchanged after.
import ExcelJS from "exceljs"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { bankRequest, bankTransfer, linePayRequest, linePayTransfer, writePayoutInbox, accountB, accountC } from "../payouts/payoutInbox.ts"
import { address, order, reship, writeInbox } from "../shipping/inbox.ts"
import { tempDir } from "../support/inbox.ts"
import { createTestDatabase, query, raisedFindings, runPipeline } from "../support/testDatabase.ts"

const summaryRows = async (file: string) => {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(file)
  const rows: Array<Array<unknown>> = []
  workbook.getWorksheet("サマリー")!.eachRow((row) => rows.push((row.values as Array<unknown>).slice(1)))
  return rows
}

/** The count (second column) of the retention row labelled `label` on a summary. */
const countOf = (rows: ReadonlyArray<ReadonlyArray<unknown>>, label: string) => rows.find((row) => row[0] === label)?.[1]

describe("retention", () => {
  it("deletes an address 30 days after re-shipping or once the order is cancelled, refunded or shipped, and no other", async () => {
    const url = await createTestDatabase()
    const out = tempDir()
    const ids = [1, 2, 3, 4, 5, 6, 7].map((n) => `PS-0000000${n}`)
    const statuses = ["awaiting_shipment", "awaiting_shipment", "awaiting_shipment", "cancelled", "refunded", "shipped", "awaiting_shipment"] as const
    const inbox = writeInbox({
      orders: ids.map((id, i) => order(id, "S104233", "サークル青空", statuses[i])),
      addresses: ids.map((id) => address(id, "山田 花子", "神宮前1-2-3")),
      reshipments: [
        reship(ids[0]!, "5000-0000-0001", "2023-08-01T10:00:00+09:00"),
        // 30 days before the as-of date, Japan time: due.
        reship(ids[1]!, "5000-0000-0002", "2023-08-06T23:30:00+09:00"),
        reship(ids[2]!, "5000-0000-0003", "2023-08-07T00:10:00+09:00")
      ]
    })
    const result = await runPipeline(url, { inbox, outDir: out, asOf: "2023-09-05" })
    expect(result.retention.addressesDeleted).toBe(5)
    expect(await query(url, "SELECT order_id FROM shipping_addresses ORDER BY 1")).toEqual([{ order_id: ids[2] }, { order_id: ids[6] }])
    expect(countOf(await summaryRows(path.join(out, "2023-09-05", "shipping.xlsx")), "購入者の宛先")).toEqual(5)
  })

  it("removes a request's account details 90 days after it was matched or its findings resolved; keeps hashes, masked number and findings", async () => {
    const url = await createTestDatabase()
    const may = { at: "2023-05-01 10:00" }
    const dir = writePayoutInbox({
      stamp: "20230520",
      requests: [
        bankRequest("0000000001", { ...may, amount: 5000 }),
        linePayRequest("0000000002", { ...may, amount: 3000 }),
        bankRequest("0000000003", { ...may, amount: 4000, account: accountB }),
        bankRequest("0000000004", { ...may, amount: 6000, account: accountC }),
        bankRequest("0000000005", { ...may, amount: 7000, account: accountB }),
        bankRequest("0000000006", { ...may, amount: 8000, account: accountC })
      ],
      bank: [
        bankTransfer("20230510-000001", { date: "2023/05/10", amount: 5000, code: "0000000001" }),
        bankTransfer("20230510-000004", { date: "2023/05/10", amount: 6100, account: accountC, code: "0000000004" }),
        bankTransfer("20230510-000005", { date: "2023/05/10", amount: 7100, account: accountB, code: "0000000005" })
      ],
      linePay: [linePayTransfer("2023051000000000002", { at: "2023-05-10 12:00", amount: 3000, reference: "0000000002" })]
    })
    const out = tempDir()
    await runPipeline(url, { inbox: dir, outDir: out, asOf: "2023-05-20" })
    // Finance resolved request 4's amount mismatch on the day; request 5's stays open.
    await query(url, "UPDATE findings SET resolved_at = '2023-05-20 12:00+09', resolved_by = 't', resolution_note = 'n' WHERE code = 'PAY_AMOUNT_MISMATCH' AND subject_id = '0000000004'")
    // Request 6 is paid in August: matched 90 days before nothing.
    fs.copyFileSync(
      path.join(writePayoutInbox({
        stamp: "20230817",
        bank: [bankTransfer("20230815-000006", { date: "2023/08/15", amount: 8000, account: accountC, code: "0000000006" })]
      }), "bank_transfers_20230817.csv"),
      path.join(dir, "bank_transfers_20230817.csv")
    )
    const day89 = await runPipeline(url, { inbox: dir, outDir: out, asOf: "2023-08-17" })
    expect(day89.retention.accountDetailsRemoved).toBe(0)
    const findings = await raisedFindings(url)
    // The May run's folder went with it (more than 30 days before 8/17).
    expect(day89.retention.reportFolders.map((f) => path.basename(f))).toEqual(["2023-05-20"])
    for (const day of ["2023-07-17", "2023-07-18", "2023-07-19"]) fs.mkdirSync(path.join(out, day))
    fs.mkdirSync(path.join(out, "notes"))
    fs.writeFileSync(path.join(out, "2023-01-01"), "not a report folder")

    const dry = await runPipeline(url, { inbox: dir, outDir: out, asOf: "2023-08-18", dryRun: true })
    expect(dry.retention.accountDetailsRemoved).toBe(3)
    expect(fs.existsSync(path.join(out, "2023-07-17"))).toBe(true)
    expect(await query(url, "SELECT count(*)::int AS n FROM payout_requests WHERE details_removed_on IS NOT NULL")).toEqual([{ n: 0 }])

    const day90 = await runPipeline(url, { inbox: dir, outDir: out, asOf: "2023-08-18" })
    expect(day90.retention.accountDetailsRemoved).toBe(3)
    expect(await query(url, `
      SELECT request_id, details_removed_on::text AS removed, account_number_sealed IS NULL AS number_gone,
             account_holder_sealed IS NULL AS holder_gone, linepay_user_ref_sealed IS NULL AS ref_gone,
             destination_key IS NOT NULL AS destination_kept, account_masked
      FROM payout_requests ORDER BY 1`)).toEqual([
      { request_id: "0000000001", removed: "2023-08-18", number_gone: true, holder_gone: true, ref_gone: true, destination_kept: true, account_masked: "****567" },
      { request_id: "0000000002", removed: "2023-08-18", number_gone: true, holder_gone: true, ref_gone: true, destination_kept: true, account_masked: null },
      { request_id: "0000000003", removed: null, number_gone: false, holder_gone: false, ref_gone: true, destination_kept: true, account_masked: "****321" },
      { request_id: "0000000004", removed: "2023-08-18", number_gone: true, holder_gone: true, ref_gone: true, destination_kept: true, account_masked: "****592" },
      { request_id: "0000000005", removed: null, number_gone: false, holder_gone: false, ref_gone: true, destination_kept: true, account_masked: "****321" },
      { request_id: "0000000006", removed: null, number_gone: false, holder_gone: false, ref_gone: true, destination_kept: true, account_masked: "****592" }
    ])
    expect(await raisedFindings(url)).toEqual(findings)
    const summary = await summaryRows(path.join(out, "2023-08-18", "finance.xlsx"))
    expect(countOf(summary, "レポートフォルダ")).toEqual(2)
    expect(countOf(summary, "口座番号・名義")).toEqual(3)
    // Matching over the removed details raises the same findings again.
    await runPipeline(url, { inbox: dir, outDir: out, asOf: "2023-08-18" })
    expect(await raisedFindings(url)).toEqual(findings)

    // Report folders of as-of dates more than 30 days back are gone; nothing else.
    expect(day90.retention.reportFolders.map((f) => path.basename(f))).toEqual(["2023-07-17", "2023-07-18"])
    expect(fs.readdirSync(out).sort()).toEqual(["2023-01-01", "2023-07-19", "2023-08-17", "2023-08-18", "notes"])

  }, 120_000)
})
