// Finding codes and severities exactly as docs/findings.md defines them.

export type Severity = "error" | "warning" | "info"

/** Which workbook a finding belongs to; input findings appear in both. */
export type Side = "shipping" | "payout" | "input"

export const findingCodes = {
  SHIP_UNKNOWN_ORDER: { severity: "error", side: "shipping" },
  SHIP_DUPLICATE_SCAN: { severity: "warning", side: "shipping" },
  SHIP_ORDER_CANCELLED: { severity: "error", side: "shipping" },
  SHIP_METHOD_NOT_ANONYMOUS: { severity: "error", side: "shipping" },
  SHIP_ALREADY_SHIPPED: { severity: "error", side: "shipping" },
  SHIP_SELLER_MISMATCH: { severity: "error", side: "shipping" },
  SHIP_COUNT_SHORT: { severity: "warning", side: "shipping" },
  SHIP_COUNT_OVER: { severity: "error", side: "shipping" },
  SHIP_READY: { severity: "info", side: "shipping" },
  SHIP_NOT_RESHIPPED: { severity: "warning", side: "shipping" },
  SHIP_RESHIPPED: { severity: "info", side: "shipping" },
  SHIP_RESHIP_WITHOUT_INTAKE: { severity: "error", side: "shipping" },
  SHIP_RESHIP_DUPLICATE: { severity: "error", side: "shipping" },
  SHIP_AWAITING_PARCEL: { severity: "info", side: "shipping" },
  PAY_MATCHED: { severity: "info", side: "payout" },
  PAY_PENDING: { severity: "info", side: "payout" },
  PAY_SCHEDULED: { severity: "info", side: "payout" },
  PAY_DEFERRED: { severity: "info", side: "payout" },
  PAY_UNPAID_OVERDUE: { severity: "error", side: "payout" },
  PAY_TRANSFER_FAILED: { severity: "error", side: "payout" },
  PAY_AMOUNT_MISMATCH: { severity: "error", side: "payout" },
  PAY_DUPLICATE: { severity: "error", side: "payout" },
  PAY_ACCOUNT_MISMATCH: { severity: "error", side: "payout" },
  PAY_NAME_MISMATCH: { severity: "warning", side: "payout" },
  PAY_METHOD_MISMATCH: { severity: "warning", side: "payout" },
  PAY_LATE: { severity: "warning", side: "payout" },
  PAY_WITHDRAWN_BUT_PAID: { severity: "error", side: "payout" },
  PAY_ORPHAN_TRANSFER: { severity: "error", side: "payout" },
  PAY_BANK_UNKNOWN: { severity: "error", side: "payout" },
  PAY_HOLDER_NAME_INVALID: { severity: "error", side: "payout" },
  INPUT_FILE_REJECTED: { severity: "error", side: "input" },
  INPUT_ROW_REJECTED: { severity: "error", side: "input" }
} as const satisfies Record<string, { readonly severity: Severity; readonly side: Side }>

export type FindingCode = keyof typeof findingCodes

export const allFindingCodes = Object.keys(findingCodes) as ReadonlyArray<FindingCode>

/** One fact staff act on. `relatedId` is "" when the code has no related record. */
export interface Finding {
  readonly code: FindingCode
  readonly subjectId: string
  readonly relatedId: string
  readonly detail: string
}

export const severityOf = (code: FindingCode): Severity => findingCodes[code].severity
export const sideOf = (code: FindingCode): Side => findingCodes[code].side
