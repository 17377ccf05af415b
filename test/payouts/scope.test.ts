// A scoped payout raise is the full raise narrowed: for any requests and transfers it
// widens them to their closure and raises exactly the full raise's findings of the
// closure, and leaves payout_assignments and payout_request_state as a full raise does.
// After records change, a scope holding the changed ones gives what a full raise over
// the changed records gives: outside the closure nothing a full raise decides moved.
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { PayoutMatch, PayoutMatchLive } from "../../src/Match/Payouts.ts"
import { FindingsStore, FindingsStoreLive } from "../../src/Store/FindingsStore.ts"
import { tempDir } from "../support/inbox.ts"
import { seededRandom, type Random } from "../support/randomShipping.ts"
import { createTestDatabase, databaseLayer, query, runPipeline } from "../support/testDatabase.ts"
import {
  type Account,
  accountA,
  accountB,
  accountC,
  amazonRequest,
  bankRequest,
  bankTransfer,
  linePayRequest,
  linePayTransfer,
  writePayoutInbox
} from "./payoutInbox.ts"

interface Raised {
  readonly code: string
  readonly subject_id: string
  readonly related_id: string
  readonly detail: string
}

interface Scope {
  readonly requests: ReadonlyArray<string>
  readonly transfers: ReadonlyArray<readonly [channel: string, transferId: string]>
}

interface Outcome {
  readonly findings: ReadonlyArray<Raised>
  readonly assignments: ReadonlyArray<unknown>
  readonly states: ReadonlyArray<unknown>
  /** The closure the raise reconciled (a scoped raise only). */
  readonly closed: { readonly requests: ReadonlySet<string>; readonly transferIds: ReadonlySet<string> }
}

const asOf = "2023-09-05"
const requestIds = Array.from({ length: 70 }, (_, i) => String(2_308_200_001 + i))

/** Requests and transfers that share accounts, wallets and amounts, so that groups hold several of each. */
const randomInbox = (random: Random) => {
  const amount = () => random.pick([1000, 2500, 5000, 8000])
  const at = () => `2023-08-${String(random.int(7, 20)).padStart(2, "0")} ${String(random.int(10, 18))}:${String(random.int(10, 59))}`
  const status = () => (random.chance(0.1) ? "withdrawn" as const : "requested" as const)
  // The last account and wallet no request names: their transfers are orphans.
  const accounts: ReadonlyArray<Account> = [accountA, accountB, accountC, ...Array.from({ length: 7 }, (_, i) => ({ ...accountA, number: String(2_000_001 + i) }))]
  const wallets = ["LP8f3a9c21", "LP77", "LP99", "LP55", "LP44", "LP00"]
  const requests = requestIds.map((id) => {
    const method = random.int(0, 9)
    return method < 6
      ? { id, method: "bank" as const, amount: amount(), account: random.pick(accounts.slice(0, -1)), line: "" }
      : method < 9
      ? { id, method: "linepay" as const, amount: amount(), wallet: random.pick(wallets.slice(0, -1)), line: "" }
      : { id, method: "amazon_gift" as const, amount: amount(), line: "" }
  })
  const requestLines = requests.map((r) =>
    r.method === "bank"
      ? bankRequest(r.id, { amount: r.amount, at: at(), status: status(), account: r.account })
      : r.method === "linepay"
      ? linePayRequest(r.id, { amount: r.amount, at: at(), status: status(), userRef: r.wallet })
      : amazonRequest(r.id, { amount: r.amount, at: at() })
  )
  // A transfer mostly pays one request (its account or wallet, its amount), now and then
  // naming it, another one or none that exists; some go where no request points.
  const paying = (method: "bank" | "linepay") => {
    const r = random.pick(requests.filter((q) => q.method === method))
    const reference = random.chance(0.3) ? r.id : random.chance(0.05) ? random.pick(requestIds) : random.chance(0.05) ? "2399999999" : undefined
    return { r, reference, amount: random.chance(0.85) ? r.amount : amount(), elsewhere: random.chance(0.1) }
  }
  const bank = Array.from({ length: 55 }, (_, i) => {
    const { r, reference, amount, elsewhere } = paying("bank")
    return bankTransfer(i < 3 ? String(9_000_000_000_000_000_001n + BigInt(i)) : `202309${String(random.int(1, 5)).padStart(2, "0")}-${String(i).padStart(6, "0")}`, {
      date: `2023/${random.chance(0.2) ? "08/2" + random.int(1, 9) : "09/0" + random.int(1, 5)}`,
      amount,
      account: elsewhere ? accounts[accounts.length - 1]! : "account" in r ? r.account : accountA,
      ...(reference === undefined ? {} : { code: reference }),
      result: random.chance(0.75) ? "完了" as const : random.pick(["不能", "取消"] as const),
      ...(random.chance(0.1) ? { holder: "ｻﾄｳ ﾊﾅｺ" } : {})
    })
  })
  // The first ids are also bank 受付番号: one PAY_ORPHAN_TRANSFER per id, whatever the channel.
  const linePay = Array.from({ length: 30 }, (_, i) => {
    const { r, reference, amount, elsewhere } = paying("linepay")
    return linePayTransfer(String(9_000_000_000_000_000_001n + BigInt(i)), {
      at: `2023-09-0${random.int(1, 5)} 1${random.int(0, 9)}:00`,
      amount,
      ...(reference === undefined ? {} : { reference }),
      userRef: elsewhere ? wallets[wallets.length - 1]! : "wallet" in r ? r.wallet : wallets[0]!,
      status: random.chance(0.8) ? "COMPLETE" : random.pick(["FAILED", "CANCELLED"] as const)
    })
  })
  return writePayoutInbox({ requests: requestLines, bank, linePay })
}

