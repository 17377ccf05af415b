// Incremental nights equal full recomputation (docs/nightly.md): the same random
// sequence of nightly drops, run on one database as the nightly job runs (incremental)
// and on another with --full, leaves the same findings table after every night, every
// column that matters included: detail, side, first and last seen, closed, decisions.
import { describe, expect, it } from "vitest"
import { keshikomi } from "../support/cli.ts"
import { crlf, tempDir, writeInbox } from "../support/inbox.ts"
import { nights, schedule, staffBetweenNights } from "../support/nightlyDrops.ts"
import { seededRandom } from "../support/randomShipping.ts"
import { createTestDatabase, query, runPipeline } from "../support/testDatabase.ts"

/** The findings table, every column a run decides or keeps. */
const findingsTable = (url: string) =>
  query(
    url,
    `SELECT code, subject_id, related_id, severity, side, detail, scope_ref, first_run, first_seen::text, last_run,
            closed_on::text, closed_run, resolved_at, resolved_by, resolution_note
     FROM findings ORDER BY code, subject_id, related_id`
  )

/** What the payout matching leaves for the finance workbook and the transfer files. */
const payoutTables = async (url: string) => ({
  assignments: await query(url, `SELECT channel, transfer_id, request_id, matched_by FROM payout_assignments ORDER BY 1, 2`),
  states: await query(url, `SELECT * FROM payout_request_state ORDER BY request_id`)
})

describe("incremental nights", () => {
  for (const seed of [1, 2, 3]) {
    it(`leave the findings a full run leaves, night after night (seed ${seed})`, async () => {
      const random = seededRandom(seed)
      const sequence = nights(random, 3 + (seed % 4))
      const incremental = await createTestDatabase()
      const full = await createTestDatabase()
      const out = tempDir()
      const modes: Array<string> = []
      for (const [night, { asOf, files }] of sequence.entries()) {
        const inbox = writeInbox(files)
        const a = await runPipeline(incremental, { inbox, outDir: out, asOf })
        const b = await runPipeline(full, { inbox, outDir: out, asOf, full: true })
        expect(b.mode._tag).toBe("full")
        expect([a.exitCode, b.exitCode], `night ${night + 1}: every row read ${JSON.stringify(await query(full, "SELECT detail FROM findings WHERE code LIKE 'INPUT%' LIMIT 5"))}`).toEqual([0, 0])
        modes.push(a.mode._tag)
        expect(await findingsTable(incremental), `night ${night + 1} (${asOf})`).toEqual(await findingsTable(full))
        expect(await payoutTables(incremental), `night ${night + 1} (${asOf}): payouts`).toEqual(await payoutTables(full))
        const staff = seededRandom(seed * 100 + night)
        await staffBetweenNights(incremental, staff)
        await staffBetweenNights(full, seededRandom(seed * 100 + night))
      }
      const codes = new Set((await findingsTable(full)).map((f) => `${f.code}${f.closed_on === null ? "" : " closed"}`))
      console.log(`seed ${seed}: ${sequence.map((n) => n.asOf).join(" ")}; ${[...codes].sort().join(", ")}`)
      // The first night has nothing to build on; every later one reconciled only what changed.
      expect(modes).toEqual(["full", ...sequence.slice(1).map(() => "incremental")])
    })
  }
})

describe("an incremental night, on what it cannot see among its own changes", () => {
  const ordersHeader = "order_id,ordered_at,seller_id,circle_name,buyer_id,shipping_method,status,total_amount"
  const parcelsHeader = "受付番号,受付日時,配送業者,伝票番号,頒布者ID,注文ID,点数,状態,備考"
  const orderLine = (id: string) => `${id},2023-09-01T10:00:00+09:00,S100101,サークル青空,B2023311,pictspace_anonymous,awaiting_shipment,1500`

  it("gives an unknown parcel line its suggestion when the order one typo away arrives later", async () => {
    const url = await createTestDatabase()
    const out = tempDir()
    await runPipeline(url, {
      inbox: writeInbox({
        "orders_20230914.csv": crlf(ordersHeader, orderLine("PS-00010077")),
        "parcels_20230914.csv": crlf(parcelsHeader, "IN-1,2023/09/14 10:00,日本郵便,111122223333,S100101,PS-00010005,1,良好,")
      }),
      outDir: out,
      asOf: "2023-09-14"
    })
    const night2 = await runPipeline(url, {
      inbox: writeInbox({ "orders_20230915.csv": crlf(ordersHeader, orderLine("PS-00010006")) }),
      outDir: out,
      asOf: "2023-09-15"
    })
    expect(night2.mode._tag).toBe("incremental")
    const [unknown] = await query<{ detail: string }>(url, "SELECT detail FROM findings WHERE code = 'SHIP_UNKNOWN_ORDER' AND closed_on IS NULL")
    expect(unknown?.detail).toContain("頒布者 S100101 の注文 PS-00010006 の書き間違いと思われる")
  })
})

