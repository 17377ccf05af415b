// The reports' work on the run's one connection, in a planned order. Reports are written
// inside the run's transaction, so every query goes through one connection; read straight
// into a sheet, a query's rows keep that connection (its cursor) for as long as Node takes
// to write them, and the server idles while Node writes, Node while the server sorts. On
// the lane each sheet's rows are read off the connection as fast as the server sends
// them, into a spool (src/Spool.ts: memory, then a private spill file), and the connection
// goes on to the next job (the next sheet's query, a CSV's COPY) while Node writes the
// sheet from the spool: the server and Node work side by side.
//
// Jobs run one after the other in the order they were put on the lane, whichever fiber
// put them there. Only rows as the database holds them go into a spool: a query whose
// rows hold sealed values is spooled sealed and opened as the sheet reads it back.
import { type Cause, Deferred, Effect, Scope, Stream } from "effect"
import * as v8 from "node:v8"
import { type SpillFolder, Spool, SpoolClosed } from "../Spool.ts"
import { readInBatches } from "../Store/CursorRead.ts"
import type { SheetQuery } from "../Store/SheetQuery.ts"

export interface ReportLane {
  /** Runs `work` after the jobs put on the lane before it; the effect returned waits for its result. */
  readonly later: <A, E>(work: Effect.Effect<A, E>) => Effect.Effect<Effect.Effect<A, E>>
  /** Reads `query`'s rows in its turn into a spool; the stream returned reads them back, opened. */
  readonly ahead: <Stored, Row>(query: SheetQuery<Stored, Row>) => Effect.Effect<Stream.Stream<Row>>
}

// Rows asked of the server per round trip. The drain gets about one round trip per turn of
// the event loop while Node writes a sheet beside it: with @effect/sql-pg's 128 it went no
// faster than the sheet, and the connection was never free early (CursorRead.ts). Each
// read is spooled in pieces of `rowsPerPiece`, which is what the sheet takes at a time: rows
// that live long (a read of 4,096 rows, a sheet's chunk of as many) outlive V8's young
// generation, and collecting the old one then cost more than the overlap saved.
const rowsPerRead = 1_024
const rowsPerPiece = 128

/** What the drain of a spool ended with: told to the reader after the rows before it. */
class DrainFailed {
  constructor(readonly cause: Cause.Cause<never>) {}
}

/**
 * A lane for the reports of one run, ended with the scope: its jobs not yet done are
 * interrupted, its spools dropped. `memoryBytes` is what each spool may hold in memory.
 */
export const makeReportLane = (spillFolder: SpillFolder, memoryBytes: number): Effect.Effect<ReportLane, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    // The turn of the job put on the lane last: the next one waits for it.
    let lastTurn: Deferred.Deferred<void> | undefined

    const later = <A, E>(work: Effect.Effect<A, E>) =>
      Effect.gen(function*() {
        const turn = yield* Deferred.make<void>()
        const result = yield* Deferred.make<A, E>()
        // The lane's scope closed before the job ended (a fiber interrupted before it
        // started runs none of its finalizers): its waiter is told it was interrupted.
        yield* Scope.addFinalizer(scope, Deferred.interrupt(result))
        // Taken and replaced with no yield between: the order is the order of the calls.
        const before = lastTurn
        lastTurn = turn
        yield* (before === undefined ? Effect.void : Deferred.await(before)).pipe(
          Effect.zipRight(Effect.exit(work)),
          Effect.flatMap((exit) => Deferred.done(result, exit)),
          Effect.ensuring(Deferred.succeed(turn, undefined)),
          Effect.forkIn(scope)
        )
        return Deferred.await(result)
      })

    const ahead = <Stored, Row>(query: SheetQuery<Stored, Row>) =>
      Effect.gen(function*() {
        const spool = new Spool(spillFolder, memoryBytes)
        yield* Scope.addFinalizer(scope, Effect.sync(() => spool.close()))
        // A batch of rows as one serialized value: Buffers (sealed bytes), dates and nulls
        // come back as they went in.
        const write = async (rows: ReadonlyArray<Stored>) => {
          try {
            for (let at = 0; at < rows.length; at += rowsPerPiece) await spool.write(v8.serialize(rows.slice(at, at + rowsPerPiece)))
          } catch (cause) {
            // The reader stopped (its sheet ended early, or the run failed): nothing more to read.
            if (!(cause instanceof SpoolClosed)) throw cause
          }
        }
        const drain = Effect.flatMap(query.statement, (statement) =>
          readInBatches(statement, rowsPerRead, (rows) => Effect.promise(() => write(rows))))
        yield* later(drain.pipe(
          Effect.matchCauseEffect({
            onFailure: (cause) => Effect.sync(() => spool.fail(new DrainFailed(cause))),
            onSuccess: () => Effect.sync(() => spool.end())
          })
        ))
        return Stream.fromAsyncIterable(spool.read(), (error) => error).pipe(
          Stream.catchAll((error) => (error instanceof DrainFailed ? Stream.failCause(error.cause) : Stream.die(error))),
          Stream.mapConcat((bytes) => v8.deserialize(bytes) as ReadonlyArray<Stored>),
          Stream.map(query.open)
        )
      })

    return { later, ahead } satisfies ReportLane
  })
