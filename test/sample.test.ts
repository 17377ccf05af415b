// The committed sample inbox is what the generator writes, and a run over it raises
// exactly the findings its planted cases expect (fixtures/CASES.md), and nothing else.
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { sampleCases, writeSampleInbox } from "../fixtures/sample-data/sampleInbox.ts"
import { tempDir } from "./support/inbox.ts"
import { createTestDatabase, query, runPipeline } from "./support/testDatabase.ts"

const seed = 20230905 // fixtures/generate.ts's default
const sampleDir = path.resolve(import.meta.dirname, "../fixtures/sample")

describe("fixtures/sample", () => {
  it("is byte for byte what the seeded generator writes", async () => {
    const fresh = tempDir()
    await writeSampleInbox(fresh, seed)
    const names = fs.readdirSync(sampleDir).sort()
    expect(fs.readdirSync(fresh).sort()).toEqual(names)
    for (const name of names) {
      expect(fs.readFileSync(path.join(fresh, name)).equals(fs.readFileSync(path.join(sampleDir, name))), name).toBe(true)
    }
  })

  it("raises exactly the planted findings, with the details that matter", async () => {
    const url = await createTestDatabase()
    const result = await runPipeline(url, { inbox: sampleDir, outDir: tempDir(), asOf: "2023-09-05" })
    expect(result.exitCode).toBe(0)
    const cases = sampleCases(seed)
    const expected = [...cases.shipping, ...cases.payouts].flatMap((c) => c.expected)
    const raised = await query<{ code: string; subject_id: string; related_id: string; detail: string }>(
      url,
      "SELECT code, subject_id, related_id, detail FROM findings WHERE closed_on IS NULL"
    )
    const key = (code: string, subject: string, related: string) => `${code} ${subject} ${related}`
    expect(raised.map((f) => key(f.code, f.subject_id, f.related_id)).sort())
      .toEqual(expected.map((f) => key(f.code, f.subject, f.related ?? "")).sort())
    // CASES.md says in English what a detail must say; the details are Japanese.
    const detailOf = (f: (typeof expected)[number]) =>
      raised.find((r) => r.code === f.code && r.subject_id === f.subject && r.related_id === (f.related ?? ""))!.detail
    for (const f of expected.filter((e) => e.detail !== undefined)) {
      const said = f.detail!
      const suggestion = /^suggests (PS-\d{8})$/.exec(said)
      const amount = /^(under|over) by ¥(\d+)$/.exec(said)
      if (suggestion !== null) expect(detailOf(f)).toContain(`注文 ${suggestion[1]} の書き間違い`)
      else if (said === "no suggestion") expect(detailOf(f)).not.toContain("書き間違い")
      else if (amount !== null) expect(detailOf(f)).toContain(`${amount[2]}円${amount[1] === "under" ? "不足" : "超過"}`)
      else throw new Error(`no check for the expected detail "${said}"`)
    }
  })
})
