// How long personal values are kept (docs/privacy.md), applied in the run's
// transaction after the findings are merged:
// - an order's shipping address: deleted N days (KESHIKOMI_RETAIN_ADDRESS_DAYS, 30)
//   after the order was re-shipped, or as soon as the order is cancelled, refunded or
//   shipped by the seller;
// - a payout request's account details (number, holder, wallet ref): removed N days
//   (KESHIKOMI_RETAIN_ACCOUNT_DAYS, 90) after it was matched without a finding or its
//   findings were resolved; the keyed hashes and the masked number stay;
// - report folders OUT/<as_of> older than N days (KESHIKOMI_RETAIN_REPORT_DAYS, 30;
//   0 keeps them): chosen here, removed by the run once it has committed.
import { SqlClient } from "@effect/sql"
import { Config, Context, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { addDays } from "../Domain/BusinessDay.ts"

export interface RetentionOutcome {
  readonly periods: RetentionPeriods
  readonly addressesDeleted: number
  readonly accountDetailsRemoved: number
  /** Report folders due for removal (removed after commit, not by a dry run). */
  readonly reportFolders: ReadonlyArray<string>
}

export interface RetentionPeriods {
  readonly addressDays: number
  readonly accountDays: number
  /** 0: report folders are kept. */
  readonly reportDays: number
}

export class Retention extends Context.Tag("keshikomi/Retention")<Retention, {
  readonly periods: RetentionPeriods
  readonly apply: (asOf: string, outDir: string) => Effect.Effect<RetentionOutcome>
}>() {}

const days = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be a whole number of days, 0 or more`, validation: (n) => n >= 0 })
  )

export const retentionPeriods = Config.all({
  addressDays: days("KESHIKOMI_RETAIN_ADDRESS_DAYS", 30),
  accountDays: days("KESHIKOMI_RETAIN_ACCOUNT_DAYS", 90),
  reportDays: days("KESHIKOMI_RETAIN_REPORT_DAYS", 30)
})

const asOfFolder = /^\d{4}-\d{2}-\d{2}$/

/** The folders OUT/<date> (real folders, not links) whose date is more than `keepDays` before `asOf`. */
export const oldReportFolders = (outDir: string, asOf: string, keepDays: number): ReadonlyArray<string> => {
  if (keepDays === 0) return []
  const oldest = addDays(asOf, -keepDays)
  let entries: Array<fs.Dirent>
  try {
    entries = fs.readdirSync(outDir, { withFileTypes: true })
  } catch {
    return []
  }
  return entries
    .filter((e) => e.isDirectory() && asOfFolder.test(e.name) && e.name < oldest)
    .map((e) => path.join(outDir, e.name))
    .sort()
}

export const RetentionLive = Layer.effect(Retention, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const periods = yield* retentionPeriods

  const apply = (asOf: string, outDir: string) =>
    Effect.gen(function*() {
      const addresses = yield* sql<{ n: number }>`
        WITH deleted AS (
          DELETE FROM shipping_addresses a
          WHERE EXISTS (SELECT 1 FROM orders o WHERE o.order_id = a.order_id AND o.status IN ('cancelled', 'refunded', 'shipped'))
             OR EXISTS (SELECT 1 FROM reshipments r WHERE r.order_id = a.order_id
                          AND (r.shipped_at AT TIME ZONE 'Asia/Tokyo')::date <= ${asOf}::date - ${periods.addressDays}::int)
          RETURNING 1
        )
        SELECT count(*)::int AS n FROM deleted`
      // Settled: every finding still standing on the request is PAY_MATCHED or resolved;
      // since the later of the match's first run and the last resolution. Only a request
      // with one such date on or before the cutoff can be settled that long: those are
      // found first, so the findings of every other request (on a night, nearly all of
      // them) are not grouped at all.
      const accounts = yield* sql<{ n: number }>`
        WITH candidate AS (
          SELECT DISTINCT f.subject_id AS request_id
          FROM findings f
          WHERE f.side = 'payout' AND f.code <> 'PAY_ORPHAN_TRANSFER' AND f.closed_on IS NULL
            AND ((f.code = 'PAY_MATCHED' AND f.first_seen <= ${asOf}::date - ${periods.accountDays}::int)
                 OR (f.code <> 'PAY_MATCHED' AND (f.resolved_at AT TIME ZONE 'Asia/Tokyo')::date <= ${asOf}::date - ${periods.accountDays}::int))
        ),
        standing AS (
          SELECT f.subject_id AS request_id, f.code, f.first_seen, f.resolved_at
          FROM findings f
          WHERE f.side = 'payout' AND f.code <> 'PAY_ORPHAN_TRANSFER' AND f.closed_on IS NULL
            AND f.subject_id IN (SELECT request_id FROM candidate)
        ),
        settled AS (
          SELECT request_id,
                 greatest(max(first_seen) FILTER (WHERE code = 'PAY_MATCHED'),
                          max((resolved_at AT TIME ZONE 'Asia/Tokyo')::date) FILTER (WHERE code <> 'PAY_MATCHED')) AS settled_on
          FROM standing
          GROUP BY request_id
          HAVING bool_and(code = 'PAY_MATCHED' OR resolved_at IS NOT NULL)
        ),
        removed AS (
          UPDATE payout_requests r
          SET account_number_sealed = NULL, account_holder_sealed = NULL, linepay_user_ref_sealed = NULL,
              details_removed_on = ${asOf}::date
          FROM settled s
          WHERE s.request_id = r.request_id AND s.settled_on <= ${asOf}::date - ${periods.accountDays}::int
            AND (r.account_number_sealed IS NOT NULL OR r.account_holder_sealed IS NOT NULL OR r.linepay_user_ref_sealed IS NOT NULL)
          RETURNING 1
        )
        SELECT count(*)::int AS n FROM removed`
      return {
        periods,
        addressesDeleted: addresses[0]?.n ?? 0,
        accountDetailsRemoved: accounts[0]?.n ?? 0,
        reportFolders: oldReportFolders(outDir, asOf, periods.reportDays)
      } satisfies RetentionOutcome
    }).pipe(Effect.orDie, Effect.withSpan("Retention.apply"))

  return { periods, apply }
}))
