import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import { kindOfFileName, readerSideOfKind } from "../../Domain/Kind.ts"
import { perFieldAddresses, type SealedTable, sealedTables } from "../../Seal/SealedColumns.ts"
import { Sealer } from "../../Seal/Sealer.ts"

// Privacy at rest (docs/privacy.md): personal values are stored only sealed, compared
// by keyed hashes, and the database keeps the fingerprint of the key, never the key.
// Rows stored in clear by earlier versions are sealed here, with the run's key (the
// Migrator is given the Sealer by MigrationsLive).
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const sealer = Option.getOrThrowWith(
    yield* Effect.serviceOption(Sealer),
    () => new Error("migration 0005 needs the Sealer (provide it to MigrationsLive)")
  )
  yield* sql`
    CREATE TABLE seal_key (
      singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      fingerprint text NOT NULL,
      sealed_at   timestamptz NOT NULL DEFAULT now()
    )`
  yield* sql`INSERT INTO seal_key (fingerprint) VALUES (${sealer.fingerprint})`

  yield* sql`
    ALTER TABLE payout_requests
      ADD COLUMN account_masked text,
      ADD COLUMN account_number_sealed bytea,
      ADD COLUMN account_holder_sealed bytea,
      ADD COLUMN linepay_user_ref_sealed bytea,
      ADD COLUMN account_number_key bytea,
      ADD COLUMN holder_key_hash bytea,
      ADD COLUMN destination_key bytea`
  yield* sql`
    ALTER TABLE transfers
      ADD COLUMN account_masked text,
      ADD COLUMN account_number_sealed bytea,
      ADD COLUMN holder_name_sealed bytea,
      ADD COLUMN wallet_user_ref_sealed bytea,
      ADD COLUMN account_number_key bytea,
      ADD COLUMN holder_key_hash bytea,
      ADD COLUMN destination_key bytea`
  yield* sql`
    ALTER TABLE shipping_addresses
      ADD COLUMN postal_code_sealed bytea,
      ADD COLUMN prefecture_sealed bytea,
      ADD COLUMN city_sealed bytea,
      ADD COLUMN address_line_sealed bytea,
      ADD COLUMN recipient_name_sealed bytea,
      ADD COLUMN phone_sealed bytea`

  // Seal what earlier versions stored in clear, a chunk of rows per statement.
  // Addresses as this version stored them: one sealed column per field (0020 joins them).
  const layout: Readonly<Record<string, SealedTable>> = { ...sealedTables, shipping_addresses: perFieldAddresses }
  const convert = (table: string, rename: Readonly<Record<string, string>> = {}) =>
    Effect.gen(function*() {
      const spec = layout[table]!
      const rows = yield* sql<Record<string, unknown>>`SELECT * FROM ${sql(table)}`
      const updated = spec.columns.filter((c) => !spec.key.includes(c) && (c.endsWith("_sealed") || c.endsWith("_key") || c === "account_masked"))
      for (let start = 0; start < rows.length; start += 1_000) {
        const values = rows.slice(start, start + 1_000).map((row) => {
          const stored = spec.toStored(sealer, row)
          return sql`(${sql.csv([
            ...spec.key.map((k) => sql`${stored[k] as string}`),
            ...updated.map((c) => (c === "account_masked" ? sql`${stored[c] as string | null}::text` : sql`${stored[c] as Buffer | null}::bytea`))
          ])})`
        })
        const target = (c: string) => rename[c] ?? c
        yield* sql`
          UPDATE ${sql(table)} AS t
          SET ${sql.csv(updated.map((c) => sql`${sql(target(c))} = v.${sql(c)}`))}
          FROM (VALUES ${sql.csv(values)}) AS v (${sql.csv([...spec.key, ...updated].map((c) => sql`${sql(c)}`))})
          WHERE ${sql.and(spec.key.map((k) => sql`t.${sql(k)} = v.${sql(k)}`))}`
      }
    })
  yield* convert("payout_requests", { holder_key: "holder_key_hash" })
  yield* convert("transfers", { holder_key: "holder_key_hash" })
  yield* convert("shipping_addresses")

  yield* sql`
    ALTER TABLE payout_requests
      DROP COLUMN account_number, DROP COLUMN account_holder, DROP COLUMN linepay_user_ref, DROP COLUMN holder_key`
  yield* sql`ALTER TABLE payout_requests RENAME COLUMN holder_key_hash TO holder_key`
  yield* sql`
    ALTER TABLE transfers
      DROP COLUMN account_number, DROP COLUMN holder_name, DROP COLUMN wallet_user_ref, DROP COLUMN holder_key`
  yield* sql`ALTER TABLE transfers RENAME COLUMN holder_key_hash TO holder_key`
  yield* sql`
    ALTER TABLE shipping_addresses
      DROP COLUMN postal_code, DROP COLUMN prefecture, DROP COLUMN city,
      DROP COLUMN address_line, DROP COLUMN recipient_name, DROP COLUMN phone`
  for (const field of ["postal_code", "prefecture", "city", "address_line", "recipient_name", "phone"]) {
    yield* sql`ALTER TABLE shipping_addresses ALTER COLUMN ${sql(`${field}_sealed`)} SET NOT NULL`
  }
  // Matching compares where money went by these hashes (was payout_destination()).
  yield* sql`CREATE INDEX transfers_destination_idx ON transfers (destination_key)`

  // Details stored by earlier versions quoted holder names; the next run writes them
  // again without (a finding still raised), the closed ones are cut to their code.
  yield* sql`
    UPDATE findings SET detail = '（内容は個人情報を含むため削除しました）'
    WHERE code IN ('PAY_NAME_MISMATCH', 'PAY_ACCOUNT_MISMATCH', 'PAY_ORPHAN_TRANSFER')`

  // An input finding is shown only to the readers of its file's side (reports.md's matrix).
  const files = yield* sql<{ subject_id: string }>`SELECT DISTINCT subject_id FROM findings WHERE side = 'input'`
  for (const { subject_id } of files) {
    const side = readerSideOfKind(kindOfFileName(subject_id))
    if (side !== "both") yield* sql`UPDATE findings SET side = ${side} WHERE side = 'input' AND subject_id = ${subject_id}`
  }

  // Retention (docs/privacy.md): when a request's account details were removed.
  yield* sql`ALTER TABLE payout_requests ADD COLUMN details_removed_on date`
})
