// The one place where the services are composed into the application.
import type { SqlClient } from "@effect/sql"
import { Layer } from "effect"
import { DeskLive } from "./Desk/DeskLive.ts"
import type { DatabaseUnavailable, KeyUnavailable } from "./Domain/Errors.ts"
import { IngestLive } from "./Ingest/Ingest.ts"
import { ProgressLive } from "./Ingest/Progress.ts"
import { NightScopeLive } from "./Match/NightScope.ts"
import { PayoutMatchLive } from "./Match/Payouts.ts"
import { ShippingMatchLive } from "./Match/Shipping.ts"
import { makeReportsLive, type ReportOptions } from "./Report/Reports.ts"
import { RunLive } from "./Run/Run.ts"
import type { Sealer } from "./Seal/Sealer.ts"
import { CopyInLive } from "./Store/CopyIn.ts"
import { DatabaseLive } from "./Store/Database.ts"
import { FindingsStoreLive } from "./Store/FindingsStore.ts"
import { PersonalDataLive } from "./Store/PersonalData.ts"
import { RecordsLive } from "./Store/Records.ts"
import { RetentionLive } from "./Store/Retention.ts"
import { DecisionsLive } from "./Store/Decisions.ts"
import { RunLogLive } from "./Store/RunLog.ts"
import { ZenginLive } from "./Run/Zengin.ts"
import { ZenginStoreLive } from "./Store/ZenginStore.ts"

/** The run and everything it needs, on the given (migrated) database; `reports` tunes the outputs (tests). */
export const appLayer = <E, R>(database: Layer.Layer<SqlClient.SqlClient | Sealer, E, R>, reports?: ReportOptions) => {
  const store = Layer.mergeAll(RecordsLive, FindingsStoreLive, RunLogLive, RetentionLive, PersonalDataLive).pipe(
    Layer.provideMerge(database)
  )
  return RunLive.pipe(
    Layer.provide(Layer.mergeAll(IngestLive.pipe(Layer.provide(Layer.merge(ProgressLive, CopyInLive))), ShippingMatchLive, PayoutMatchLive, NightScopeLive, makeReportsLive(reports))),
    Layer.provideMerge(store)
  )
}

export const AppLive: Layer.Layer<
  Layer.Layer.Success<ReturnType<typeof appLayer>>,
  DatabaseUnavailable | KeyUnavailable | import("effect/ConfigError").ConfigError
> = appLayer(DatabaseLive)

/** What `resolve` and `status` need: the database, the decisions and the run log. */
export const DecisionsAppLive = Layer.mergeAll(DecisionsLive, RunLogLive).pipe(Layer.provide(DatabaseLive))

/** What `rekey` needs: the database with its current key, and the run lock. */
export const RekeyAppLive = RunLogLive.pipe(Layer.provideMerge(DatabaseLive))

/** What `zengin` needs: the transfer file service on the (migrated) database. */
export const zenginLayer = <E, R>(database: Layer.Layer<SqlClient.SqlClient | Sealer, E, R>) =>
  ZenginLive.pipe(
    Layer.provide(Layer.mergeAll(ZenginStoreLive.pipe(Layer.provide(PersonalDataLive)), RunLogLive)),
    Layer.provideMerge(database)
  )

export const ZenginAppLive = zenginLayer(DatabaseLive)

/** What `desk` needs: the intake desk, deciding with the run's own shipping rules, on the (migrated) database. */
export const deskLayer = <E, R>(database: Layer.Layer<SqlClient.SqlClient | Sealer, E, R>) =>
  DeskLive.pipe(
    Layer.provide(Layer.mergeAll(ShippingMatchLive, FindingsStoreLive, PersonalDataLive)),
    Layer.provideMerge(database)
  )

export const DeskAppLive = deskLayer(DatabaseLive)
