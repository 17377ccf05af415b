// Nightly operation: findings that live across runs, staff decisions that survive, one
// run at a time, and runs killed half way that lose nothing.
import { it as effectIt } from "@effect/vitest"
import { Cron, Effect, Either, Fiber, TestClock } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import pg from "pg"
import { beforeEach, describe, expect, it } from "vitest"
import { scheduleLoop } from "../../src/Cli.ts"
import { keshikomi, keshikomiInterrupted } from "../support/cli.ts"
import { orderItemsCsv, ordersCsv, parcelsCsv, tempDir, writeInbox } from "../support/inbox.ts"
import { createTestDatabase, query } from "../support/testDatabase.ts"

const order = (id: string, status = "awaiting_shipment") =>
  `${id},2023-08-10T21:14:03+09:00,S104233,サークル青空,B2023311,pictspace_anonymous,${status},1500`

const findingsState = (url: string) =>
  query<{ code: string; subject_id: string; related_id: string; first_seen: string; closed_on: string | null; resolved_by: string | null }>(
    url,
    `SELECT code, subject_id, related_id, first_seen::text, closed_on::text, resolved_by FROM findings ORDER BY 1, 2, 3`
  )

let url: string
beforeEach(async () => {
  url = await createTestDatabase()
})

describe("findings across runs", () => {
  it("keeps every first_seen when the same inbox runs again, and marks nothing new", async () => {
    const inbox = writeInbox({
      "orders_20230901.csv": ordersCsv(order("PS-00000001"), order("PS-00000002")),
      "order_items_20230901.csv": orderItemsCsv("PS-00000001,I1,新刊,1,1500", "PS-00000002,I1,新刊,1,1500"),
      "parcels_20230901.csv": parcelsCsv("IN-1,2023/09/01 10:00,日本郵便,1111,S104233,PS-00000009,1,良好,")
    })
    const out = tempDir()
    expect((await keshikomi(["run", "--inbox", inbox, "--out", out, "--as-of", "2023-09-05"], { DATABASE_URL: url })).code).toBe(0)
    const first = await findingsState(url)
    expect(first.length).toBeGreaterThan(0)
    expect((await keshikomi(["run", "--inbox", inbox, "--out", out, "--as-of", "2023-09-06"], { DATABASE_URL: url })).code).toBe(0)
    expect(await findingsState(url)).toEqual(first)
    const statuses = await query<{ status: string }>(
      url,
      `SELECT DISTINCT CASE WHEN first_run = (SELECT max(run_id) FROM runs) THEN '新規' ELSE '継続' END AS status
       FROM findings WHERE closed_on IS NULL`
    )
    expect(statuses).toEqual([{ status: "継続" }])
  })

  it("closes a finding the data no longer raises, and keeps a staff decision through later runs", async () => {
    const out = tempDir()
    const day1 = writeInbox({ "orders_20230901.csv": ordersCsv(order("PS-00000001"), order("PS-1")) })
    await keshikomi(["run", "--inbox", day1, "--out", out, "--as-of", "2023-09-01"], { DATABASE_URL: url })
    const resolved = await keshikomi(
      ["resolve", "INPUT_ROW_REJECTED", "orders_20230901.csv", "--note", "出品者に再出力を依頼", "--by", "sato"],
      { DATABASE_URL: url }
    )
    expect(resolved.code).toBe(0)
    await keshikomi(["run", "--inbox", day1, "--out", out, "--as-of", "2023-09-02"], { DATABASE_URL: url })
    const [kept] = await query(url, "SELECT resolved_by, resolution_note, first_seen::text FROM findings WHERE code = 'INPUT_ROW_REJECTED'")
    expect(kept).toEqual({ resolved_by: "sato", resolution_note: "出品者に再出力を依頼", first_seen: "2023-09-01" })
    // The next day's inbox no longer holds the file: the rejection is closed.
    await keshikomi(["run", "--inbox", writeInbox({}), "--out", out, "--as-of", "2023-09-03"], { DATABASE_URL: url })
    const [closed] = await query(url, "SELECT closed_on::text FROM findings WHERE code = 'INPUT_ROW_REJECTED'")
    expect(closed).toEqual({ closed_on: "2023-09-03" })
    const audit = await query(url, "SELECT code, subject_id, decided_by, source, outcome FROM finding_decisions")
    expect(audit).toEqual([
      { code: "INPUT_ROW_REJECTED", subject_id: "orders_20230901.csv", decided_by: "sato", source: "command", outcome: "resolved" }
    ])
  })

  it("gives two nightly drops the findings of one drop", async () => {
    const files = {
      "orders_20230901.csv": ordersCsv(order("PS-00000001"), order("PS-00000002"), order("PS-00000003", "cancelled")),
      "order_items_20230901.csv": orderItemsCsv("PS-00000001,I1,新刊,2,750", "PS-00000002,I1,新刊,1,1500", "PS-00000003,I1,新刊,1,1500"),
      "parcels_20230901.csv": parcelsCsv(
        "IN-1,2023/09/01 10:00,日本郵便,1111,S104233,PS-00000001,1,良好,",
        "IN-2,2023/09/01 11:00,日本郵便,2222,S104233,PS-00000003,1,良好,"
      ),
      "parcels_20230904.csv": parcelsCsv("IN-3,2023/09/04 10:00,日本郵便,3333,S104233,ps00000001,1,良好,")
    }
    const together = await createTestDatabase()
    await keshikomi(["run", "--inbox", writeInbox(files), "--out", tempDir(), "--as-of", "2023-09-05"], { DATABASE_URL: together })
    const { "parcels_20230904.csv": later, ...earlier } = files
    await keshikomi(["run", "--inbox", writeInbox(earlier), "--out", tempDir(), "--as-of", "2023-09-05"], { DATABASE_URL: url })
    await keshikomi(["run", "--inbox", writeInbox({ "parcels_20230904.csv": later }), "--out", tempDir(), "--as-of", "2023-09-05"], {
      DATABASE_URL: url
    })
    const open = `SELECT code, subject_id, related_id FROM findings WHERE closed_on IS NULL AND code NOT LIKE 'INPUT%' ORDER BY 1, 2, 3`
    expect(await query(url, open)).toEqual(await query(together, open))
  })
})

