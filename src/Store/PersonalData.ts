// The only ways to read a personal value back in clear, one function per use, so that
// each place that shows one is easy to find (docs/privacy.md): account details for a
// bank transfer file, addresses for a label. The workbook queries open the columns they
// show row by row (PayoutQueries, ShippingQueries).
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import { openAddress } from "../Seal/SealedColumns.ts"
import { Sealer } from "../Seal/Sealer.ts"

/** A payout request's bank account, opened. Null fields: not a bank request, or removed by retention. */
export interface AccountDetails {
  readonly requestId: string
  readonly bankCode: string | null
  readonly branchCode: string | null
  readonly accountType: string | null
  readonly accountNumber: string | null
  readonly accountHolder: string | null
  /** The masked number, kept after retention removed the details. */
  readonly accountMasked: string | null
}

export interface ShippingAddress {
  readonly orderId: string
  readonly postalCode: string
  readonly prefecture: string
  readonly city: string
  readonly addressLine: string
  readonly recipientName: string
  readonly phone: string
}

export class PersonalData extends Context.Tag("keshikomi/PersonalData")<PersonalData, {
  /** The opened account details of these payout requests (those that exist). */
  readonly accountDetailsOf: (requestIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, AccountDetails>>
  /** The opened shipping addresses of these orders (those still kept). */
  readonly addressesOf: (orderIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, ShippingAddress>>
}>() {}

const chunk = 5_000

export const PersonalDataLive = Layer.effect(PersonalData, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const sealer = yield* Sealer

  const accountDetailsOf = (requestIds: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const out = new Map<string, AccountDetails>()
      for (let start = 0; start < requestIds.length; start += chunk) {
        const rows = yield* sql<{
          request_id: string
          bank_code: string | null
          branch_code: string | null
          account_type: string | null
          account_masked: string | null
          account_number_sealed: Uint8Array | null
          account_holder_sealed: Uint8Array | null
        }>`
          SELECT request_id, bank_code, branch_code, account_type, account_masked, account_number_sealed, account_holder_sealed
          FROM payout_requests WHERE request_id IN ${sql.in(requestIds.slice(start, start + chunk))}`
        for (const r of rows) {
          out.set(r.request_id, {
            requestId: r.request_id,
            bankCode: r.bank_code,
            branchCode: r.branch_code,
            accountType: r.account_type,
            accountNumber: sealer.openOrNull(r.account_number_sealed),
            accountHolder: sealer.openOrNull(r.account_holder_sealed),
            accountMasked: r.account_masked
          })
        }
      }
      return out as ReadonlyMap<string, AccountDetails>
    }).pipe(Effect.orDie, Effect.withSpan("PersonalData.accountDetailsOf"))

  const addressesOf = (orderIds: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const out = new Map<string, ShippingAddress>()
      for (let start = 0; start < orderIds.length; start += chunk) {
        const rows = yield* sql<{ order_id: string; address_sealed: Uint8Array }>`
          SELECT order_id, address_sealed
          FROM shipping_addresses WHERE order_id IN ${sql.in(orderIds.slice(start, start + chunk))}`
        for (const r of rows) {
          const a = openAddress(sealer, r.address_sealed)
          out.set(r.order_id, {
            orderId: r.order_id,
            postalCode: a.postal_code,
            prefecture: a.prefecture,
            city: a.city,
            addressLine: a.address_line,
            recipientName: a.recipient_name,
            phone: a.phone
          })
        }
      }
      return out as ReadonlyMap<string, ShippingAddress>
    }).pipe(Effect.orDie, Effect.withSpan("PersonalData.addressesOf"))

  return { accountDetailsOf, addressesOf }
}))
