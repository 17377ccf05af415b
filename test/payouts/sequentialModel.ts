// findings.md's matching steps read as the loop they describe, one transfer at a time.
// The SQL does the same set-based; the tests compare the two on seeded random inboxes.

export interface ModelRequest {
  readonly requestId: string
  /** The channel that pays the request's method; undefined for a deferred method. */
  readonly channel: string | undefined
  readonly destination: string | undefined
  readonly amount: number
  /** Any form that sorts in time order (ISO instant in UTC). */
  readonly requestedAt: string
}

export interface ModelTransfer {
  readonly channel: string
  readonly transferId: string
  readonly reference: string | undefined
  readonly destination: string
  readonly amount: number
  readonly completed: boolean
  /** YYYY-MM-DD */
  readonly date: string
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** `channel:transfer_id` → request_id, for every transfer that belongs to a request. */
export const assignSequentially = (
  requests: ReadonlyArray<ModelRequest>,
  transfers: ReadonlyArray<ModelTransfer>
): Map<string, string> => {
  const known = new Set(requests.map((r) => r.requestId))
  const owner = new Map<string, string>()
  const paid = new Set<string>()
  const key = (t: ModelTransfer) => `${t.channel}:${t.transferId}`
  // 1. By reference, whatever else.
  for (const t of transfers) {
    if (t.reference !== undefined && known.has(t.reference)) {
      owner.set(key(t), t.reference)
      if (t.completed) paid.add(t.reference)
    }
  }
  // 2. The rest in order of date then id, on destination and amount.
  const rest = transfers
    .filter((t) => !owner.has(key(t)))
    .sort((a, b) => byText(a.date, b.date) || byText(a.transferId, b.transferId))
  for (const t of rest) {
    const candidates = requests
      .filter((r) => r.channel === t.channel && r.destination === t.destination && r.amount === t.amount)
      .sort((a, b) => byText(a.requestedAt, b.requestedAt) || byText(a.requestId, b.requestId))
    if (candidates.length === 0) continue
    const target = candidates.find((r) => !paid.has(r.requestId)) ?? candidates[0]!
    owner.set(key(t), target.requestId)
    if (t.completed) paid.add(target.requestId)
  }
  return owner
}
