// COPY (query) TO STDOUT on the connection of the current transaction (pg-copy-streams
// on node-postgres), in COPY's binary format, into a file with back-pressure (the socket
// is read only as fast as the file takes the bytes). What goes into the file is up to a
// decoder: the values of a one-column query concatenated (`makeUnframer`), or each row's
// fields made into a line in Node (`makeRowFormatter`, the findings CSVs), so that the
// server only reads the rows while Node writes the lines.
import type { Statement } from "@effect/sql"
import { Effect } from "effect"
import type { Writable } from "node:stream"
import { escapeLiteral } from "pg"
import { to as copyTo } from "pg-copy-streams"
import { transactionClient } from "./CopyIn.ts"

/**
 * COPY takes no bind parameters: the compiled statement's `$n` become SQL literals
 * (pg's escapeLiteral; finite numbers as they are). Anything else is our own mistake.
 */
export const inlineParameters = (text: string, params: ReadonlyArray<unknown>): string => {
  const used = new Set<number>()
  const inlined = text.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1
    if (index < 0 || index >= params.length) throw new Error(`COPY statement: no parameter $${n}`)
    used.add(index)
    const value = params[index]
    if (typeof value === "string") return escapeLiteral(value)
    if (typeof value === "number" && Number.isFinite(value)) return String(value)
    throw new Error(`COPY statement: no literal for a parameter of type ${typeof value}`)
  })
  if (used.size !== params.length) throw new Error("COPY statement: a parameter is not referenced")
  return inlined
}

// COPY's binary format (PostgreSQL docs, "Binary Format"): an 11-byte signature, 4 bytes
// of flags and a header extension (4 bytes of length, then that many bytes); each row is
// a 16-bit field count then per field a 32-bit length and the bytes; -1 as field count ends.
const signature = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1")
const fixedHeader = signature.length + 8

/** What copyOut writes for COPY's binary output, chunk by chunk. */
export interface CopyDecoder {
  /** The bytes to write for this chunk of COPY's output (possibly none yet). */
  readonly feed: (chunk: Buffer) => Buffer
  /** Rows seen so far. */
  readonly rows: () => number
  /** True once the trailer came and nothing was left over. */
  readonly complete: () => boolean
}

/**
 * Writes one row's line into `out` from `at`, and returns where it ends. Field i of the
 * row is `bytes[starts[i]..ends[i])`, or null when `starts[i]` is -1. `out` has room for
 * twice the row's bytes plus the formatter's `extraPerRow`.
 */
export type FormatRow = (bytes: Buffer, starts: Int32Array, ends: Int32Array, out: Buffer, at: number) => number

const noBytes = Buffer.alloc(0)

/**
 * Takes COPY's binary output of a query of `columns` columns, chunk by chunk, and gives
 * back what `format` makes of each row, concatenated. A row cut by a chunk's end waits
 * for the bytes it still needs (they are joined once, however long the row), so memory
 * holds a chunk and one row.
 */
