// What a sheet reads: a query (once whatever it needs first has run, e.g. a working
// table), and how Node turns each row as the database holds it into the row the sheet
// shows: for a query of sealed values, the opening. Kept apart so that rows can wait (in
// a spool, src/Report/ReportLane.ts) as the database holds them, and are opened only as
// the sheet takes them.
import type { Statement } from "@effect/sql"
import { Effect, identity, Stream } from "effect"

export interface SheetQuery<Stored, Row> {
  readonly statement: Effect.Effect<Statement.Statement<Stored>>
  readonly open: (row: Stored) => Row
}

/** A query whose rows are shown as they are stored (nothing sealed in them). */
export const plainQuery = <Row>(statement: Statement.Statement<Row>): SheetQuery<Row, Row> => ({
  statement: Effect.succeed(statement),
  open: identity
})

/** The rows, read through the driver's cursor and opened one by one (for a reader that does not spool them). */
export const sheetRows = <Stored, Row>(query: SheetQuery<Stored, Row>): Stream.Stream<Row> =>
  Stream.unwrap(Effect.map(query.statement, (statement) => statement.stream)).pipe(Stream.orDie, Stream.map(query.open))
