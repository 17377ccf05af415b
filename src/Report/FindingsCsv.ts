// OUT/<as_of>/shipping_findings.csv and finance_findings.csv: each side's complete
// findings, with exactly the Findings sheet's columns and headers, read from the
// database through a cursor and written as they come (memory holds one batch), so a
// million info findings cost no more memory than ten. UTF-8 with BOM and CRLF, what
// Excel opens as UTF-8. Text that a spreadsheet would run as a formula (`=`, `+`, `-`,
// `@`, tab or CR first) gets a leading `'` (docs/reports.md, CSV injection).
import { Chunk, Effect, Stream } from "effect"
import Papa from "papaparse"
import type { Writable } from "node:stream"
import type { FindingRow } from "../Store/FindingsStore.ts"
import { findingsSheet } from "./FindingsSheet.ts"
import { formulaLike, sheetColumns } from "./Sheet.ts"

const columns = sheetColumns(findingsSheet)

const unparse = (rows: ReadonlyArray<ReadonlyArray<string | number | null>>) =>
  Papa.unparse(rows as Array<Array<string | number | null>>, { newline: "\r\n", escapeFormulae: formulaLike })

/** Writes without outrunning the file: waits for `drain` when the stream's buffer is full. */
const writeText = (stream: Writable, text: string) =>
  Effect.async<void>((resume) => {
    if (stream.write(text)) resume(Effect.void)
    else stream.once("drain", () => resume(Effect.void))
  })

/** Writes the header and every row of `rows` to `stream`, then ends it; returns the row count. */
export const writeFindingsCsv = <E, R>(stream: Writable, rows: Stream.Stream<FindingRow, E, R>): Effect.Effect<number, E, R> =>
  Effect.gen(function*() {
    yield* writeText(stream, "\uFEFF" + unparse([columns.map((c) => c.header)]) + "\r\n")
    let written = 0
    yield* Stream.runForEachChunk(rows, (chunk) => {
      if (Chunk.isEmpty(chunk)) return Effect.void
      written += Chunk.size(chunk)
      const lines = Chunk.toReadonlyArray(chunk).map((row) => columns.map((c) => c.value(row) ?? null))
      return writeText(stream, unparse(lines) + "\r\n")
    })
    yield* Effect.async<void>((resume) => {
      stream.end(() => resume(Effect.void))
    })
    return written
  })
