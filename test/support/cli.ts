// Running the real command in a child process, as cron or a member of staff would.
import { execFile, spawn } from "node:child_process"
import * as path from "node:path"
import { inject } from "vitest"

// The command seals with this test run's key unless a test says otherwise.
process.env.KESHIKOMI_KEY_FILE ??= inject("keyFile")

export const bin = path.resolve(import.meta.dirname, "../../bin/keshikomi.mjs")

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export const keshikomi = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<CliResult>((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null
      resolve({ code, signal: (error?.signal as NodeJS.Signals | undefined) ?? null, stdout, stderr })
    })
  })

/** Starts the command and sends `signal` once `ready(stdout)` holds (or after `afterMs`). */
export const keshikomiInterrupted = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  signal: NodeJS.Signals,
  ready: (stdout: string) => boolean
) =>
  new Promise<CliResult>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } })
    let stdout = ""
    let stderr = ""
    let sent = false
    child.stdout.on("data", (chunk) => {
      stdout += chunk
      if (!sent && ready(stdout)) {
        sent = true
        child.kill(signal)
      }
    })
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("exit", (code, exitSignal) => resolve({ code, signal: exitSignal, stdout, stderr }))
  })