const raiseLayer = (url: string) =>
  Layer.mergeAll(PayoutMatchLive, FindingsStoreLive).pipe(Layer.provideMerge(databaseLayer(url)))

/** Raises as of `asOf` (over `scope` when given) in a committed transaction; what it left. */
const raise = (url: string, scope?: Scope) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const payouts = yield* PayoutMatch
      const findings = yield* FindingsStore
      return yield* Effect.gen(function*() {
        yield* findings.begin
        if (scope !== undefined) {
          yield* sql`CREATE TEMP TABLE test_requests (request_id text PRIMARY KEY) ON COMMIT DROP`
          yield* sql`CREATE TEMP TABLE test_transfers (channel text, transfer_id text, PRIMARY KEY (channel, transfer_id)) ON COMMIT DROP`
          if (scope.requests.length > 0) yield* sql`INSERT INTO test_requests ${sql.insert(scope.requests.map((request_id) => ({ request_id })))}`
          if (scope.transfers.length > 0) {
            yield* sql`INSERT INTO test_transfers ${sql.insert(scope.transfers.map(([channel, transfer_id]) => ({ channel, transfer_id })))}`
          }
        }
        yield* payouts.raise(asOf, scope === undefined ? undefined : { requests: "test_requests", transfers: "test_transfers" })
        const raised = yield* sql<Raised>`
          SELECT code, subject_id, related_id, detail FROM current_findings ORDER BY code, subject_id, related_id, detail`
        const closed = scope === undefined
          ? { requests: new Set<string>(), transferIds: new Set<string>() }
          : {
            requests: new Set((yield* sql<{ id: string }>`SELECT request_id AS id FROM test_requests`).map((r) => r.id)),
            transferIds: new Set((yield* sql<{ id: string }>`SELECT transfer_id AS id FROM test_transfers`).map((r) => r.id))
          }
        return { findings: raised, closed }
      }).pipe(sql.withTransaction)
    }).pipe(Effect.provide(raiseLayer(url)), Effect.scoped, Effect.orDie)
  ).then(async ({ findings, closed }): Promise<Outcome> => ({
    findings,
    closed,
    assignments: await query(url, `SELECT channel, transfer_id, request_id, matched_by FROM payout_assignments ORDER BY 1, 2`),
    states: await query(url, `SELECT * FROM payout_request_state ORDER BY request_id`)
  }))

/** A full raise's findings of a closure: request findings by their request, orphans by their transfer id. */
const restricted = (findings: ReadonlyArray<Raised>, closed: Outcome["closed"]) =>
  findings.filter((f) => (f.code === "PAY_ORPHAN_TRANSFER" ? closed.transferIds : closed.requests).has(f.subject_id))

const randomScope = async (url: string, random: Random, share: number): Promise<Scope> => ({
  requests: requestIds.filter(() => random.chance(share)),
  transfers: (await query<{ channel: string; transfer_id: string }>(url, `SELECT channel, transfer_id FROM transfers ORDER BY 1, 2`))
    .filter(() => random.chance(share))
    .map((t) => [t.channel, t.transfer_id] as const)
})

