// One embedded PostgreSQL for the whole test run, started like production's (least
// privilege, and as root in a user namespace): every test file makes its own database in
// it (see testDatabase.ts), so files can run in parallel. The tests connect as the
// program's role, which is not a superuser; on this test server only it may create
// databases.
import { Effect, Exit, Redacted, Scope } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { TestProject } from "vitest/node"
import { randomKeyMaterial, writeNewKeyFile } from "../../src/Seal/KeyFile.ts"
import { passwordFile, startEmbeddedServer } from "../../src/Store/EmbeddedServer.ts"

declare module "vitest" {
  export interface ProvidedContext {
    pgSocketDir: string
    /** The sealing key of this test run (KESHIKOMI_KEY_FILE for every test). */
    keyFile: string
    pgUser: string
    pgPassword: string
  }
}

export default async function setup(project: TestProject) {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-test-pg-"))
  const dataDir = path.join(parent, "db")
  const scope = Effect.runSync(Scope.make())
  const started = await Effect.runPromiseExit(
    startEmbeddedServer(dataDir, { forTests: true, settings: { fsync: "off", max_connections: "200" } }).pipe(Scope.extend(scope))
  )
  if (Exit.isFailure(started)) {
    fs.rmSync(parent, { recursive: true, force: true })
    const error = started.cause._tag === "Fail" ? started.cause.error : undefined
    // One line for the person running `npm test`, not a stack trace.
    throw new Error(`test database: ${error?.message ?? "the embedded PostgreSQL did not start"}`)
  }
  project.provide("pgSocketDir", started.value.socketDir)
  project.provide("pgUser", started.value.username)
  project.provide("pgPassword", Redacted.value(started.value.password))
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-test-key-"))
  const keyFile = path.join(keyDir, "keshikomi.key")
  writeNewKeyFile(keyFile, randomKeyMaterial())
  project.provide("keyFile", keyFile)
  // Every folder a test makes under os.tmpdir() (inboxes, report folders, CLI homes) goes
  // into one folder of this run, removed at the end: a run leaves nothing behind in /tmp.
  // The test workers and the processes they spawn start after this and inherit it.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-tests-"))
  const previousTmpdir = process.env.TMPDIR
  process.env.TMPDIR = scratch
  return async () => {
    if (previousTmpdir === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previousTmpdir
    fs.rmSync(scratch, { recursive: true, force: true })
    await Effect.runPromise(Scope.close(scope, Exit.void))
    fs.rmSync(passwordFile(dataDir), { force: true })
    fs.rmSync(parent, { recursive: true, force: true })
    fs.rmSync(keyDir, { recursive: true, force: true })
  }
}
