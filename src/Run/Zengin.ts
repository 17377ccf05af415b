// `keshikomi zengin`: the 総合振込 file for what is due, and `--void` for a file never
// uploaded. Writing takes the run lock and records the file in the same transaction
// that selects its requests, so no request can go into two files; the file and its
// approver workbook are staged owner-only and moved into place only once that
// transaction has committed (docs/zengin.md).
import { SqlClient } from "@effect/sql"
import { Context, Data, Effect, Either, Layer, ParseResult, Schema } from "effect"
import { logElapsed } from "../Log.ts"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { bankHolderName, isBankText } from "../Domain/BankName.ts"
import { isBankBusinessDay, isPlainDate, nextBusinessDayOnOrAfter } from "../Domain/BusinessDay.ts"
import type { RunInProgress } from "../Domain/Errors.ts"
import {
  readZenginFile,
  trailerOf,
  writeZenginFile,
  type ZenginFile,
  type ZenginRecord,
  type ZenginTrailer
} from "../Domain/ZenginFormat.ts"
import { ownerOnlyPartial, publishOwnerOnly, stageOwnerOnly } from "../Report/OwnerOnlyFile.ts"
import { type ApprovalLine, maskAccount, writeApprovalWorkbook } from "../Report/ZenginWorkbook.ts"
import { refreshBankMaster } from "../Store/BankMaster.ts"
import { RunLog } from "../Store/RunLog.ts"
import { ZenginStore } from "../Store/ZenginStore.ts"

/** The command cannot do what was asked; nothing was changed. One line for the terminal. */
export class ZenginRefused extends Data.TaggedError("ZenginRefused")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** The requester file (依頼人): who pays, from which account. */
const Digits = (n: number, label: string) =>
  Schema.String.pipe(Schema.filter((s) => new RegExp(`^\\d{${n}}$`).test(s), { message: () => `${label}: ${n}桁の数字で書きます` }))

export const Requester = Schema.Struct({
  requester_code: Digits(10, "requester_code（依頼人コード）"),
  requester_name: Schema.String.pipe(
    Schema.filter((s) => s !== "" && isBankText(s) && Buffer.byteLength(s, "latin1") <= 40, {
      message: () => "requester_name（依頼人名）: 銀行の文字（半角カナ・英大文字・数字・スペースと ().-/\\「」）で40文字まで"
    })
  ),
  bank_code: Digits(4, "bank_code（仕向金融機関コード）"),
  branch_code: Digits(3, "branch_code（仕向支店コード）"),
  account_type: Schema.Literal("1", "2", "9").annotations({ message: () => "account_type: 1（普通）, 2（当座）, 9（その他）" }),
  account_number: Digits(7, "account_number（口座番号）")
})
export type Requester = typeof Requester.Type

export interface WriteOptions {
  readonly transferDate: string
  readonly dueBy: string
  readonly asOf: string
  readonly outDir: string
  readonly requesterFile: string
  readonly dryRun: boolean
  readonly by: string
}

export interface WriteResult {
  /** Paths written: the transfer file (unless a dry run) and the approver workbook; none when nothing is due. */
  readonly written: ReadonlyArray<string>
  readonly trailer: ZenginTrailer
}

export interface VoidOptions {
  readonly file: string
  readonly by: string
  readonly note: string
}

/** Runs one step and logs how long it took (as the run does). */
const step = <A, E, R>(name: string, effect: Effect.Effect<A, E, R>) => logElapsed("step finished", { step: name }, effect)

const refuse = (reason: string) => Effect.fail(new ZenginRefused({ reason }))

const readRequester = (file: string) =>
  Effect.gen(function*() {
    const text = yield* Effect.try({
      try: () => fs.readFileSync(file, "utf8"),
      catch: (e) => new ZenginRefused({ reason: `依頼人ファイル ${file} を読めません: ${(e as NodeJS.ErrnoException).code ?? String(e)}` })
    })
    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (e) => new ZenginRefused({ reason: `依頼人ファイル ${file} は JSON ではありません: ${(e as Error).message}` })
    })
    const decoded = Schema.decodeUnknownEither(Requester, { errors: "all", onExcessProperty: "error" })(json)
    if (Either.isLeft(decoded)) {
      const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
      return yield* refuse(`依頼人ファイル ${file}: ${issues.map((i) => `${i.path.join(".") || "(全体)"}: ${i.message}`).join("; ")}`)
    }
    return decoded.right
  })

