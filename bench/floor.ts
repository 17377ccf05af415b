// The floor both benchmarks compare against: plain COPY of the same CSV files, as they
// are, into tables of text columns on the same server, through the run's own COPY path
// (src/Store/CopyIn.ts). No decoding, no checks, no sealing: what the server alone costs.
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { CopyIn } from "../src/Store/CopyIn.ts"

/** The inbox's CSV files, full paths, in name order. */
export const csvFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith(".csv")).sort().map((f) => path.join(dir, f))

/** Newlines in a file, read through one 1 MiB buffer: the whole file in memory would stay in the bench's RSS (130 MB at 1M). */
const countLines = (file: string, buffer: Buffer) => {
  const fd = fs.openSync(file, "r")
  try {
    let lines = 0
    for (let read = fs.readSync(fd, buffer); read > 0; read = fs.readSync(fd, buffer)) {
      const bytes = buffer.subarray(0, read)
      for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) lines++
    }
    return lines
  } finally {
    fs.closeSync(fd)
  }
}

/** Data rows of the inbox's CSV files (lines less each header), a file at a time. */
export const countRows = (dir: string) => {
  const buffer = Buffer.alloc(1 << 20)
  return csvFiles(dir).reduce((n, file) => n + Math.max(0, countLines(file, buffer) - 1), 0)
}

const isUtf8 = (bytes: Buffer) => {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}

/** The first MiB of a file, cut after its last whole line (enough to see the header and the encoding). */
const head = (file: string) => {
  const fd = fs.openSync(file, "r")
  try {
    const buffer = Buffer.alloc(1 << 20)
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0)
    const bytes = buffer.subarray(0, read)
    return read === buffer.length ? bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1) : bytes
  } finally {
    fs.closeSync(fd)
  }
}

async function* fileBytes(file: string): AsyncGenerator<Buffer> {
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 16 })) yield chunk as Buffer
}

/** COPY of every CSV of `inbox` into its own text table, in one transaction; the tables are dropped before it commits. */
export const copyFloor = (inbox: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const copyIn = yield* CopyIn
    const files = csvFiles(inbox)
    let rows = 0
    const started = performance.now()
    for (const [index, file] of files.entries()) {
      const bytes = head(file)
      // The exports that are not UTF-8 are Shift_JIS (PostgreSQL's SJIS is Windows-932).
      const encoding = isUtf8(bytes) ? "UTF8" : "SJIS"
      const width = bytes.toString("latin1").split(/\r?\n/)[0]!.split(",").length
      yield* sql.unsafe(`CREATE TABLE bench_floor_${index} (${Array.from({ length: width }, (_, i) => `c${i} text`).join(", ")})`)
      rows += yield* copyIn.copy(`COPY bench_floor_${index} FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING '${encoding}')`, fileBytes(file)).pipe(Effect.orDie)
    }
    const seconds = (performance.now() - started) / 1000
    for (const [index] of files.entries()) yield* sql.unsafe(`DROP TABLE bench_floor_${index}`)
    return { rows, seconds }
  }).pipe((effect) => Effect.flatMap(SqlClient.SqlClient, (sql) => sql.withTransaction(effect)), Effect.orDie)
