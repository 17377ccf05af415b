// payout_schedule.json: which date each payout is due. Applying it replaces the stored
// schedule whole (it is configuration, not a batch of records). A schedule that could
// give one request two due dates, or names a method or date that does not exist, is
// rejected whole (issue 9).
import { SqlClient } from "@effect/sql"
import { Effect, Either, ParseResult, Schema } from "effect"
import { FileRejected } from "../Domain/Errors.ts"
import type { Encoding } from "./Encoding.ts"
import { IsoDate } from "./Fields.ts"
import type { OpenExport } from "./TextSource.ts"

const PayoutSchedule = Schema.Struct({
  timezone: Schema.optional(Schema.Literal("Asia/Tokyo")),
  windows: Schema.Array(Schema.Struct({
    requested_from: IsoDate,
    requested_to: IsoDate,
    due: Schema.Record({ key: Schema.String, value: IsoDate })
  })),
  deferred_methods: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] })
})
export type PayoutSchedule = typeof PayoutSchedule.Type

// A schedule is a few windows; anything much larger is not one.
const maxScheduleBytes = 1 << 20

/** Where in the JSON a schema issue is, as staff read it: `windows の 2番目の due.bank`. */
const describePath = (path: ReadonlyArray<PropertyKey>) => {
  let where = ""
  for (const key of path) {
    if (typeof key === "number") where += ` の${key + 1}番目`
    else where += (where === "" ? "" : where.endsWith("番目") ? "の " : ".") + String(key)
  }
  return where
}

/** The first problem of a schedule that does not have the documented shape. */
const describeShape = (error: ParseResult.ParseError) => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return "スケジュールの形が正しくありません"
  const where = issue.path.length === 0 ? "ファイル全体" : describePath(issue.path)
  if (issue._tag === "Missing") return `${where} がありません`
  if (issue.message === "日付（YYYY-MM-DD）") return `${where} が実在する日付（YYYY-MM-DD）ではありません`
  return `${where} が正しくありません: ${issue.message}`
}

/**
 * The schedule's own rules, beyond its shape: every method known, each window from ≤ to,
 * and no two windows of one method covering the same day. Returns the reason when broken.
 */
export const scheduleProblem = (schedule: PayoutSchedule, knownMethods: ReadonlySet<string>): string | undefined => {
  const known = [...knownMethods].join(", ")
  for (const [index, window] of schedule.windows.entries()) {
    if (window.requested_from > window.requested_to) {
      return `windows の${index + 1}番目: requested_to（${window.requested_to}）が requested_from（${window.requested_from}）より前です`
    }
    const unknown = Object.keys(window.due).find((method) => !knownMethods.has(method))
    if (unknown !== undefined) return `windows の${index + 1}番目: 支払方法「${unknown}」はありません（${known} のいずれか）`
  }
  const unknownDeferred = schedule.deferred_methods.find((method) => !knownMethods.has(method))
  if (unknownDeferred !== undefined) return `deferred_methods: 支払方法「${unknownDeferred}」はありません（${known} のいずれか）`
  for (let a = 0; a < schedule.windows.length; a++) {
    for (let b = a + 1; b < schedule.windows.length; b++) {
      const first = schedule.windows[a]!
      const second = schedule.windows[b]!
      const overlaps = first.requested_from <= second.requested_to && second.requested_from <= first.requested_to
      const method = overlaps ? Object.keys(first.due).find((m) => m in second.due) : undefined
      if (method !== undefined) {
        const from = first.requested_from > second.requested_from ? first.requested_from : second.requested_from
        return `windows の${a + 1}番目と${b + 1}番目の期間が ${method} について重なっています（${from} から）: 支払期日が一つに決まりません`
      }
    }
  }
  return undefined
}

