// The key: a run with the wrong key or none fails with one line and changes nothing;
// systemd credentials are read; `rekey` seals everything again under a new key.
import { ConfigProvider, Effect, Layer } from "effect"
import ExcelJS from "exceljs"
import * as fs from "node:fs"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { parseKeyFile, randomKeyMaterial, writeNewKeyFile } from "../../src/Seal/KeyFile.ts"
import { Sealer, SealerLive } from "../../src/Seal/Sealer.ts"
import { keshikomi } from "../support/cli.ts"
import { tempDir } from "../support/inbox.ts"
import { createTestDatabase, query, raisedFindings } from "../support/testDatabase.ts"

const sample = path.resolve(import.meta.dirname, "../../fixtures/sample")
const asOf = "2023-09-05"
const run = (url: string, out: string, env: Record<string, string> = {}) =>
  keshikomi(["run", "--inbox", sample, "--out", out, "--as-of", asOf], { DATABASE_URL: url, ...env })

/** Every stored row that could change, so that "nothing changed" is exact. */
const everything = async (url: string) => {
  const tables = (await query<{ t: string }>(url, "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map((r) => r.t)
  const out: Record<string, unknown> = {}
  // Ordered by the whole row: the first column alone has ties (bank_branches by bank code).
  for (const t of tables) out[t] = await query(url, `SELECT * FROM ${t} ORDER BY ${t}::text COLLATE "C"`)
  return out
}

const otherKey = () => {
  const file = path.join(tempDir(), "other.key")
  writeNewKeyFile(file, randomKeyMaterial())
  return file
}

/** The cell values of one sheet, row by row. */
const sheetValues = async (file: string, sheet: string) => {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(file)
  const rows: Array<unknown> = []
  workbook.getWorksheet(sheet)!.eachRow((row) => rows.push(row.values))
  return rows
}

let url: string
beforeAll(async () => {
  url = await createTestDatabase()
  const first = await run(url, tempDir())
  expect(first.stderr).toBe("")
}, 120_000)

describe("the key", () => {
  it("refuses another key with one line, before changing anything", async () => {
    const before = await everything(url)
    const result = await run(url, tempDir(), { KESHIKOMI_KEY_FILE: otherKey() })
    expect(result.code).toBe(1)
    const lines = result.stderr.trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^keshikomi: 鍵: .*other\.key はこのデータベースを暗号化した鍵ではありません.*何も変更していません$/)
    expect(await everything(url)).toEqual(before)
  })

  it("refuses a missing key file, and no key at all for an external database, with one line each", async () => {
    const before = await everything(url)
    const missing = await run(url, tempDir(), { KESHIKOMI_KEY_FILE: "/nonexistent/keshikomi.key" })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toBe("keshikomi: 鍵: /nonexistent/keshikomi.key（KESHIKOMI_KEY_FILE）がありません。鍵ファイルをバックアップから戻してください（README の The key）\n")
    const none = await run(url, tempDir(), { KESHIKOMI_KEY_FILE: "", CREDENTIALS_DIRECTORY: "" })
    expect(none.code).toBe(1)
    expect(none.stderr.trim().split("\n")).toHaveLength(1)
    expect(none.stderr).toMatch(/^keshikomi: 鍵: 鍵がありません: KESHIKOMI_KEY_FILE/)
    expect(await everything(url)).toEqual(before)
  })

  it("creates the default key's folder, owner-only, when KESHIKOMI_DATA_DIR names a folder that does not exist yet", async () => {
    const parent = path.join(tempDir(), "srv", "keshikomi")
    const config = ConfigProvider.fromMap(new Map([["KESHIKOMI_DATA_DIR", path.join(parent, "db")]]))
    const sealer = await Effect.runPromise(
      Effect.provide(Sealer, SealerLive.pipe(Layer.provide(Layer.setConfigProvider(config))))
    )
    expect(sealer.created).toBe(true)
    expect(sealer.source.path).toBe(path.join(parent, "db.key"))
    expect(fs.statSync(parent).mode & 0o777).toBe(0o700)
    expect(fs.statSync(sealer.source.path).mode & 0o777).toBe(0o600)
    expect(typeof parseKeyFile(fs.readFileSync(sealer.source.path, "utf8"))).toBe("object")
  })

  it("reads the key from systemd's credentials directory", async () => {
    const credentials = tempDir()
    fs.copyFileSync(process.env.KESHIKOMI_KEY_FILE!, path.join(credentials, "keshikomi.key"))
    const result = await run(url, tempDir(), { KESHIKOMI_KEY_FILE: "", CREDENTIALS_DIRECTORY: credentials })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
  })
})

describe("keshikomi rekey", () => {
  it("seals every value again under a new key in one go: the old key is refused, the new one reads the same", async () => {
    const db = await createTestDatabase()
    const outBefore = tempDir()
    expect((await run(db, outBefore)).code).toBe(0)
    const findingsBefore = await raisedFindings(db)
    const sealedBefore = await query<{ s: Buffer }>(db, "SELECT account_holder_sealed AS s FROM payout_requests WHERE account_holder_sealed IS NOT NULL ORDER BY request_id")
    const hashesBefore = await query(db, "SELECT request_id, holder_key, destination_key, account_masked FROM payout_requests ORDER BY 1")

    const newKey = path.join(tempDir(), "new.key")
    const rekeyed = await keshikomi(["rekey", "--new-key", newKey], { DATABASE_URL: db })
    expect(rekeyed.stderr).toBe("")
    expect(rekeyed.code).toBe(0)
    expect(rekeyed.stdout).toMatch(/^\d+ 件の値を新しい鍵 .*で暗号化し直しました。/)
    expect(fs.statSync(newKey).mode & 0o777).toBe(0o600)

    // Every sealed value changed; the keyed hashes and masked numbers did not.
    const sealedAfter = await query<{ s: Buffer }>(db, "SELECT account_holder_sealed AS s FROM payout_requests WHERE account_holder_sealed IS NOT NULL ORDER BY request_id")
    expect(sealedAfter).toHaveLength(sealedBefore.length)
    expect(sealedAfter.filter((r, i) => r.s.equals(sealedBefore[i]!.s))).toEqual([])
    expect(await query(db, "SELECT request_id, holder_key, destination_key, account_masked FROM payout_requests ORDER BY 1")).toEqual(hashesBefore)

    const old = await run(db, tempDir())
    expect(old.code).toBe(1)
    expect(old.stderr).toMatch(/はこのデータベースを暗号化した鍵ではありません/)

    const outAfter = tempDir()
    expect((await run(db, outAfter, { KESHIKOMI_KEY_FILE: newKey })).code).toBe(0)
    expect(await raisedFindings(db)).toEqual(findingsBefore)
    // Addresses and holder names open to the same text under the new key.
    for (const [file, sheet] of [["shipping.xlsx", "再発送リスト"], ["finance.xlsx", "照合済"], ["finance.xlsx", "要対応"]] as const) {
      const before = await sheetValues(path.join(outBefore, asOf, file), sheet)
      expect(before.length).toBeGreaterThan(1)
      // 状態 moves from 新規 to 継続 on a second run; the values are compared without it.
      const strip = (rows: Array<unknown>) => JSON.stringify(rows).replaceAll("新規", "継続")
      expect(strip(await sheetValues(path.join(outAfter, asOf, file), sheet))).toBe(strip(before))
    }
  }, 180_000)

  it("never overwrites a file, and changes nothing when refused", async () => {
    const db = await createTestDatabase()
    expect((await run(db, tempDir())).code).toBe(0)
    const before = await everything(db)
    const existing = otherKey()
    const text = fs.readFileSync(existing, "utf8")
    const refused = await keshikomi(["rekey", "--new-key", existing], { DATABASE_URL: db })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^keshikomi: 鍵: .* はもうあります。まだないファイル名を指定してください/)
    expect(fs.readFileSync(existing, "utf8")).toBe(text)
    expect(await everything(db)).toEqual(before)
  }, 120_000)
})
