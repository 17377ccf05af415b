// A query whose rows hold sealed values, as the reports read it: the rows as the server
// sends them, and how Node opens each one. Kept apart so that rows can wait (in a spool,
// src/Report/ReportLane.ts) while still sealed, and are opened only as a sheet takes them.
import { Stream } from "effect"

export interface SealedRows<Sealed, Row> {
  readonly sealed: Stream.Stream<Sealed>
  readonly open: (row: Sealed) => Row
}

/** The rows opened as they are read. */
export const openedRows = <Sealed, Row>(rows: SealedRows<Sealed, Row>): Stream.Stream<Row> =>
  Stream.map(rows.sealed, rows.open)
