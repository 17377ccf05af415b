// Each test file gets its own database in the run's embedded PostgreSQL (globalSetup),
// migrated like production, so files can run in parallel without sharing tables.
import { Effect, Layer, Logger, LogLevel, Redacted } from "effect"
import pg from "pg"
import { inject } from "vitest"
import { appLayer } from "../../src/App.ts"
import { SealerLive } from "../../src/Seal/Sealer.ts"
import { clientFromUrl, MigrationsLive } from "../../src/Store/Database.ts"
import { Run, type RunOptions } from "../../src/Run/Run.ts"

let counter = 0

// Every test, and every command a test starts, seals with this run's key.
process.env.KESHIKOMI_KEY_FILE = inject("keyFile")

/** Creates an empty database and returns its connection URL (Unix socket, the program's role). */
export const createTestDatabase = async (): Promise<string> => {
  const socketDir = inject("pgSocketDir")
  const user = inject("pgUser")
  const password = inject("pgPassword")
  const name = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`
  const admin = new pg.Client({ host: socketDir, user, password, database: "postgres" })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  return `postgresql://${user}:${encodeURIComponent(password)}@localhost/${name}?host=${encodeURIComponent(socketDir)}`
}

/** The migrated database, with the sealer of KESHIKOMI_KEY_FILE, as a layer. */
export const databaseLayer = (url: string) =>
  MigrationsLive.pipe(Layer.provideMerge(clientFromUrl(Redacted.make(url))), Layer.provideMerge(SealerLive))

/** Runs the whole pipeline once, in process, against `url`. */
export const runPipeline = (url: string, options: RunOptions) =>
  Effect.runPromise(
    Effect.flatMap(Run, (run) => run.run(options)).pipe(Effect.provide(appLayer(databaseLayer(url))), Effect.scoped, Logger.withMinimumLogLevel(LogLevel.Warning))
  )

/** Runs one query on `url` and returns its rows. */
export const query = async <Row = Record<string, unknown>>(url: string, text: string, values: ReadonlyArray<unknown> = []) => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(text, values as Array<unknown>)).rows as Array<Row>
  } finally {
    await client.end()
  }
}

/** Every finding the latest run raised, as `CODE subject related` strings, sorted. */
export const raisedFindings = async (url: string, codePrefix = "") =>
  (await query<{ f: string }>(
    url,
    `SELECT code || ' ' || subject_id || CASE WHEN related_id = '' THEN '' ELSE ' ' || related_id END AS f
     FROM findings WHERE closed_on IS NULL AND code LIKE $1 || '%'
     ORDER BY 1`,
    [codePrefix]
  )).map((r) => r.f)

