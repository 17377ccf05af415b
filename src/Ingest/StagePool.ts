// Ingest's worker threads (issue 12). On the main thread, decoding, checking and sealing
// (StagedLines.ts) kept one core busy while the server used about half of the other: the
// files of an inbox are read one ahead of the one being stored, and both took turns on
// the one thread. An export of some size is now turned into COPY text on a worker thread
// (StageWorker.ts), so two files are decoded side by side while the server stores them.
// The text is the same either way (the same function makes it); the main thread only
// moves it into the file's spool. Small files stay on the main thread: a worker costs
// more to start than they take. The workers live for one inbox and get the run's key
// material from the sealer (never from a file, never logged).
import { Context } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import { FileRejected } from "../Domain/Errors.ts"
import type { ExportKind } from "../Domain/Kind.ts"
import { keyMaterialOf, type SealerShape } from "../Seal/Sealer.ts"
import type { Encoding } from "./Encoding.ts"

/** What a worker is started with: the key material of the run's sealer. */
export interface StageWorkerData {
  readonly secret: Uint8Array
  readonly hashKey: Uint8Array | undefined
}

/** One export to stage: read through `fd`, a descriptor the main thread opened and hashed. */
export interface StageJob {
  readonly id: number
  readonly fileName: string
  readonly fd: number
  readonly encoding: Encoding
  readonly kind: Exclude<ExportKind, "payout_schedule">
}

export type ToWorker =
  | { readonly type: "stage"; readonly job: StageJob }
  /** The main thread took a piece: the worker may send one more. */
  | { readonly type: "taken"; readonly id: number }
  /** The file is not wanted any more (skipped, or the run ended): stop and say "end". */
  | { readonly type: "cancel"; readonly id: number }

export type FromWorker =
  | { readonly type: "piece"; readonly id: number; readonly bytes: Uint8Array; readonly lines: number }
  | { readonly type: "end"; readonly id: number; readonly lines: number; readonly blank: number }
  /** The file's rejection, as stagedLines threw it (FileRejected, or readFailure of what it threw). */
  | { readonly type: "failed"; readonly id: number; readonly line: number | undefined; readonly reason: string }

/** A worker thread stopped or could not start: a fault of the machine, never of the input. */
export class StageWorkerFailed extends Error {}

export interface StageWorkerSettings {
  /** Worker threads at most; 0 keeps every file on the main thread. */
  readonly threads: number
  /** Files smaller than this stay on the main thread. */
  readonly minBytes: number
}

/**
 * No worker threads unless KESHIKOMI_INGEST_THREADS (0–2) asks for them: on this 2-core
 * machine two workers took 17 % off ingest at 300k but nothing at 1M, where they cost time
 * and 130 MB (docs/operations.md, "Ingest worker threads"), so the default stays the main
 * thread until a measurement says otherwise. One core never gets a worker.
 */
export const defaultStageThreads = (env: string | undefined = process.env.KESHIKOMI_INGEST_THREADS) =>
  os.availableParallelism() < 2 ? 0 : env !== undefined && /^[0-2]$/.test(env.trim()) ? Number(env.trim()) : 0

/** How many workers ingest uses, and for which files (tests set it to reach both paths). */
export class StageWorkers extends Context.Reference<StageWorkers>()("keshikomi/StageWorkers", {
  defaultValue: (): StageWorkerSettings => ({ threads: defaultStageThreads(), minBytes: 4 << 20 })
}) {}

// In a bundle, the bundle's own URL (bin/bundle.mjs defines it); undeclared from source.
declare const __KESHIKOMI_BUNDLE_URL__: string | undefined

// The worker's script. In a bundle, the worker's bundle built beside it at the same time
// (bin/bundle.mjs); from source (tsx, the tests), StageWorker.ts through tsx's loader.
const workerScript = (): URL =>
  typeof __KESHIKOMI_BUNDLE_URL__ === "string"
    ? new URL("stage-worker.mjs", __KESHIKOMI_BUNDLE_URL__)
    : new URL("./StageWorkerFromSource.mjs", import.meta.url)

export interface StagePool {
  /**
   * The COPY text of one export, made on a worker thread, with `counts` kept up to date as
   * stagedLines keeps them; undefined when the file stays on the main thread. Throws what
   * the main thread's stagedLines would have made of the file (FileRejected), or
   * StageWorkerFailed.
   */
  readonly stagedLines: (
    job: Omit<StageJob, "id">,
    size: number,
    counts: { lines: number; blank: number }
  ) => AsyncIterable<Buffer> | undefined
  /** Stops every worker (the end of the inbox, or of a failed run). */
  readonly close: () => Promise<void>
}