describe("an incremental night, on what only the date moves", () => {
  it("raises SHIP_NOT_RESHIPPED the night a ready order passes 2 business days, over a holiday, with no record changed", async () => {
    const url = await createTestDatabase()
    const out = tempDir()
    await runPipeline(url, {
      inbox: writeInbox({
        "orders_20230914.csv": crlf(
          "order_id,ordered_at,seller_id,circle_name,buyer_id,shipping_method,status,total_amount",
          "PS-00010001,2023-09-01T10:00:00+09:00,S100101,サークル青空,B2023311,pictspace_anonymous,awaiting_shipment,1500"
        ),
        "order_items_20230914.csv": crlf("order_id,item_id,item_name,quantity,unit_price", "PS-00010001,I1,新刊,1,1500"),
        "parcels_20230914.csv": crlf("受付番号,受付日時,配送業者,伝票番号,頒布者ID,注文ID,点数,状態,備考", "IN-1,2023/09/14 10:00,日本郵便,111122223333,S100101,PS-00010001,1,良好,")
      }),
      outDir: out,
      asOf: "2023-09-14"
    })
    const overdue = () => query<{ detail: string }>(url, "SELECT detail FROM findings WHERE code = 'SHIP_NOT_RESHIPPED' AND closed_on IS NULL")
    // 9/15 (Fri) and 9/19 (Tue) are the business days after 9/14; 9/18 is 敬老の日.
    for (const asOf of ["2023-09-16", "2023-09-19"]) {
      const night = await runPipeline(url, { inbox: writeInbox({}), outDir: out, asOf })
      expect(night.mode._tag).toBe("incremental")
      expect(await overdue(), asOf).toEqual([])
    }
    const crossing = await runPipeline(url, { inbox: writeInbox({}), outDir: out, asOf: "2023-09-20" })
    expect(crossing.mode).toMatchObject({ _tag: "incremental", orderRefs: 1 })
    expect((await overdue()).map((f) => f.detail)).toEqual([expect.stringContaining("2 営業日を過ぎても再発送されていない")])
    // Already overdue: the next night raises the same finding again, so it is not rescoped.
    const after = await runPipeline(url, { inbox: writeInbox({}), outDir: out, asOf: "2023-09-21" })
    expect(after.mode).toMatchObject({ _tag: "incremental", orderRefs: 0 })
    expect((await overdue()).map((f) => f.detail)).toEqual([expect.stringContaining("2 営業日を過ぎても再発送されていない")])
  })
})

describe("an incremental night, on payouts only the date moves", () => {
  it("raises PAY_UNPAID_OVERDUE the night the due date passes, rolled over a weekend and a holiday, with no record changed", async () => {
    const url = await createTestDatabase()
    const out = tempDir()
    // Window 2 of the bank: due 9/16 (Sat), rolled over 9/18 (敬老の日) to 9/19.
    const files = {
      "payout_schedule.json": JSON.stringify(schedule),
      "payout_requests_20230914.csv": crlf(
        "request_id,service,kind,user_id,amount,method,requested_at,status,bank_code,branch_code,account_type,account_number,account_holder,linepay_user_ref",
        "2000000001,pictSPACE,sales_settlement,U1,2500,bank,2023-09-14T10:00:00+09:00,requested,0009,123,1,1234567,ヤマダ　タロウ,"
      )
    }
    await runPipeline(url, { inbox: writeInbox(files), outDir: out, asOf: "2023-09-14" })
    const codes = () => query<{ code: string }>(url, "SELECT code FROM findings WHERE code LIKE 'PAY_%' AND closed_on IS NULL ORDER BY code")
    for (const asOf of ["2023-09-16", "2023-09-19"]) {
      const night = await runPipeline(url, { inbox: writeInbox({ "payout_schedule.json": files["payout_schedule.json"] }), outDir: out, asOf })
      expect(night.mode).toMatchObject({ _tag: "incremental", payoutSeeds: 0 })
      expect(await codes(), asOf).toEqual([{ code: "PAY_PENDING" }])
    }
    const crossing = await runPipeline(url, { inbox: writeInbox({}), outDir: out, asOf: "2023-09-20" })
    expect(crossing.mode).toMatchObject({ _tag: "incremental", payoutSeeds: 1 })
    expect(await codes()).toEqual([{ code: "PAY_UNPAID_OVERDUE" }])
    const after = await runPipeline(url, { inbox: writeInbox({}), outDir: out, asOf: "2023-09-21" })
    expect(after.mode).toMatchObject({ _tag: "incremental", payoutSeeds: 0 })
    expect(await codes()).toEqual([{ code: "PAY_UNPAID_OVERDUE" }])
  })

  it("matches in full when the schedule changes", async () => {
    const url = await createTestDatabase()
    const out = tempDir()
    await runPipeline(url, { inbox: writeInbox({ "payout_schedule.json": JSON.stringify(schedule) }), outDir: out, asOf: "2023-09-14" })
    const moved = { ...schedule, windows: schedule.windows.map((w) => ({ ...w, due: { ...w.due, bank: "2023-09-29" } })) }
    const night = await runPipeline(url, { inbox: writeInbox({ "payout_schedule.json": JSON.stringify(moved) }), outDir: out, asOf: "2023-09-15" })
    expect(night.mode).toEqual({ _tag: "full", reason: "支払スケジュール・支払方法・金融機関マスタのいずれかが変わった" })
  })
})

describe("keshikomi run --full", () => {
  it("matches everything and says so in the summary", async () => {
    const url = await createTestDatabase()
    const inbox = writeInbox({ "parcels_20230914.csv": crlf("受付番号,受付日時,配送業者,伝票番号,頒布者ID,注文ID,点数,状態,備考", "IN-1,2023/09/14 10:00,日本郵便,111122223333,S100101,PS-00010005,1,良好,") })
    const result = await keshikomi(["run", "--inbox", inbox, "--out", tempDir(), "--as-of", "2023-09-14", "--full"], { DATABASE_URL: url })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("照合: 全件（--full の指定）")
  })
})
