// OUT/<as_of>/shipping_findings.csv and finance_findings.csv: each side's complete
// findings, with exactly the Findings sheet's columns and headers. UTF-8 with BOM and
// CRLF, what Excel opens as UTF-8. Text that a spreadsheet would run as a formula (`=`,
// `+`, `-`, `@`, tab or CR first) gets a leading `'` (docs/reports.md, CSV injection).
//
// The server streams the fields each line is made of (COPY in its binary format,
// src/Store/CopyOut.ts) and Node makes the lines from their bytes, as papaparse would
// format them, without decoding the text: the rules are the Findings sheet's own columns
// (`csvShapes`), and the server only reads the rows while Node writes, each on its own
// core. (Formatted in SQL, the lines cost the server three times the rows alone.)
// `writeFindingsCsv` is the same file from rows in Node, through papaparse: the
// definition these lines are tested against (test/report/findingsCsvServer.test.ts).
import type { SqlClient, Statement } from "@effect/sql"
import { Chunk, Effect, Stream } from "effect"
import Papa from "papaparse"
import type { Writable } from "node:stream"
import { allFindingCodes, type Severity } from "../Domain/Finding.ts"
import { copyOut, type CopyDecoder, makeRowFormatter } from "../Store/CopyOut.ts"
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
// The same file, from the fields the server copies out.

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
  const cannot = (why: string) => new Error(`CSV: column ${column.header}: ${why}; the CSV cannot write it from the fields (src/Report/FindingsCsv.ts)`)
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

/** The Findings columns as the CSV writes them, derived once when the module loads. */
export const csvShapes: ReadonlyArray<ColumnShape> = columns.map(columnShape)

// papaparse's rules for a text value (papaparse.js `safe`): formula-like text gets `'`
// and quotes; otherwise quotes when it holds `"`, `,`, CR, LF or a BOM, or starts or ends
// with a space; `"` doubled inside quotes; null is empty. Every one of these is a test of
// a byte of the UTF-8 text: formulaLike tests the first character, and each character it
// takes is ASCII (checked when the table is made), which in UTF-8 is one byte that no
// other character holds.
if (!/^\^\[[^\]]+\]$/.test(formulaLike.source) || formulaLike.flags !== "") {
  throw new Error("CSV: Sheet.formulaLike is no longer a test of the first character; FindingsCsv.ts cannot write it from bytes")
}
// Made on the first field written, not when the module loads: testing every character
// of the BMP takes some 8 ms, which every command would pay at start-up.
let formulaFirst: Uint8Array | undefined
const formulaFirstTable = () => {
  const codes = Array.from({ length: 0x10000 }, (_, code) => code).filter((code) => formulaLike.test(String.fromCharCode(code)))
  if (codes.some((code) => code >= 0x80)) throw new Error("CSV: formulaLike takes a character beyond ASCII; FindingsCsv.ts tests a byte")
  // A byte's entry, any byte: a lead or continuation byte (0x80 and up) is never a formula's start.
  const table = new Uint8Array(0x100)
  for (const code of codes) table[code] = 1
  return table
}

const QUOTE = 0x22
const APOSTROPHE = 0x27
const COMMA = 0x2c
const CR = 0x0d
const LF = 0x0a
const SPACE = 0x20

const needsQuotes = (bytes: Buffer, start: number, end: number) => {
  if (bytes[start] === SPACE || bytes[end - 1] === SPACE) return true
  for (let i = start; i < end; i++) {
    const c = bytes[i]!
    if (c === QUOTE || c === COMMA || c === CR || c === LF) return true
    // U+FEFF is EF BB BF.
    if (c === 0xef && i + 2 < end && bytes[i + 1] === 0xbb && bytes[i + 2] === 0xbf) return true
  }
  return false
}

// Short fields byte by byte: Buffer.copy costs some 65 ns whatever the length, the loop
// about 15 ns for 8 bytes and 50 for 32 (measured on this machine, Node 20).
const copyBytes = (bytes: Buffer, start: number, end: number, out: Buffer, at: number) => {
  if (end - start > 32) return at + bytes.copy(out, at, start, end)
  for (let i = start; i < end; i++) out[at++] = bytes[i]!
  return at
}

/**
 * One text field (the UTF-8 bytes `bytes[start..end)`) into `out` from `at`, as papaparse
 * writes it; returns where it ends. Takes at most twice its bytes and 3 more.
 */
