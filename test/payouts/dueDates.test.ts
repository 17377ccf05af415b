// Due dates: the window that covers requested_at (Japan date, inclusive) for the
// request's method, moved to the next bank business day; "past due" is as_of after it,
// "late" a transfer dated after it.
import { describe, expect, it } from "vitest"
import { tempDir } from "../support/inbox.ts"
import { createTestDatabase, query, raisedFindings, runPipeline } from "../support/testDatabase.ts"
import { bankRequest, bankTransfer, linePayRequest, type PayoutInbox, payoutFindings, writePayoutInbox } from "./payoutInbox.ts"

// Each test makes its own database, so the tests of a describe run concurrently.
/** One window, 10/2–10/6, with the given due dates. */
const scheduleDue = (due: Record<string, string>) => ({
  windows: [{ requested_from: "2023-10-02", requested_to: "2023-10-06", due }],
  deferred_methods: ["amazon_gift"]
})

const request = bankRequest("2310020001", { amount: 5000, at: "2023-10-02 10:00" })
const paidOn = (date: string) => bankTransfer(`${date.replaceAll("/", "")}-000001`, { date, amount: 5000, code: "2310020001" })

/** The stored nominal and effective due dates of every request after a run. */
const dueDates = async (inbox: PayoutInbox, asOf: string) => {
  const url = await createTestDatabase()
  await runPipeline(url, { inbox: writePayoutInbox(inbox), outDir: tempDir(), asOf })
  return {
    dates: await query<{ request_id: string; window_no: number | null; nominal_due: string | null; due_date: string | null }>(
      url,
      `SELECT request_id, window_no, to_char(nominal_due, 'YYYY-MM-DD') AS nominal_due, to_char(due_date, 'YYYY-MM-DD') AS due_date
       FROM payout_request_state ORDER BY request_id`
    ),
    findings: await raisedFindings(url, "PAY_")
  }
}

describe.concurrent("rolling a due date to a bank business day", () => {
  it("moves a Saturday to the Monday: paid Monday is on time, Tuesday late", async () => {
    const schedule = scheduleDue({ bank: "2023-10-14" })
    expect((await dueDates({ requests: [request], schedule }, "2023-10-16")).dates).toEqual([
      { request_id: "2310020001", window_no: 1, nominal_due: "2023-10-14", due_date: "2023-10-16" }
    ])
    expect(await payoutFindings({ requests: [request], bank: [paidOn("2023/10/16")], schedule }, "2023-10-20"))
      .toEqual(["PAY_MATCHED 2310020001 20231016-000001"])
    expect(await payoutFindings({ requests: [request], bank: [paidOn("2023/10/17")], schedule }, "2023-10-20"))
      .toEqual(["PAY_LATE 2310020001 20231017-000001"])
  })

  it("keeps an unpaid request pending through the rolled due date, overdue the day after", async () => {
    const schedule = scheduleDue({ bank: "2023-10-14" })
    expect(await payoutFindings({ requests: [request], schedule }, "2023-10-16")).toEqual(["PAY_PENDING 2310020001"])
    expect(await payoutFindings({ requests: [request], schedule }, "2023-10-17")).toEqual(["PAY_UNPAID_OVERDUE 2310020001"])
  })

  it("moves a national holiday, and a weekend followed by one, to the next open day", async () => {
    const inbox = (due: string) => ({ requests: [request], schedule: scheduleDue({ bank: due }) })
    // 2023-09-18 敬老の日 (Monday); 9/16–9/17 the weekend before it.
    expect((await dueDates(inbox("2023-09-18"), "2023-09-01")).dates[0]!.due_date).toBe("2023-09-19")
    expect((await dueDates(inbox("2023-09-16"), "2023-09-01")).dates[0]!.due_date).toBe("2023-09-19")
    // 2023-11-23 勤労感謝の日 (Thursday)
    expect((await dueDates(inbox("2023-11-23"), "2023-09-01")).dates[0]!.due_date).toBe("2023-11-24")
  })

  it("moves a due date in the banks' year-end closure (12/31–1/3) past it", async () => {
    const inbox = (due: string) => ({ requests: [request], schedule: scheduleDue({ bank: due }) })
    // 2023-12-30 Saturday → 2024-01-04 Thursday; 2024-12-31 Tuesday → 2025-01-06 Monday.
    expect((await dueDates(inbox("2023-12-30"), "2023-12-01")).dates[0]!.due_date).toBe("2024-01-04")
    const yearEnd = await dueDates(inbox("2024-12-31"), "2025-01-06")
    expect(yearEnd.dates[0]!.due_date).toBe("2025-01-06")
    expect(yearEnd.findings).toEqual(["PAY_PENDING 2310020001"])
    expect(await payoutFindings(inbox("2024-12-31"), "2025-01-07")).toEqual(["PAY_UNPAID_OVERDUE 2310020001"])
  })

  it("keeps a due date that is a business day", async () => {
    expect((await dueDates({ requests: [request], schedule: scheduleDue({ bank: "2023-10-13" }) }, "2023-10-01")).dates[0])
      .toEqual({ request_id: "2310020001", window_no: 1, nominal_due: "2023-10-13", due_date: "2023-10-13" })
  })
})

