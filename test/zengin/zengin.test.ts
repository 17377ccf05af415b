// keshikomi zengin on small inboxes: which requests go into the file, that the file
// reads back to them, that a request is never in two files, PAY_SCHEDULED until the
// result comes back, --void, the business-day refusal, and PAY_BANK_UNKNOWN /
// PAY_HOLDER_NAME_INVALID on planted requests only.
import { Effect, Exit, Logger, LogLevel } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { zenginLayer } from "../../src/App.ts"
import { readZenginFile } from "../../src/Domain/ZenginFormat.ts"
import { Zengin, type WriteOptions } from "../../src/Run/Zengin.ts"
import { tempDir } from "../support/inbox.ts"
import { createTestDatabase, databaseLayer, query, raisedFindings, runPipeline } from "../support/testDatabase.ts"
import { accountA, accountB, bankRequest, bankTransfer, linePayRequest, writePayoutInbox, type PayoutInbox } from "../payouts/payoutInbox.ts"

const requesterFile = () => {
  const file = path.join(tempDir(), "requester.json")
  fs.writeFileSync(file, JSON.stringify({
    requester_code: "1234567890", requester_name: "ｶ)ﾋﾟｸﾄｽﾍﾟ-ｽ", bank_code: "0009", branch_code: "101",
    account_type: "1", account_number: "7654321"
  }))
  return file
}

const withZengin = <A, E>(url: string, use: (zengin: Zengin["Type"]) => Effect.Effect<A, E>) =>
  Effect.runPromiseExit(
    Effect.flatMap(Zengin, use).pipe(Effect.provide(zenginLayer(databaseLayer(url))), Effect.scoped, Logger.withMinimumLogLevel(LogLevel.Warning))
  )

const writeFile = async (url: string, options: Partial<WriteOptions> & { readonly outDir: string }) => {
  const exit = await withZengin(url, (z) =>
    z.write({ transferDate: "2023-09-06", dueBy: "2023-09-06", asOf: "2023-09-05", requesterFile: requesterFile(), dryRun: false, by: "test", ...options }))
  if (Exit.isFailure(exit)) throw new Error(`zengin failed: ${JSON.stringify(exit.cause)}`)
  return exit.value
}

const customerCodes = (file: string) => readZenginFile(fs.readFileSync(file)).records.map((r) => r.customerCode).sort()

const run = async (url: string, inbox: PayoutInbox, asOf = "2023-09-05") => {
  const result = await runPipeline(url, { inbox: writePayoutInbox(inbox), outDir: tempDir(), asOf })
  expect(result.exitCode).toBe(0)
  return await raisedFindings(url, "PAY_")
}

// window 1 (requested 8/7–8/13): bank due 8/21; window 2 (8/14–8/16): bank due 9/1.
const requests = [
  bankRequest("2308070001", { amount: 12300, at: "2023-08-07 11:02" }), // overdue, unpaid: pay
  bankRequest("2308140001", { amount: 4800, at: "2023-08-14 10:00", account: accountB, holder: "カブシキガイシャ　アオゾラ", kind: "refund" }), // due 9/1: pay
  bankRequest("2308070002", { amount: 3000, at: "2023-08-07 12:00" }), // paid: not again
  bankRequest("2308070003", { amount: 2000, at: "2023-08-07 13:00" }), // failed, same account: not
  bankRequest("2308070004", { amount: 2500, at: "2023-08-07 14:00", account: accountB }), // failed on accountA, changed since: pay
  bankRequest("2308070005", { amount: 1000, at: "2023-08-07 15:00", status: "withdrawn" }),
  bankRequest("2308070006", { amount: 1100, at: "2023-08-07 16:00", account: { ...accountA, bank: "0999" } }), // unknown bank
  bankRequest("2308070007", { amount: 1200, at: "2023-08-07 17:00", account: { ...accountA, branch: "999" } }), // unknown branch
  bankRequest("2308070008", { amount: 1300, at: "2023-08-07 18:00", holder: "山田太郎" }), // kanji holder
  bankRequest("2308200001", { amount: 1400, at: "2023-08-20 10:00" }), // no window, no due date: not
  linePayRequest("2308070009", { amount: 1500, at: "2023-08-07 19:00" })
]
const transfers = [
  bankTransfer("20230821-000001", { date: "2023/08/21", amount: 3000, code: "2308070002" }),
  bankTransfer("20230821-000002", { date: "2023/08/21", amount: 2000, code: "2308070003", result: "不能" }),
  bankTransfer("20230821-000003", { date: "2023/08/21", amount: 2500, code: "2308070004", result: "不能" })
]

