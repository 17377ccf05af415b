// `keshikomi desk` as staff start it: on loopback it opens without a password; beyond
// loopback it refuses to start (one line, exit 1, nothing opened) unless a password file
// is configured; it stops cleanly on SIGTERM.
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { renderHelp } from "../../src/CliHelp.ts"
import { isLoopback, passwordFile, readPasswordFile } from "../../src/Desk/DeskPassword.ts"
import { bin, keshikomi } from "../support/cli.ts"
import { tempDir } from "../support/inbox.ts"
import { createTestDatabase } from "../support/testDatabase.ts"
import { csrfTokenOf, send, sessionCookieOf } from "./support/deskServer.ts"

// No password from the machine running the tests.
const noPassword = { KESHIKOMI_DESK_PASSWORD_FILE: "", CREDENTIALS_DIRECTORY: "" }

describe("keshikomi desk", () => {
  it("refuses to listen beyond loopback without a password, in one line, before opening anything", async () => {
    const dataDir = path.join(tempDir(), "db")
    const result = await keshikomi(["desk", "--host", "0.0.0.0", "--port", "0"], { ...noPassword, KESHIKOMI_DATA_DIR: dataDir })
    expect(result.code).toBe(1)
    expect(result.stdout).toBe("")
    expect(result.stderr.trim().split("\n")).toHaveLength(1)
    expect(result.stderr).toContain("--host 0.0.0.0 では受付デスクのパスワードが必要です")
    // The database was not even started.
    expect(fs.existsSync(dataDir)).toBe(false)
  })

  it("refuses a password file that is too short", async () => {
    const short = path.join(tempDir(), "short")
    fs.writeFileSync(short, "abc\n", { mode: 0o600 })
    const tooShort = await keshikomi(["desk", "--host", "0.0.0.0", "--port", "0"], { ...noPassword, KESHIKOMI_DESK_PASSWORD_FILE: short })
    expect(tooShort.code).toBe(1)
    expect(tooShort.stderr).toBe(`keshikomi: 拒否: 受付デスクのパスワードファイル ${short} の 1 行目を 8 文字以上のパスワードにしてください\n`)
  })

  it("opens on loopback without a password, serves the page, and stops on SIGTERM with status 0", async () => {
    const url = await createTestDatabase()
    const child = spawn(process.execPath, [bin, "desk", "--port", "0"], { env: { ...process.env, ...noPassword, DATABASE_URL: url } })
    let stdout = ""
    let stderr = ""
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk) => {
        stdout += chunk
        const m = /受付デスクを開きました: (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(stdout)
        if (m !== null) resolve(m[2]!)
      })
      child.on("exit", () => reject(new Error(`the desk ended: ${stderr}`)))
    })
    const port = Number(address)
    const page = await send(port, "/")
    expect(page.status).toBe(200)
    expect(sessionCookieOf(page)).toBeDefined()
    expect(csrfTokenOf(page.body)).toBeDefined()
    child.kill("SIGTERM")
    expect(await exited).toBe(0)
    expect(stderr).toBe("")
  })

  it("explains itself in Japanese, and has no option for a password", () => {
    const help = renderHelp("desk", "0.1.0")!
    expect(help).toContain("keshikomi desk [--host 127.0.0.1] [--port 8080]")
    expect(help).toContain("127.0.0.1 以外ではパスワードが必要")
    expect(help).not.toContain("--password")
    expect(renderHelp("keshikomi", "0.1.0")).toContain("desk      受付デスクのページを開きます。")
  })
})

describe("the desk password file", () => {
  it("is read from its first line, and a missing one is one sentence", async () => {
    const file = path.join(tempDir(), "password")
    fs.writeFileSync(file, "correct horse\nsecond line\n", { mode: 0o600 })
    expect(Redacted.value(await Effect.runPromise(readPasswordFile(file)))).toBe("correct horse")
    const missing = await Effect.runPromise(Effect.flip(readPasswordFile(`${file}.none`)))
    expect(missing.message).toBe(`受付デスクのパスワードファイル ${file}.none を読めません`)
  })

  it("comes from KESHIKOMI_DESK_PASSWORD_FILE, else the systemd credential when it exists", () => {
    const credentials = tempDir()
    expect(passwordFile({ passwordFile: "/etc/keshikomi/desk-password", credentialsDirectory: credentials })).toBe("/etc/keshikomi/desk-password")
    expect(passwordFile({ passwordFile: undefined, credentialsDirectory: credentials })).toBeUndefined()
    fs.writeFileSync(path.join(credentials, "keshikomi-desk-password"), "correct horse\n")
    expect(passwordFile({ passwordFile: "", credentialsDirectory: credentials })).toBe(path.join(credentials, "keshikomi-desk-password"))
  })

  it("is needed beyond loopback only", () => {
    expect(["127.0.0.1", "127.1.2.3", "localhost", "::1"].filter(isLoopback)).toHaveLength(4)
    expect(["0.0.0.0", "192.168.1.20", "::", "desk.local"].filter(isLoopback)).toEqual([])
  })
})
