// Seller lists written in batches, each batch flushed several files at a time: every
// file complete, owner-only and as recorded (the file digest and stat in seller_lists are
// those of the file on disk), the same lists as flushed one at a time; and a write that
// fails mid-folder (a full disk) publishes no folder, leaves no partial file and records nothing.
import { Effect, Logger, LogLevel } from "effect"
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { appLayer } from "../../src/App.ts"
import { Run, type RunOptions } from "../../src/Run/Run.ts"
import { canMountTmpfs } from "../support/fullDisk.ts"
import { orderItemsCsv, ordersCsv, tempDir, writeInbox } from "../support/inbox.ts"
import { sellerListRows } from "../support/sellerList.ts"
import { createTestDatabase, databaseLayer, query } from "../support/testDatabase.ts"

const runWith = (url: string, options: RunOptions, sellerFlushesInFlight: number) =>
  Effect.runPromise(
    Effect.flatMap(Run, (run) => run.run(options)).pipe(
      Effect.provide(appLayer(databaseLayer(url), { sellerFlushesInFlight })),
      Effect.scoped,
      Logger.withMinimumLogLevel(LogLevel.Warning)
    )
  )

/** `n` sellers from `from`, each with one order still awaited (so each has a list). */
const sellersInbox = (day: string, from: number, n: number) => {
  const ids = Array.from({ length: n }, (_, i) => from + i)
  return writeInbox({
    [`orders_${day}.csv`]: ordersCsv(...ids.map((k) =>
      `PS-${String(k).padStart(8, "0")},2023-08-10T21:14:03+09:00,S${300000 + k},サークル${k},B2023311,pictspace_anonymous,awaiting_shipment,1500`
    )),
    [`order_items_${day}.csv`]: orderItemsCsv(...ids.flatMap((k) => [
      `PS-${String(k).padStart(8, "0")},I1,新刊${k},1,1500`,
      `PS-${String(k).padStart(8, "0")},I2,既刊${k} 総集編,${1 + (k % 3)},800`
    ]))
  })
}

const listsIn = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [])
/** Every name under `dir`, hidden ones too, at any depth. */
const everythingIn = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? [`${e.name}/`, ...everythingIn(path.join(dir, e.name)).map((n) => `${e.name}/${n}`)] : [e.name]
  ).sort()

interface Recorded {
  readonly seller_id: string
  readonly published_path: string
  readonly file_sha256: string
  readonly file_size: string
  readonly file_mtime_ns: string
  readonly file_ino: string
}
const recordedLists = (url: string) =>
  query<Recorded>(url, `SELECT seller_id, published_path, encode(file_sha256, 'hex') AS file_sha256, file_size::text,
                               file_mtime_ns::text, file_ino FROM seller_lists ORDER BY seller_id`)

let url: string
beforeAll(async () => {
  url = await createTestDatabase()
})

describe("seller lists written in batches", () => {
  it("writes every list whole, owner-only and as recorded, the same lists as flushed one at a time", async () => {
    const inbox = sellersInbox("20230905", 1, 40)
    const out = tempDir()
    const result = await runWith(url, { inbox, outDir: out, asOf: "2023-09-05" }, 8)
    expect(result.sellerLists).toEqual({ written: 40, carried: 0 })
    const folder = path.join(out, "2023-09-05", "sellers")
    const names = listsIn(folder)
    expect(names).toHaveLength(40)
    // Nothing but the lists: no partial file beside them.
    expect(everythingIn(folder)).toEqual(names)
    const recorded = await recordedLists(url)
    expect(recorded.map((r) => r.seller_id)).toEqual(Array.from({ length: 40 }, (_, i) => `S${300001 + i}`))
    for (const list of recorded) {
      const file = list.published_path
      expect(path.dirname(file)).toBe(path.resolve(folder))
      const stat = fs.statSync(file, { bigint: true })
      expect(Number(stat.mode & 0o777n)).toBe(0o600)
      expect({ size: String(stat.size), mtime: String(stat.mtimeNs), ino: String(stat.ino) })
        .toEqual({ size: list.file_size, mtime: list.file_mtime_ns, ino: list.file_ino })
      expect(createHash("sha256").update(fs.readFileSync(file)).digest("hex")).toBe(list.file_sha256)
    }

    // The same as-of again as a trial, one file at a time and with no record to carry from.
    await query(url, "DELETE FROM seller_lists")
    const trial = await runWith(url, { inbox, outDir: out, asOf: "2023-09-05", dryRun: true }, 1)
    expect(trial.sellerLists).toEqual({ written: 40, carried: 0 })
    const oneAtATime = path.join(out, "2023-09-05", "dry-run", "sellers")
    expect(listsIn(oneAtATime)).toEqual(names)
    for (const name of names) {
      const rows = await sellerListRows(path.join(folder, name))
      expect(rows).toEqual(await sellerListRows(path.join(oneAtATime, name)))
      expect(rows.flat()).toContain(`新刊${Number(name.slice(1, 7)) - 300000}`)
    }
  })

  it.skipIf(!canMountTmpfs)("publishes no folder, leaves no partial file and records nothing when the disk fills mid-folder", async () => {
    const out = tempDir("keshikomi-full-disk-")
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", out])
    try {
      url = await createTestDatabase()
      await runWith(url, { inbox: sellersInbox("20230905", 1, 2), outDir: out, asOf: "2023-09-05" }, 8)
      const before = await recordedLists(url)
      expect(before).toHaveLength(2)
      const day1 = everythingIn(out)
      // Room for a few more lists, not for the 60 new sellers of day 2.
      const used = Number(execFileSync("df", ["--output=used", "-B1", out], { encoding: "utf8" }).split("\n")[1])
      execFileSync("mount", ["-o", `remount,size=${used + 48 * 1024}`, out])

      const failed = await runWith(url, { inbox: sellersInbox("20230906", 3, 60), outDir: out, asOf: "2023-09-06" }, 8)
        .then(() => undefined, (error: unknown) => String(error))
      expect(failed).toMatch(/sellers.*\.xlsx を書けません: ENOSPC/)
      // Day 2's folder holds nothing (no sellers/, no partial file, no workbook); day 1's is as it was.
      expect(everythingIn(out).filter((name) => !name.startsWith("2023-09-06/"))).toEqual(day1)
      expect(everythingIn(out).filter((name) => name.startsWith("2023-09-06/") && name !== "2023-09-06/")).toEqual([])
      expect(await recordedLists(url)).toEqual(before)
    } finally {
      execFileSync("umount", [out])
      fs.rmSync(out, { recursive: true, force: true })
    }
  })
})
