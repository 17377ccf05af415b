// Benchmark: Node's part of ingest alone, without a server: each CSV export of an inbox
// opened, hashed, decoded, checked, sealed and made into COPY text (src/Ingest/Ingest.ts
// StagedLines.ts, as the reader ahead does), the text counted and dropped. CPU time is what
// it prints first: on a shared machine it varies far less than wall time.
//
//   npx tsx bench/ingest-node.ts --inbox /tmp/keshikomi-bench-inbox-100000 [--rounds 3]
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { kindOfFileName } from "../src/Domain/Kind.ts"
import { csvExports } from "../src/Ingest/Exports.ts"
import { stagedLines } from "../src/Ingest/StagedLines.ts"
import { decodedText, inspectFile, openExport } from "../src/Ingest/TextSource.ts"
import { randomKeyMaterial } from "../src/Seal/KeyFile.ts"
import { makeSealer, Sealer } from "../src/Seal/Sealer.ts"
import { Records, RecordsLive } from "../src/Store/Records.ts"

const arg = (name: string) => process.argv.flatMap((a, i) => (process.argv[i - 1] === name ? [a] : []))[0]
const inbox = arg("--inbox") ?? "/tmp/keshikomi-bench-inbox-100000"
const rounds = Number(arg("--rounds") ?? 3)

// Records' COPY text needs no database; a statement reaching this client is a fault of the bench.
const noDatabase = Layer.succeed(SqlClient.SqlClient, new Proxy({}, {
  get: () => {
    throw new Error("bench/ingest-node.ts: no database here")
  }
}) as SqlClient.SqlClient)
const sealer = Layer.succeed(Sealer, {
  ...makeSealer(randomKeyMaterial()),
  source: { path: "(bench)", via: "KESHIKOMI_KEY_FILE" },
  created: false
} as unknown as Sealer["Type"])

const files = fs.readdirSync(inbox).filter((f) => f.endsWith(".csv")).sort()
const program = Effect.gen(function*() {
  const records = yield* Records
  for (let round = 1; round <= rounds; round++) {
    const perFile: Array<string> = []
    const cpuBefore = process.cpuUsage()
    const started = performance.now()
    let rows = 0
    for (const file of files) {
      const kind = kindOfFileName(file) as keyof typeof csvExports
      const spec = csvExports[kind]
      const fileCpu = process.cpuUsage()
      yield* Effect.gen(function*() {
        const opened = yield* openExport(path.join(inbox, file))
        const facts = yield* inspectFile(opened)
        if (facts.verdict._tag !== "Decided") throw new Error(`${file}: not decided`)
        const verdict = facts.verdict
        const counts = { lines: 0, blank: 0 }
        yield* Effect.promise(async () => {
          let bytes = 0
          for await (const piece of stagedLines(file, decodedText(opened, verdict.encoding), spec, records.stageLines(spec.table), counts)) bytes += piece.length
          return bytes
        })
        rows += counts.lines
      }).pipe(Effect.scoped)
      const used = process.cpuUsage(fileCpu)
      perFile.push(`${kind} ${((used.user + used.system) / 1e6).toFixed(2)}`)
    }
    const cpu = process.cpuUsage(cpuBefore)
    const seconds = (performance.now() - started) / 1000
    console.log(
      `round ${round}: ${rows} rows, Node CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, wall ${seconds.toFixed(2)} s ` +
        `(${Math.round(rows / ((cpu.user + cpu.system) / 1e6))} rows per CPU second) · ${perFile.join(" · ")}`
    )
  }
})
await Effect.runPromise(program.pipe(Effect.provide(RecordsLive.pipe(Layer.provide(Layer.merge(noDatabase, sealer))))))
