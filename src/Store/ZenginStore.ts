// What `keshikomi zengin` reads and records: the payable bank requests (docs/zengin.md,
// selection), the opened account details of the chosen ones (through PersonalData), and
// the files written.
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import { PersonalData } from "./PersonalData.ts"

/** A request that goes into the file: everything but the personal account details. */
export interface PayableRequest {
  readonly request_id: string
  readonly service: string
  readonly kind: string
  readonly amount: number
  readonly window_no: number | null
  readonly due_date: string
  readonly bank_code: string
  readonly bank_kana: string
  readonly branch_code: string
  readonly branch_kana: string
  readonly account_type: string
}

/** The personal part of a request's account, in clear. */
export interface PayableAccount {
  readonly request_id: string
  readonly account_number: string
  readonly account_holder: string
}

export interface BankNames {
  readonly bank_kana: string | null
  readonly branch_kana: string | null
}

export interface RecordedFile {
  readonly file_id: number
  readonly file_name: string
  readonly transfer_date: string
  readonly record_count: number
  readonly total_amount: number
  readonly voided: boolean
  /** requests of the file for which a transfer dated on or after its 振込指定日 was read */
  readonly with_result: number
}

export interface NewFile {
  readonly fileName: string
  readonly asOf: string
  readonly transferDate: string
  readonly by: string
  readonly sha256: string
  readonly requests: ReadonlyArray<{ readonly request_id: string; readonly amount: number }>
}

/**
 * The requests of transfer files not voided for which no transfer dated on or after the
 * file's 振込指定日 has been read yet (docs/zengin.md): they show PAY_SCHEDULED and never
 * go into a second file. `transfers` is the stored table, or the run's snapshot of it.
 */
export const inFileWithoutResult = (sql: SqlClient.SqlClient, transfers: "transfers" | "payout_run_transfer") =>
  sql`
    SELECT fr.request_id, f.file_id, f.file_name, f.transfer_date
    FROM zengin_file_requests fr
    JOIN zengin_files f ON f.file_id = fr.file_id
    WHERE f.voided_at IS NULL
      AND NOT EXISTS (
        SELECT 1 FROM payout_assignments a
        JOIN ${sql(transfers)} t ON t.channel = a.channel AND t.transfer_id = a.transfer_id
        WHERE a.request_id = fr.request_id AND t.transfer_date >= f.transfer_date
      )`

