// Bulk upsert of decoded export rows. A record whose key arrives again replaces the
// stored one (a later export carries the newer status). Rows of a table that holds
// personal values are sealed here, on their way in (src/Seal/SealedColumns.ts).
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import { sealedTables } from "../Seal/SealedColumns.ts"
import { Sealer } from "../Seal/Sealer.ts"

export interface TableSpec<Row> {
  readonly table: string
  readonly key: ReadonlyArray<keyof Row & string>
  readonly columns: ReadonlyArray<keyof Row & string>
}

// Stays well under PostgreSQL's 65,535 bind parameters for the widest table (18 stored columns).
export const maxRowsPerStatement = 2_000

export class Records extends Context.Tag("keshikomi/Records")<Records, {
  readonly upsert: <Row extends Record<string, unknown>>(
    spec: TableSpec<Row>,
    rows: ReadonlyArray<Row>
  ) => Effect.Effect<void>
  /** The subset of `orderIds` that are stored orders. */
  readonly existingOrderIds: (orderIds: ReadonlyArray<string>) => Effect.Effect<ReadonlySet<string>>
}>() {}

/** Keeps the last row per key: one statement may not update the same row twice. */
const lastPerKey = <Row extends Record<string, unknown>>(spec: TableSpec<Row>, rows: ReadonlyArray<Row>) => {
  const byKey = new Map<string, Row>()
  for (const row of rows) byKey.set(JSON.stringify(spec.key.map((k) => row[k])), row)
  return [...byKey.values()]
}

export const RecordsLive = Layer.effect(Records, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const sealer = yield* Sealer

  const upsert = <Row extends Record<string, unknown>>(spec: TableSpec<Row>, rows: ReadonlyArray<Row>) =>
    Effect.gen(function*() {
      const sealing = sealedTables[spec.table]
      const columns: ReadonlyArray<string> = sealing?.columns ?? spec.columns
      const valueColumns = columns.filter((c) => !(spec.key as ReadonlyArray<string>).includes(c))
      const assignments = sql.csv(valueColumns.map((c) => sql`${sql(c)} = EXCLUDED.${sql(c)}`))
      const unique = lastPerKey(spec, rows)
      for (let start = 0; start < unique.length; start += maxRowsPerStatement) {
        const chunk = unique.slice(start, start + maxRowsPerStatement).map((clear) => {
          const row: Record<string, unknown> = sealing === undefined ? clear : sealing.toStored(sealer, clear)
          return Object.fromEntries(columns.map((c) => [c, row[c] ?? null]))
        })
        yield* sql`
          INSERT INTO ${sql(spec.table)} ${sql.insert(chunk)}
          ON CONFLICT (${sql.csv(spec.key.map((k) => sql`${sql(k)}`))}) DO UPDATE SET ${assignments}`
      }
    }).pipe(Effect.orDie, Effect.withSpan("Records.upsert", { attributes: { table: spec.table } }))

  const existingOrderIds = (orderIds: ReadonlyArray<string>) =>
    orderIds.length === 0
      ? Effect.succeed(new Set<string>())
      : sql<{ order_id: string }>`SELECT order_id FROM orders WHERE order_id IN ${sql.in(orderIds)}`.pipe(
        Effect.map((rows) => new Set(rows.map((r) => r.order_id))),
        Effect.orDie
      )

  return { upsert, existingOrderIds }
}))