export const writeCsvField = (bytes: Buffer, start: number, end: number, out: Buffer, at: number): number => {
  if (start === end) return at
  const formula = (formulaFirst ??= formulaFirstTable())[bytes[start]!] === 1
  if (!formula && !needsQuotes(bytes, start, end)) return copyBytes(bytes, start, end, out, at)
  out[at++] = QUOTE
  if (formula) out[at++] = APOSTROPHE
  for (let i = start; i < end; i++) {
    const c = bytes[i]!
    out[at++] = c
    if (c === QUOTE) out[at++] = QUOTE
  }
  out[at++] = QUOTE
  return at
}

// The fields a line is made of: each column's field of the findings query once, in the
// order the columns first read them.
const csvFieldNames = [...new Set(csvShapes.flatMap((shape) => (shape._tag === "Constant" ? [] : [shape.name])))]

/** What the server sends for the lines: the fields of each finding of `rows`, as text, in the query's order. */
export const findingsCsvFields = (sql: SqlClient.SqlClient, rows: Statement.Statement<FindingRow>) =>
  sql`SELECT ${sql.join(", ", false)(csvFieldNames.map((name) => sql`${sql.literal(`f.${name}`)}::text`))} FROM (${rows}) AS f`

type LinePart =
  | { readonly _tag: "Constant"; readonly bytes: Buffer }
  | { readonly _tag: "Shown"; readonly field: number }
  | { readonly _tag: "Mapped"; readonly field: number; readonly fields: ReadonlyMap<string, Buffer>; readonly otherwise: Buffer }

const lineParts: ReadonlyArray<LinePart> = csvShapes.map((shape): LinePart => {
  if (shape._tag === "Constant") return { _tag: "Constant", bytes: Buffer.from(shape.field, "utf8") }
  const field = csvFieldNames.indexOf(shape.name)
  if (shape._tag === "Shown") return { _tag: "Shown", field }
  return {
    _tag: "Mapped",
    field,
    fields: new Map(shape.fields.map(([given, text]) => [given, Buffer.from(text, "utf8")])),
    otherwise: Buffer.from(shape.otherwise, "utf8")
  }
})

// The most a part adds beyond twice the bytes of its field: its constant or mapped text,
// or a quote pair and a `'`.
const partExtra = (part: LinePart) => {
  if (part._tag === "Constant") return part.bytes.length
  if (part._tag === "Shown") return 3
  return Math.max(part.otherwise.length, ...[...part.fields.values()].map((text) => text.length))
}
// Beyond twice a row's bytes, what its line can take: every part's extra, a comma after each, the CRLF.
const lineExtra = lineParts.reduce((n, part) => n + partExtra(part) + 1, 2)

const writeLine = (bytes: Buffer, starts: Int32Array, ends: Int32Array, out: Buffer, at: number) => {
  for (let i = 0; i < lineParts.length; i++) {
    if (i > 0) out[at++] = COMMA
    const part = lineParts[i]!
    if (part._tag === "Constant") at += part.bytes.copy(out, at)
    else if (part._tag === "Shown") {
      if (starts[part.field]! >= 0) at = writeCsvField(bytes, starts[part.field]!, ends[part.field]!, out, at)
    } else {
      const start = starts[part.field]!
      const mapped = start < 0 ? undefined : part.fields.get(bytes.toString("utf8", start, ends[part.field]!))
      at += (mapped ?? part.otherwise).copy(out, at)
    }
  }
  out[at++] = CR
  out[at++] = LF
  return at
}

/** Each finding's CSV line, CRLF included, from the binary COPY of `findingsCsvFields`. */
export const makeCsvLineDecoder = (): CopyDecoder => makeRowFormatter(csvFieldNames.length, lineExtra, writeLine)

/**
 * Writes the header and every finding of `rows` (FindingsStore.raisedByQuery), its fields
 * copied out by the server and made into lines here, to `stream`, then ends it; returns
 * the row count. Runs in the run's transaction (the findings it just merged).
 */
export const copyFindingsCsv = (sql: SqlClient.SqlClient, stream: Writable, rows: Statement.Statement<FindingRow>) =>
  Effect.gen(function*() {
    yield* writeText(stream, headerText)
    const written = yield* copyOut(findingsCsvFields(sql, rows), stream, makeCsvLineDecoder())
    yield* endStream(stream)
    return written
  })
