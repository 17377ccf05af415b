// Benchmark of the findings CSVs alone: N generated open findings in a fresh embedded
// PostgreSQL, written the way a run writes them (in its transaction, staged owner-only),
// by the papaparse writer (rows through a cursor, formatted in Node) and by the run's
// writer (the fields copied out, COPY TO STDOUT, and made into lines from their bytes), alternately. Prints per pass seconds,
// the CPU seconds of Node and of the server's backend (steadier than the wall clock on a
// busy machine), Node's peak RSS (and its rise during the pass), the file size and its sha256, so that
// the two files can be seen to be the same bytes. Asserts nothing.
//
//   npx tsx bench/findingsCsv.ts --findings 1000000
//   npx tsx bench/findingsCsv.ts --findings 300000 --passes 2
import "./nodeFlags.ts"
import { SqlClient } from "@effect/sql"
import { Effect, Layer, Redacted } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { copyFindingsCsv, writeFindingsCsv } from "../src/Report/FindingsCsv.ts"
import { ownerOnly, stageFile } from "../src/Report/AtomicFile.ts"
import { SealerLive } from "../src/Seal/Sealer.ts"
import { clientFromUrl, MigrationsLive } from "../src/Store/Database.ts"
import { startEmbeddedServer } from "../src/Store/EmbeddedServer.ts"
import { FindingsStore, FindingsStoreLive } from "../src/Store/FindingsStore.ts"
import { randomKeyMaterial, writeNewKeyFile } from "../src/Seal/KeyFile.ts"

const argValue = (flag: string) => process.argv.flatMap((arg, i) => (process.argv[i - 1] === flag ? [arg] : []))[0]
const count = Number(argValue("--findings") ?? 100_000)
const passes = Number(argValue("--passes") ?? 1)

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kk-bench-csv-"))
if (process.env.KESHIKOMI_KEY_FILE === undefined) {
  process.env.KESHIKOMI_KEY_FILE = path.join(dir, "key")
  writeNewKeyFile(process.env.KESHIKOMI_KEY_FILE, randomKeyMaterial())
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`

// Findings shaped like a run's: mostly info worklists on both sides, some errors, ids
// and Japanese details as the rules write them, a few fields that need quotes or a `'`.
const seed = (sql: SqlClient.SqlClient) =>
  Effect.gen(function*() {
    yield* sql`INSERT INTO runs (as_of) VALUES ('2023-09-04'), ('2023-09-05')`
    yield* sql`
      INSERT INTO findings (code, subject_id, related_id, severity, side, detail, first_run, first_seen, last_run, resolved_at, resolved_by, resolution_note)
      SELECT k.code, k.subject, k.related, k.severity, k.side, k.detail, 1 + (i % 3 = 0)::int, DATE '2023-09-04' + (i % 3 = 0)::int, 2,
             CASE WHEN i % 97 = 0 THEN TIMESTAMPTZ '2023-09-05 10:00+09' END,
             CASE WHEN i % 97 = 0 THEN '佐藤' END,
             CASE WHEN i % 194 = 0 THEN '確認済, 再送 "不要"' END
      FROM generate_series(1, ${count}) AS i,
      LATERAL (SELECT
        (ARRAY['SHIP_AWAITING_PARCEL', 'SHIP_READY', 'PAY_MATCHED', 'PAY_PENDING', 'SHIP_UNKNOWN_ORDER', 'PAY_AMOUNT_MISMATCH'])[1 + i % 6] AS code,
        (ARRAY['info', 'info', 'info', 'info', 'error', 'error'])[1 + i % 6] AS severity,
        (ARRAY['shipping', 'shipping', 'payout', 'payout', 'shipping', 'payout'])[1 + i % 6] AS side,
        CASE WHEN i % 1000 = 0 THEN '=PS-' ELSE 'PS-' END || lpad(i::text, 8, '0') AS subject,
        CASE WHEN i % 2 = 0 THEN '20230821-' || lpad((i % 1000000)::text, 6, '0') ELSE 'S' || (i % 4000) END AS related,
        '注文 PS-' || lpad(i::text, 8, '0') || ' (頒布者 S' || (i % 4000) || ', サークル「' || (i % 4000) || '号館」) の荷物 ' ||
          (i % 3 + 1) || ' 点: 依頼額 ' || ((i % 2000) * 100 + 500) || ' 円に対し 支払額は ' || ((i % 2000) * 100) ||
          ' 円、受付 2023-09-0' || (1 + i % 5) || '、期限 2023-09-1' || (i % 9) AS detail) AS k`
    yield* sql`ANALYZE findings`
  })

// utime + stime of a process, from /proc (clock ticks of 1/100 s on Linux).
const backendCpuSeconds = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 16)

const program = Effect.gen(function*() {
  const server = yield* startEmbeddedServer(path.join(dir, "pg"))
  const url = `postgresql://${server.username}:${encodeURIComponent(Redacted.value(server.password))}@localhost/${server.database}?host=${encodeURIComponent(server.socketDir)}`
  const layer = FindingsStoreLive.pipe(Layer.provideMerge(MigrationsLive), Layer.provideMerge(clientFromUrl(Redacted.make(url))), Layer.provideMerge(SealerLive))
  yield* Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const findings = yield* FindingsStore
    const seeded = performance.now()
    yield* seed(sql)
    console.log(`findings CSVs: ${count.toLocaleString("en-US")} findings seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s`)
    const writers = {
      papaparse: (side: "shipping" | "payout") => (stream: NodeJS.WritableStream) =>
        Effect.asVoid(writeFindingsCsv(stream as never, findings.raisedBy(2, side))),
      copied: (side: "shipping" | "payout") => (stream: NodeJS.WritableStream) =>
        Effect.asVoid(copyFindingsCsv(sql, stream as never, findings.raisedByQuery(2, side)))
    }
    for (let pass = 1; pass <= passes; pass++) {
      for (const side of ["shipping", "payout"] as const) {
        for (const [name, writer] of Object.entries(writers)) {
          globalThis.gc?.()
          const before = process.memoryUsage.rss()
          let peak = before
          const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10)
          const started = performance.now()
          const nodeCpu = process.cpuUsage()
          const { staged, serverCpu } = yield* Effect.gen(function*() {
            // The backend of the run's connection: its CPU time is the server's share.
            const [{ pid }] = yield* sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`
            const cpuBefore = backendCpuSeconds(pid!)
            const staged = yield* stageFile(path.join(dir, `${side}_${name}.csv`), ownerOnly, writer(side))
            return { staged, serverCpu: backendCpuSeconds(pid!) - cpuBefore }
          }).pipe(sql.withTransaction)
          const seconds = (performance.now() - started) / 1000
          const nodeCpuSeconds = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(nodeCpu))
          clearInterval(sampler)
          peak = Math.max(peak, process.memoryUsage.rss())
          const size = fs.statSync(staged.partial).size
          console.log(
            `  pass ${pass} ${side.padEnd(8)} ${name.padEnd(9)} ${seconds.toFixed(2).padStart(6)} s (cpu: node ${nodeCpuSeconds.toFixed(2)} s, server ${serverCpu.toFixed(2)} s)  node peak ${mb(peak)} (+${mb(peak - before)})  ` +
              `${mb(size)}  sha256 ${sha256(staged.partial)}`
          )
          yield* staged.discard
        }
      }
    }
  }).pipe(Effect.provide(layer))
})

await Effect.runPromise(Effect.scoped(program)).finally(() => fs.rmSync(dir, { recursive: true, force: true }))
