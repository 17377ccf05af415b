// The bank master: bank and branch codes with their kana names, from the zengin-code
// package (its version, e.g. 1.0.0-p20260824, carries the date of its data). The
// package is a 5 MB script: it is loaded only when the stored copy is of another
// version, and only codes and half-width kana names are kept (bank_banks,
// bank_branches), for PAY_BANK_UNKNOWN and the transfer file's names.
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import type ZenginCode from "zengin-code"
import { toBankCharacters } from "../Domain/BankName.ts"

const require = createRequire(import.meta.url)

/** The zengin-code version the master comes from. */
export const bankMasterVersion: string = (require("zengin-code/package.json") as { version: string }).version

/** The date of the master's data, `YYYY-MM-DD`, from the package version (…-pYYYYMMDD). */
export const bankMasterDate: string = (() => {
  const match = /p(\d{4})(\d{2})(\d{2})$/.exec(bankMasterVersion)
  return match === null ? bankMasterVersion : `${match[1]}-${match[2]}-${match[3]}`
})()

/**
 * The package's data, parsed as JSON rather than imported: an imported module stays in
 * the module cache for the life of the process (some 60 MB of objects, for a table
 * that is read once, into the database). The data file is one object literal in JSON
 * syntax after `module.exports =`; any other shape falls back to `require`.
 */
export const readZenginData = (): typeof ZenginCode => {
  const file = require.resolve("zengin-code/lib/zengin-data.js")
  const literal = /^\s*module\.exports\s*=\s*([\s\S]*?);?\s*$/.exec(fs.readFileSync(file, "utf8"))?.[1]
  try {
    if (literal !== undefined) return JSON.parse(literal) as typeof ZenginCode
  } catch {
    // not JSON after all: load it as the script it is
  }
  const master = require(file) as typeof ZenginCode
  delete require.cache[file]
  return master
}

export const refreshBankMaster = (sql: SqlClient.SqlClient) =>
  Effect.gen(function*() {
    const stored = yield* sql<{ version: string }>`SELECT version FROM bank_master_version`
    if (stored.length === 1 && stored[0]!.version === bankMasterVersion) return
    const master = yield* Effect.sync(readZenginData)
    const banks = Object.values(master).map((b) => ({ bank_code: b.code, bank_kana: toBankCharacters(b.kana) }))
    const branches = Object.values(master).flatMap((b) =>
      Object.values(b.branches).map((br) => ({ bank_code: b.code, branch_code: br.code, branch_kana: toBankCharacters(br.kana) }))
    )
    yield* sql`DELETE FROM bank_branches`
    yield* sql`DELETE FROM bank_banks`
    yield* sql`DELETE FROM bank_master_version`
    // One statement per table: ~29,000 branches as one JSON parameter.
    yield* sql`
      INSERT INTO bank_banks (bank_code, bank_kana)
      SELECT bank_code, bank_kana FROM jsonb_to_recordset(${JSON.stringify(banks)}::jsonb) AS x(bank_code text, bank_kana text)`
    yield* sql`
      INSERT INTO bank_branches (bank_code, branch_code, branch_kana)
      SELECT bank_code, branch_code, branch_kana
      FROM jsonb_to_recordset(${JSON.stringify(branches)}::jsonb) AS x(bank_code text, branch_code text, branch_kana text)`
    yield* sql`INSERT INTO bank_master_version (version) VALUES (${bankMasterVersion})`
  }).pipe(Effect.orDie, Effect.withSpan("BankMaster.refresh"))
