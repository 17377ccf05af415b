// Every bad command line ends in one clear Japanese line on stderr and exit 1, before any
// database is touched; --help explains every option without colour codes.
import { describe, expect, it } from "vitest"
import { commandHelp } from "../../src/CliHelp.ts"
import { keshikomi } from "../support/cli.ts"

// Nothing here may reach a database: an unreachable one would fail differently.
const env = { DATABASE_URL: "postgresql://unused@127.0.0.1:1/x" }

const badLines: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
  [["run", "--bogus"], /^keshikomi: 知らない引数です: --bogus（keshikomi run --help で使い方を表示）$/],
  [["status", "--last", "-1"], /^keshikomi: --last は 1 以上の整数にしてください/],
  [["status", "--last", "0"], /^keshikomi: --last は 1 以上の整数にしてください/],
  [["status", "--last", "abc"], /^keshikomi: 整数を指定してください（「abc」は整数ではありません）/],
  [["run", "--as-of", "2023-02-30"], /^keshikomi: --as-of は YYYY-MM-DD の日付にしてください/],
  [["schedule", "--cron", "every night"], /^keshikomi: --cron は cron の式にしてください/],
  [["reconcile"], /^keshikomi: 知らないコマンドです。使えるコマンド: run・schedule・resolve・status/],
  [[], /^keshikomi: コマンドを指定してください/],
  [["resolve"], /^keshikomi: コードと対象IDを指定してください/],
  [["resolve", "SHIP_COUNT_SHORT", "PS-00000001"], /^keshikomi: --note（何をしたか）を指定してください/],
  [["resolve", "SHIP_COUNT_SHORT", "PS-00000001", "--note", "  "], /^keshikomi: --note（何をしたか）を指定してください/]
]

describe("a bad command line", () => {
  it.each(badLines)("keshikomi %j prints one line and exits 1", async (args, line) => {
    const result = await keshikomi(args, env)
    expect(result.code).toBe(1)
    expect(result.stdout).toBe("")
    const lines = result.stderr.split("\n").filter((l) => l !== "")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(line)
    expect(result.stderr).not.toContain("[object Object]")
    expect(result.stderr).not.toMatch(/\u001b\[/)
  })
})

describe("--help", () => {
  it.each(Object.keys(commandHelp))("explains %s with a default and an example for every option and the exit codes, without colour codes", async (name) => {
    const result = await keshikomi(name === "keshikomi" ? ["--help"] : [name, "--help"], env)
    expect(result.code).toBe(0)
    expect(result.stdout).not.toMatch(/\u001b\[/)
    expect(result.stdout).not.toContain("A user-defined piece of text")
    for (const option of commandHelp[name]!.options) {
      expect(result.stdout).toContain(option.flag)
      expect(result.stdout).toContain(`既定: ${option.default ?? "なし（必須）"}　例: ${option.example}`)
    }
    expect(result.stdout).toContain("終了ステータス:")
    for (const code of ["0", "1", "2", "3", "130"]) expect(result.stdout).toMatch(new RegExp(`^  ${code} +\\S`, "m"))
  })
})
