// Upgrading a database that an earlier version filled in clear: migration 0005 seals
// every stored personal value with the run's key and drops the clear columns, 0020 joins
// an address's six sealed columns into one sealed value, and the next run raises
// exactly the findings a fresh database does.
import * as Migrator from "@effect/sql/Migrator"
import { SqlClient } from "@effect/sql"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { expect, it } from "vitest"
import { kindOfFileName } from "../../src/Domain/Kind.ts"
import { type CsvLine, csvLines } from "../../src/Ingest/Csv.ts"
import { csvExports, rowDecoder } from "../../src/Ingest/Exports.ts"
import { inspectFile, openExport } from "../../src/Ingest/TextSource.ts"
import { clientFromUrl } from "../../src/Store/Database.ts"
import { migrations } from "../../src/Store/migrations/index.ts"
import { tempDir } from "../support/inbox.ts"
import { PersonalData, PersonalDataLive } from "../../src/Store/PersonalData.ts"
import { createTestDatabase, databaseLayer, query, raisedFindings, runPipeline } from "../support/testDatabase.ts"

const sample = path.resolve(import.meta.dirname, "../../fixtures/sample")
const asOf = "2023-09-05"
const before0005 = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < "0005"))

/** The sample's records stored as version 0004 stored them: decoded rows, in clear. */
const storeInClear = (url: string) =>
  Effect.runPromise(Effect.gen(function*() {
    yield* Migrator.make({})({ loader: Migrator.fromRecord(before0005) })
    const sql = yield* SqlClient.SqlClient
    const orderIds = new Set<string>()
    const files = fs.readdirSync(sample).filter((f) => f.endsWith(".csv")).sort((a, b) =>
      (a.startsWith("orders_") ? 0 : 1) - (b.startsWith("orders_") ? 0 : 1) || (a < b ? -1 : 1))
    for (const file of files) {
      const spec = csvExports[kindOfFileName(file) as keyof typeof csvExports]
      const opened = yield* openExport(path.join(sample, file))
      const facts = yield* inspectFile(opened)
      if (facts.verdict._tag !== "Decided") throw new Error(`${file}: ${facts.verdict.reason}`)
      const decode = rowDecoder(spec)
      const lines: ReadonlyArray<CsvLine> = Chunk.toReadonlyArray(yield* Stream.runCollect(csvLines(file, opened, facts.verdict.encoding, spec.columns)))
      const rows = lines
        .flatMap((line) => (line._tag === "Row" ? [decode(line.cells)] : []))
        .flatMap((r) => (r._tag === "Accepted" ? [r.row as Record<string, unknown>] : []))
        .filter((row) => spec.kind !== "order_items" || orderIds.has(row.order_id as string))
      if (spec.kind === "orders") rows.forEach((row) => orderIds.add(row.order_id as string))
      const byKey = new Map(rows.map((row) => [JSON.stringify(spec.table.key.map((k: string) => row[k])), row]))
      // Only the columns version 0004 had: later versions add to the export's row (holder_writable).
      const existing = new Set((yield* sql<{ c: string }>`
        SELECT column_name AS c FROM information_schema.columns WHERE table_name = ${spec.table.table}`).map((r) => r.c))
      const columns = spec.table.columns.filter((c: string) => existing.has(c))
      for (const row of byKey.values()) {
        yield* sql`INSERT INTO ${sql(spec.table.table)} ${sql.insert(Object.fromEntries(columns.map((c: string) => [c, row[c] ?? null])))}
                   ON CONFLICT DO NOTHING`
      }
    }
  }).pipe(Effect.scoped, Effect.provide(clientFromUrl(Redacted.make(url)))))

it("seals what an earlier version stored in clear, and matches it as a fresh database does", async () => {
  const fresh = await createTestDatabase()
  await runPipeline(fresh, { inbox: sample, outDir: tempDir(), asOf })

  const upgraded = await createTestDatabase()
  await storeInClear(upgraded)
  const clearNumber = (await query<{ n: string }>(upgraded, "SELECT account_number AS n FROM payout_requests WHERE account_number IS NOT NULL ORDER BY request_id LIMIT 1"))[0]!.n
  // The next run migrates; its inbox holds only the schedule (the records are stored already).
  const inbox = tempDir()
  fs.copyFileSync(path.join(sample, "payout_schedule.json"), path.join(inbox, "payout_schedule.json"))
  await runPipeline(upgraded, { inbox, outDir: tempDir(), asOf })

  const columns = (await query<{ c: string }>(upgraded, `
    SELECT table_name || '.' || column_name AS c FROM information_schema.columns
    WHERE table_name IN ('payout_requests', 'transfers', 'shipping_addresses') ORDER BY 1`)).map((r) => r.c)
  for (const clear of ["payout_requests.account_number", "payout_requests.account_holder", "payout_requests.linepay_user_ref",
    "transfers.account_number", "transfers.holder_name", "transfers.wallet_user_ref", "shipping_addresses.phone", "shipping_addresses.recipient_name"]) {
    expect(columns).not.toContain(clear)
  }
  expect(JSON.stringify(await query(upgraded, "SELECT * FROM payout_requests"))).not.toContain(clearNumber)
  const onlyMatching = (findings: Array<string>) => findings.filter((f) => f.startsWith("SHIP_") || f.startsWith("PAY_"))
  const expected = onlyMatching(await raisedFindings(fresh))
  expect(expected.length).toBeGreaterThan(20)
  expect(onlyMatching(await raisedFindings(upgraded))).toEqual(expected)
  // What is stored sealed equals what a fresh database stores, once opened: same hashes.
  const hashes = "SELECT request_id, holder_key, destination_key, account_number_key, account_masked FROM payout_requests ORDER BY 1"
  expect(await query(upgraded, hashes)).toEqual(await query(fresh, hashes))

  // Addresses: one sealed column, opening to what a fresh database stores, same digests.
  expect(columns.filter((c) => c.startsWith("shipping_addresses."))).toEqual([
    "shipping_addresses.address_sealed", "shipping_addresses.changed_run", "shipping_addresses.order_id", "shipping_addresses.sealed_digest"
  ])
  const addresses = (url: string) =>
    Effect.runPromise(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const ids = (yield* sql<{ order_id: string }>`SELECT order_id FROM shipping_addresses ORDER BY 1`).map((r) => r.order_id)
      return [...(yield* (yield* PersonalData).addressesOf(ids)).values()].sort((a, b) => (a.orderId < b.orderId ? -1 : 1))
    }).pipe(Effect.provide(PersonalDataLive.pipe(Layer.provideMerge(databaseLayer(url)))), Effect.scoped))
  const freshAddresses = await addresses(fresh)
  expect(freshAddresses.length).toBeGreaterThan(5)
  expect(await addresses(upgraded)).toEqual(freshAddresses)
  const digests = "SELECT order_id, sealed_digest FROM shipping_addresses ORDER BY 1"
  expect(await query(upgraded, digests)).toEqual(await query(fresh, digests))
}, 120_000)