describe("the scoped payout raise", () => {
  let url: string
  let full: Outcome

  beforeAll(async () => {
    url = await createTestDatabase()
    const result = await runPipeline(url, { inbox: randomInbox(seededRandom(21)), outDir: tempDir(), asOf })
    expect(result.exitCode, JSON.stringify(result.ingest.files)).toBe(0)
    full = await raise(url)
  })

  it("raises the payout rules' codes on the random data", () => {
    const codes = new Set(full.findings.map((f) => f.code))
    for (const code of ["PAY_MATCHED", "PAY_PENDING", "PAY_UNPAID_OVERDUE", "PAY_DEFERRED", "PAY_TRANSFER_FAILED", "PAY_AMOUNT_MISMATCH", "PAY_DUPLICATE", "PAY_ACCOUNT_MISMATCH", "PAY_NAME_MISMATCH", "PAY_LATE", "PAY_WITHDRAWN_BUT_PAID", "PAY_ORPHAN_TRANSFER"]) {
      expect(codes).toContain(code)
    }
  })

  it("over random requests and transfers raises exactly the full raise's findings of their closure", async () => {
    const random = seededRandom(5)
    const scopes: Array<Scope> = [
      { requests: [], transfers: [] },
      { requests: [requestIds[0]!], transfers: [] },
      { requests: ["2399999999"], transfers: [] },
      { requests: [], transfers: [["linepay", "9000000000000000001"]] }
    ]
    for (const share of [0.02, 0.05, 0.1, 0.3]) scopes.push(await randomScope(url, random, share))
    for (const scope of scopes) {
      const scoped = await raise(url, scope)
      const label = JSON.stringify(scope)
      for (const id of scope.requests) expect(scoped.closed.requests, label).toContain(id)
      // The closure is a closure, not everything: small scopes stay small.
      if (scope.requests.length + scope.transfers.length <= 1) expect(scoped.closed.requests.size, label).toBeLessThan(requestIds.length / 2)
      expect(scoped.findings, label).toEqual(restricted(full.findings, scoped.closed))
      expect(scoped.assignments, label).toEqual(full.assignments)
      expect(scoped.states, label).toEqual(full.states)
    }
  })

  it("after records change, over the changed ones gives what a full raise gives, and nothing outside the closure moved", async () => {
    const random = seededRandom(9)
    for (let round = 0; round < 8; round++) {
      const before = await raise(url)
      const changedRequests = requestIds.filter(() => random.chance(0.04))
      const transfers = await query<{ channel: string; transfer_id: string }>(url, `SELECT channel, transfer_id FROM transfers ORDER BY 1, 2`)
      const changedTransfers = transfers.filter(() => random.chance(0.04))
      // Each change drawn from the seed, so that a failing round can be replayed.
      const amount = () => random.pick([1000, 2500, 5000])
      for (const id of changedRequests) {
        const [change, value] = random.pick([
          [`amount = $2::bigint`, amount()],
          [`status = CASE status WHEN 'requested' THEN 'withdrawn' ELSE 'requested' END WHERE $2::text IS NOT NULL AND`, ""],
          [`destination_key = (SELECT destination_key FROM payout_requests WHERE request_id = $2)`, random.pick(requestIds)],
          [`requested_at = requested_at - $2::int * interval '1 day'`, random.int(1, 5)]
        ] as const)
        const where = change.endsWith("AND") ? "" : "WHERE"
        await query(url, `UPDATE payout_requests SET ${change} ${where} request_id = $1`, [id, value])
      }
      for (const t of changedTransfers) {
        const other = random.pick(transfers)
        const [change, value] = random.pick([
          [`amount = $3::bigint`, amount()],
          [`outcome = CASE outcome WHEN 'completed' THEN 'failed' ELSE 'completed' END WHERE $3::text IS NOT NULL AND`, ""],
          [`reference = nullif($3, '')`, random.pick(["", "2399999999", random.pick(requestIds)])],
          [`transfer_date = transfer_date + $3::int`, random.int(-3, 3)],
          [`destination_key = (SELECT destination_key FROM transfers o WHERE o.channel = transfers.channel AND o.transfer_id = $3)`,
            other.channel === t.channel ? other.transfer_id : t.transfer_id]
        ] as const)
        const where = change.endsWith("AND") ? "" : "WHERE"
        await query(url, `UPDATE transfers SET ${change} ${where} channel = $1 AND transfer_id = $2`, [t.channel, t.transfer_id, value])
      }
      const label = `round ${round}: ${JSON.stringify({ changedRequests, changedTransfers })}`
      const scoped = await raise(url, { requests: changedRequests, transfers: changedTransfers.map((t) => [t.channel, t.transfer_id] as const) })
      const after = await raise(url)
      expect(scoped.findings, label).toEqual(restricted(after.findings, scoped.closed))
      // Outside the closure the full raise decides what it decided before the change.
      const outside = (findings: ReadonlyArray<Raised>) => {
        const inside = new Set(restricted(findings, scoped.closed))
        return findings.filter((f) => !inside.has(f))
      }
      expect(outside(after.findings), label).toEqual(outside(before.findings))
      expect(scoped.assignments, label).toEqual(after.assignments)
      expect(scoped.states, label).toEqual(after.states)
    }
  })
})
