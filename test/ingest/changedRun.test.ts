// changed_run (migration 0010): the run that last inserted a record or changed what it
// holds. A re-export of the same values, sealed or not, must not count as a change.
import { beforeAll, describe, expect, it } from "vitest"
import { bankRequest, linePayRequest, specSchedule } from "../payouts/payoutInbox.ts"
import { crlf, ordersCsv, tempDir, writeInbox } from "../support/inbox.ts"
import { createTestDatabase, query, runPipeline } from "../support/testDatabase.ts"

const asOf = "2023-09-05"
const order = (id: string, status = "awaiting_shipment") =>
  `${id},2023-08-10T21:14:03+09:00,S104233,サークル青空,B2023311,pictspace_anonymous,${status},1500`
const addressesCsv = (...rows: ReadonlyArray<string>) =>
  crlf("order_id,postal_code,prefecture,city,address_line,recipient_name,phone", ...rows)
const addressOf = (id: string, recipient = "佐藤 花子") => `${id},100-0001,東京都,千代田区,千代田1-1-1 青空ハイツ101,${recipient},03-0000-0000`
const requestsCsv = (...rows: ReadonlyArray<string>) =>
  crlf(
    "request_id,service,kind,user_id,amount,method,requested_at,status,bank_code,branch_code,account_type,account_number,account_holder,linepay_user_ref",
    ...rows
  )

const changedRuns = async (url: string, table: string, key: string) =>
  Object.fromEntries(
    (await query<{ k: string; changed_run: string | null }>(url, `SELECT ${key} AS k, changed_run FROM ${table} ORDER BY 1`))
      .map((r) => [r.k, r.changed_run === null ? null : Number(r.changed_run)])
  )

let url: string
let first: number
let second: number
beforeAll(async () => {
  url = await createTestDatabase()
  const firstRun = await runPipeline(url, {
    inbox: writeInbox({
      "orders_20230901.csv": ordersCsv(order("PS-00000001"), order("PS-00000002"), order("PS-00000004")),
      "shipping_addresses_20230901.csv": addressesCsv(addressOf("PS-00000001"), addressOf("PS-00000004")),
      "payout_requests_20230901.csv": requestsCsv(
        bankRequest("2308070001", { amount: 12000, at: "2023-08-07 11:02" }),
        linePayRequest("2308070002", { amount: 3000, at: "2023-08-07 12:00", userRef: "LP8f3a9c21" })
      ),
      "payout_schedule.json": JSON.stringify(specSchedule)
    }),
    outDir: tempDir(),
    asOf
  })
  expect(firstRun.exitCode).toBe(0)
  first = firstRun.runId
  // The next day's exports repeat most records exactly (other bytes: the files are new).
  const secondRun = await runPipeline(url, {
    inbox: writeInbox({
      "orders_20230902.csv": ordersCsv(order("PS-00000001"), order("PS-00000002", "cancelled"), order("PS-00000003"), order("PS-00000004")),
      // Only the recipient, a sealed value, differs for PS-00000004.
      "shipping_addresses_20230902.csv": addressesCsv(
        addressOf("PS-00000001"), addressOf("PS-00000003"), addressOf("PS-00000004", "佐藤 花")
      ),
      "payout_requests_20230902.csv": requestsCsv(
        bankRequest("2308070001", { amount: 12000, at: "2023-08-07 11:02" }),
        linePayRequest("2308070002", { amount: 3000, at: "2023-08-07 12:00", userRef: "LP00000001" }),
        bankRequest("2308070003", { amount: 500, at: "2023-08-08 09:00" })
      ),
      "payout_schedule.json": JSON.stringify({
        ...specSchedule,
        windows: [specSchedule.windows[0], { ...specSchedule.windows[1], due: { ...specSchedule.windows[1]!.due, bank: "2023-09-04" } }]
      })
    }),
    outDir: tempDir(),
    asOf
  })
  expect(secondRun.exitCode).toBe(0)
  second = secondRun.runId
})

describe("changed_run", () => {
  it("marks every row a run inserts with that run", async () => {
    expect(first).not.toBe(second)
    const orders = await changedRuns(url, "orders", "order_id")
    expect(orders["PS-00000003"]).toBe(second)
  })

  it("leaves a record that a later export repeats exactly as it was", async () => {
    expect((await changedRuns(url, "orders", "order_id"))["PS-00000001"]).toBe(first)
  })

  it("marks a record whose status changed", async () => {
    expect(await changedRuns(url, "orders", "order_id")).toEqual({
      "PS-00000001": first,
      "PS-00000002": second,
      "PS-00000003": second,
      "PS-00000004": first
    })
    expect(await query(url, "SELECT status FROM orders WHERE order_id = 'PS-00000002'")).toEqual([{ status: "cancelled" }])
  })

  it("does not take new sealed bytes of the same clear values for a change", async () => {
    expect(await changedRuns(url, "shipping_addresses", "order_id")).toEqual({
      "PS-00000001": first,
      "PS-00000003": second,
      "PS-00000004": second
    })
    expect(await changedRuns(url, "payout_requests", "request_id")).toEqual({
      "2308070001": first,
      // Only the LINE Pay user, a sealed value, differs.
      "2308070002": second,
      "2308070003": second
    })
  })

  it("marks only the payout windows a new schedule changes", async () => {
    expect(await changedRuns(url, "payout_windows", "window_no || ' ' || method")).toEqual({
      "1 bank": first,
      "1 linepay": first,
      "2 bank": second,
      "2 linepay": first
    })
  })
})
