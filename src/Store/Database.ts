// The one PostgreSQL client of a run: DATABASE_URL when set, else the embedded server.
// The schema is brought up to date by the Migrator before anything else uses it.
import * as Reactivity from "@effect/experimental/Reactivity"
import { SqlClient } from "@effect/sql"
import * as Migrator from "@effect/sql/Migrator"
import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { DatabaseUnavailable, KeyUnavailable } from "../Domain/Errors.ts"
import { Sealer, SealerLive, shortFingerprint } from "../Seal/Sealer.ts"
import { startEmbeddedServer } from "./EmbeddedServer.ts"
import { migrations } from "./migrations/index.ts"

const embeddedDatabase = "keshikomi"

const toUnavailable = (cause: { readonly message: string; readonly cause?: unknown }) => {
  const root = cause.cause instanceof Error ? cause.cause.message : cause.message
  return new DatabaseUnavailable({ reason: root.split("\n")[0]! })
}

/** A client layer for an explicit connection URL (tests use this too). */
export const clientFromUrl = (url: Redacted.Redacted) =>
  PgClient.layer({ url, maxConnections: 4, applicationName: "keshikomi" }).pipe(
    Layer.mapError(toUnavailable)
  )

const embeddedClient = (dataDir: string) =>
  Layer.unwrapScoped(Effect.gen(function*() {
    fs.mkdirSync(dataDir, { recursive: true })
    const server = yield* startEmbeddedServer(dataDir)
    // The cluster's maintenance database exists from initdb; ours is made on first use.
    yield* Effect.scoped(Effect.gen(function*() {
      const admin = yield* PgClient.make({ host: server.socketDir, username: server.username, database: "postgres" })
      const exists = yield* admin<{ n: number }>`SELECT 1 AS n FROM pg_database WHERE datname = ${embeddedDatabase}`
      if (exists.length === 0) yield* admin.unsafe(`CREATE DATABASE ${embeddedDatabase}`)
    })).pipe(Effect.mapError(toUnavailable), Effect.provide(Reactivity.layer))
    return PgClient.layer({
      host: server.socketDir,
      username: server.username,
      database: embeddedDatabase,
      maxConnections: 4,
      applicationName: "keshikomi"
    }).pipe(Layer.mapError(toUnavailable))
  }))

/**
 * Refuses a key that is not the one the database was sealed with, before anything is
 * changed (also before a migration). A key file this process has just created for a
 * database sealed under another key is removed again.
 */
const checkKey = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const sealer = yield* Sealer
  const [present] = yield* sql<{ sealed: boolean }>`SELECT to_regclass('seal_key') IS NOT NULL AS sealed`
  if (present?.sealed !== true) return
  const [stored] = yield* sql<{ fingerprint: string }>`SELECT fingerprint FROM seal_key`
  if (stored === undefined || stored.fingerprint === sealer.fingerprint) return
  if (sealer.created) fs.rmSync(sealer.source.path, { force: true })
  return yield* new KeyUnavailable({
    reason: `${sealer.source.path} is not the key this database was sealed with (key ${shortFingerprint(sealer.fingerprint)}, ` +
      `database ${shortFingerprint(stored.fingerprint)}${sealer.created ? "; no key file was found, so none was kept" : ""}); ` +
      "restore the key file from its backup; nothing was changed"
  })
}).pipe(Effect.catchTag("SqlError", (e) => new DatabaseUnavailable({ reason: e.message })))

/** Checks the key, then applies the migrations in src/Store/migrations (ids only grow). */
export const MigrationsLive = Layer.effectDiscard(Effect.gen(function*() {
  const sealer = yield* Sealer
  yield* checkKey
  yield* Migrator.make({})({ loader: Migrator.fromRecord(migrations) }).pipe(
    // Migration 0005 seals what earlier versions stored in clear.
    Effect.provideService(Sealer, sealer),
    Effect.mapError((cause) => new DatabaseUnavailable({ reason: `migration failed: ${cause.message}` }))
  )
  if (sealer.created) {
    yield* Effect.logWarning(`created the key file ${sealer.source.path}: back it up apart from the database (README, The key)`)
  }
}))

/** Client chosen from the environment, with the schema migrated, and the key that seals it. */
export const DatabaseLive = Layer.unwrapEffect(Effect.gen(function*() {
  const url = yield* Config.option(Config.redacted("DATABASE_URL"))
  const dataDir = yield* Config.string("KESHIKOMI_DATA_DIR").pipe(Config.withDefault(".keshikomi"))
  const client = Option.match(url, {
    onSome: clientFromUrl,
    onNone: () => embeddedClient(path.resolve(dataDir))
  })
  return MigrationsLive.pipe(Layer.provideMerge(client), Layer.provideMerge(SealerLive))
}))
