// OUT/<as_of>/shipping_findings.csv and finance_findings.csv: each side's complete
// findings, with exactly the Findings sheet's columns and headers. UTF-8 with BOM and
// CRLF, what Excel opens as UTF-8. Text that a spreadsheet would run as a formula (`=`,
// `+`, `-`, `@`, tab or CR first) gets a leading `'` (docs/reports.md, CSV injection).
//
// The server writes the lines: the SQL of each field is derived from the Findings
// sheet's own columns (`csvFieldSql`), each line is formatted as papaparse would format
// it, and COPY streams them straight into the file (src/Store/CopyOut.ts), so Node only
// moves bytes and memory holds a socket's worth. `writeFindingsCsv` is the same file
// from rows in Node, through papaparse: the definition the server's lines are tested
// against (test/report/findingsCsvServer.test.ts).
import type { SqlClient, Statement } from "@effect/sql"
import { Chunk, Effect, Stream } from "effect"
import Papa from "papaparse"
import type { Writable } from "node:stream"
import { allFindingCodes, type Severity } from "../Domain/Finding.ts"
import { copyOut } from "../Store/CopyOut.ts"
import type { FindingRow } from "../Store/FindingsStore.ts"
import { findingsSheet } from "./FindingsSheet.ts"
import { type Column, formulaLike, sheetColumns } from "./Sheet.ts"

const columns = sheetColumns(findingsSheet)

const unparse = (rows: ReadonlyArray<ReadonlyArray<string | number | null>>) =>
  Papa.unparse(rows as Array<Array<string | number | null>>, { newline: "\r\n", escapeFormulae: formulaLike })

const headerText = "\uFEFF" + unparse([columns.map((c) => c.header)]) + "\r\n"

/** Writes without outrunning the file: waits for `drain` when the stream's buffer is full. */
const writeText = (stream: Writable, text: string) =>
  Effect.async<void>((resume) => {
    if (stream.write(text)) resume(Effect.void)
    else stream.once("drain", () => resume(Effect.void))
  })

const endStream = (stream: Writable) =>
  Effect.async<void>((resume) => {
    stream.end(() => resume(Effect.void))
  })

/** Writes the header and every row of `rows` to `stream`, then ends it; returns the row count. */
export const writeFindingsCsv = <E, R>(stream: Writable, rows: Stream.Stream<FindingRow, E, R>): Effect.Effect<number, E, R> =>
  Effect.gen(function*() {
    yield* writeText(stream, headerText)
    let written = 0
    yield* Stream.runForEachChunk(rows, (chunk) => {
      if (Chunk.isEmpty(chunk)) return Effect.void
      written += Chunk.size(chunk)
      const lines = Chunk.toReadonlyArray(chunk).map((row) => columns.map((c) => c.value(row) ?? null))
      return writeText(stream, unparse(lines) + "\r\n")
    })
    yield* endStream(stream)
    return written
  })

// ---------------------------------------------------------------------------
// The same file, formatted by the server.

/** One value as papaparse writes it into a line: the exact text of a field. */
const csvField = (value: string | number | null | undefined) => unparse([[value ?? null]])

// The values a FindingRow field can take, for a column that maps a field rather than
// showing it (重要度: error → エラー). A column over any other field must show it as it is.
// Records keyed by the types, so that a new severity or status does not compile until listed.
const severities: Record<Severity, true> = { error: true, warning: true, info: true }
const statuses: Record<FindingRow["status"], true> = { 新規: true, 継続: true, 対応済: true, 解消済: true }
const fieldDomains: Partial<Record<keyof FindingRow, ReadonlyArray<string>>> = {
  code: allFindingCodes,
  severity: Object.keys(severities),
  status: Object.keys(statuses)
}

/** What a column does with a row, found by running it on a row that records what it reads. */
export type ColumnShape =
  | { readonly _tag: "Constant"; readonly field: string }
  | { readonly _tag: "Shown"; readonly name: keyof FindingRow }
  | { readonly _tag: "Mapped"; readonly name: keyof FindingRow; readonly fields: ReadonlyArray<readonly [string, string]>; readonly otherwise: string }

const marker = (name: string) => `\u0000${name}\u0000`