describe.concurrent("which window covers a request", () => {
  it("reads requested_at as a Japan date, both bounds inclusive", async () => {
    const { dates } = await dueDates({
      requests: [
        bankRequest("2308070001", { amount: 1000, at: "2023-08-07T00:00:00+09:00" }),
        bankRequest("2308130001", { amount: 1000, at: "2023-08-13T23:59:59+09:00" }),
        // 15:30 UTC on 8/13 is 00:30 on 8/14 in Japan: window 2.
        bankRequest("2308140001", { amount: 1000, at: "2023-08-13T15:30:00Z" }),
        bankRequest("2308060001", { amount: 1000, at: "2023-08-06T23:59:00+09:00" }),
        bankRequest("2308170001", { amount: 1000, at: "2023-08-17T00:00:00+09:00" })
      ]
    }, "2023-09-05")
    expect(dates.map((d) => [d.request_id, d.window_no, d.due_date])).toEqual([
      ["2308060001", null, null],
      ["2308070001", 1, "2023-08-21"],
      ["2308130001", 1, "2023-08-21"],
      ["2308140001", 2, "2023-09-01"],
      ["2308170001", null, null]
    ])
  })

  it("takes the due date of the request's own method", async () => {
    const { dates } = await dueDates({
      requests: [
        bankRequest("2308150001", { amount: 1000, at: "2023-08-15 10:00" }),
        linePayRequest("2308150002", { amount: 1000, at: "2023-08-15 10:00" })
      ]
    }, "2023-09-05")
    expect(dates.map((d) => [d.request_id, d.nominal_due, d.due_date])).toEqual([
      ["2308150001", "2023-09-01", "2023-09-01"],
      ["2308150002", "2023-09-03", "2023-09-04"]
    ])
  })

  it("gives no due date when the window names none for the method: pending however late", async () => {
    expect(await payoutFindings({
      requests: [linePayRequest("2310020002", { amount: 1000, at: "2023-10-02 10:00" })],
      schedule: scheduleDue({ bank: "2023-10-13" })
    }, "2024-06-01")).toEqual(["PAY_PENDING 2310020002"])
  })

  it("takes the first window when windows overlap", async () => {
    // A schedule file with overlapping windows is rejected at ingest (issue 9), so the
    // overlap is stored directly: the matching rule stays defined for whatever is stored.
    const url = await createTestDatabase()
    const inbox = writePayoutInbox({ requests: [request], schedule: scheduleDue({ bank: "2023-10-13" }) })
    await runPipeline(url, { inbox, outDir: tempDir(), asOf: "2023-10-01" })
    await query(url, `DELETE FROM payout_windows`)
    await query(url, `INSERT INTO payout_windows (window_no, requested_from, requested_to, method, due_date) VALUES
      (1, '2023-10-01', '2023-10-03', 'bank', '2023-10-10'), (2, '2023-10-02', '2023-10-06', 'bank', '2023-10-13')`)
    await runPipeline(url, { inbox, outDir: tempDir(), asOf: "2023-10-01" })
    const dates = await query<{ window_no: number | null; due_date: string | null }>(
      url,
      `SELECT window_no, to_char(due_date, 'YYYY-MM-DD') AS due_date FROM payout_request_state ORDER BY request_id`
    )
    expect(dates.map((d) => [d.window_no, d.due_date])).toEqual([[1, "2023-10-10"]])
  })

  it("follows a new schedule file on the next run", async () => {
    const url = await createTestDatabase()
    const outDir = tempDir()
    await runPipeline(url, {
      inbox: writePayoutInbox({ requests: [request], schedule: scheduleDue({ bank: "2023-10-13" }) }),
      outDir,
      asOf: "2023-10-16"
    })
    expect(await raisedFindings(url, "PAY_")).toEqual(["PAY_UNPAID_OVERDUE 2310020001"])
    await runPipeline(url, {
      inbox: writePayoutInbox({ schedule: scheduleDue({ bank: "2023-10-20" }), stamp: "20231016" }),
      outDir,
      asOf: "2023-10-16"
    })
    expect(await raisedFindings(url, "PAY_")).toEqual(["PAY_PENDING 2310020001"])
  })
})
