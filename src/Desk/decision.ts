// What the desk answers for one order line of a parcel, read off the findings the
// nightly shipping rules raised for it (src/Match/Shipping.ts, run scoped to the parcel's
// orders). Nothing is decided here that the rules did not decide: this only picks the
// findings that concern the line and says which one staff act on first. Pure, so that a
// test can put the desk's answer beside the next run's findings (docs/desk.md).
import type { OrderCandidate, OrderDecision } from "./Desk.ts"

/** A finding as the rules raise it into current_findings. */
export interface RaisedFinding {
  readonly code: string
  readonly subject_id: string
  readonly related_id: string
  readonly detail: string
}

/** The parcel line being decided, as stored in parcel_lines. */
export interface DecidedLine {
  readonly parcelId: string
  /** Normalised order id (parcel_lines.order_ref). */
  readonly orderRef: string
  /** As typed (parcel_lines.order_ref_typed). */
  readonly orderRefTyped: string
}

/** What the rules computed for the order, beside their findings (their working sets). */
export interface OrderFacts {
  readonly status: string
  readonly receivedQty: number
  readonly orderedQty: number
}

// Codes that need someone to look before the parcel goes anywhere (確認).
const checkCodes = [
  "SHIP_METHOD_NOT_ANONYMOUS",
  "SHIP_ALREADY_SHIPPED",
  "SHIP_SELLER_MISMATCH",
  "SHIP_COUNT_OVER",
  "SHIP_RESHIPPED",
  "SHIP_RESHIP_DUPLICATE",
  "SHIP_RESHIP_WITHOUT_INTAKE"
] as const

// An order's own findings (subject = the order) that bear on what to do with its parcel.
const orderCodes = new Set<string>([
  ...checkCodes,
  "SHIP_ORDER_CANCELLED",
  "SHIP_COUNT_SHORT",
  "SHIP_READY",
  "SHIP_NOT_RESHIPPED"
])

/**
 * The findings that concern this line: its own unknown-id or double-scan finding, the
 * order's findings, and a seller mismatch on any counted parcel of the order (it
 * withholds SHIP_READY for the whole order). Sorted by code, then subject, related.
 */
export const findingsOfLine = (line: DecidedLine, findings: ReadonlyArray<RaisedFinding>): ReadonlyArray<RaisedFinding> =>
  findings
    .filter((f) =>
      f.code === "SHIP_UNKNOWN_ORDER"
        ? f.subject_id === line.parcelId && f.related_id === line.orderRefTyped
        : f.code === "SHIP_DUPLICATE_SCAN"
        ? f.subject_id === line.parcelId && f.related_id === line.orderRef
        : f.code === "SHIP_SELLER_MISMATCH"
        ? f.related_id === line.orderRef
        : orderCodes.has(f.code) && f.subject_id === line.orderRef
    )
    .slice()
    .sort((a, b) => compare(a.code, b.code) || compare(a.subject_id, b.subject_id) || compare(a.related_id, b.related_id))

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

const distinctCodes = (findings: ReadonlyArray<RaisedFinding>) => [...new Set(findings.map((f) => f.code))]

/** The rules' own sentences, as the next morning's workbook will show them. */
const sentences = (findings: ReadonlyArray<RaisedFinding>) => findings.map((f) => `${f.detail}。`).join("")

/** The decision and the finding codes behind it. */
export interface LineVerdict {
  readonly decision: OrderDecision
  readonly codes: ReadonlyArray<string>
}

/**
 * The decision for one line, from the findings of its line (see findingsOfLine):
 * unknown id → 見つかりません; a double scan → 二重スキャン (it counts for nothing else);
 * any finding that needs a look → 確認 (a cancelled order with another problem too is
 * 確認, not 返送: the other problem may change where it goes); cancelled/refunded →
 * 返送; ready → 再発送へ; short → 保留. A label and candidates are filled in by the
 * caller (the label only for a ready order).
 */
export const decideLine = (
  line: DecidedLine,
  lineFindings: ReadonlyArray<RaisedFinding>,
  facts: OrderFacts | undefined,
  firstParcelId: string | undefined
): LineVerdict => {
  const of = (code: string) => lineFindings.filter((f) => f.code === code)
  const unknown = of("SHIP_UNKNOWN_ORDER")
  if (unknown.length > 0) {
    return {
      codes: ["SHIP_UNKNOWN_ORDER"],
      decision: { _tag: "NotFound", orderIdTyped: line.orderRefTyped, candidates: [], message: sentences(unknown) }
    }
  }
  const doubleScan = of("SHIP_DUPLICATE_SCAN")
  if (doubleScan.length > 0) {
    return {
      codes: ["SHIP_DUPLICATE_SCAN"],
      decision: {
        _tag: "DoubleScan",
        orderId: line.orderRef,
        firstParcelId: firstParcelId ?? "",
        message: sentences(doubleScan)
      }
    }
  }
  const orderId = line.orderRef
  const toCheck = lineFindings.filter((f) => (checkCodes as ReadonlyArray<string>).includes(f.code))
  const cancelled = of("SHIP_ORDER_CANCELLED")
  if (toCheck.length > 0) {
    const behind = [...cancelled, ...toCheck]
    return { codes: distinctCodes(behind), decision: { _tag: "Check", orderId, codes: distinctCodes(behind), message: sentences(behind) } }
  }
  if (cancelled.length > 0) {
    return {
      codes: ["SHIP_ORDER_CANCELLED"],
      decision: {
        _tag: "Return",
        orderId,
        reason: facts?.status === "refunded" ? "返金済み" : "キャンセル済み",
        message: sentences(cancelled)
      }
    }
  }
  const ready = of("SHIP_READY")
  if (ready.length > 0) {
    const behind = [...ready, ...of("SHIP_NOT_RESHIPPED")]
    return { codes: distinctCodes(behind), decision: { _tag: "Reship", orderId, label: null, message: sentences(behind) } }
  }
  const short = of("SHIP_COUNT_SHORT")
  if (short.length > 0) {
    return {
      codes: ["SHIP_COUNT_SHORT"],
      decision: {
        _tag: "Hold",
        orderId,
        remaining: facts === undefined ? 0 : facts.orderedQty - facts.receivedQty,
        message: sentences(short)
      }
    }
  }
  // Nothing raised: an order without item lines and nothing received (docs/shipping.md 14).
  return {
    codes: [],
    decision: {
      _tag: "Check",
      orderId,
      codes: [],
      message: `注文 ${orderId} はこの荷物で何も判定されませんでした（注文明細も受領点数も 0）。注文明細と中身を確かめてください。`
    }
  }
}

/**
 * The one-typo candidates in the order staff should look at them: seller on the slip
 * and count both agreeing first, then either, then the rest, each by order id. None is
 * picked: the list is only narrowed by what is on the slip.
 */
export const sortCandidates = (candidates: ReadonlyArray<OrderCandidate>): ReadonlyArray<OrderCandidate> =>
  candidates
    .slice()
    .sort((a, b) =>
      Number(b.sellerMatches) + Number(b.countMatches) - (Number(a.sellerMatches) + Number(a.countMatches)) ||
      Number(b.sellerMatches) - Number(a.sellerMatches) ||
      compare(a.orderId, b.orderId)
    )
