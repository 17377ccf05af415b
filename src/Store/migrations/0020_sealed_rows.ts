import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import { addressFields, openAddress, perFieldAddresses, sealAddress } from "../../Seal/SealedColumns.ts"
import { Sealer } from "../../Seal/Sealer.ts"

// An address is sealed as one value instead of six (src/Seal/SealedColumns.ts): one
// AES-GCM seal per row at ingest. Rows stored one column per field are opened and
// sealed again the new way, a page of keys at a time to keep memory flat. Their
// sealed_digest stays: it hashes the same clear fields in the same order.
const rowsPerPage = 2_000

export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const sealer = Option.getOrThrowWith(
    yield* Effect.serviceOption(Sealer),
    () => new Error("migration 0020 needs the Sealer (provide it to MigrationsLive)")
  )
  yield* sql`ALTER TABLE shipping_addresses ADD COLUMN address_sealed bytea`
  const oldColumns = Object.keys(perFieldAddresses.sealed)
  let after: string | undefined
  for (;;) {
    const page: ReadonlyArray<Record<string, unknown>> = yield* sql<Record<string, unknown>>`
      SELECT order_id, ${sql.csv(oldColumns.map((c) => sql`${sql(c)}`))} FROM shipping_addresses
      ${after === undefined ? sql`` : sql`WHERE order_id > ${after}`}
      ORDER BY order_id LIMIT ${rowsPerPage}`
    if (page.length === 0) break
    const tuples = page.map((row) => {
      const clear = Object.fromEntries(addressFields.map((f) => [f, sealer.open(row[`${f}_sealed`] as Uint8Array)]))
      const sealed = sealAddress(sealer, clear)
      // Opened once before it is stored: a row that would not read back stops the upgrade.
      openAddress(sealer, sealed)
      return sql`(${row.order_id as string}, ${sealed}::bytea)`
    })
    yield* sql`
      UPDATE shipping_addresses AS t SET address_sealed = v.address_sealed
      FROM (VALUES ${sql.csv(tuples)}) AS v (order_id, address_sealed)
      WHERE t.order_id = v.order_id`
    after = page[page.length - 1]!.order_id as string
  }
  yield* sql`ALTER TABLE shipping_addresses ALTER COLUMN address_sealed SET NOT NULL`
  yield* sql`ALTER TABLE shipping_addresses ${sql.csv(oldColumns.map((c) => sql`DROP COLUMN ${sql(c)}`))}`
})
