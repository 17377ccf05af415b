// COPY … FROM STDIN on the connection of the current transaction (pg-copy-streams on
// node-postgres), so that bulk rows go into PostgreSQL as one stream, with back-pressure:
// the source is read only as fast as the server takes the bytes, and Node prepares the
// next rows while the server stores the last ones.
import { SqlClient } from "@effect/sql"
import { Context, Data, Effect, Layer, Option } from "effect"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import type pg from "pg"
import { from as copyFrom } from "pg-copy-streams"

// COPY's text format: tab between columns, newline after a row, \N for null, and a
// backslash before a backslash, tab, newline or carriage return inside a value.
const needsEscape = /[\\\t\n\r]/
const escapeText = (text: string) =>
  needsEscape.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"))
    : text

/** One value as COPY text: strings, numbers, booleans, bytes (bytea) and null. */
export const copyValue = (value: unknown): string => {
  if (value === null || value === undefined) return "\\N"
  if (typeof value === "string") return escapeText(value)
  if (typeof value === "number" || typeof value === "bigint") return String(value)
  if (typeof value === "boolean") return value ? "t" : "f"
  // bytea's hex form; its own backslash escaped for COPY.
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString("hex")}`
  if (value instanceof Uint8Array) return `\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`
  if (value instanceof Date) return value.toISOString()
  throw new Error(`no COPY text for a value of type ${typeof value}`)
}

/** One row as a line of COPY text. */
export const copyLine = (values: ReadonlyArray<unknown>) => {
  let line = ""
  for (let i = 0; i < values.length; i++) line += (i === 0 ? "" : "\t") + copyValue(values[i])
  return line + "\n"
}

/** The source of a COPY threw: the COPY was abandoned (CopyFail) and its rows are not stored. */
export class CopySourceFailed extends Data.TaggedError("CopySourceFailed")<{ readonly cause: unknown }> {}

export class CopyIn extends Context.Tag("keshikomi/CopyIn")<CopyIn, {
  /**
   * Runs `statement` (a `COPY … FROM STDIN`) fed by `source`; returns the rows copied.
   * Must run inside `sql.withTransaction`: COPY belongs to the run's transaction. The
   * caller rolls back to its savepoint when this fails.
   */
  readonly copy: (statement: string, source: AsyncIterable<Buffer>) => Effect.Effect<number, CopySourceFailed>
}>() {}

/**
 * The node-postgres client under the current transaction. @effect/sql exposes the
 * transaction's connection (SqlClient.TransactionConnection) but not its driver client;
 * @effect/sql-pg's connection keeps it as the public field `pg` (PgClient.ts,
 * ConnectionImpl). That field is the only way onto the same connection short of a
 * second one, which could not see the run's uncommitted rows; it is checked, so a
 * library change shows up as a clear defect rather than a COPY outside the transaction.
 */
export const transactionClient = Effect.gen(function*() {
  const connection = yield* Effect.serviceOption(SqlClient.TransactionConnection)
  if (Option.isNone(connection)) return yield* Effect.dieMessage("COPY must run inside sql.withTransaction")
  const client = (connection.value[0] as { readonly pg?: pg.PoolClient }).pg
  if (client === undefined || typeof client.query !== "function") {
    return yield* Effect.dieMessage("@effect/sql-pg's transaction connection has no pg client (field `pg`): COPY cannot run")
  }
  return client
})

export const CopyInLive = Layer.succeed(CopyIn, {
  copy: (statement, source) =>
    Effect.gen(function*() {
      const client = yield* transactionClient
      return yield* Effect.async<number, CopySourceFailed>((resume) => {
        // Errors of the source are told apart from the server's: only the server's are defects.
        let sourceError: { readonly cause: unknown } | undefined
        async function* guarded() {
          try {
            yield* source
          } catch (cause) {
            sourceError = { cause }
            // What the server is told (CopyFail); the cause itself is the caller's.
            throw new Error("the rows to copy could not be read")
          }
        }
        const stream = client.query(copyFrom(statement))
        pipeline(Readable.from(guarded(), { objectMode: false }), stream).then(
          () => resume(Effect.succeed(stream.rowCount)),
          (error) => resume(sourceError !== undefined ? Effect.fail(new CopySourceFailed(sourceError)) : Effect.die(error))
        )
        // Interrupted: abandon the COPY (CopyFail); the transaction is rolled back anyway.
        return Effect.sync(() => stream.destroy(new Error("COPY interrupted")))
      })
    }).pipe(Effect.withSpan("CopyIn.copy"))
})