export const makeStagePool = (sealer: SealerShape, settings: StageWorkerSettings): StagePool => {
  const material = keyMaterialOf(sealer)
  // A bundle copied without the worker's bundle beside it decodes on the main thread.
  const script = workerScript()
  const threads = fs.existsSync(fileURLToPath(script)) ? settings.threads : 0
  const workers = new Set<Worker>()
  const idle: Array<Worker> = []
  const waiting: Array<{ readonly resolve: (worker: Worker) => void; readonly reject: (cause: unknown) => void }> = []
  let nextId = 0
  let closed = false

  const spawn = () => {
    const data: StageWorkerData = { secret: material!.secret, hashKey: material!.hashKey }
    const worker = new Worker(script, { workerData: data })
    workers.add(worker)
    // A worker that fails or stops while idle is dropped (a file it was staging is told by
    // its own listeners); without a listener, its 'error' would be thrown in this thread.
    const drop = () => {
      workers.delete(worker)
      const at = idle.indexOf(worker)
      if (at >= 0) idle.splice(at, 1)
    }
    worker.on("error", drop)
    worker.on("exit", drop)
    return worker
  }
  const acquire = (): Promise<Worker> => {
    const worker = idle.pop()
    if (worker !== undefined) return Promise.resolve(worker)
    if (workers.size < threads) return Promise.resolve(spawn())
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }))
  }
  const release = (worker: Worker) => {
    if (closed) return
    const next = waiting.shift()
    if (next !== undefined) next.resolve(worker)
    else idle.push(worker)
  }
  const discard = (worker: Worker) => {
    workers.delete(worker)
    void worker.terminate()
    // A waiting file gets a new worker in its place.
    const next = waiting.shift()
    if (next === undefined || closed) return
    try {
      next.resolve(spawn())
    } catch (cause) {
      next.reject(cause)
    }
  }

  async function* staged(job: Omit<StageJob, "id">, counts: { lines: number; blank: number }): AsyncGenerator<Buffer> {
    let worker: Worker
    try {
      worker = await acquire()
    } catch (cause) {
      throw new StageWorkerFailed(`an ingest worker thread did not start: ${cause instanceof Error ? cause.message : String(cause)}`)
    }
    const id = ++nextId
    const queue: Array<FromWorker> = []
    let failure: StageWorkerFailed | undefined
    let wake: (() => void) | undefined
    const notify = () => {
      wake?.()
      wake = undefined
    }
    const onMessage = (message: FromWorker) => {
      if (message.id !== id) return
      queue.push(message)
      notify()
    }
    const onError = (error: Error) => {
      failure ??= new StageWorkerFailed(`an ingest worker thread failed: ${error.message}`)
      notify()
    }
    const onExit = (code: number) => {
      failure ??= new StageWorkerFailed(`an ingest worker thread stopped (exit code ${code})`)
      notify()
    }
    worker.on("message", onMessage)
    worker.on("error", onError)
    worker.on("exit", onExit)
    let finished = false
    try {
      worker.postMessage({ type: "stage", job: { ...job, id } } satisfies ToWorker)
      for (;;) {
        while (queue.length === 0 && failure === undefined) await new Promise<void>((resume) => (wake = resume))
        const message = queue.shift()
        if (message === undefined) throw failure
        if (message.type === "piece") {
          counts.lines = message.lines
          yield Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength)
          worker.postMessage({ type: "taken", id } satisfies ToWorker)
        } else if (message.type === "end") {
          counts.lines = message.lines
          counts.blank = message.blank
          finished = true
          return
        } else {
          finished = true
          throw new FileRejected({ fileName: job.fileName, line: message.line, reason: message.reason })
        }
      }
    } finally {
      worker.off("message", onMessage)
      worker.off("error", onError)
      worker.off("exit", onExit)
      if (failure !== undefined) discard(worker)
      else if (finished) release(worker)
      else {
        // Stopped early: the worker is free again once it has said its last word on this file.
        const settle = (message: FromWorker) => {
          if (message.id !== id || message.type === "piece") return
          worker.off("message", settle)
          release(worker)
        }
        worker.on("message", settle)
        worker.postMessage({ type: "cancel", id } satisfies ToWorker)
      }
    }
  }

  return {
    stagedLines: (job, size, counts) =>
      closed || material === undefined || threads <= 0 || size < settings.minBytes ? undefined : staged(job, counts),
    close: async () => {
      closed = true
      idle.length = 0
      await Promise.all([...workers].map((worker) => worker.terminate()))
      workers.clear()
    }
  }
}