describe("one run at a time", () => {
  it("refuses a second run while another holds the database, changing nothing, exit 3", async () => {
    const holder = new pg.Client({ connectionString: url })
    await holder.connect()
    try {
      // Let the first run create the schema, then hold the run lock as a running run would.
      await keshikomi(["run", "--inbox", writeInbox({}), "--out", tempDir(), "--as-of", "2023-09-01"], { DATABASE_URL: url })
      await holder.query("SELECT pg_advisory_lock(4242001)")
      const before = await query(url, "SELECT run_id, outcome FROM runs ORDER BY run_id")
      const inbox = writeInbox({ "orders_20230901.csv": ordersCsv(order("PS-00000001")) })
      const refused = await keshikomi(["run", "--inbox", inbox, "--out", tempDir(), "--as-of", "2023-09-02"], { DATABASE_URL: url })
      expect(refused.code).toBe(3)
      expect(refused.stderr).toContain("別の keshikomi の実行がこのデータベースを使用中です")
      expect(await query(url, "SELECT run_id, outcome FROM runs ORDER BY run_id")).toEqual(before)
      expect(await query(url, "SELECT * FROM orders")).toEqual([])
    } finally {
      await holder.end()
    }
  })
})

describe("runs stopped half way", () => {
  const bigInbox = () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `PS-${String(i + 1).padStart(8, "0")}`)
    return writeInbox({
      "orders_20230901.csv": ordersCsv(...ids.map((id) => order(id))),
      "order_items_20230901.csv": orderItemsCsv(...ids.map((id) => `${id},I1,夏の新刊セット,1,1500`)),
      "parcels_20230901.csv": parcelsCsv(...ids.map((id, i) => `IN-${i},2023/09/01 10:00,日本郵便,${1000 + i},S104233,${id},1,良好,`))
    })
  }
  const firstFileApplied = (stdout: string) => stdout.includes("orders_20230901.csv")

  it("loses nothing when killed with SIGKILL mid-run, and the next run succeeds", async () => {
    const inbox = bigInbox()
    await keshikomi(["run", "--inbox", writeInbox({}), "--out", tempDir(), "--as-of", "2023-09-01"], { DATABASE_URL: url })
    const killed = await keshikomiInterrupted(["run", "--inbox", inbox, "--out", tempDir(), "--as-of", "2023-09-05"], { DATABASE_URL: url }, "SIGKILL", firstFileApplied)
    expect(killed.signal).toBe("SIGKILL")
    expect(await query(url, "SELECT count(*)::int AS n FROM orders")).toEqual([{ n: 0 }])
    expect(await query(url, "SELECT count(*)::int AS n FROM input_files")).toEqual([{ n: 0 }])
    const again = await keshikomi(["run", "--inbox", inbox, "--out", tempDir(), "--as-of", "2023-09-05"], { DATABASE_URL: url })
    expect(again.code).toBe(0)
    expect(await query(url, "SELECT count(*)::int AS n FROM orders")).toEqual([{ n: 20_000 }])
  })

  it("rolls back and exits non-zero on SIGTERM during a run", async () => {
    const inbox = bigInbox()
    const stopped = await keshikomiInterrupted(["run", "--inbox", inbox, "--out", tempDir(), "--as-of", "2023-09-05"], { DATABASE_URL: url }, "SIGTERM", firstFileApplied)
    expect(stopped.code).toBe(130)
    expect(await query(url, "SELECT count(*)::int AS n FROM orders")).toEqual([{ n: 0 }])
    expect(await query(url, "SELECT outcome FROM runs")).toEqual([{ outcome: "interrupted" }])
  })

  it("exits 0 on SIGTERM while the scheduler waits between runs", async () => {
    const stopped = await keshikomiInterrupted(["schedule", "--cron", "0 3 1 1 *", "--inbox", tempDir(), "--out", tempDir()], { DATABASE_URL: url }, "SIGTERM", (out) => out.includes("次の実行を予定しました"))
    expect(stopped.code).toBe(0)
  })
})