export const makeRowFormatter = (columns: number, extraPerRow: number, format: FormatRow): CopyDecoder => {
  let pending: Array<Buffer> = []
  let pendingBytes = 0
  // Bytes that must be pending before the next row can be read whole.
  let need = 0
  let headerRead = false
  let ended = false
  let rows = 0
  const starts = new Int32Array(columns)
  const ends = new Int32Array(columns)
  let out = Buffer.allocUnsafe(1 << 17)
  const keep = (rest: Buffer, needed: number) => {
    pending = rest.length === 0 ? [] : [Buffer.from(rest)]
    pendingBytes = rest.length
    need = needed
  }
  const feed = (chunk: Buffer): Buffer => {
    pending.push(chunk)
    pendingBytes += chunk.length
    if (ended || pendingBytes < need) return noBytes
    const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes)
    let at = 0
    if (!headerRead) {
      const headerBytes = bytes.length < fixedHeader ? fixedHeader : fixedHeader + bytes.readUInt32BE(fixedHeader - 4)
      if (bytes.length < headerBytes) {
        keep(bytes, headerBytes)
        return noBytes
      }
      if (!bytes.subarray(0, signature.length).equals(signature)) throw new Error("COPY binary: bad signature")
      at = headerBytes
      headerRead = true
    }
    let written = 0
    let needed = 0
    while (true) {
      if (bytes.length - at < 2) {
        needed = 2
        break
      }
      const fields = bytes.readInt16BE(at)
      if (fields === -1) {
        ended = true
        at += 2
        break
      }
      if (fields !== columns) throw new Error(`COPY binary: ${fields} columns, expected ${columns}`)
      let p = at + 2
      let whole = true
      for (let i = 0; i < columns; i++) {
        if (bytes.length - p < 4) {
          whole = false
          p += 4
          break
        }
        const length = bytes.readInt32BE(p)
        p += 4
        if (length < 0) {
          starts[i] = -1
          ends[i] = -1
          continue
        }
        starts[i] = p
        p += length
        ends[i] = p
        if (p > bytes.length) {
          whole = false
          break
        }
      }
      if (!whole) {
        needed = p - at
        break
      }
      const room = written + 2 * (p - at) + extraPerRow
      if (room > out.length) {
        const larger = Buffer.allocUnsafe(Math.max(room, 2 * out.length))
        out.copy(larger, 0, 0, written)
        out = larger
      }
      written = format(bytes, starts, ends, out, written)
      rows++
      at = p
    }
    keep(bytes.subarray(at), ended ? 0 : needed)
    // A copy: `out` is written again by the next chunk while the file may still hold this one.
    return written === 0 ? noBytes : Buffer.from(out.subarray(0, written))
  }
  return { feed, rows: () => rows, complete: () => ended && pendingBytes === 0 }
}

/** The values of a one-column query (text or bytea), one after another and nothing between them. */
export const makeUnframer = (): CopyDecoder =>
  makeRowFormatter(1, 0, (bytes, starts, ends, out, at) => {
    if (starts[0]! < 0) throw new Error("COPY binary: a null value")
    return at + bytes.copy(out, at, starts[0]!, ends[0]!)
  })

/**
 * Runs `query` as `COPY (query) TO STDOUT (FORMAT binary)` in the current transaction and
 * writes what `decoder` makes of it to `target` (by default, for a query of one column of
 * text or bytea, the values one after another and nothing between them), waiting for
 * `drain` when its buffer is full. Does not end `target`; returns
 * the rows copied. Errors of our own query are defects. When the copy stops early (the
 * file failed, the effect is interrupted) the rest of the output is read and dropped, so
 * that the connection is free again for the transaction's rollback.
 */
export const copyOut = (query: Statement.Statement<unknown>, target: Writable, decoder: CopyDecoder = makeUnframer()): Effect.Effect<number> =>
  Effect.gen(function*() {
    const client = yield* transactionClient
    const [text, params] = query.compile()
    const statement = yield* Effect.try(() => `COPY (${inlineParameters(text, params)}) TO STDOUT (FORMAT binary)`).pipe(Effect.orDie)
    return yield* Effect.async<number>((resume) => {
      const source = client.query(copyTo(statement))
      let stopped = false
      let settled = false
      const settle = (effect: Effect.Effect<number>) => {
        if (settled) return
        settled = true
        resume(effect)
      }
      // Dropping what is left: reading on without writing lets the server finish its COPY.
      const stop = () => {
        stopped = true
        target.off("drain", onDrain)
        source.resume()
      }
      const onDrain = () => source.resume()
      target.once("error", stop)
      source.on("data", (chunk: Buffer) => {
        if (stopped) return
        let values: Buffer
        try {
          values = decoder.feed(chunk)
        } catch (error) {
          stop()
          return settle(Effect.die(error))
        }
        if (values.length > 0 && !target.write(values)) {
          source.pause()
          target.once("drain", onDrain)
        }
      })
      source.once("error", (error) => settle(Effect.die(error)))
      source.once("end", () => {
        target.off("error", stop)
        if (stopped) return settle(Effect.dieMessage("COPY TO STDOUT stopped before its end"))
        if (!decoder.complete()) return settle(Effect.dieMessage("COPY TO STDOUT ended inside a row"))
        settle(Effect.succeed(decoder.rows()))
      })
      // Interrupted (the file failed, the run stops): drain the rest, then let go.
      return Effect.async<void>((done) => {
        if (source.readableEnded || source.destroyed) return done(Effect.void)
        stop()
        source.once("end", () => done(Effect.void))
        source.once("error", () => done(Effect.void))
      })
    })
  }).pipe(Effect.withSpan("CopyOut.copyOut"))