/** The text of a schedule file, or why it is not one. Pure, for tests. */
export const parseSchedule = (text: string, knownMethods: ReadonlySet<string>): Either.Either<PayoutSchedule, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    return Either.left(`JSON として読めません: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
  const decoded = Schema.decodeUnknownEither(PayoutSchedule)(json)
  if (Either.isLeft(decoded)) return Either.left(describeShape(decoded.left))
  const problem = scheduleProblem(decoded.right, knownMethods)
  return problem === undefined ? Either.right(decoded.right) : Either.left(problem)
}

export const applySchedule = (
  sql: SqlClient.SqlClient,
  runId: number,
  fileName: string,
  file: OpenExport,
  encoding: Encoding,
  sha256: string
) =>
  Effect.gen(function*() {
    const reject = (reason: string) => new FileRejected({ fileName, reason })
    if (encoding !== "utf-8") return yield* reject("JSON は UTF-8 で保存してください（Shift_JIS のようです）")
    if (file.size > maxScheduleBytes) return yield* reject("大きすぎます（1 MiB まで）: スケジュールのファイルではないようです")
    const bytes = yield* Effect.tryPromise({
      try: async () => {
        const buffer = Buffer.alloc(file.size)
        const { bytesRead } = await file.handle.read(buffer, 0, file.size, 0)
        return buffer.subarray(0, bytesRead)
      },
      catch: (cause) => reject(`ファイルを読めません: ${cause instanceof Error ? cause.message : String(cause)}`)
    })
    // Decoding drops a BOM (Windows Notepad writes one).
    const text = new TextDecoder("utf-8").decode(bytes)
    if (text.includes("\u0000")) return yield* reject("NUL 文字 (0x00) があります")
    const methods = yield* sql<{ method: string }>`SELECT method FROM payout_methods ORDER BY sort_order`
    const parsed = parseSchedule(text, new Set(methods.map((m) => m.method)))
    if (Either.isLeft(parsed)) return yield* reject(parsed.left)
    const schedule = parsed.right
    const rows = schedule.windows.flatMap((window, index) =>
      Object.entries(window.due).map(([method, due]) => ({
        window_no: index + 1,
        requested_from: window.requested_from,
        requested_to: window.requested_to,
        method,
        due_date: due
      }))
    )
    // Replaced whole, but a window that is the same as before keeps its changed_run
    // (migration 0010): only what the new schedule changes is marked with this run.
    if (rows.length === 0) yield* sql`DELETE FROM payout_windows`
    else {
      const kept = sql.csv(rows.map((r) => sql`(${r.window_no}::int, ${r.method}::text)`))
      yield* sql`
        DELETE FROM payout_windows w
        WHERE NOT EXISTS (SELECT 1 FROM (VALUES ${kept}) AS v (window_no, method)
                          WHERE v.window_no = w.window_no AND v.method = w.method)`
      yield* sql`
        INSERT INTO payout_windows AS t ${sql.insert(rows.map((r) => ({ ...r, changed_run: runId })))}
        ON CONFLICT (window_no, method) DO UPDATE SET
          requested_from = EXCLUDED.requested_from, requested_to = EXCLUDED.requested_to, due_date = EXCLUDED.due_date,
          changed_run = CASE
            WHEN (t.requested_from, t.requested_to, t.due_date) IS DISTINCT FROM (EXCLUDED.requested_from, EXCLUDED.requested_to, EXCLUDED.due_date)
            THEN EXCLUDED.changed_run ELSE t.changed_run END`
    }
    yield* sql`DELETE FROM payout_deferred_methods`
    const deferred = [...new Set(schedule.deferred_methods)]
    if (deferred.length > 0) {
      yield* sql`INSERT INTO payout_deferred_methods ${sql.insert(deferred.map((method) => ({ method })))}`
    }
    yield* sql`
      INSERT INTO input_files (sha256, kind, file_name, applied_run, rows_applied, rows_rejected)
      VALUES (${sha256}, 'payout_schedule', ${fileName}, ${runId}, ${rows.length}, 0)`
    return { applied: rows.length, rejected: 0, blank: 0 }
  })