export class ZenginStore extends Context.Tag("keshikomi/ZenginStore")<ZenginStore, {
  /** Bank requests to pay by `dueBy`, as of the last run (docs/zengin.md). */
  readonly payable: (dueBy: string) => Effect.Effect<ReadonlyArray<PayableRequest>>
  /** The clear account number and holder name of each request (the one place they are read). */
  readonly payableAccounts: (requestIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, PayableAccount>>
  readonly bankNames: (bankCode: string, branchCode: string) => Effect.Effect<BankNames>
  readonly record: (file: NewFile) => Effect.Effect<number>
  readonly findFile: (by: { readonly sha256: string } | { readonly fileName: string }) => Effect.Effect<ReadonlyArray<RecordedFile>>
  readonly voidFile: (fileId: number, by: string, note: string) => Effect.Effect<void>
  readonly audit: (event: {
    readonly fileId: number | null
    readonly fileName: string
    readonly action: "write" | "void"
    readonly by: string
    readonly note: string
    readonly outcome: string
  }) => Effect.Effect<void>
}>() {}

export const ZenginStoreLive = Layer.effect(ZenginStore, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const personalData = yield* PersonalData

  // A request is in a file "with no result yet" while no transfer dated on or after the
  // file's 振込指定日 belongs to it (inFileWithoutResult, shared with PAY_SCHEDULED in the payout rules).
  // Both sets are computed once for the query, not per request.
  const payable = (dueBy: string) =>
    sql<PayableRequest>`
      WITH scheduled AS (
        SELECT DISTINCT request_id FROM (${inFileWithoutResult(sql, "transfers")}) s
      ),
      last_failed AS (
        SELECT DISTINCT ON (a.request_id) a.request_id,
               t.destination_key AS destination,
               t.holder_key
        FROM payout_assignments a
        JOIN transfers t ON t.channel = a.channel AND t.transfer_id = a.transfer_id
        WHERE t.outcome = 'failed'
        ORDER BY a.request_id, t.transfer_date DESC, t.transfer_id DESC
      )
      SELECT r.request_id, r.service, r.kind, r.amount::float8 AS amount, s.window_no,
             to_char(s.due_date, 'YYYY-MM-DD') AS due_date,
             r.bank_code, b.bank_kana, r.branch_code, br.branch_kana, r.account_type
      FROM payout_requests r
      JOIN payout_request_state s ON s.request_id = r.request_id
      JOIN bank_banks b ON b.bank_code = r.bank_code
      JOIN bank_branches br ON br.bank_code = r.bank_code AND br.branch_code = r.branch_code
      LEFT JOIN last_failed failed ON failed.request_id = r.request_id
      LEFT JOIN scheduled x ON x.request_id = r.request_id
      WHERE r.method = 'bank' AND r.status = 'requested'
        AND NOT EXISTS (SELECT 1 FROM payout_deferred_methods d WHERE d.method = r.method)
        AND s.completed_count = 0
        AND s.due_date <= ${dueBy}::date
        AND r.holder_writable
        AND x.request_id IS NULL
        -- after a failure, only once the account details changed in a later export
        AND (failed.request_id IS NULL
             OR failed.destination IS DISTINCT FROM r.destination_key
             OR failed.holder_key IS DISTINCT FROM r.holder_key)
      ORDER BY s.window_no NULLS LAST, r.kind, r.request_id`.pipe(Effect.orDie)

  // Opened by PersonalData, the one opener of account details (docs/privacy.md).
  const payableAccounts = (requestIds: ReadonlyArray<string>) =>
    personalData.accountDetailsOf(requestIds).pipe(
      Effect.map((details) => {
        const accounts = new Map<string, PayableAccount>()
        for (const d of details.values()) {
          // Retention removes the details of settled requests only; a payable one has them.
          if (d.accountNumber === null || d.accountHolder === null) continue
          accounts.set(d.requestId, { request_id: d.requestId, account_number: d.accountNumber, account_holder: d.accountHolder })
        }
        return accounts as ReadonlyMap<string, PayableAccount>
      })
    )

  const bankNames = (bankCode: string, branchCode: string) =>
    sql<BankNames>`
      SELECT (SELECT bank_kana FROM bank_banks WHERE bank_code = ${bankCode}) AS bank_kana,
             (SELECT branch_kana FROM bank_branches WHERE bank_code = ${bankCode} AND branch_code = ${branchCode}) AS branch_kana`.pipe(
      Effect.map((rows) => rows[0]!),
      Effect.orDie
    )

  const record = (file: NewFile) =>
    Effect.gen(function*() {
      const total = file.requests.reduce((sum, r) => sum + r.amount, 0)
      const [row] = yield* sql<{ file_id: string }>`
        INSERT INTO zengin_files (file_name, as_of, transfer_date, written_by, record_count, total_amount, sha256)
        VALUES (${file.fileName}, ${file.asOf}::date, ${file.transferDate}::date, ${file.by}, ${file.requests.length},
                ${total}, ${file.sha256})
        RETURNING file_id`
      const fileId = Number(row!.file_id)
      // One statement: the requests as one JSON parameter.
      const rows = JSON.stringify(file.requests.map((r) => ({ request_id: r.request_id, amount: r.amount })))
      yield* sql`
        INSERT INTO zengin_file_requests (file_id, request_id, amount)
        SELECT ${fileId}, request_id, amount FROM jsonb_to_recordset(${rows}::jsonb) AS x(request_id text, amount bigint)`
      return fileId
    }).pipe(Effect.orDie)

  const findFile = (by: { readonly sha256: string } | { readonly fileName: string }) =>
    sql<RecordedFile>`
      SELECT f.file_id::int AS file_id, f.file_name, to_char(f.transfer_date, 'YYYY-MM-DD') AS transfer_date,
             f.record_count, f.total_amount::float8 AS total_amount, f.voided_at IS NOT NULL AS voided,
             (SELECT count(*)::int FROM zengin_file_requests fr
              WHERE fr.file_id = f.file_id AND EXISTS (
                SELECT 1 FROM payout_assignments a
                JOIN transfers t ON t.channel = a.channel AND t.transfer_id = a.transfer_id
                WHERE a.request_id = fr.request_id AND t.transfer_date >= f.transfer_date)) AS with_result
      FROM zengin_files f
      WHERE ${"sha256" in by ? sql`f.sha256 = ${by.sha256}` : sql`f.file_name = ${by.fileName}`}
      ORDER BY f.file_id`.pipe(Effect.orDie)

  const voidFile = (fileId: number, by: string, note: string) =>
    sql`UPDATE zengin_files SET voided_at = now(), voided_by = ${by}, void_note = ${note} WHERE file_id = ${fileId}`.pipe(
      Effect.asVoid,
      Effect.orDie
    )

  const audit: ZenginStore["Type"]["audit"] = (event) =>
    sql`
      INSERT INTO zengin_audit (file_id, file_name, action, by_whom, note, outcome)
      VALUES (${event.fileId}, ${event.fileName}, ${event.action}, ${event.by}, ${event.note}, ${event.outcome})`.pipe(
      Effect.asVoid,
      Effect.orDie
    )

  return { payable, payableAccounts, bankNames, record, findFile, voidFile, audit }
}))
