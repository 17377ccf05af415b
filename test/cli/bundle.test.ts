// The precompiled command (bin/bundle.mjs → dist/keshikomi.mjs, what bin/keshikomi.mjs runs
// when it is fresh) says the same as the sources run through tsx, and a bundle counts as
// stale once a source it was built from changes.
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
// @ts-expect-error: a plain script beside the command, without type declarations
import { isFresh, root } from "../../bin/bundle.mjs"

// Under the project, so that the packages the bundle imports are found from it.
fs.mkdirSync(path.join(root, "dist"), { recursive: true })
const dir = fs.mkdtempSync(path.join(root, "dist", "test-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const env = { DATABASE_URL: "postgresql://unused@127.0.0.1:1/x" }
const run = (args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, args, { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    })
  })

// Built as npm's prepare script builds it, by the script in a process of its own.
const buildBundle = (entry: string, outfile: string) => run([path.join(root, "bin", "bundle.mjs"), entry, outfile])

describe("the command's bundle", () => {
  const bundle = path.join(dir, "keshikomi.mjs")
  const built = buildBundle(path.join(root, "src", "bin.ts"), bundle)

  it.each([[["run", "--help"]], [["reconcile"]]])("prints what the sources print for %j", async (args) => {
    expect((await built).stderr).toBe("")
    const [bundled, sources] = await Promise.all([run([bundle, ...args]), run(["--import", "tsx", path.join(root, "src", "bin.ts"), ...args])])
    expect(sources.stdout + sources.stderr).not.toBe("")
    expect(bundled).toEqual(sources)
  })

  it("is stale once a source it was built from changes", async () => {
    const entry = path.join(dir, "entry.ts")
    const part = path.join(dir, "part.ts")
    fs.writeFileSync(part, "export const here: string = import.meta.dirname\n")
    fs.writeFileSync(entry, "import { here } from \"./part.ts\"\nconsole.log(here)\n")
    const small = path.join(dir, "out", "small.mjs")
    await buildBundle(entry, small)
    expect(isFresh(small)).toBe(true)
    // A bundled source still knows its own folder.
    expect((await run([small])).stdout.trim()).toBe(dir)
    await new Promise((resolve) => setTimeout(resolve, 20))
    fs.writeFileSync(part, "export const here: string = import.meta.dirname + \"/\"\n")
    expect(isFresh(small)).toBe(false)
    await buildBundle(entry, small)
    expect(isFresh(small)).toBe(true)
    fs.rmSync(part)
    expect(isFresh(small)).toBe(false)
  })
})
