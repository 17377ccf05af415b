// The Node side of ingest for one CSV export: its lines decoded, checked and sealed into
// COPY text for its staging table. Pure (no database, no Effect per row), so that it runs
// on the main thread's reader ahead or on an ingest worker thread (StageWorker.ts), with
// the same result.
import { FileRejected } from "../Domain/Errors.ts"
import { isMoneyKind } from "../Domain/Kind.ts"
import type { StageLines } from "../Store/Records.ts"
import { checkedLines } from "./Csv.ts"
import { type AnyCsvExport, rowDecoder } from "./Exports.ts"

// COPY text is handed on in pieces of about this many characters: large enough that
// the stream's per-piece work does not count, small enough that memory stays flat.
const copyPieceChars = 1 << 16

/**
 * The lines of a CSV export as COPY text for its stage, decoded in plain loops (no
 * per-row Effect). A line set aside is staged with its reason; in a money file it
 * rejects the whole file instead (thrown as FileRejected, which abandons the COPY).
 */
export async function* stagedLines(
  fileName: string,
  texts: AsyncIterable<string>,
  spec: AnyCsvExport,
  stage: StageLines,
  counts: { lines: number; blank: number }
): AsyncGenerator<Buffer> {
  const decodeRow = rowDecoder(spec)
  const allOrNothing = isMoneyKind(spec.kind)
  const setAside = (line: number, reason: string) => {
    if (allOrNothing) throw new FileRejected({ fileName, line, reason })
    return stage.rejectionLine(line, reason)
  }
  let piece = ""
  for await (const lines of checkedLines(texts, spec.columns)) {
    for (const record of lines) {
      counts.lines++
      if (record._tag === "Blank") counts.blank++
      else if (record._tag === "Broken") piece += setAside(record.line, record.reason)
      else {
        const result = decodeRow(record.cells)
        piece += result._tag === "Rejected" ? setAside(record.line, result.reason) : stage.rowLine(record.line, result.row)
      }
    }
    if (piece.length >= copyPieceChars) {
      yield Buffer.from(piece, "utf8")
      piece = ""
    }
  }
  if (piece.length > 0) yield Buffer.from(piece, "utf8")
}