/** The transfer file's name for a 振込指定日, with _2, _3 … when the folder already has one. */
const freeName = (directory: string, transferDate: string) => {
  const stem = `zengin_${transferDate.replaceAll("-", "")}`
  for (let n = 1; ; n++) {
    const base = n === 1 ? stem : `${stem}_${n}`
    if ([".txt", ".xlsx", "_dry-run.xlsx"].every((suffix) => !fs.existsSync(path.join(directory, `${base}${suffix}`)))) return base
  }
}

export class Zengin extends Context.Tag("keshikomi/Zengin")<Zengin, {
  readonly write: (options: WriteOptions) => Effect.Effect<WriteResult, ZenginRefused | RunInProgress>
  readonly voidFile: (options: VoidOptions) => Effect.Effect<{ readonly fileName: string; readonly requests: number }, ZenginRefused>
}>() {}

export const ZenginLive = Layer.effect(Zengin, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const store = yield* ZenginStore
  const runLog = yield* RunLog

  const write = Effect.fn("Zengin.write")(function*(options: WriteOptions) {
    const { transferDate, dueBy, asOf } = options
    for (const [flag, value] of [["--transfer-date", transferDate], ["--due-by", dueBy], ["--as-of", asOf]] as const) {
      if (!isPlainDate(value)) return yield* refuse(`${flag} は日付（YYYY-MM-DD）で書きます: ${value}`)
    }
    const businessDay = yield* Effect.try({
      try: () => isBankBusinessDay(transferDate),
      catch: (e) => new ZenginRefused({ reason: `振込指定日 ${transferDate}: ${(e as Error).message}` })
    })
    if (!businessDay) {
      return yield* refuse(`振込指定日 ${transferDate} は銀行の休業日です。次の営業日は ${nextBusinessDayOnOrAfter(transferDate)} です。`)
    }
    if (transferDate < asOf) return yield* refuse(`振込指定日 ${transferDate} は作成基準日 ${asOf} より前です。`)
    const requester = yield* readRequester(options.requesterFile)

    const directory = path.join(options.outDir, asOf)
    const staged: Array<{ readonly partial: string; readonly target: string }> = []
    const discard = Effect.sync(() => staged.forEach(({ partial }) => fs.rmSync(partial, { force: true })))

    const transaction = Effect.gen(function*() {
      yield* runLog.lock
      yield* step("bank master", refreshBankMaster(sql))
      const paying = yield* store.bankNames(requester.bank_code, requester.branch_code)
      if (paying.bank_kana === null || paying.branch_kana === null) {
        return yield* refuse(`依頼人ファイルの仕向口座 ${requester.bank_code}-${requester.branch_code} は金融機関マスタにありません。`)
      }
      const requests = yield* step("select", store.payable(dueBy))
      if (requests.length > 999_999) return yield* refuse(`${requests.length} 件は1ファイルの上限（999,999件）を超えます。--due-by を早めてください。`)
      const accounts = yield* step("accounts", store.payableAccounts(requests.map((r) => r.request_id)))
      const records: Array<ZenginRecord> = []
      const lines: Array<ApprovalLine> = []
      for (const r of requests) {
        const account = accounts.get(r.request_id)!
        // holder_writable was decided on this same name at ingest.
        const holderName = bankHolderName(account.account_holder)!
        records.push({
          bankCode: r.bank_code, bankName: r.bank_kana, branchCode: r.branch_code, branchName: r.branch_kana,
          accountType: r.account_type, accountNumber: account.account_number, holderName, amount: r.amount,
          customerCode: r.request_id
        })
        lines.push({ ...r, account_masked: maskAccount(account.account_number), holder_name: holderName })
      }
      const trailer = trailerOf(records)
      if (records.length === 0) return { written: [], trailer }
      const file: ZenginFile = {
        header: {
          requesterCode: requester.requester_code, requesterName: requester.requester_name,
          transferDate: transferDate.slice(5).replace("-", ""), bankCode: requester.bank_code, bankName: paying.bank_kana,
          branchCode: requester.branch_code, branchName: paying.branch_kana, accountType: requester.account_type,
          accountNumber: requester.account_number
        },
        records
      }
      const bytes = writeZenginFile(file)
      yield* Effect.try({ try: () => fs.mkdirSync(directory, { recursive: true, mode: 0o700 }), catch: (e) => new ZenginRefused({ reason: `${directory} を作れません: ${(e as Error).message}` }) })
      const base = freeName(directory, transferDate)
      const fileName = `${base}.txt`
      const workbookTarget = path.join(directory, options.dryRun ? `${base}_dry-run.xlsx` : `${base}.xlsx`)
      const workbookPartial = yield* Effect.try({ try: () => ownerOnlyPartial(workbookTarget), catch: (e) => new ZenginRefused({ reason: `${workbookTarget} を書けません: ${(e as Error).message}` }) })
      staged.push({ partial: workbookPartial, target: workbookTarget })
      yield* step("approver workbook", writeApprovalWorkbook(workbookPartial, {
        fileName, asOf, transferDate, dueBy, requesterName: requester.requester_name,
        requesterAccount: `${requester.bank_code}-${requester.branch_code} ${maskAccount(requester.account_number)}`,
        trailer, dryRun: options.dryRun
      }, lines))
      if (options.dryRun) return { written: [workbookTarget], trailer }
      const target = path.join(directory, fileName)
      const partial = yield* Effect.try({ try: () => stageOwnerOnly(target, bytes), catch: (e) => new ZenginRefused({ reason: `${target} を書けません: ${(e as Error).message}` }) })
      staged.unshift({ partial, target })
      const sha256 = createHash("sha256").update(bytes).digest("hex")
      const fileId = yield* step("record", store.record({ fileName, asOf, transferDate, by: options.by, sha256, requests }))
      yield* store.audit({
        fileId, fileName, action: "write", by: options.by, note: `${trailer.count}件 ${trailer.total}円 振込指定日 ${transferDate}`,
        outcome: "written"
      })
      return { written: [target, workbookTarget], trailer }
    })

    const result = yield* transaction.pipe(
      sql.withTransaction,
      Effect.catchTag("SqlError", Effect.die),
      Effect.onError(() => discard)
    )
    // Committed: only now do the files take their names (a name taken meanwhile is refused, never replaced).
    yield* Effect.try({
      try: () => staged.forEach(({ partial, target }) => publishOwnerOnly(partial, target)),
      catch: (e) =>
        new ZenginRefused({
          reason: options.dryRun
            ? `ファイルを置けません: ${(e as Error).message}`
            : `ファイルを置けません（記録は済み。keshikomi zengin --void で取り消せます）: ${(e as Error).message}`
        })
    }).pipe(Effect.onError(() => discard))
    return result
  })

  const voidFile = Effect.fn("Zengin.void")(function*(options: VoidOptions) {
    const fileName = path.basename(options.file)
    const refuseAudited = (fileId: number | null, reason: string) =>
      store.audit({ fileId, fileName, action: "void", by: options.by, note: options.note, outcome: `refused: ${reason}` }).pipe(
        Effect.andThen(refuse(reason))
      )
    // The file itself when it is at hand (found by its content), else its recorded name.
    const found = yield* (fs.existsSync(options.file)
      ? Effect.gen(function*() {
        const bytes = fs.readFileSync(options.file)
        const readable = Either.try({ try: () => readZenginFile(bytes), catch: (e) => e as Error })
        if (Either.isLeft(readable)) return yield* refuseAudited(null, `${fileName} は総合振込ファイルとして読めません: ${readable.left.message}`)
        return yield* store.findFile({ sha256: createHash("sha256").update(bytes).digest("hex") })
      })
      : store.findFile({ fileName }))
    // A file written again after a void has the same bytes: its name tells them apart.
    const named = found.filter((f) => f.file_name === fileName)
    const candidates = named.length > 0 ? named : found
    const live = candidates.filter((f) => !f.voided)
    if (found.length === 0) return yield* refuseAudited(null, `${fileName} は keshikomi zengin が書いたファイルとして記録されていません。`)
    if (live.length === 0) return yield* refuseAudited(candidates[0]!.file_id, `${fileName} はすでに取り消されています。`)
    if (live.length > 1) return yield* refuseAudited(null, `${fileName} という名前のファイルが複数あります。ファイルそのものを指定してください。`)
    const file = live[0]!
    if (file.with_result > 0) {
      return yield* refuseAudited(file.file_id, `${fileName} の ${file.with_result} 件はすでに振込結果が取り込まれています（アップロード済み）。取り消せません。`)
    }
    yield* Effect.andThen(
      store.voidFile(file.file_id, options.by, options.note),
      store.audit({ fileId: file.file_id, fileName, action: "void", by: options.by, note: options.note, outcome: "voided" })
    ).pipe(sql.withTransaction, Effect.catchTag("SqlError", Effect.die))
    return { fileName: file.file_name, requests: file.record_count }
  })

  return { write, voidFile }
}))