describe("the scheduler", () => {
  // it.effect runs on a TestClock that moves only when told: no real waiting.
  effectIt.effect("runs on each cron tick with that day's Japan date", () =>
    Effect.gen(function*() {
      const cron = Either.getOrThrow(Cron.parse("30 2 * * *", "Asia/Tokyo"))
      const asOfs: Array<string> = []
      // 2023-09-04 12:00 Japan time.
      yield* TestClock.setTime(Date.parse("2023-09-04T03:00:00Z"))
      const fiber = yield* Effect.fork(scheduleLoop(cron, (asOf) => Effect.sync(() => asOfs.push(asOf))))
      yield* TestClock.adjust("14 hours") // 02:00 on 9/5: not yet
      expect(asOfs).toEqual([])
      yield* TestClock.adjust("1 hour") // 03:00 on 9/5
      yield* TestClock.adjust("1 day") // 03:00 on 9/6
      yield* Fiber.interrupt(fiber)
      expect(asOfs).toEqual(["2023-09-05", "2023-09-06"])
    }))
})

describe("dry run and status", () => {
  it("writes the workbooks of a dry run and commits nothing; status lists the committed runs", async () => {
    const out = tempDir()
    const inbox = writeInbox({ "orders_20230901.csv": ordersCsv(order("PS-00000001")) })
    const dry = await keshikomi(["run", "--inbox", inbox, "--out", out, "--as-of", "2023-09-05", "--dry-run"], { DATABASE_URL: url })
    expect(dry.code).toBe(0)
    // A trial writes beside the real reports, never over them.
    expect(fs.readdirSync(path.join(out, "2023-09-05"))).toEqual(["dry-run"])
    expect(fs.readdirSync(path.join(out, "2023-09-05", "dry-run")).sort()).toEqual(["finance.xlsx", "finance_findings.csv", "sellers", "shipping.xlsx", "shipping_findings.csv"])
    expect(dry.stdout).toContain("試行: データベースには何も記録していません")
    for (const table of ["orders", "runs", "findings", "input_files"]) {
      expect(await query(url, `SELECT count(*)::int AS n FROM ${table}`), table).toEqual([{ n: 0 }])
    }
    await keshikomi(["run", "--inbox", inbox, "--out", out, "--as-of", "2023-09-06"], { DATABASE_URL: url })
    const status = await keshikomi(["status"], { DATABASE_URL: url })
    expect(status.code).toBe(0)
    const lines = status.stdout.trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^#\d+ {2}基準日=2023-09-06 .* 結果=succeeded {2}終了ステータス=0 {2}ファイル=1\/1 {2}SHIP_AWAITING_PARCEL=1$/)
  })
})
