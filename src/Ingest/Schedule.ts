// payout_schedule.json: which date each payout is due. Applying it replaces the stored
// schedule whole (it is configuration, not a batch of records).
import { SqlClient } from "@effect/sql"
import { Effect, Either, ParseResult, Schema } from "effect"
import * as fs from "node:fs"
import { FileRejected } from "../Domain/Errors.ts"
import { IsoDate } from "./Fields.ts"

const PayoutSchedule = Schema.Struct({
  timezone: Schema.optional(Schema.Literal("Asia/Tokyo")),
  windows: Schema.Array(Schema.Struct({
    requested_from: IsoDate,
    requested_to: IsoDate,
    due: Schema.Record({ key: Schema.String, value: IsoDate })
  })),
  deferred_methods: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] })
})

export const applySchedule = (sql: SqlClient.SqlClient, runId: number, fileName: string, filePath: string, sha256: string) =>
  Effect.gen(function*() {
    const reject = (reason: string) => new FileRejected({ fileName, reason })
    const text = yield* Effect.try({
      try: () => new TextDecoder("utf-8", { fatal: true }).decode(fs.readFileSync(filePath)),
      catch: () => reject("UTF-8 として読めません")
    })
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (cause) => reject(`JSON として読めません: ${cause instanceof Error ? cause.message : String(cause)}`)
    })
    const decoded = Schema.decodeUnknownEither(PayoutSchedule)(json)
    if (Either.isLeft(decoded)) {
      return yield* reject(`スケジュールの形が正しくありません: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left)}`)
    }
    const schedule = decoded.right
    const rows = schedule.windows.flatMap((window, index) => {
      if (window.requested_from > window.requested_to) return []
      return Object.entries(window.due).map(([method, due]) => ({
        window_no: index + 1,
        requested_from: window.requested_from,
        requested_to: window.requested_to,
        method,
        due_date: due
      }))
    })
    const reversed = schedule.windows.findIndex((w) => w.requested_from > w.requested_to)
    if (reversed >= 0) return yield* reject(`${reversed + 1}番目の期間の requested_from が requested_to より後です`)
    yield* sql`DELETE FROM payout_windows`
    yield* sql`DELETE FROM payout_deferred_methods`
    if (rows.length > 0) yield* sql`INSERT INTO payout_windows ${sql.insert(rows)}`
    const deferred = [...new Set(schedule.deferred_methods)]
    if (deferred.length > 0) {
      yield* sql`INSERT INTO payout_deferred_methods ${sql.insert(deferred.map((method) => ({ method })))}`
    }
    yield* sql`
      INSERT INTO input_files (sha256, kind, file_name, applied_run, rows_applied, rows_rejected)
      VALUES (${sha256}, 'payout_schedule', ${fileName}, ${runId}, ${rows.length}, 0)`
    return { applied: rows.length, rejected: 0 }
  })
