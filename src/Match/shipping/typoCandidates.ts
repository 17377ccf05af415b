// The orders an unknown order id may have meant: every well-formed id one typo away.
// Generated here (typoNeighbours is the tested rule) for the few unknown ids, then
// looked up in the database in one query.
import { typoNeighbours } from "../../Domain/OrderId.ts"

export type TypoCandidate = {
  /** The unknown id, normalised as stored in parcel_lines.order_ref. */
  readonly order_ref: string
  /** A well-formed order id one typo away from it. */
  readonly candidate: string
}

/** At most 82 candidates per id (72 substitutions + 10 swaps). */
export const typoCandidates = (orderRefs: Iterable<string>): Array<TypoCandidate> => {
  const rows: Array<TypoCandidate> = []
  for (const orderRef of orderRefs) {
    for (const candidate of typoNeighbours(orderRef)) rows.push({ order_ref: orderRef, candidate })
  }
  return rows
}