describe("keshikomi zengin", () => {
  it("flags unknown banks, branches and unwritable names on the planted requests only, and keeps them out of the file", async () => {
    const url = await createTestDatabase()
    const findings = await run(url, { requests, bank: transfers })
    expect(findings.filter((f) => /BANK_UNKNOWN|HOLDER_NAME_INVALID/.test(f))).toEqual([
      "PAY_BANK_UNKNOWN 2308070006",
      "PAY_BANK_UNKNOWN 2308070007",
      "PAY_HOLDER_NAME_INVALID 2308070008"
    ])
    const details = await query<{ code: string; detail: string }>(url, "SELECT code, detail FROM findings WHERE code = 'PAY_BANK_UNKNOWN' ORDER BY subject_id")
    expect(details[0]!.detail).toContain("金融機関コード 0999")
    expect(details[1]!.detail).toContain("支店コード 999")
    expect(details[1]!.detail).toContain("利用者に確かめて")

    const outDir = tempDir()
    const result = await writeFile(url, { outDir })
    const txt = path.join(outDir, "2023-09-05", "zengin_20230906.txt")
    expect(result.written).toEqual([txt, path.join(outDir, "2023-09-05", "zengin_20230906.xlsx")])
    expect(customerCodes(txt)).toEqual(["2308070001", "2308070004", "2308140001"])
    const read = readZenginFile(fs.readFileSync(txt))
    expect(read.trailer).toEqual({ count: 3, total: 12300 + 2500 + 4800 })
    expect(read.header).toMatchObject({ requesterCode: "1234567890", transferDate: "0906", bankCode: "0009", bankName: "ﾐﾂｲｽﾐﾄﾓ", branchCode: "101" })
    const company = read.records.find((r) => r.customerCode === "2308140001")!
    expect(company).toMatchObject({ bankCode: "0005", branchCode: "041", branchName: "ﾄﾗﾉﾓﾝ", accountNumber: "7654321", holderName: "ｶ)ｱｵｿﾞﾗ", amount: 4800 })
    expect(fs.statSync(txt).mode & 0o777).toBe(0o600)
    expect(fs.statSync(result.written[1]!).mode & 0o777).toBe(0o600)
  })

  it("never writes a request into a second file; PAY_SCHEDULED until its result is read; then the result matches", async () => {
    const url = await createTestDatabase()
    const inbox = { requests: [bankRequest("2308140001", { amount: 4800, at: "2023-08-14 10:00" })] }
    expect(await run(url, inbox, "2023-08-25")).toEqual(["PAY_PENDING 2308140001"])
    const first = await writeFile(url, { outDir: tempDir(), transferDate: "2023-08-31", dueBy: "2023-09-01", asOf: "2023-08-25" })
    expect(first.trailer.count).toBe(1)
    const second = await writeFile(url, { outDir: tempDir(), transferDate: "2023-08-31", dueBy: "2023-09-01", asOf: "2023-08-25" })
    expect(second).toEqual({ written: [], trailer: { count: 0, total: 0 } })
    expect(await run(url, inbox, "2023-08-26")).toEqual(["PAY_SCHEDULED 2308140001 zengin_20230831.txt"])
    // past its due date with no result: overdue, as before
    expect(await run(url, inbox, "2023-09-02")).toEqual(["PAY_UNPAID_OVERDUE 2308140001"])
    // the bank's result export carries 顧客コード = request_id
    const paid = { ...inbox, bank: [bankTransfer("20230831-000001", { date: "2023/08/31", amount: 4800, code: "2308140001" })], stamp: "20230902" }
    expect(await run(url, paid, "2023-09-02")).toEqual(["PAY_MATCHED 2308140001 20230831-000001"])
  })

  it("--void releases a file never uploaded, audit-logged; refuses a file whose results were read", async () => {
    const url = await createTestDatabase()
    const inbox = { requests: [bankRequest("2308140001", { amount: 4800, at: "2023-08-14 10:00" })] }
    await run(url, inbox, "2023-08-25")
    const outDir = tempDir()
    const { written } = await writeFile(url, { outDir, transferDate: "2023-08-31", dueBy: "2023-09-01", asOf: "2023-08-25" })
    const voided = await withZengin(url, (z) => z.voidFile({ file: written[0]!, by: "keiri", note: "金額を直して作り直し" }))
    expect(Exit.isSuccess(voided) && voided.value).toEqual({ fileName: "zengin_20230831.txt", requests: 1 })
    expect(await run(url, inbox, "2023-08-26")).toEqual(["PAY_PENDING 2308140001"])
    const again = await writeFile(url, { outDir, transferDate: "2023-08-31", dueBy: "2023-09-01", asOf: "2023-08-25" })
    expect(again.written[0]).toBe(path.join(outDir, "2023-08-25", "zengin_20230831_2.txt"))
    const twice = await withZengin(url, (z) => z.voidFile({ file: written[0]!, by: "keiri", note: "もう一度" }))
    expect(Exit.isFailure(twice)).toBe(true)
    await run(url, { ...inbox, bank: [bankTransfer("20230831-000001", { date: "2023/08/31", amount: 4800, code: "2308140001" })], stamp: "20230901" }, "2023-09-01")
    const uploaded = await withZengin(url, (z) => z.voidFile({ file: again.written[0]!, by: "keiri", note: "間違い" }))
    expect(Exit.isFailure(uploaded) && JSON.stringify(uploaded.cause)).toContain("振込結果が取り込まれています")
    const audit = await query<{ action: string; by_whom: string; outcome: string }>(url, "SELECT action, by_whom, outcome FROM zengin_audit ORDER BY event_id")
    expect(audit.map((a) => `${a.action} ${a.outcome.split(":")[0]}`)).toEqual(["write written", "void voided", "write written", "void refused", "void refused"])
  })

  it("refuses a transfer date the banks are closed, naming the next business day, and writes nothing", async () => {
    const url = await createTestDatabase()
    await run(url, { requests: [bankRequest("2308070001", { amount: 12300, at: "2023-08-07 11:02" })] })
    const outDir = tempDir()
    for (const [day, next] of [["2023-09-09", "2023-09-11"], ["2023-09-18", "2023-09-19"], ["2023-12-31", "2024-01-04"]] as const) {
      const exit = await withZengin(url, (z) =>
        z.write({ transferDate: day, dueBy: day, asOf: "2023-09-05", outDir, requesterFile: requesterFile(), dryRun: false, by: "test" }))
      expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain(`次の営業日は ${next}`)
    }
    expect(fs.existsSync(path.join(outDir, "2023-09-05"))).toBe(false)
    expect(await query(url, "SELECT 1 FROM zengin_files")).toEqual([])
  })

  it("refuses a requester file that does not validate, naming the field", async () => {
    const url = await createTestDatabase()
    await run(url, { requests: [bankRequest("2308070001", { amount: 12300, at: "2023-08-07 11:02" })] })
    const file = path.join(tempDir(), "requester.json")
    fs.writeFileSync(file, JSON.stringify({ requester_code: "123", requester_name: "株式会社ピクトスペース", bank_code: "0009", branch_code: "101", account_type: "1", account_number: "7654321" }))
    const exit = await withZengin(url, (z) =>
      z.write({ transferDate: "2023-09-06", dueBy: "2023-09-06", asOf: "2023-09-05", outDir: tempDir(), requesterFile: file, dryRun: false, by: "test" }))
    const text = Exit.isFailure(exit) ? JSON.stringify(exit.cause) : ""
    expect(text).toContain("requester_code")
    expect(text).toContain("requester_name")
  })

  it("--dry-run writes only the approver workbook and remembers nothing", async () => {
    const url = await createTestDatabase()
    await run(url, { requests: [bankRequest("2308070001", { amount: 12300, at: "2023-08-07 11:02" })] })
    const outDir = tempDir()
    const result = await writeFile(url, { outDir, dryRun: true })
    expect(result.written).toEqual([path.join(outDir, "2023-09-05", "zengin_20230906_dry-run.xlsx")])
    expect(fs.readdirSync(path.join(outDir, "2023-09-05"))).toEqual(["zengin_20230906_dry-run.xlsx"])
    expect(await query(url, "SELECT 1 FROM zengin_files")).toEqual([])
  })
})
