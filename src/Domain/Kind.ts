// The kinds of export a run reads, recognised by the start of the file name, and the
// order in which they are applied (orders before the rows that refer to them).
export const exportKinds = [
  "orders",
  "order_items",
  "shipping_addresses",
  "parcels",
  "reshipments",
  "payout_schedule",
  "payout_requests",
  "bank_transfers",
  "linepay_transfers"
] as const

export type ExportKind = typeof exportKinds[number]

/** The kind of an inbox file from its name; longest prefix first ("order_items_" before "orders_"). */
export const kindOfFileName = (fileName: string): ExportKind | undefined => {
  if (fileName.startsWith("payout_schedule") && fileName.toLowerCase().endsWith(".json")) return "payout_schedule"
  if (!fileName.toLowerCase().endsWith(".csv")) return undefined
  return exportKinds
    .filter((kind) => kind !== "payout_schedule")
    .find((kind) => fileName.startsWith(`${kind}_`))
}

/** Money files are all-or-nothing: one bad row rejects the whole file (inputs.md). */
export const isMoneyKind = (kind: ExportKind) =>
  kind === "payout_requests" || kind === "bank_transfers" || kind === "linepay_transfers" || kind === "payout_schedule"

/**
 * Which workbook may show a finding about a file of this kind, or the file in a
 * summary's file list (reports.md's reader matrix): a money file finance.xlsx only, an
 * order, item, address, parcel or reshipment file shipping.xlsx only. A file whose
 * kind is unknown carries no record of either side and is shown on both.
 */
export const readerSideOfKind = (kind: ExportKind | undefined): "shipping" | "payout" | "both" =>
  kind === undefined ? "both" : isMoneyKind(kind) ? "payout" : "shipping"
