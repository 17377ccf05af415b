import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import { perFieldAddresses, sealedDigest, sealedTables } from "../../Seal/SealedColumns.ts"
import { Sealer } from "../../Seal/Sealer.ts"

// Which run last inserted or changed each record (src/Store/Records.ts), so that
// matching can look again only at what changed. Null for rows stored before this
// version and rows written outside a run. No foreign key to runs: it is a marker that
// bulk ingest writes on every row, and a run's rows roll back with the run.
export const recordTables = [
  "orders", "order_items", "shipping_addresses", "parcel_lines", "reshipments",
  "payout_requests", "transfers", "payout_windows"
] as const

const rowsPerPage = 2_000

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const sealer = Option.getOrThrowWith(
    yield* Effect.serviceOption(Sealer),
    () => new Error("migration 0010 needs the Sealer (provide it to MigrationsLive)")
  )
  for (const table of recordTables) yield* sql`ALTER TABLE ${sql(table)} ADD COLUMN changed_run bigint`

  // The digest of the clear values of rows already stored, so that the first export
  // after the upgrade that repeats them is not taken for a change. Page by key to keep
  // memory flat however many rows there are.
  // Addresses as this version stored them: one sealed column per field (0020 joins them).
  for (const [table, spec] of Object.entries({ ...sealedTables, shipping_addresses: perFieldAddresses })) {
    yield* sql`ALTER TABLE ${sql(table)} ADD COLUMN sealed_digest bytea`
    const keyList = sql.csv(spec.key.map((k) => sql`${sql(k)}`))
    const sealedColumns = Object.keys(spec.sealed)
    let after: ReadonlyArray<string> | undefined
    for (;;) {
      const page: ReadonlyArray<Record<string, unknown>> = yield* sql<Record<string, unknown>>`
        SELECT ${sql.csv([...spec.key, ...sealedColumns].map((c) => sql`${sql(c)}`))} FROM ${sql(table)}
        ${after === undefined ? sql`` : sql`WHERE (${keyList}) > (${sql.csv(after.map((v) => sql`${v}`))})`}
        ORDER BY ${keyList} LIMIT ${rowsPerPage}`
      if (page.length === 0) break
      const tuples = page.map((row) => {
        const clear = Object.fromEntries(
          Object.entries(spec.sealed).map(([sealedColumn, clearColumn]) => [clearColumn, sealer.openOrNull(row[sealedColumn] as Uint8Array | null)])
        )
        return sql`(${sql.csv([...spec.key.map((k) => sql`${row[k] as string}`), sql`${sealedDigest(sealer, spec, clear)}::bytea`])})`
      })
      yield* sql`
        UPDATE ${sql(table)} AS t SET sealed_digest = v.sealed_digest
        FROM (VALUES ${sql.csv(tuples)}) AS v (${sql.csv([...spec.key, "sealed_digest"].map((c) => sql`${sql(c)}`))})
        WHERE ${sql.and(spec.key.map((k) => sql`t.${sql(k)} = v.${sql(k)}`))}`
      const last = page[page.length - 1]!
      after = spec.key.map((k) => last[k] as string)
    }
  }
})
