// The closure of a payout scope: every request and transfer whose assignment or findings
// can depend on what the scope names, so that the rules run over the closed scope read
// exactly the rows a full run reads for those findings (docs/nightly.md).
//
// What the assignment (assignment.ts) reads to place a transfer t and to total a request r:
//   - t's reference: the request it names (step 1), or that none does (step 2);
//   - within t's group (channel, destination, amount): every candidate request of the
//     group, whether each is taken (a completed transfer referencing it), and every other
//     transfer of the group, in order;
//   - for r: the transfers assigned to it, which reference it or are in its group.
// So the closure holds, for each request: its group now and as the last run saw it
// (payout_request_state: a changed amount or destination leaves a group whose pairs
// move), the transfers referencing it and those the last run assigned to it; for each
// transfer: its group, the request its reference names, the request the last run gave it
// to, and the transfers of other channels with its id (one PAY_ORPHAN_TRANSFER per id);
// for each group: its requests and its transfers. Repeated until nothing is added.
// Given a scope that holds every request and transfer changed since the last run, every
// request and transfer outside the closure has the same assignment, totals and findings
// as the last run gave it.
import type { SqlClient, Statement } from "@effect/sql"
import { Effect } from "effect"
import type { PayoutScope } from "../../Domain/PayoutScope.ts"

const requestsTable = "payout_closure_request"
const transfersTable = "payout_closure_transfer"
const groupsTable = "payout_closure_group"

/** Widens `scope`'s tables to their closure; returns how many requests and transfers it holds. */
export const closeScope = (sql: SqlClient.SqlClient, scope: PayoutScope) =>
  Effect.gen(function*() {
    const requests = sql(requestsTable)
    const transfers = sql(transfersTable)
    const groups = sql(groupsTable)
    // Each row keeps the round that added it: a round widens from the rows the previous one added.
    yield* sql`CREATE TEMP TABLE ${requests} (request_id text PRIMARY KEY, round int NOT NULL) ON COMMIT DROP`
    yield* sql`CREATE TEMP TABLE ${transfers} (channel text, transfer_id text, round int NOT NULL, PRIMARY KEY (channel, transfer_id)) ON COMMIT DROP`
    yield* sql`CREATE TEMP TABLE ${groups} (channel text, destination bytea, amount bigint, round int NOT NULL, PRIMARY KEY (channel, destination, amount)) ON COMMIT DROP`
    yield* sql`INSERT INTO ${requests} SELECT DISTINCT request_id, 0 FROM ${sql(scope.requests)}`
    yield* sql`INSERT INTO ${transfers} SELECT DISTINCT channel, transfer_id, 0 FROM ${sql(scope.transfers)}`

    const added = (statement: Statement.Fragment) =>
      sql<{ n: number }>`WITH added AS (${statement} RETURNING 1) SELECT count(*)::int AS n FROM added`.pipe(
        Effect.map((rows) => rows[0]!.n)
      )
    const addRequests = (round: number, select: Statement.Fragment) =>
      added(sql`INSERT INTO ${requests} (request_id, round) SELECT DISTINCT s.request_id, ${round}::int FROM (${select}) s (request_id) ON CONFLICT DO NOTHING`)
    const addTransfers = (round: number, select: Statement.Fragment) =>
      added(sql`INSERT INTO ${transfers} (channel, transfer_id, round) SELECT DISTINCT s.channel, s.transfer_id, ${round}::int FROM (${select}) s (channel, transfer_id) ON CONFLICT DO NOTHING`)
    const addGroups = (round: number, select: Statement.Fragment) =>
      added(sql`
        INSERT INTO ${groups} (channel, destination, amount, round)
        SELECT DISTINCT s.channel, s.destination, s.amount, ${round}::int FROM (${select}) s (channel, destination, amount)
        WHERE s.channel IS NOT NULL AND s.destination IS NOT NULL AND s.amount IS NOT NULL
        ON CONFLICT DO NOTHING`)

    for (let round = 1;; round++) {
      const last = round - 1
      // Temporary tables have no statistics of their own: without them the planner takes
      // the closure for large and reads whole record tables in every statement of every
      // round, where a few index lookups do (a 1M night spent minutes here).
      yield* sql`ANALYZE ${requests}, ${transfers}, ${groups}`
      const newRequests = sql`(SELECT request_id FROM ${requests} WHERE round = ${last})`
      const newTransfers = sql`(SELECT channel, transfer_id FROM ${transfers} WHERE round = ${last})`
      const counts = [
        // A request: its group now and as the last run saw it, the transfers naming it,
        // the transfers the last run gave it.
        yield* addGroups(round, sql`
          SELECT m.channel, r.destination_key, r.amount FROM payout_requests r
          JOIN payout_methods m ON m.method = r.method
          WHERE r.request_id IN ${newRequests}`),
        yield* addGroups(round, sql`
          SELECT s.group_channel, s.group_destination, s.group_amount FROM payout_request_state s
          WHERE s.request_id IN ${newRequests}`),
        yield* addTransfers(round, sql`SELECT t.channel, t.transfer_id FROM transfers t WHERE t.reference IN ${newRequests}`),
        yield* addTransfers(round, sql`SELECT a.channel, a.transfer_id FROM payout_assignments a WHERE a.request_id IN ${newRequests}`),
        // A transfer: its group, the request its reference names, the request the last run
        // gave it, the transfers of other channels with its id.
        yield* addGroups(round, sql`
          SELECT t.channel, t.destination_key, t.amount FROM transfers t
          WHERE (t.channel, t.transfer_id) IN ${newTransfers}`),
        yield* addRequests(round, sql`
          SELECT r.request_id FROM transfers t JOIN payout_requests r ON r.request_id = t.reference
          WHERE (t.channel, t.transfer_id) IN ${newTransfers}`),
        yield* addRequests(round, sql`
          SELECT a.request_id FROM payout_assignments a WHERE (a.channel, a.transfer_id) IN ${newTransfers}`),
        yield* addTransfers(round, sql`
          SELECT other.channel, other.transfer_id FROM ${transfers} s JOIN transfers other ON other.transfer_id = s.transfer_id
          WHERE s.round = ${last}`),
        // A group: its requests and its transfers.
        yield* addRequests(round, sql`
          SELECT r.request_id FROM ${groups} g
          JOIN payout_requests r ON r.destination_key = g.destination AND r.amount = g.amount
          JOIN payout_methods m ON m.method = r.method AND m.channel = g.channel
          WHERE g.round = ${last}`),
        yield* addTransfers(round, sql`
          SELECT t.channel, t.transfer_id FROM ${groups} g
          JOIN transfers t ON t.destination_key = g.destination AND t.amount = g.amount AND t.channel = g.channel
          WHERE g.round = ${last}`)
      ]
      if (counts.every((n) => n === 0)) break
    }
    yield* sql`INSERT INTO ${sql(scope.requests)} (request_id) SELECT request_id FROM ${requests} ON CONFLICT DO NOTHING`
    yield* sql`INSERT INTO ${sql(scope.transfers)} (channel, transfer_id) SELECT channel, transfer_id FROM ${transfers} ON CONFLICT DO NOTHING`
    yield* sql`DROP TABLE ${requests}, ${transfers}, ${groups}`
    const [size] = yield* sql<{ requests: number; transfers: number }>`
      SELECT (SELECT count(*)::int FROM ${sql(scope.requests)}) AS requests,
             (SELECT count(*)::int FROM ${sql(scope.transfers)}) AS transfers`
    return size!
  })
