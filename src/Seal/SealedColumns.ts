// How each record with personal values is stored: which columns hold sealed bytes,
// which hold keyed hashes for matching, and the masked account number for display.
// Ingest hands over decoded rows in clear; this turns them into what is stored, so
// that no clear personal value reaches an SQL statement.
import type { SealerShape } from "./Sealer.ts"

type Clear = Readonly<Record<string, unknown>>
const text = (value: unknown) => (value === null || value === undefined ? null : String(value))

/** '****567': the last three digits, as finance may see an account number (reports.md). */
export const maskAccountNumber = (accountNumber: string | null) =>
  accountNumber === null ? null : `****${accountNumber.slice(-3)}`

/**
 * Where money goes, as one comparable keyed hash: the bank account (bank, branch,
 * type, number) when the record names one, else the wallet user. Null parts make the
 * account form null, as before sealing (payout_destination in migration 0003).
 */
export const destinationKey = (
  sealer: SealerShape,
  parts: { bank: string | null; branch: string | null; type: string | null; number: string | null; wallet: string | null }
) => {
  if (parts.number !== null) {
    return parts.bank === null || parts.branch === null || parts.type === null
      ? null
      : sealer.equalityKey(`account:${parts.bank}-${parts.branch}-${parts.type}-${parts.number}`)
  }
  return parts.wallet === null ? null : sealer.equalityKey(`wallet:${parts.wallet}`)
}

export const accountNumberKey = (sealer: SealerShape, accountNumber: string | null) =>
  accountNumber === null ? null : sealer.equalityKey(`number:${accountNumber}`)

/** `normalisedHolder` is normaliseHolderName(...) of the name (src/Domain/HolderName.ts). */
export const holderKey = (sealer: SealerShape, normalisedHolder: string | null) =>
  normalisedHolder === null ? null : sealer.equalityKey(`holder:${normalisedHolder}`)

export interface SealedTable {
  /** The stored columns, replacing the clear ones of the export's table spec. */
  readonly columns: ReadonlyArray<string>
  /** Sealed columns and the clear column each one holds, for rekey and retention. */
  readonly sealed: Readonly<Record<string, string>>
  /** The GCM additional data a sealed column's values are bound to, where they are (rekey keeps it). */
  readonly contexts?: Readonly<Record<string, string>>
  /** The clear values the row holds sealed, in the order `sealed_digest` hashes them. */
  readonly clearFields: ReadonlyArray<string>
  readonly key: ReadonlyArray<string>
  readonly toStored: (sealer: SealerShape, row: Clear) => Record<string, unknown>
}

const payoutRequests: SealedTable = {
  key: ["request_id"],
  columns: [
    "request_id", "service", "kind", "user_id", "amount", "method", "requested_at", "status",
    "bank_code", "branch_code", "account_type", "account_masked",
    "account_number_sealed", "account_holder_sealed", "linepay_user_ref_sealed",
    "account_number_key", "holder_key", "holder_writable", "destination_key"
  ],
  sealed: {
    account_number_sealed: "account_number",
    account_holder_sealed: "account_holder",
    linepay_user_ref_sealed: "linepay_user_ref"
  },
  clearFields: ["account_number", "account_holder", "linepay_user_ref"],
  toStored: (sealer, row) => {
    const number = text(row.account_number)
    return {
      request_id: row.request_id,
      service: row.service,
      kind: row.kind,
      user_id: row.user_id,
      amount: row.amount,
      method: row.method,
      requested_at: row.requested_at,
      status: row.status,
      bank_code: text(row.bank_code),
      branch_code: text(row.branch_code),
      account_type: text(row.account_type),
      account_masked: maskAccountNumber(number),
      account_number_sealed: sealer.sealOrNull(number),
      account_holder_sealed: sealer.sealOrNull(text(row.account_holder)),
      linepay_user_ref_sealed: sealer.sealOrNull(text(row.linepay_user_ref)),
      account_number_key: accountNumberKey(sealer, number),
      holder_key: holderKey(sealer, text(row.holder_key)),
      // Decided on the clear name at ingest: can the banks' character set write it?
      holder_writable: row.holder_writable ?? null,
      destination_key: destinationKey(sealer, {
        bank: text(row.bank_code), branch: text(row.branch_code), type: text(row.account_type), number,
        wallet: text(row.linepay_user_ref)
      })
    }
  }
}

