// The fault series (issue 9 items 5 and 6): the worker and the embedded server killed at
// seeded random points of a run, and --out on a full tmpfs. Each time: the run ends on its
// own (no hang), with one line and exit 1 where it can speak, the database is as before,
// no partial file is left, the server leaves nothing behind, and the next run writes the
// workbooks an uninterrupted run writes.
import { Effect, Exit, Redacted, Scope } from "effect"
import ExcelJS from "exceljs"
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { stageFile, ownerOnly } from "../../src/Report/AtomicFile.ts"
import { startEmbeddedServer } from "../../src/Store/EmbeddedServer.ts"
import { bin, keshikomi } from "../support/cli.ts"
import { canMountTmpfs } from "../support/fullDisk.ts"
import { orderItemsCsv, ordersCsv, parcelsCsv, tempDir, writeInbox } from "../support/inbox.ts"

const asOf = "2023-09-05"
// Whatever happens, a run that has not ended this long after its fault counts as hung.
const hangLimitMs = 60_000

/** Seeded points, so a failure can be replayed (mulberry32). */
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const order = (id: string) => `${id},2023-08-10T21:14:03+09:00,S104233,サークル青空,B2023311,pictspace_anonymous,awaiting_shipment,1500`
const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `PS-${String(from + i).padStart(8, "0")}`)
// Day 1 is committed before every fault; day 2 is the run that is hit.
const day1 = () => writeInbox({ "orders_20230901.csv": ordersCsv(...ids(1, 50).map(order)) })
const day2 = () => {
  const orders = ids(1, 3000)
  return writeInbox({
    "orders_20230902.csv": ordersCsv(...orders.map(order)),
    "order_items_20230902.csv": orderItemsCsv(...orders.map((id) => `${id},I1,夏の新刊セット,1,1500`)),
    "parcels_20230902.csv": parcelsCsv(...orders.map((id, i) => `IN-${i},2023/09/01 10:00,日本郵便,${1000 + i},S104233,${id},1,良好,`))
  })
}

const embedded = (dataDir: string) => ({ KESHIKOMI_DATA_DIR: dataDir })

/** Every stored row of every table except the run history (a failed run is recorded there). */
const snapshot = async (dataDir: string) => {
  const scope = Effect.runSync(Scope.make())
  const server = await Effect.runPromise(startEmbeddedServer(dataDir).pipe(Scope.extend(scope)))
  const client = new pg.Client({ host: server.socketDir, user: server.username, password: Redacted.value(server.password), database: server.database })
  await client.connect()
  try {
    const tables = (await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'runs' ORDER BY 1`)).rows
    const result: Record<string, unknown> = {}
    for (const { tablename } of tables) {
      result[tablename] = (await client.query(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h, count(*)::int AS n FROM ${tablename} t`)).rows[0]
    }
    result.committedRuns = (await client.query(`SELECT as_of::text, outcome FROM runs WHERE outcome LIKE 'succeeded%' ORDER BY run_id`)).rows
    return result
  } finally {
    await client.end()
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

/** Each sheet's cell values, without the run number (which a killed run uses up). */
const workbookContent = async (file: string) => {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(file)
  return workbook.worksheets.map((sheet) => {
    const rows: Array<unknown> = []
    sheet.eachRow((row) => {
      const values = (row.values as Array<unknown>).slice(1)
      if (values[0] !== "実行番号") rows.push(values)
    })
    return { name: sheet.name, rows }
  })
}
const reportsOf = async (out: string) => ({
  shipping: await workbookContent(path.join(out, asOf, "shipping.xlsx")),
  finance: await workbookContent(path.join(out, asOf, "finance.xlsx"))
})

const entriesUnder = (dir: string): Array<string> => fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as Array<string>) : []
const filesUnder = (dir: string) => entriesUnder(dir).filter((f) => fs.lstatSync(path.join(dir, f)).isFile())

// A partial file or a folder staged whole (the seller lists), or anything inside one.
const isPartial = (entry: string) => entry.split(path.sep).some((part) => part.endsWith(".partial"))
/** Every file and folder under `dir` that a run staged and did not publish. */
const partialsUnder = (dir: string) => entriesUnder(dir).filter(isPartial)

interface Faulted {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderr: string
  readonly hung: boolean
}

