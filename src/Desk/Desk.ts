// The intake desk (issue 13): shipping staff scan a parcel and get each order's decision
// at once. This file is the contract between the desk's core (intake storage, decisions
// from the nightly run's own shipping rules) and its web front (src/Desk/Server.ts).
// Everything staff-facing is Japanese; nothing here says anything about payouts, and an
// address appears only on a ready order.
import { Context, Data, type Effect, type Stream } from "effect"
import type { ShippingAddress } from "../Store/PersonalData.ts"

export type Condition = "良好" | "破損" | "開封"

/** One order declared in the parcel, as typed or scanned at the desk. */
export interface IntakeOrderLine {
  /** 注文ID as scanned or typed; normalised exactly as the parcels export is. */
  readonly orderIdTyped: string
  /** 点数: whole number ≥ 0. */
  readonly itemCount: number
}

/** One parcel as the desk submits it: the parcels export's columns but 受付番号/受付日時. */
export interface ParcelIntake {
  /** 配送業者. */
  readonly carrier: string
  /** 伝票番号: digits and hyphens. */
  readonly trackingNo: string
  /** 頒布者ID on the slip; may be absent. */
  readonly sellerId?: string | undefined
  readonly condition: Condition
  /** 備考. */
  readonly note: string
  readonly orders: ReadonlyArray<IntakeOrderLine>
  /** Who is at the desk (for the audit trail); not a secret. */
  readonly by: string
}

/** The label fields of a ready order (reports.md: the shipping reader's right). */
export type ShippingLabel = Omit<ShippingAddress, "orderId">

/** A stored order one typo away from an unknown id, with what narrows the choice. */
export interface OrderCandidate {
  readonly orderId: string
  readonly sellerId: string
  readonly circleName: string
  readonly orderedQty: number
  /** Seller on the slip and item count agree with this order. */
  readonly sellerMatches: boolean
  readonly countMatches: boolean
}

/**
 * The decision for one order line, computed by the nightly run's shipping rules on the
 * database with this intake saved (one implementation, src/Match/Shipping.ts).
 */
export type OrderDecision =
  | { readonly _tag: "Reship"; readonly orderId: string; readonly label: ShippingLabel | null; readonly message: string }
  | { readonly _tag: "Hold"; readonly orderId: string; readonly remaining: number; readonly message: string }
  | { readonly _tag: "Return"; readonly orderId: string; readonly reason: "キャンセル済み" | "返金済み"; readonly message: string }
  | {
    readonly _tag: "Check"
    readonly orderId: string
    /** The finding codes behind it: SHIP_METHOD_NOT_ANONYMOUS, SHIP_ALREADY_SHIPPED, SHIP_SELLER_MISMATCH, SHIP_COUNT_OVER, … */
    readonly codes: ReadonlyArray<string>
    readonly message: string
  }
  | { readonly _tag: "DoubleScan"; readonly orderId: string; readonly firstParcelId: string; readonly message: string }
  | { readonly _tag: "NotFound"; readonly orderIdTyped: string; readonly candidates: ReadonlyArray<OrderCandidate>; readonly message: string }

/** One saved parcel line (a row of parcel_lines, source desk). */
export interface IntakeLine {
  /** 受付番号 IN-YYYYMMDD-NNNN, assigned by the server. */
  readonly parcelId: string
  /** 受付日時, ISO 8601 with +09:00. */
  readonly receivedAt: string
  readonly orderIdTyped: string
  readonly orderId: string
  readonly itemCount: number
  readonly withdrawn: boolean
}

export interface IntakeResult {
  readonly parcelId: string
  readonly receivedAt: string
  /** One per order line, in the order submitted. */
  readonly decisions: ReadonlyArray<{ readonly line: IntakeLine; readonly decision: OrderDecision }>
}

/** A line corrected at the desk: a new order id and/or count; audited like decisions. */
export interface IntakeCorrection {
  readonly parcelId: string
  readonly orderIdTyped: string
  readonly newOrderIdTyped?: string | undefined
  readonly newItemCount?: number | undefined
  readonly by: string
  readonly reason: string
}

export interface IntakeWithdrawal {
  readonly parcelId: string
  readonly orderIdTyped: string
  readonly by: string
  readonly reason: string
}

/** Input that breaks the parcels export's rules: one clear Japanese sentence. */
export class IntakeRejected extends Data.TaggedError("IntakeRejected")<{
  readonly field: string
  readonly message: string
}> {}

export class IntakeNotFound extends Data.TaggedError("IntakeNotFound")<{
  readonly parcelId: string
  readonly message: string
}> {}

export class Desk extends Context.Tag("keshikomi/Desk")<Desk, {
  /** Saves the parcel (its lines get one new 受付番号) and decides each order line. */
  readonly receive: (intake: ParcelIntake, asOf?: string) => Effect.Effect<IntakeResult, IntakeRejected>
  /** Decides again after a correction; the old line is replaced, the change audited. */
  readonly correct: (correction: IntakeCorrection, asOf?: string) => Effect.Effect<IntakeResult, IntakeRejected | IntakeNotFound>
  readonly withdraw: (withdrawal: IntakeWithdrawal) => Effect.Effect<void, IntakeRejected | IntakeNotFound>
  /** The desk's lines received on a Japan date (YYYY-MM-DD), withdrawn ones marked. */
  readonly day: (date: string) => Effect.Effect<ReadonlyArray<IntakeLine>>
  /** The day's intake as a parcels CSV in the export's format (UTF-8 with BOM, CRLF). */
  readonly dayCsv: (date: string) => Stream.Stream<Uint8Array>
}>() {}
