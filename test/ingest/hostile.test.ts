// The hostile corpus (issue 9 item 6): each generated case is run as its own inbox
// against one database, and must end as the contract says: its exit status, its one
// input finding (file, line, reason), its rows stored or — for a rejected money file —
// none of them. Then the whole corpus is run once through the real command: exit 2,
// never 1, never a stack trace.
import * as fs from "node:fs"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { keshikomi } from "../support/cli.ts"
import { caseRowsSql, type HostileCase, hostileCases, type KeyedTable, writeCases } from "../support/hostile.ts"
import { tempDir } from "../support/inbox.ts"
import { createTestDatabase, query, runPipeline } from "../support/testDatabase.ts"

const asOf = "2023-09-05"
const cases = hostileCases()

const newInbox = () => {
  const inbox = path.join(tempDir("keshikomi-hostile-"), "inbox")
  fs.mkdirSync(inbox)
  return inbox
}

interface InputFinding {
  readonly code: string
  readonly subject_id: string
  readonly related_id: string
  readonly detail: string
}

let url: string
beforeAll(async () => {
  url = await createTestDatabase()
})

describe("the hostile corpus, case by case", () => {
  it("has at least 60 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(60)
  })

  it.each(cases.map((c) => [`${c.no}. ${c.title}`, c] as const))("%s", async (_title, c: HostileCase) => {
    const inbox = newInbox()
    writeCases(inbox, [c])
    const result = await runPipeline(url, { inbox, outDir: tempDir(), asOf })
    expect(result.exitCode).toBe(c.exit)

    const findings = await query<InputFinding>(
      url,
      `SELECT code, subject_id, related_id, detail FROM findings
       WHERE closed_on IS NULL AND code LIKE 'INPUT_%' ORDER BY subject_id, related_id`
    )
    if (c.finding === undefined) {
      expect(findings).toEqual([])
    } else {
      expect(findings).toHaveLength(1)
      const [finding] = findings
      expect({ code: finding!.code, file: finding!.subject_id }).toEqual({ code: c.finding.code, file: c.finding.file })
      expect(finding!.detail).toMatch(c.finding.reason)
      if (c.finding.line !== undefined) {
        if (c.finding.code === "INPUT_ROW_REJECTED") expect(finding!.related_id).toBe(String(c.finding.line))
        expect(finding!.detail).toContain(`${c.finding.line}行目`)
      }
    }

    for (const [table, count] of Object.entries(c.stored ?? {})) {
      const [row] = await query<{ n: number }>(url, caseRowsSql(table as KeyedTable, c.no))
      expect({ table, rows: row!.n }).toEqual({ table, rows: count })
    }
    for (const value of c.neverQuoted ?? []) {
      const quoting = await query(url, "SELECT code, subject_id FROM findings WHERE strpos(detail, $1) > 0", [value])
      expect(quoting).toEqual([])
    }
    // The summary names the file as it can be shown (control characters escaped).
    for (const file of result.ingest.files) expect(file.fileName).not.toMatch(/[\u0000-\u001f\u007f]/)
  })
})

describe("the whole corpus through the command", () => {
  it("exits 2 with one line of findings per bad file, never 1 and never a stack trace", async () => {
    const inbox = newInbox()
    // One schedule per inbox is the rule of the kind, not of the name: number them apart.
    const renamed = cases.map((c) => ({
      ...c,
      entries: Object.fromEntries(Object.entries(c.entries).map(([name, entry]) => [name.replace("payout_schedule", `payout_schedule_${c.no}`), entry]))
    }))
    writeCases(inbox, renamed)
    const db = await createTestDatabase()
    const result = await keshikomi(["run", "--inbox", inbox, "--out", tempDir(), "--as-of", asOf], { DATABASE_URL: db })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(2)
    // Logged file names are escaped: no raw escape character reaches a terminal.
    expect(result.stdout).not.toContain("\u001b")
    const rejected = await query<{ n: number }>(db, "SELECT count(DISTINCT subject_id)::int AS n FROM findings WHERE code LIKE 'INPUT_%'")
    expect(rejected[0]!.n).toBe(cases.filter((c) => c.finding !== undefined).length)
  }, 180_000)
})