/** Runs day 2 and calls `fault` once stdout has `afterLines` lines and `delayMs` more passed. */
const runWithFault = (env: Record<string, string>, args: ReadonlyArray<string>, afterLines: number, delayMs: number, fault: (child: ReturnType<typeof spawn>) => void) =>
  new Promise<Faulted>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } })
    let lines = 0
    let stderr = ""
    let faulted = false
    let hung = false
    let watchdog: NodeJS.Timeout | undefined
    child.stdout.on("data", (chunk: Buffer) => {
      lines += chunk.toString().split("\n").length - 1
      if (!faulted && lines >= afterLines) {
        faulted = true
        setTimeout(() => {
          fault(child)
          watchdog = setTimeout(() => {
            hung = true
            child.kill("SIGKILL")
          }, hangLimitMs)
        }, delayMs)
      }
    })
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("exit", (code, signal) => {
      clearTimeout(watchdog)
      resolve({ code, signal, stderr, hung })
    })
  })

const pidFileGone = async (dataDir: string) => {
  for (let i = 0; i < 200 && fs.existsSync(path.join(dataDir, "postmaster.pid")); i++) await new Promise((r) => setTimeout(r, 50))
  return !fs.existsSync(path.join(dataDir, "postmaster.pid"))
}

describe("the fault series", { timeout: 300_000 }, () => {
  let day1Folder: string
  let day2Inbox: string
  let uninterrupted: Awaited<ReturnType<typeof reportsOf>>
  let linesBeforeMerge: number
  let linesThroughSellerLists: number
  const random = seeded(20230905)

  // Data folder copies are large: removed at the end.
  const folders: Array<string> = []
  afterAll(() => {
    for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true })
  })

  /** A data folder in day 1's committed state (a copy, so every fault starts alike). */
  const freshFolder = () => {
    const parent = tempDir("keshikomi-fault-")
    folders.push(parent)
    const dir = path.join(parent, "db")
    fs.cpSync(day1Folder, dir, { recursive: true })
    fs.cpSync(`${day1Folder}.pgpass`, `${dir}.pgpass`)
    return dir
  }

  beforeAll(async () => {
    const base = tempDir("keshikomi-fault-base-")
    folders.push(base)
    day1Folder = path.join(base, "db")
    expect((await keshikomi(["run", "--inbox", day1(), "--out", tempDir(), "--as-of", "2023-09-01"], embedded(day1Folder))).code).toBe(0)
    day2Inbox = day2()
    const baseline = freshFolder()
    const out = tempDir()
    const run = await keshikomi(["run", "--inbox", day2Inbox, "--out", out, "--as-of", asOf], embedded(baseline))
    expect(run.code).toBe(0)
    uninterrupted = await reportsOf(out)
    // Faults land before the findings are merged: later, the run may already have committed.
    const lines = run.stdout.split("\n")
    linesBeforeMerge = lines.findIndex((l) => l.includes("findings merge"))
    expect(linesBeforeMerge).toBeGreaterThan(3)
    // The seller lists are written first of the reports, inside the transaction.
    linesThroughSellerLists = lines.findIndex((l) => l.includes(`"file":"sellers/"`)) + 1
    expect(linesThroughSellerLists).toBeGreaterThan(linesBeforeMerge)
  }, 600_000)

  /**
   * After a fault: nothing changed, nothing published, and the next run is a normal one.
   * A run that fails cleans up after itself: nothing is left. A killed worker cannot, and
   * the delay after the chosen line can carry its kill past the merge into the workbooks
   * (on this small inbox the last steps take less than that delay): then its hidden partial
   * files and staged folders may be left, and the next run into the same folder must
   * remove them.
   */
  const expectRecovered = async (dataDir: string, before: unknown, out: string, options: { killedWorker: boolean }) => {
    expect(await pidFileGone(dataDir)).toBe(true)
    const partials = partialsUnder(out)
    if (!options.killedWorker) expect(partials).toEqual([])
    expect(filesUnder(out).filter((f) => !isPartial(f))).toEqual([])
    expect(await snapshot(dataDir)).toEqual(before)
    const again = partials.length === 0 ? tempDir() : out
    const next = await keshikomi(["run", "--inbox", day2Inbox, "--out", again, "--as-of", asOf], embedded(dataDir))
    expect(next.stderr).toBe("")
    expect(next.code).toBe(0)
    expect(partialsUnder(again)).toEqual([])
    expect(await reportsOf(again)).toEqual(uninterrupted)
  }

  for (const trial of [1, 2]) {
    it(`embedded server killed (SIGKILL) at a random point, trial ${trial}: one line, exit 1, nothing changed`, async () => {
      const dataDir = freshFolder()
      const before = await snapshot(dataDir)
      const out = tempDir()
      const afterLines = 1 + Math.floor(random() * (linesBeforeMerge - 1))
      const result = await runWithFault(embedded(dataDir), ["run", "--inbox", day2Inbox, "--out", out, "--as-of", asOf], afterLines, Math.floor(random() * 300), () => {
        const pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0])
        process.kill(pid, "SIGKILL")
      })
      expect(result.hung).toBe(false)
      expect(result.code).toBe(1)
      expect(result.stderr.trim().split("\n")).toEqual([
        expect.stringMatching(/^keshikomi: データベースが使えなくなりました: 実行中に組み込み PostgreSQL が止まりました（killed by SIGKILL）。何も記録していません$/)
      ])
      await expectRecovered(dataDir, before, out, { killedWorker: false })
    })
  }

  for (const trial of [1, 2]) {
    it(`worker killed (SIGKILL) at a random point, trial ${trial}: its server stops with it, nothing changed`, async () => {
      const dataDir = freshFolder()
      const before = await snapshot(dataDir)
      const out = tempDir()
      const afterLines = 1 + Math.floor(random() * (linesBeforeMerge - 1))
      const result = await runWithFault(embedded(dataDir), ["run", "--inbox", day2Inbox, "--out", out, "--as-of", asOf], afterLines, Math.floor(random() * 300), (child) => child.kill("SIGKILL"))
      expect(result.signal).toBe("SIGKILL")
      await expectRecovered(dataDir, before, out, { killedWorker: true })
    })
  }

  it("worker killed (SIGKILL) while the workbooks are written: nothing committed or published, and the next run into the folder removes what it left", async () => {
    const dataDir = freshFolder()
    const before = await snapshot(dataDir)
    const out = tempDir()
    const result = await runWithFault(embedded(dataDir), ["run", "--inbox", day2Inbox, "--out", out, "--as-of", asOf], linesThroughSellerLists, 0, (child) => child.kill("SIGKILL"))
    expect(result.signal).toBe("SIGKILL")
    // Reports are staged (the seller lists as a whole folder) and published only after the commit.
    expect(partialsUnder(out)).not.toEqual([])
    await expectRecovered(dataDir, before, out, { killedWorker: true })
  })

  it.skipIf(!canMountTmpfs)("--out on a full tmpfs (skipped where this user may not mount a tmpfs): one line naming the cause, exit 1, nothing changed", async () => {
    const dataDir = freshFolder()
    const before = await snapshot(dataDir)
    const out = tempDir("keshikomi-full-")
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=16k,mode=0700", "tmpfs", out])
    try {
      const run = await runWithFault(embedded(dataDir), ["run", "--inbox", day2Inbox, "--out", out, "--as-of", asOf], Number.MAX_SAFE_INTEGER, 0, () => {})
      expect(run.hung).toBe(false)
      expect(run.code).toBe(1)
      expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^keshikomi: .*shipping\.xlsx を書けません: ENOSPC/)])
      expect(filesUnder(out)).toEqual([])
    } finally {
      execFileSync("umount", [out])
    }
    await expectRecovered(dataDir, before, out, { killedWorker: false })
  })
})

describe("a report folder removed under the run", () => {
  it("fails the check that precedes the commit, naming the cause", async () => {
    const dir = path.join(tempDir(), asOf)
    fs.mkdirSync(dir)
    const staged = await Effect.runPromise(
      stageFile(path.join(dir, "shipping.xlsx"), ownerOnly, (stream) => Effect.async<void>((resume) => void stream.end("x", () => resume(Effect.void))))
    )
    fs.rmSync(dir, { recursive: true })
    const checked = await Effect.runPromiseExit(staged.check)
    expect(Exit.isFailure(checked) && checked.cause._tag === "Fail" ? checked.cause.error.message : undefined).toMatch(
      /^.*shipping\.xlsx を書けません: 実行中に出力フォルダが消されました$/
    )
  })

  it("fails a write into a folder that is gone at once, with the cause", async () => {
    const dir = path.join(tempDir(), "gone")
    const result = await Effect.runPromiseExit(
      stageFile(path.join(dir, "finance.xlsx"), ownerOnly, () => Effect.void)
    )
    expect(Exit.isFailure(result) && result.cause._tag === "Fail" ? result.cause.error.message : undefined).toMatch(/^.*finance\.xlsx を書けません: ENOENT/)
  })
})
