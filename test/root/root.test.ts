// Issue 10 item 7: a checkout in a mode-700 folder, run as root (a common container
// setup). PostgreSQL refuses root; keshikomi then starts it in a user namespace, so both
// `npm start` and the tests' own database work from there.
import { execFile, execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const isRoot = process.getuid?.() === 0
const repo = path.resolve(import.meta.dirname, "../..")

/** The checkout's files (what a clone holds) and its node_modules, under `dir`. */
const checkoutInto = (dir: string) => {
  const tracked = fs.existsSync(path.join(repo, ".git"))
    ? execFileSync("git", ["ls-files", "-co", "--exclude-standard"], { cwd: repo, encoding: "utf8" }).split("\n").filter((f) => f !== "")
    : ["bin", "src", "fixtures", "test", "package.json", "package-lock.json", "tsconfig.json", "vitest.config.ts"]
  for (const file of tracked) {
    const from = path.join(repo, file)
    if (!fs.existsSync(from)) continue
    fs.cpSync(from, path.join(dir, file), { recursive: true })
  }
  // Hard links where the file system allows (fast); a copy otherwise. Either way the
  // binaries are reached only through the mode-700 folder.
  const linked = spawnSync("cp", ["-al", path.join(repo, "node_modules"), path.join(dir, "node_modules")])
  if (linked.status !== 0) fs.cpSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"), { recursive: true })
}

const cleanEnv = () => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith("VITEST") || key === "DATABASE_URL" || key.startsWith("KESHIKOMI_") || key === "NODE_OPTIONS") continue
    env[key] = value
  }
  return env
}

/** Runs a command to its end without blocking this worker (vitest talks to it meanwhile). */
const run = (command: string, args: ReadonlyArray<string>, cwd: string) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { cwd, env: cleanEnv(), encoding: "utf8", timeout: 300_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ status: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    })
  })

describe("a checkout in a mode-700 folder", () => {
  it.skipIf(!isRoot)("runs `npm start` and the tests as root (skipped: only meaningful as root)", async () => {
    const home = fs.mkdtempSync(path.join(os.homedir(), ".keshikomi-root-test-"))
    try {
      expect(fs.statSync(home).mode & 0o777).toBe(0o700)
      const checkout = path.join(home, "k")
      fs.mkdirSync(checkout)
      checkoutInto(checkout)
      const start = await run("npm", ["start"], checkout)
      expect(start.stderr.split("\n").filter((l) => l.startsWith("keshikomi:"))).toEqual([])
      expect(start.status).toBe(0)
      for (const name of ["shipping.xlsx", "finance.xlsx"]) expect(fs.statSync(path.join(checkout, "reports/2023-09-05", name)).size).toBeGreaterThan(0)
      const data = fs.statSync(path.join(checkout, ".keshikomi"))
      expect([data.uid, data.mode & 0o777]).toEqual([0, 0o700])
      // One test file that needs the tests' own embedded database.
      const tests = await run("npx", ["vitest", "run", "test/store/calendar.test.ts"], checkout)
      expect(tests.stdout).toMatch(/1 passed/)
      expect(tests.status).toBe(0)
    } finally {
      fs.rmSync(home, { recursive: true, force: true })
    }
  }, 600_000)
})
