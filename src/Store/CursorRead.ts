// A query's rows read in large batches through a cursor on the connection of the current
// transaction. @effect/sql-pg's streams read 128 rows per round trip; a reader that runs
// beside CPU-bound work (the reports' lane, src/Report/ReportLane.ts) gets one round trip
// per turn of the event loop, so it would go no faster than that work. A few thousand
// rows per round trip let it run ahead.
import type { Statement } from "@effect/sql"
import { Effect } from "effect"
import Cursor from "pg-cursor"
import { transactionClient } from "./CopyIn.ts"

/** Reads `statement`'s rows `batchRows` at a time, each batch to `each` before the next is asked for. Errors are defects. */
export const readInBatches = <Row>(
  statement: Statement.Statement<Row>,
  batchRows: number,
  each: (rows: ReadonlyArray<Row>) => Effect.Effect<void>
): Effect.Effect<void> =>
  Effect.gen(function*() {
    const client = yield* transactionClient
    const [text, params] = statement.compile()
    const read = (cursor: Cursor<Row>) =>
      Effect.async<ReadonlyArray<Row>>((resume) => {
        cursor.read(batchRows, (error, rows) => resume(error ? Effect.die(error) : Effect.succeed(rows)))
      })
    yield* Effect.acquireUseRelease(
      Effect.sync(() => client.query(new Cursor<Row>(text, params as Array<unknown>))),
      (cursor) =>
        Effect.gen(function*() {
          for (;;) {
            const rows = yield* read(cursor)
            if (rows.length === 0) return
            yield* each(rows)
          }
        }),
      // Closing waits for the server to end the portal, so the connection is free for what follows.
      (cursor) => Effect.promise(() => cursor.close().catch(() => undefined))
    )
  })
