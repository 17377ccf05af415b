// COPY (query) TO STDOUT on the connection of the current transaction (pg-copy-streams
// on node-postgres): the server streams bytes it formatted itself and Node only moves
// them into a file, with back-pressure (the socket is read only as fast as the file takes
// the bytes). For output that is text already, e.g. the findings CSVs, one line a row.
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

/**
 * Takes COPY's binary output of a one-column query, chunk by chunk, and gives back the
 * bytes of the values alone, concatenated (one copy per chunk, whatever the rows' sizes).
 */
export const makeUnframer = () => {
  let carry: Buffer = Buffer.alloc(0)
  let headerRead = false
  let valueLeft = 0
  let rows = 0
  let ended = false
  const feed = (chunk: Buffer): Buffer => {
    const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk])
    const values: Array<Buffer> = []
    let at = 0
    while (at < bytes.length && !ended) {
      if (valueLeft > 0) {
        const n = Math.min(valueLeft, bytes.length - at)
        values.push(bytes.subarray(at, at + n))
        at += n
        valueLeft -= n
      } else if (!headerRead) {
        if (bytes.length - at < fixedHeader) break
        if (!bytes.subarray(at, at + signature.length).equals(signature)) throw new Error("COPY binary: bad signature")
        const extension = bytes.readUInt32BE(at + fixedHeader - 4)
        if (bytes.length - at < fixedHeader + extension) break
        at += fixedHeader + extension
        headerRead = true
      } else {
        if (bytes.length - at < 2) break
        const fields = bytes.readInt16BE(at)
        if (fields === -1) {
          ended = true
          at += 2
        } else {
          if (fields !== 1) throw new Error(`COPY binary: ${fields} columns, expected one`)
          if (bytes.length - at < 6) break
          const length = bytes.readInt32BE(at + 2)
          if (length < 0) throw new Error("COPY binary: a null value")
          at += 6
          valueLeft = length
          rows++
        }
      }
    }
    // Only a header cut by the chunk's end is carried (a few bytes; copied so the chunk can go).
    carry = Buffer.from(bytes.subarray(at))
    return values.length === 1 ? values[0]! : Buffer.concat(values)
  }
  return {
    feed,
    /** Rows seen so far. */
    rows: () => rows,
    /** True once the trailer came and nothing was left over. */
    complete: () => ended && valueLeft === 0 && carry.length === 0
  }
}

/**
 * Runs `query` (one column of text or bytea a row) as `COPY (query) TO STDOUT` in the
 * current transaction and writes the values, one after another and nothing between them,
 * to `target`, waiting for `drain` when its buffer is full. Does not end `target`; returns
 * the rows copied. Errors of our own query are defects. When the copy stops early (the
 * file failed, the effect is interrupted) the rest of the output is read and dropped, so
 * that the connection is free again for the transaction's rollback.
 */
export const copyOut = (query: Statement.Statement<unknown>, target: Writable): Effect.Effect<number> =>
  Effect.gen(function*() {
    const client = yield* transactionClient
    const [text, params] = query.compile()
    const statement = yield* Effect.try(() => `COPY (${inlineParameters(text, params)}) TO STDOUT (FORMAT binary)`).pipe(Effect.orDie)
    return yield* Effect.async<number>((resume) => {
      const source = client.query(copyTo(statement))
      const unframer = makeUnframer()
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
          values = unframer.feed(chunk)
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
        if (!unframer.complete()) return settle(Effect.dieMessage("COPY TO STDOUT ended inside a row"))
        settle(Effect.succeed(unframer.rows()))
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
