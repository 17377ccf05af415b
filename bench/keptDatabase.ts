// The probes' way onto a database a bench run kept (`npm run bench -- --keep`): its
// embedded server started on the folder, the client, sealer and findings store over it,
// and the probe run in one transaction that is rolled back, as the run writes its reports
// inside its own transaction and a probe must change nothing.
import { SqlClient } from "@effect/sql"
import { Effect, Layer, Redacted } from "effect"
import * as path from "node:path"
import { SealerLive } from "../src/Seal/Sealer.ts"
import { clientFromUrl } from "../src/Store/Database.ts"
import { startEmbeddedServer } from "../src/Store/EmbeddedServer.ts"
import { FindingsStoreLive } from "../src/Store/FindingsStore.ts"

class RolledBack {
  readonly _tag = "RolledBack"
}

/** Ends the current transaction by rolling it back: the probe changed nothing. */
export const rollBack = Effect.fail(new RolledBack())

/** The last run the kept database holds, whose reports a probe writes again. */
export const latestRun = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ run_id: number; as_of: string }>`SELECT run_id::int AS run_id, as_of::text AS as_of FROM runs ORDER BY run_id DESC LIMIT 1`.pipe(
    Effect.map((rows) => ({ runId: rows[0]!.run_id, asOf: rows[0]!.as_of }))
  ))

/** Runs `program` on the kept database in `dataDir` (its `pg` folder and `sealing.key`), in one transaction, then rolls it back. */
export const probeKeptDatabase = <A, E, R>(dataDir: string, program: Effect.Effect<A, E, R>) => {
  process.env.KESHIKOMI_KEY_FILE ??= path.join(dataDir, "sealing.key")
  return Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const server = yield* startEmbeddedServer(path.join(dataDir, "pg"))
    const url = `postgresql://${server.username}:${encodeURIComponent(Redacted.value(server.password))}@localhost/${server.database}?host=${encodeURIComponent(server.socketDir)}`
    const layer = FindingsStoreLive.pipe(Layer.provideMerge(clientFromUrl(Redacted.make(url))), Layer.provideMerge(SealerLive))
    yield* program.pipe(
      Effect.andThen(rollBack),
      (probe) => Effect.flatMap(SqlClient.SqlClient, (client) => client.withTransaction(probe)),
      Effect.catchTag("RolledBack", () => Effect.void),
      Effect.provide(layer)
    )
  })).pipe(Effect.orDie) as Effect.Effect<void, never, never>)
}
