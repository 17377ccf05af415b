// The one PostgreSQL client of a run: DATABASE_URL when set, else the embedded server.
// The schema is brought up to date by the Migrator before anything else uses it.
import { SqlClient } from "@effect/sql"
import * as Migrator from "@effect/sql/Migrator"
import { PgClient } from "@effect/sql-pg"
import { Cause, Config, Duration, Effect, Layer, Option, Redacted } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { DatabaseUnavailable, KeyUnavailable } from "../Domain/Errors.ts"
import { Sealer, SealerLive, shortFingerprint } from "../Seal/Sealer.ts"
import { onUnexpectedExit, serverEvents, startEmbeddedServer } from "./EmbeddedServer.ts"
import { migrations } from "./migrations/index.ts"

const toUnavailable = (cause: { readonly message: string; readonly cause?: unknown }) => {
  const root = cause.cause instanceof Error ? cause.cause.message : cause.message
  return new DatabaseUnavailable({ reason: root.split("\n")[0]! })
}

// Every connection's socket, so that a server that is gone can be let go of at once.
const sockets = new Set<net.Socket>()
const trackedSocket = () => {
  const socket = new net.Socket()
  // A path that silently drops packets is noticed by TCP keepalive (DATABASE_URL servers).
  socket.setKeepAlive(true, 10_000)
  sockets.add(socket)
  socket.once("close", () => sockets.delete(socket))
  return socket
}

/** Ends every connection now: queries fail at once instead of waiting for a server that is gone. */
export const cutConnections = (reason: string) => {
  for (const socket of sockets) socket.destroy(new Error(reason))
}

const clientOptions = {
  maxConnections: 4,
  applicationName: "keshikomi",
  connectTimeout: Duration.seconds(10),
  stream: trackedSocket
} as const

/** A client layer for an explicit connection URL (tests use this too). */
export const clientFromUrl = (url: Redacted.Redacted) =>
  PgClient.layer({ url, ...clientOptions }).pipe(Layer.mapError(toUnavailable))

const embeddedClient = (dataDir: string) =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const server = yield* startEmbeddedServer(dataDir)
    // A server killed during the run: its connections are cut, so the run fails now.
    yield* Effect.acquireRelease(
      Effect.sync(() => onUnexpectedExit((how) => cutConnections(`the embedded PostgreSQL server stopped (${how})`))),
      (unsubscribe) => Effect.sync(unsubscribe)
    )
    return PgClient.layer({
      host: server.socketDir,
      port: server.port,
      username: server.username,
      password: server.password,
      database: server.database,
      ...clientOptions
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
    reason: `${sealer.source.path} はこのデータベースを暗号化した鍵ではありません（鍵 ${shortFingerprint(sealer.fingerprint)}、` +
      `データベース ${shortFingerprint(stored.fingerprint)}${sealer.created ? "。鍵ファイルが見つからなかったので、作った鍵は残していません" : ""}）。` +
      "鍵ファイルをバックアップから戻してください。何も変更していません"
  })
}).pipe(Effect.catchTag("SqlError", (e) => new DatabaseUnavailable({ reason: e.message })))

/** Checks the key, then applies the migrations in src/Store/migrations (ids only grow). */
export const MigrationsLive = Layer.effectDiscard(Effect.gen(function*() {
  const sealer = yield* Sealer
  yield* checkKey
  yield* Migrator.make({})({ loader: Migrator.fromRecord(migrations) }).pipe(
    // Migration 0005 seals what earlier versions stored in clear.
    Effect.provideService(Sealer, sealer),
    Effect.mapError((cause) => new DatabaseUnavailable({ reason: `マイグレーションに失敗しました: ${cause.message}` }))
  )
  if (sealer.created) {
    yield* Effect.logWarning(`鍵ファイル ${sealer.source.path} を作りました: データベースとは別の場所にバックアップしてください（README の The key）`)
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

// What a lost connection looks like: node's socket errors, libpq-style messages, and
// PostgreSQL's connection-exception (08…) and operator-intervention (57P0…) codes.
const lostCodes = new Set(["ECONNRESET", "EPIPE", "ECONNREFUSED", "ENOENT", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"])
const lostMessage = /connection terminated|terminating connection|connection error|server closed the connection|not queryable|embedded PostgreSQL server stopped/i

const lostConnection = (error: unknown): string | undefined => {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const e = current as { readonly code?: unknown; readonly message?: unknown; readonly cause?: unknown }
    const code = typeof e.code === "string" ? e.code : ""
    const message = typeof e.message === "string" ? e.message.split("\n")[0]! : ""
    if (lostCodes.has(code) || code.startsWith("08") || code.startsWith("57P0") || lostMessage.test(message)) return message || code
    current = e.cause
  }
  return undefined
}

/**
 * The one line for a run that lost its database half way (server killed, connection
 * cut), or undefined when the cause is something else.
 */
export const describeLostDatabase = (cause: Cause.Cause<unknown>): string | undefined => {
  const errors = [...Cause.defects(cause), ...Cause.failures(cause)]
  if (serverEvents.unexpectedExit !== undefined && errors.length > 0) {
    return `データベースが使えなくなりました: 実行中に組み込み PostgreSQL が止まりました（${serverEvents.unexpectedExit}）。何も記録していません`
  }
  for (const error of errors) {
    if ((error as { readonly _tag?: unknown })._tag !== "SqlError") continue
    const reason = lostConnection(error)
    if (reason !== undefined) return `データベースが使えなくなりました: 実行中に PostgreSQL への接続が切れました（${reason}）。何も記録していません`
  }
  return undefined
}
