// CSV rows with their physical line numbers, streamed through papaparse.
import { Effect, Stream } from "effect"
import Papa from "papaparse"
import { pipeline, Readable } from "node:stream"
import { FileRejected } from "../Domain/Errors.ts"
import { decodedText, type Encoding } from "./TextSource.ts"

export interface CsvRow {
  /** 1-based line in the file where the row starts (the header is line 1). */
  readonly line: number
  /** Cell text by header name; only the columns the kind asks for. */
  readonly cells: Readonly<Record<string, string>>
}

export interface CsvColumns {
  readonly required: ReadonlyArray<string>
  readonly optional?: ReadonlyArray<string>
}

const newlines = (text: string) => {
  let count = 0
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++
  return count
}
const linesSpanned = (fields: ReadonlyArray<string>) => 1 + fields.reduce((n, field) => n + newlines(field), 0)

const cleanHeader = (header: string) => header.replace(/^\uFEFF/, "").trim()

/**
 * Streams the data rows of `filePath`. The header row must hold every required column
 * (found by name, in any order; extra columns are ignored), else the file is rejected.
 * Blank lines are skipped; a row whose cell count differs from the header's is passed
 * on with the cells it has, and the row's own validation reports what is missing.
 */
export const csvRows = (
  fileName: string,
  filePath: string,
  encoding: Encoding,
  columns: CsvColumns
): Stream.Stream<CsvRow, FileRejected> =>
  Stream.suspend(() => {
    const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { header: false, skipEmptyLines: false })
    pipeline(Readable.from(decodedText(filePath, encoding)), parser, (error) => {
      if (error) parser.destroy(error)
    })
    let columnIndex: ReadonlyArray<readonly [name: string, index: number]> | undefined
    let nextLine = 1
    return Stream.fromAsyncIterable(
      parser as AsyncIterable<Array<string>>,
      (cause) =>
        new FileRejected({
          fileName,
          reason: `ファイルを読めません: ${cause instanceof Error ? cause.message : String(cause)}`
        })
    ).pipe(
      Stream.mapEffect((fields) =>
        Effect.gen(function*() {
          const line = nextLine
          nextLine += linesSpanned(fields)
          if (columnIndex === undefined) {
            const headers = fields.map(cleanHeader)
            const missing = columns.required.filter((name) => !headers.includes(name))
            if (missing.length > 0) {
              return yield* new FileRejected({
                fileName,
                line,
                reason: `必須の列がありません: ${missing.join(", ")}`
              })
            }
            columnIndex = [...columns.required, ...(columns.optional ?? [])]
              .map((name) => [name, headers.indexOf(name)] as const)
              .filter(([, index]) => index >= 0)
            return undefined
          }
          if (fields.length === 1 && fields[0]!.trim() === "") return undefined
          const cells: Record<string, string> = {}
          for (const [name, index] of columnIndex) {
            const value = fields[index]
            if (value !== undefined) cells[name] = value
          }
          return { line, cells } satisfies CsvRow
        })
      ),
      Stream.filter((row): row is CsvRow => row !== undefined),
      Stream.onEnd(Effect.suspend(() =>
        columnIndex === undefined
          ? Effect.fail(new FileRejected({ fileName, reason: "ファイルが空です（見出し行がありません）" }))
          : Effect.void
      ))
    )
  })
