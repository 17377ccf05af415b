// The command as npx, npm's bin link, cron and systemd start it: the file itself run as
// an executable, whose first line sets the V8 flags it runs with (bin/keshikomi.mjs).
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import { describe, expect, it } from "vitest"
import { bin } from "../support/cli.ts"

const runExecutable = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(bin, [...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr })
    })
  })

describe("bin/keshikomi.mjs run as an executable", () => {
  it("runs the command under the V8 flags of its first line", async () => {
    // A preloaded one-liner reports the flags the process was started with.
    const result = await runExecutable(["--help"], {
      NODE_OPTIONS: "--import=data:text/javascript,console.error(`flags:${process.execArgv.join()}`)"
    })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("使い方")
    const firstLine = fs.readFileSync(bin, "utf8").split("\n")[0]!
    const flags = firstLine.split(" ").filter((word) => word.startsWith("--"))
    expect(flags).toContain("--max-semi-space-size=4")
    const started = /^flags:(.*)$/m.exec(result.stderr)?.[1]?.split(",")
    for (const flag of flags) expect(started).toContain(flag)
  })
})
