// An ingest worker thread (StagePool.ts): turns one export at a time into COPY text for
// its staging table, with the same function the main thread uses (stagedLines: decode,
// check, seal), and hands the text back in pieces. It reads the file through the
// descriptor the main thread opened and hashed, so it decodes the bytes that were hashed.
// It never touches the database, logs nothing, and what it sends back is COPY text as
// the main thread would make it: sealed where the table seals.
import { parentPort, workerData } from "node:worker_threads"
import { FileRejected } from "../Domain/Errors.ts"
import { makeSealer } from "../Seal/Sealer.ts"
import { makeStageLines } from "../Store/Records.ts"
import { readFailure } from "./Csv.ts"
import { csvExports } from "./Exports.ts"
import type { FromWorker, StageJob, StageWorkerData, ToWorker } from "./StagePool.ts"
import { stagedLines } from "./StagedLines.ts"
import { decodedText, readsAtDescriptor } from "./TextSource.ts"

// Pieces sent and not yet taken by the main thread: the worker waits beyond this many,
// so that a slow COPY holds the worker back instead of queueing text in memory.
const piecesInFlight = 4

const port = parentPort
if (port === null) throw new Error("StageWorker.ts runs as a worker thread (StagePool.ts)")
const data = workerData as StageWorkerData
const sealer = makeSealer({
  secret: Buffer.from(data.secret),
  hashKey: data.hashKey === undefined ? undefined : Buffer.from(data.hashKey)
})

interface Current {
  readonly id: number
  credit: number
  cancelled: boolean
  wake: (() => void) | undefined
}
let current: Current | undefined

const send = (message: FromWorker, transfer?: ReadonlyArray<ArrayBuffer>) => port.postMessage(message, transfer === undefined ? undefined : [...transfer])

// A piece in a buffer of its own: a small Buffer.from() may sit in Node's shared pool, and
// transferring that would hand over the pool.
const ownBytes = (piece: Buffer) =>
  piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength && piece.buffer instanceof ArrayBuffer
    ? new Uint8Array(piece.buffer)
    : new Uint8Array(piece)

const stage = async (job: StageJob) => {
  const state: Current = { id: job.id, credit: piecesInFlight, cancelled: false, wake: undefined }
  current = state
  const counts = { lines: 0, blank: 0 }
  const spec = csvExports[job.kind]
  try {
    const pieces = stagedLines(job.fileName, decodedText(readsAtDescriptor(job.fd), job.encoding), spec, makeStageLines(sealer, spec.table), counts)
    for await (const piece of pieces) {
      while (state.credit === 0 && !state.cancelled) await new Promise<void>((resume) => (state.wake = resume))
      if (state.cancelled) break
      state.credit--
      const bytes = ownBytes(piece)
      send({ type: "piece", id: job.id, bytes, lines: counts.lines }, [bytes.buffer as ArrayBuffer])
    }
    send({ type: "end", id: job.id, lines: counts.lines, blank: counts.blank })
  } catch (cause) {
    // As the main thread takes what stagedLines throws (Ingest.ts applyCsv): the file's
    // rejection, with its line where there is one.
    const rejected = cause instanceof FileRejected ? cause : readFailure(job.fileName, cause)
    send({ type: "failed", id: job.id, line: rejected.line, reason: rejected.reason })
  } finally {
    current = undefined
  }
}

port.on("message", (message: ToWorker) => {
  if (message.type === "stage") {
    void stage(message.job)
    return
  }
  if (current === undefined || current.id !== message.id) return
  if (message.type === "taken") current.credit++
  else current.cancelled = true
  current.wake?.()
  current.wake = undefined
})
