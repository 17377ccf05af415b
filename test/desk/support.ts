// The desk on a test database: orders (and any export parcels) stored by a real run, then
// parcels received through the real Desk layer, then the next real run to compare with.
import { Effect, Logger, LogLevel, ManagedRuntime } from "effect"
import { deskLayer } from "../../src/App.ts"
import { Desk, type IntakeOrderLine, type ParcelIntake } from "../../src/Desk/Desk.ts"
import { japanTime } from "../../src/Desk/japanTime.ts"
import { type Inbox, outDir, writeInbox } from "../shipping/inbox.ts"
import { createTestDatabase, databaseLayer, query, raisedFindings, runPipeline } from "../support/testDatabase.ts"

/** Today in Japan: the desk's default as_of, and the as_of of the runs beside it. */
export const today = () => japanTime(Date.now()).date

export interface DeskTestDatabase {
  readonly url: string
  readonly desk: <A, E>(f: (desk: Desk["Type"]) => Effect.Effect<A, E>) => Promise<A>
  /** The desk's call as an Either-like result, for calls expected to be refused. */
  readonly attempt: <A, E>(f: (desk: Desk["Type"]) => Effect.Effect<A, E>) => Promise<{ ok: true; value: A } | { ok: false; error: E }>
  /** The next nightly run (an empty inbox unless given), as of today; its SHIP_ findings. */
  readonly nightly: (inbox?: Inbox, stamp?: string) => Promise<ReadonlyArray<string>>
  readonly close: () => Promise<void>
}

/** A fresh database holding `inbox` (stored by one run as of today), and the desk on it. */
export const deskDatabase = async (inbox: Inbox): Promise<DeskTestDatabase> => {
  const url = await createTestDatabase()
  await runPipeline(url, { inbox: writeInbox(inbox, "20230901"), outDir: outDir(), asOf: today() })
  const runtime = ManagedRuntime.make(deskLayer(databaseLayer(url)))
  const run = <A, E>(effect: Effect.Effect<A, E, Desk>) =>
    runtime.runPromise(effect.pipe(Logger.withMinimumLogLevel(LogLevel.Warning)))
  let night = 0
  return {
    url,
    desk: (f) => run(Effect.flatMap(Desk, f)),
    attempt: (f) =>
      run(Effect.flatMap(Desk, f).pipe(
        Effect.match({ onSuccess: (value) => ({ ok: true as const, value }), onFailure: (error) => ({ ok: false as const, error }) })
      )),
    nightly: async (next = {}, stamp = `2023091${night++}`) => {
      await runPipeline(url, { inbox: writeInbox(next, stamp), outDir: outDir(), asOf: today() })
      return raisedFindings(url, "SHIP_")
    },
    close: () => runtime.dispose()
  }
}

/** One parcel as a desk would submit it; the orders as `[typed id, count]`. */
export const intake = (
  trackingNo: string,
  orders: ReadonlyArray<readonly [string, number]>,
  extra: Partial<Omit<ParcelIntake, "trackingNo" | "orders">> = {}
): ParcelIntake => ({
  carrier: "ヤマト運輸",
  trackingNo,
  sellerId: "S104233",
  condition: "良好",
  note: "",
  by: "受付 佐藤",
  ...extra,
  orders: orders.map(([orderIdTyped, itemCount]): IntakeOrderLine => ({ orderIdTyped, itemCount }))
})

export { query }
