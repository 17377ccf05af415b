// `keshikomi rekey`: every sealed value opened with the current key and sealed again
// under a new one, and the stored fingerprint replaced, in one transaction. The keyed
// hashes stay as they are: their key is carried over into the new key file, because
// the values behind hashes whose details retention removed cannot be hashed again
// (docs/privacy.md).
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { KeyUnavailable } from "../Domain/Errors.ts"
import { RunLog } from "../Store/RunLog.ts"
import { writeNewKeyFile } from "./KeyFile.ts"
import { sealedTables } from "./SealedColumns.ts"
import { Sealer, type SealerShape, shortFingerprint } from "./Sealer.ts"

export interface RekeyResult {
  readonly newKeyFile: string
  readonly values: number
  readonly fingerprint: string
}

const rowsPerStatement = 1_000

/** Re-seals every sealed column of the database from `from` to `to` (inside the caller's transaction). */
export const resealAll = (sql: SqlClient.SqlClient, from: SealerShape, to: SealerShape) =>
  Effect.gen(function*() {
    let values = 0
    for (const [table, spec] of Object.entries(sealedTables)) {
      const columns = Object.keys(spec.sealed)
      const rows = yield* sql<Record<string, unknown>>`
        SELECT ${sql.csv([...spec.key, ...columns].map((c) => sql`${sql(c)}`))} FROM ${sql(table)}`
      for (let start = 0; start < rows.length; start += rowsPerStatement) {
        const tuples = rows.slice(start, start + rowsPerStatement).map((row) => {
          const resealed = columns.map((c) => {
            const sealed = row[c] as Uint8Array | null
            if (sealed !== null) values++
            const context = spec.contexts?.[c]
            return sql`${sealed === null ? null : to.seal(from.open(sealed, context), context)}::bytea`
          })
          return sql`(${sql.csv([...spec.key.map((k) => sql`${row[k] as string}`), ...resealed])})`
        })
        yield* sql`
          UPDATE ${sql(table)} AS t
          SET ${sql.csv(columns.map((c) => sql`${sql(c)} = v.${sql(c)}`))}
          FROM (VALUES ${sql.csv(tuples)}) AS v (${sql.csv([...spec.key, ...columns].map((c) => sql`${sql(c)}`))})
          WHERE ${sql.and(spec.key.map((k) => sql`t.${sql(k)} = v.${sql(k)}`))}`
      }
    }
    yield* sql`UPDATE seal_key SET fingerprint = ${to.fingerprint}, sealed_at = now()`
    return values
  })

/**
 * Writes a new key file at `newKeyFile` (which must not exist), re-seals everything
 * under it and commits; on any failure nothing is changed and the new file is removed.
 */
export const rekey = (newKeyFile: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const sealer = yield* Sealer
    const runLog = yield* RunLog
    const target = path.resolve(newKeyFile)
    const next = sealer.successor()
    yield* Effect.try({
      try: () => writeNewKeyFile(target, next.material),
      catch: (cause) =>
        new KeyUnavailable({
          reason: (cause as NodeJS.ErrnoException).code === "EEXIST"
            ? `${target} はもうあります。まだないファイル名を指定してください（鍵は上書きしません）`
            : `${target} を書けません: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`
        })
    })
    const values = yield* Effect.gen(function*() {
      yield* runLog.lock
      return yield* resealAll(sql, sealer, next.sealer)
    }).pipe(
      sql.withTransaction,
      Effect.catchTag("SqlError", Effect.die),
      Effect.onError(() => Effect.sync(() => fs.rmSync(target, { force: true })))
    )
    return { newKeyFile: target, values, fingerprint: shortFingerprint(next.sealer.fingerprint) } satisfies RekeyResult
  })