const transfers: SealedTable = {
  key: ["channel", "transfer_id"],
  columns: [
    "channel", "transfer_id", "reference", "amount", "outcome", "transfer_date",
    "bank_code", "branch_code", "account_type", "account_masked",
    "account_number_sealed", "holder_name_sealed", "wallet_user_ref_sealed",
    "account_number_key", "holder_key", "destination_key", "fee", "failure_reason"
  ],
  sealed: {
    account_number_sealed: "account_number",
    holder_name_sealed: "holder_name",
    wallet_user_ref_sealed: "wallet_user_ref"
  },
  clearFields: ["account_number", "holder_name", "wallet_user_ref"],
  toStored: (sealer, row) => {
    const number = text(row.account_number)
    return {
      channel: row.channel,
      transfer_id: row.transfer_id,
      reference: row.reference ?? null,
      amount: row.amount,
      outcome: row.outcome,
      transfer_date: row.transfer_date,
      bank_code: text(row.bank_code),
      branch_code: text(row.branch_code),
      account_type: text(row.account_type),
      account_masked: maskAccountNumber(number),
      account_number_sealed: sealer.sealOrNull(number),
      holder_name_sealed: sealer.sealOrNull(text(row.holder_name)),
      wallet_user_ref_sealed: sealer.sealOrNull(text(row.wallet_user_ref)),
      account_number_key: accountNumberKey(sealer, number),
      holder_key: holderKey(sealer, text(row.holder_key)),
      destination_key: destinationKey(sealer, {
        bank: text(row.bank_code), branch: text(row.branch_code), type: text(row.account_type), number,
        wallet: text(row.wallet_user_ref)
      }),
      fee: row.fee ?? null,
      failure_reason: row.failure_reason ?? null
    }
  }
}

export const addressFields = ["postal_code", "prefecture", "city", "address_line", "recipient_name", "phone"] as const
export type AddressField = typeof addressFields[number]

/**
 * An address as stored since migration 0020: all six fields as ONE sealed value (a JSON
 * array, in the order of `addressFields`), bound to its table, column and field layout
 * as GCM additional data, so that it opens nowhere else. One seal per row instead of six.
 */
export const addressContext = `shipping_addresses.address_sealed:${JSON.stringify(addressFields)}`

export const sealAddress = (sealer: SealerShape, row: Clear) =>
  sealer.seal(JSON.stringify(addressFields.map((f) => String(row[f] ?? ""))), addressContext)

export const openAddress = (sealer: SealerShape, sealed: Uint8Array): Record<AddressField, string> => {
  const values: unknown = JSON.parse(sealer.open(sealed, addressContext))
  if (!Array.isArray(values) || values.length !== addressFields.length || !values.every((v) => typeof v === "string")) {
    throw new Error("a sealed address does not hold the six address fields")
  }
  return Object.fromEntries(addressFields.map((f, i) => [f, values[i] as string])) as Record<AddressField, string>
}

const shippingAddresses: SealedTable = {
  key: ["order_id"],
  columns: ["order_id", "address_sealed"],
  sealed: { address_sealed: "address" },
  contexts: { address_sealed: addressContext },
  clearFields: addressFields,
  toStored: (sealer, row) => ({ order_id: row.order_id, address_sealed: sealAddress(sealer, row) })
}

/**
 * Addresses as migrations 0005 and 0010 stored them (one sealed column per field), so
 * that those migrations keep doing what they did; 0020 turns them into `address_sealed`.
 */
export const perFieldAddresses: SealedTable = {
  key: ["order_id"],
  columns: ["order_id", ...addressFields.map((f) => `${f}_sealed`)],
  sealed: Object.fromEntries(addressFields.map((f) => [`${f}_sealed`, f])),
  clearFields: addressFields,
  toStored: (sealer, row) => ({
    order_id: row.order_id,
    ...Object.fromEntries(addressFields.map((f) => [`${f}_sealed`, sealer.seal(String(row[f] ?? ""))]))
  })
}

/**
 * One keyed hash of all the clear values a row holds sealed, so that ingest can tell a
 * changed row from a re-export of the same values (each seal has a random nonce, so the
 * sealed bytes always differ). Stored as `sealed_digest` (migration 0010). It hashes the
 * clear fields, not the stored layout: 0020 changed how addresses are sealed, not this.
 */
export const sealedDigest = (sealer: SealerShape, spec: SealedTable, clear: Clear) =>
  sealer.equalityKey(`row:${JSON.stringify(spec.clearFields.map((c) => text(clear[c])))}`)

/** Every table that holds personal values, by name. */
export const sealedTables: Readonly<Record<string, SealedTable>> = {
  payout_requests: payoutRequests,
  transfers,
  shipping_addresses: shippingAddresses
}
