// Bulk upsert of decoded export rows. A record whose key arrives again replaces the
// stored one (a later export carries the newer status). Rows of a table that holds
// personal values are sealed here, on their way in (src/Seal/SealedColumns.ts).
// `changed_run` says which run last inserted the row or changed what it holds, so that
// matching can look again only at what changed; a row written again with the same
// values keeps it. For a sealed table "the same" is judged by the other columns and
// the digest of the clear values (sealed_digest), never by the sealed bytes.
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import { sealedDigest, sealedTables } from "../Seal/SealedColumns.ts"
import { Sealer } from "../Seal/Sealer.ts"

export interface TableSpec<Row> {
  readonly table: string
  readonly key: ReadonlyArray<keyof Row & string>
  readonly columns: ReadonlyArray<keyof Row & string>
}

// Stays well under PostgreSQL's 65,535 bind parameters for the widest table (21 stored columns with changed_run).
export const maxRowsPerStatement = 2_000

export class Records extends Context.Tag("keshikomi/Records")<Records, {
  readonly upsert: <Row extends Record<string, unknown>>(
    spec: TableSpec<Row>,
    rows: ReadonlyArray<Row>,
    runId: number
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

  const upsert = <Row extends Record<string, unknown>>(spec: TableSpec<Row>, rows: ReadonlyArray<Row>, runId: number) =>
    Effect.gen(function*() {
      const sealing = sealedTables[spec.table]
      const columns: ReadonlyArray<string> = sealing === undefined ? spec.columns : [...sealing.columns, "sealed_digest"]
      const valueColumns = columns.filter((c) => !(spec.key as ReadonlyArray<string>).includes(c))
      const comparedColumns = valueColumns.filter((c) => sealing?.sealed[c] === undefined)
      const assignments = sql.csv([
        ...valueColumns.map((c) => sql`${sql(c)} = EXCLUDED.${sql(c)}`),
        sql`changed_run = CASE
          WHEN (${sql.csv(comparedColumns.map((c) => sql`t.${sql(c)}`))})
               IS DISTINCT FROM (${sql.csv(comparedColumns.map((c) => sql`EXCLUDED.${sql(c)}`))})
          THEN EXCLUDED.changed_run ELSE t.changed_run END`
      ])
      const unique = lastPerKey(spec, rows)
      for (let start = 0; start < unique.length; start += maxRowsPerStatement) {
        const chunk = unique.slice(start, start + maxRowsPerStatement).map((clear) => {
          const row: Record<string, unknown> = sealing === undefined
            ? clear
            : { ...sealing.toStored(sealer, clear), sealed_digest: sealedDigest(sealer, sealing, clear) }
          return { ...Object.fromEntries(columns.map((c) => [c, row[c] ?? null])), changed_run: runId }
        })
        yield* sql`
          INSERT INTO ${sql(spec.table)} AS t ${sql.insert(chunk)}
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
