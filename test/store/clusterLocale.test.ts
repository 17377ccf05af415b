// The embedded cluster's locale does not come from the machine (src/Store/EmbeddedServer.ts,
// clusterLocale): text sorts by code point on every office machine, and case mapping still
// knows characters beyond ASCII.
import { describe, expect, it } from "vitest"
import { createTestDatabase, query } from "../support/testDatabase.ts"

describe("the embedded cluster's locale", () => {
  it("is PostgreSQL's builtin C.UTF-8, whatever LANG the first run had", async () => {
    const url = await createTestDatabase()
    const [database] = await query<{ provider: string; locale: string; collate: string; ctype: string }>(url, `
      SELECT datlocprovider AS provider, datlocale AS locale, datcollate AS collate, datctype AS ctype
      FROM pg_database WHERE datname = current_database()`)
    expect(database).toEqual({ provider: "b", locale: "C.UTF-8", collate: "C", ctype: "C" })
  })

  it("orders text by code point, where a libc locale would fold case and skip punctuation", async () => {
    const url = await createTestDatabase()
    const words = ["b", "B", "a", "A", "_x", "ä", "あ", "ア", "10", "9", "a-2", "a1"]
    const rows = await query<{ w: string }>(url, "SELECT w FROM unnest($1::text[]) AS w ORDER BY w", [words])
    expect(rows.map((r) => r.w)).toEqual([...words].sort((x, y) => (Buffer.compare(Buffer.from(x), Buffer.from(y)))))
    expect(rows.map((r) => r.w)).toEqual(["10", "9", "A", "B", "_x", "a", "a-2", "a1", "b", "ä", "あ", "ア"])
  })

  it("still maps case beyond ASCII (the builtin provider, not plain C)", async () => {
    const url = await createTestDatabase()
    const [row] = await query<{ upper: string; lower: string }>(url, "SELECT upper('äｂ') AS upper, lower('ÄＢ') AS lower")
    expect(row).toEqual({ upper: "ÄＢ", lower: "äｂ" })
  })
})