export const columnShape = (column: Column<FindingRow>): ColumnShape => {
  const read = new Set<keyof FindingRow>()
  const probe = (override?: Partial<Record<keyof FindingRow, string>>) =>
    new Proxy({} as FindingRow, {
      get: (_, name) => {
        if (typeof name !== "string") return undefined
        read.add(name as keyof FindingRow)
        return override?.[name as keyof FindingRow] ?? marker(name)
      }
    })
  const value = column.value(probe())
  const names = [...read]
  if (names.length === 0) return { _tag: "Constant", field: csvField(value) }
  const name = names[0]!
  const cannot = (why: string) => new Error(`CSV: column ${column.header}: ${why}; the server cannot write it (src/Report/FindingsCsv.ts)`)
  if (names.length > 1) throw cannot(`reads ${names.join(", ")}`)
  if (value === marker(name)) return { _tag: "Shown", name }
  const domain = fieldDomains[name]
  if (domain === undefined) throw cannot(`changes ${name}, whose values are not listed`)
  const fieldOf = (given: string) => {
    const mapped = column.value(probe({ [name]: given }))
    if (typeof mapped === "string" && mapped.includes("\u0000")) throw cannot(`changes ${name}`)
    return csvField(mapped)
  }
  return {
    _tag: "Mapped",
    name,
    fields: domain.map((given) => [given, fieldOf(given)] as const),
    otherwise: fieldOf("\u0001")
  }
}

/** The Findings columns as the server writes them, derived once when the module loads. */
export const csvShapes: ReadonlyArray<ColumnShape> = columns.map(columnShape)

// papaparse's rules for a text value (papaparse.js `safe`): formula-like text gets `'`
// and quotes; otherwise quotes when it holds `"`, `,`, CR, LF or a BOM, or starts or ends
// with a space; `"` doubled inside quotes; null is empty.
const quotedAnyway = "[\",\r\n\uFEFF]|^ | $"

// formulaLike tests the first character (`^[…]`); the server compares that character's
// code (`ascii`), which costs a fraction of an anchored regular expression on every field.
if (!/^\^\[[^\]]+\]$/.test(formulaLike.source) || formulaLike.flags !== "") {
  throw new Error("CSV: Sheet.formulaLike is no longer a test of the first character; FindingsCsv.ts cannot write it in SQL")
}
export const formulaFirstCodes: ReadonlyArray<number> = Array.from({ length: 0x10000 }, (_, code) => code)
  .filter((code) => formulaLike.test(String.fromCharCode(code)))

/** One field of a CSV line as SQL over the row `f` of the findings query. */
export const csvFieldSql = (sql: SqlClient.SqlClient, shape: ColumnShape): Statement.Fragment => {
  if (shape._tag === "Constant") return sql`${shape.field}::text`
  const value = sql.literal(`f.${shape.name}`)
  if (shape._tag === "Mapped") {
    return sql`(CASE ${value} ${sql.join(" ", false)(shape.fields.map(([given, field]) => sql`WHEN ${given} THEN ${field}::text`))} ELSE ${shape.otherwise}::text END)`
  }
  return sql`(CASE WHEN ${value} IS NULL THEN ''
    WHEN ascii(${value}) IN ${sql.in(formulaFirstCodes)} THEN '"''' || replace(${value}, '"', '""') || '"'
    WHEN ${value} ~ ${quotedAnyway} THEN '"' || replace(${value}, '"', '""') || '"'
    ELSE ${value} END)`
}

/** Each finding of `rows` as its CSV line, CRLF included, in the query's order. */
export const findingsCsvLines = (sql: SqlClient.SqlClient, rows: Statement.Statement<FindingRow>) =>
  sql`SELECT ${sql.join(" || ',' || ", false)(csvShapes.map((shape) => csvFieldSql(sql, shape)))} || ${"\r\n"}::text AS line
    FROM (${rows}) AS f`

/**
 * Writes the header and, formatted by the server and copied out, every finding of `rows`
 * (FindingsStore.raisedByQuery) to `stream`, then ends it; returns the row count. Runs
 * in the run's transaction (the findings it just merged).
 */
export const copyFindingsCsv = (sql: SqlClient.SqlClient, stream: Writable, rows: Statement.Statement<FindingRow>) =>
  Effect.gen(function*() {
    yield* writeText(stream, headerText)
    const written = yield* copyOut(findingsCsvLines(sql, rows), stream)
    yield* endStream(stream)
    return written
  })
