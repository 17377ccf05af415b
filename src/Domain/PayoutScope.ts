/**
 * Some payouts to reconcile (docs/nightly.md): the names of two temporary tables, one
 * with a column `request_id text` (unique), one with `channel text, transfer_id text`
 * (unique together). A scoped raise first widens them to their closure (src/Match/payouts/scope.ts),
 * so that afterwards they name exactly the requests and transfers it reconciled.
 */
export interface PayoutScope {
  readonly requests: string
  readonly transfers: string
}
