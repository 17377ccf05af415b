// The command line (docs/reports.md). Exit status: 0 done and every input read; 2 done
// but some input rejected; 1 failed or a bad command line, nothing changed; 3 another
// run holds the database. Each command is one `Command.make` in `commands` below, with
// its help text in CliHelp.ts; staff-facing text is Japanese.
import { Command, Options, Args } from "@effect/cli"
import { Clock, Cron, Data, Duration, Effect, Either, Exit, Layer, Option } from "effect"
import { isPlainDate, todayInJapan } from "./Domain/BusinessDay.ts"
import { japanTimestamp } from "./Log.ts"
import { HttpServer } from "@effect/platform"
import { AppLive, DecisionsAppLive, DeskAppLive, RekeyAppLive, ZenginAppLive } from "./App.ts"
import { configuredPassword, DeskPasswordUnavailable, isLoopback } from "./Desk/DeskPassword.ts"
import { DeskServerLive, deskUrl } from "./Desk/Server.ts"
import { rekey } from "./Seal/Rekey.ts"
import { incrementalSummary } from "./Match/NightScope.ts"
import { Run } from "./Run/Run.ts"
import { applyWorkbookDecisions } from "./Run/WorkbookDecisions.ts"
import { actionPriority } from "./Report/FinanceSheets.ts"
import { shippingActions } from "./Report/ShippingActions.ts"
import type { RunResult } from "./Run/Run.ts"
import { Zengin } from "./Run/Zengin.ts"
import { Decisions } from "./Store/Decisions.ts"
import { RunLog } from "./Store/RunLog.ts"

/** What the process should exit with, and whether a run is under way (for signals). */
export const processState = { exitCode: 0, runInProgress: false }

export const exitCodes = { ok: 0, failed: 1, inputRejected: 2, runInProgress: 3 } as const

const inbox = Options.directory("inbox").pipe(
  Options.withDescription("エクスポートを置いたフォルダ"),
  Options.withDefault("inbox")
)
const outDir = Options.text("out").pipe(
  Options.withDescription("ブックの出力先 OUT/<基準日>/"),
  Options.withDefault("reports")
)
const asOf = Options.text("as-of").pipe(
  Options.withDescription("基準日（日本時間 YYYY-MM-DD）"),
  Options.filterMap((text) => (isPlainDate(text) ? Option.some(text) : Option.none()), "--as-of は YYYY-MM-DD の日付にしてください（例: --as-of 2023-09-05）"),
  Options.optional
)
const dryRun = Options.boolean("dry-run").pipe(
  Options.withDescription("試行: ブックを OUT/<基準日>/dry-run/ に書き、何も記録しない")
)

const full = Options.boolean("full").pipe(
  Options.withDescription("全件照合: 前回からの変更分だけでなく、記録済みのすべてを照合し直す")
)

const sumOf = (counts: ReadonlyMap<string, number>, codes: ReadonlyArray<string>) =>
  codes.reduce((n, code) => n + (counts.get(code) ?? 0), 0)

/** The few lines a run ends with: what needs action in each workbook, and where the files are. */
export const runSummary = (result: RunResult): string => {
  const count = (code: string) => result.countsByCode.get(code) ?? 0
  const rejected = result.ingest.files.filter((f) => f.outcome === "rejected").length
  const rowsRejected = result.ingest.files.reduce((n, f) => n + f.rowsRejected, 0)
  return [
    `基準日 ${result.asOf} の実行 #${result.runId} が終わりました${result.dryRun ? "（試行: データベースには何も記録していません）" : ""}`,
    `  shipping.xlsx: 再発送 ${count("SHIP_READY")} 件（うち至急 ${count("SHIP_NOT_RESHIPPED")} 件）、要対応 ${sumOf(result.countsByCode, Object.keys(shippingActions))} 件、未着注文 ${count("SHIP_AWAITING_PARCEL")} 件`,
    `  finance.xlsx:  要対応 ${sumOf(result.countsByCode, actionPriority)} 件、未払い（期日前）${count("PAY_PENDING")} 件、保留 ${count("PAY_DEFERRED")} 件`,
    `  頒布者ごとの一覧: ${result.sellerFiles} 件（sellers/）: 新規・変更 ${result.sellerLists.written} 件（送付するもの）、変更なしで引き継ぎ ${result.sellerLists.carried} 件`,
    result.mode._tag === "full"
      ? `  照合: 全件（${result.mode.reason}）`
      : `  照合: 差分（${incrementalSummary(result.mode)}）`,
    ...(rejected + rowsRejected > 0 ? [`  読み込めなかった入力: ファイル ${rejected} 件、行 ${rowsRejected} 件（入力エラー シート）`] : []),
    `  出力先: ${result.directory}`
  ].join("\n") + "\n"
}

/** One run, with its outcome logged and turned into the exit status. */
const runOnce = (options: { inbox: string; outDir: string; asOf: string; dryRun: boolean; full: boolean }) =>
  Effect.gen(function*() {
    const runner = yield* Run
    processState.runInProgress = true
    // An interrupted run leaves the flag set: the process then exits non-zero.
    const result = yield* runner.run(options).pipe(
      Effect.onExit((exit) =>
        Exit.isInterrupted(exit) ? Effect.void : Effect.sync(() => (processState.runInProgress = false))
      )
    )
    for (const report of result.reports) yield* Effect.logInfo("ブックを書きました").pipe(Effect.annotateLogs("path", report))
    yield* Effect.logInfo(options.dryRun ? "試行が終わりました（何も記録していません）" : "実行が終わりました").pipe(
      Effect.annotateLogs({ runId: result.runId, asOf: result.asOf, exitCode: result.exitCode })
    )
    yield* Effect.sync(() => process.stdout.write(runSummary(result)))
    return result.exitCode
  }).pipe(Effect.provide(AppLive))

const runCommand = Command.make("run", { inbox, outDir, asOf, dryRun, full }, (options) =>
  runOnce({
    inbox: options.inbox,
    outDir: options.outDir,
    asOf: Option.getOrElse(options.asOf, () => todayInJapan(new Date())),
    dryRun: options.dryRun,
    full: options.full
  }).pipe(
    Effect.tap((code) => Effect.sync(() => (processState.exitCode = code))),
    Effect.catchTag("RunInProgress", (error) =>
      Effect.sync(() => {
        process.stderr.write(`keshikomi: ${error.message}\n`)
        processState.exitCode = exitCodes.runInProgress
      }))
  )).pipe(Command.withDescription("受信フォルダを読み込み、照合して、ブックを書く"))

const cron = Options.text("cron").pipe(
  Options.withDescription("実行する時刻（日本時間、分 時 日 月 曜日）"),
  Options.withDefault("30 2 * * *"),
  Options.filterMap(
    (text) => Either.getRight(Cron.parse(text, "Asia/Tokyo")),
    "--cron は cron の式にしてください（例: --cron \"30 2 * * *\"）"
  )
)

/**
 * The worker: sleeps until each cron tick, then runs with that day's as-of date. A
 * failed night is logged and the worker waits for the next tick.
 */
export const scheduleLoop = <E, R>(
  schedule: Cron.Cron,
  runAt: (asOf: string) => Effect.Effect<unknown, E, R>
) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const next = Cron.next(schedule, new Date(now))
    yield* Effect.logInfo("次の実行を予定しました").pipe(Effect.annotateLogs("at", japanTimestamp(next)))
    yield* Effect.sleep(Duration.millis(Math.max(0, next.getTime() - now)))
    yield* runAt(todayInJapan(next)).pipe(
      Effect.catchAllCause((cause) => Effect.logError("予定の実行が失敗しました", cause))
    )
  }).pipe(Effect.forever)

const scheduleCommand = Command.make("schedule", { cron, inbox, outDir }, (options) =>
  scheduleLoop(options.cron, (asOfDate) =>
    runOnce({ inbox: options.inbox, outDir: options.outDir, asOf: asOfDate, dryRun: false, full: false }))
).pipe(Command.withDescription("止めるまで常駐し、cron の時刻ごとに実行する"))

const statusCommand = Command.make("status", {
  limit: Options.integer("last").pipe(
    Options.withDefault(10),
    Options.withDescription("表示する実行の数"),
    Options.filterMap((n) => (n >= 1 ? Option.some(n) : Option.none()), "--last は 1 以上の整数にしてください（例: --last 3）")
  )
}, ({ limit }) =>
  Effect.gen(function*() {
    const runLog = yield* RunLog
    const runs = yield* runLog.recent(limit)
    const lines = runs.map((r) => {
      const counts = r.counts === null ? "" : Object.entries(r.counts).sort(([a], [b]) => (a < b ? -1 : 1)).map(([code, n]) => `${code}=${n}`).join(" ")
      const files = r.files === null ? "" : `ファイル=${r.files.filter((f) => f.outcome === "applied").length}/${r.files.length}`
      return [`#${r.run_id}`, `基準日=${r.as_of}`, `開始=${r.started_at}`, `終了=${r.finished_at ?? "-"}`, `結果=${r.outcome}`, `終了ステータス=${r.exit_code ?? "-"}`, files, counts]
        .filter((part) => part !== "")
        .join("  ")
    })
    yield* Effect.sync(() => process.stdout.write((lines.length === 0 ? "まだ実行がありません" : lines.join("\n")) + "\n"))
  }).pipe(Effect.provide(DecisionsAppLive))).pipe(Command.withDescription("最近の実行を表示する"))

const resolveCommand = Command.make("resolve", {
  code: Args.text({ name: "CODE" }).pipe(Args.optional),
  subjectId: Args.text({ name: "SUBJECT_ID" }).pipe(Args.optional),
  note: Options.text("note").pipe(Options.optional, Options.withDescription("何をしたか（必須）")),
  by: Options.text("by").pipe(Options.withDefault(process.env.USER ?? "staff"), Options.withDescription("対応した人")),
  related: Options.text("related").pipe(Options.optional, Options.withDescription("関連ID（指摘を 1 件に絞る）")),
  fromWorkbook: Options.file("from-workbook").pipe(
    Options.optional,
    Options.withDescription("要対応 シートの 対応状況・メモ を取り込む")
  )
}, (options) =>
  Effect.gen(function*() {
    const say = (text: string) => Effect.sync(() => process.stdout.write(`${text}\n`))
    const refuse = (text: string) =>
      Effect.sync(() => {
        process.stderr.write(`keshikomi: ${text}\n`)
        processState.exitCode = exitCodes.failed
      })
    if (Option.isSome(options.fromWorkbook)) {
      const report = yield* applyWorkbookDecisions(options.fromWorkbook.value, options.by).pipe(Effect.provide(DecisionsAppLive))
      for (const line of report.applied) yield* say(`受け付け: ${line}`)
      for (const line of report.refused) yield* say(`拒否: ${line}`)
      yield* say(`受け付け ${report.applied.length} 件、拒否 ${report.refused.length} 件`)
      if (report.refused.length > 0) processState.exitCode = exitCodes.failed
      return
    }
    if (Option.isNone(options.code) || Option.isNone(options.subjectId)) {
      return yield* refuse("コードと対象IDを指定してください: keshikomi resolve コード 対象ID --note メモ（または --from-workbook ファイル）")
    }
    // The same rule as a workbook's 対応済: a decision says what was done.
    if (Option.isNone(options.note) || options.note.value.trim() === "") {
      return yield* refuse("--note（何をしたか）を指定してください: keshikomi resolve コード 対象ID --note メモ")
    }
    const decision = {
      code: options.code.value,
      subjectId: options.subjectId.value,
      relatedId: Option.getOrUndefined(options.related),
      by: options.by,
      note: options.note.value.trim(),
      source: "command"
    } as const
    const outcome = yield* Effect.flatMap(Decisions, (decisions) => decisions.resolve(decision)).pipe(Effect.provide(DecisionsAppLive))
    if (outcome._tag === "Applied") yield* say(`対応済にしました: ${options.code.value} ${options.subjectId.value}（${outcome.findings} 件）`)
    else yield* refuse(`拒否: ${outcome.reason}`)
  })).pipe(Command.withDescription("指摘を対応済にする（コマンドで、またはブックから）"))


const rekeyCommand = Command.make("rekey", {
  newKey: Options.text("new-key").pipe(
    Options.withDescription("作る新しい鍵ファイル（まだ存在しないこと）")
  )
}, ({ newKey }) =>
  Effect.gen(function*() {
    const result = yield* rekey(newKey)
    yield* Effect.sync(() =>
      process.stdout.write(
        `${result.values} 件の値を新しい鍵 ${result.newKeyFile}（鍵 ${result.fingerprint}）で暗号化し直しました。\n` +
          "この鍵を今から使う鍵にし（KESHIKOMI_KEY_FILE、systemd の資格情報、または既定の鍵ファイル）、バックアップしてください。\n" +
          "古い鍵で開けるのは、この rekey より前に取ったデータベースのバックアップだけです（README の「The key」）。\n"
      )
    )
  }).pipe(Effect.provide(RekeyAppLive))).pipe(Command.withDescription("個人情報をすべて新しい鍵で暗号化し直す（1 トランザクション）"))


const dateOption = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withDescription(description),
    Options.filterMap((text) => (isPlainDate(text) ? Option.some(text) : Option.none()), `--${name} は日付 YYYY-MM-DD で指定してください`),
    Options.optional
  )

class ZenginUsage extends Data.TaggedError("ZenginUsage")<{ readonly reason: string }> {}

const refuseLine = (reason: string) =>
  Effect.sync(() => {
    process.stderr.write(`keshikomi: 拒否: ${reason}\n`)
    processState.exitCode = exitCodes.failed
  })

const zenginCommand = Command.make("zengin", {
  transferDate: dateOption("transfer-date", "振込指定日（銀行営業日、YYYY-MM-DD）"),
  dueBy: dateOption("due-by", "この日までに支払期日が来る依頼を入れる（既定: 振込指定日）"),
  asOf,
  outDir: Options.text("out").pipe(
    Options.withDescription("出力先: OUT/<基準日>/zengin_<YYYYMMDD>.txt と .xlsx"),
    Options.withDefault("reports")
  ),
  requester: Options.file("requester").pipe(
    Options.withDescription("依頼人ファイル（JSON: 依頼人コード・依頼人名・支払口座）"),
    Options.withDefault("zengin-requester.json")
  ),
  dryRun: Options.boolean("dry-run").pipe(
    Options.withDescription("試行: 承認用ブック（…_dry-run.xlsx）だけを書き、振込ファイルは書かず何も記録しない")
  ),
  voidFile: Options.file("void").pipe(
    Options.optional,
    Options.withDescription("アップロードしなかった振込ファイルを取り消す（その依頼は新しいファイルに入れられる）")
  ),
  note: Options.text("note").pipe(Options.optional, Options.withDescription("取り消す理由（監査記録に残る）")),
  by: Options.text("by").pipe(Options.withDefault(process.env.USER ?? "staff"), Options.withDescription("作成・取消をした人"))
}, (options) =>
  Effect.gen(function*() {
    const zengin = yield* Zengin
    const say = (text: string) => Effect.sync(() => process.stdout.write(`${text}\n`))
    if (Option.isSome(options.voidFile)) {
      if (Option.isNone(options.note)) return yield* Effect.fail(new ZenginUsage({ reason: "使い方: keshikomi zengin --void ファイル --note メモ [--by 名前]" }))
      const voided = yield* zengin.voidFile({ file: options.voidFile.value, by: options.by, note: options.note.value })
      return yield* say(`${voided.fileName} を取り消しました: その ${voided.requests} 件の依頼は新しいファイルに入れられます`)
    }
    if (Option.isNone(options.transferDate)) {
      return yield* Effect.fail(new ZenginUsage({ reason: "使い方: keshikomi zengin --transfer-date YYYY-MM-DD [--due-by YYYY-MM-DD] [--as-of …] [--out DIR] [--requester ファイル] [--dry-run]  |  keshikomi zengin --void ファイル --note メモ" }))
    }
    const transferDate = options.transferDate.value
    const result = yield* zengin.write({
      transferDate,
      dueBy: Option.getOrElse(options.dueBy, () => transferDate),
      asOf: Option.getOrElse(options.asOf, () => todayInJapan(new Date())),
      outDir: options.outDir,
      requesterFile: options.requester,
      dryRun: options.dryRun,
      by: options.by
    })
    if (result.written.length === 0) return yield* say("支払期日が来て振り込める銀行の依頼はありません: ファイルは書いていません")
    for (const file of result.written) yield* say(`書きました: ${file}`)
    yield* say(`${result.trailer.count} 件、合計 ${result.trailer.total.toLocaleString("ja-JP")} 円${options.dryRun ? "（試行: 何も記録していません）" : ""}`)
  }).pipe(
    Effect.catchTags({
      ZenginRefused: (error) => refuseLine(error.reason),
      ZenginUsage: (error) => refuseLine(error.reason),
      RunInProgress: (error) =>
        Effect.sync(() => {
          process.stderr.write(`keshikomi: ${error.message}\n`)
          processState.exitCode = exitCodes.runInProgress
        })
    }),
    Effect.provide(ZenginAppLive)
  )).pipe(Command.withDescription("支払期日の来た銀行振込の全銀 総合振込ファイルを書く（またはアップロードしなかったファイルを取り消す）"))

const deskCommand = Command.make("desk", {
  host: Options.text("host").pipe(
    Options.withDescription("待ち受けるアドレス（127.0.0.1 以外はパスワードファイルが必要）"),
    Options.withDefault("127.0.0.1")
  ),
  port: Options.integer("port").pipe(
    Options.withDescription("待ち受けるポート"),
    Options.withDefault(8080),
    Options.filterMap((n) => (n >= 0 && n <= 65535 ? Option.some(n) : Option.none()), "--port は 0〜65535 の整数にしてください（例: --port 8080）")
  )
}, ({ host, port }) =>
  Effect.gen(function*() {
    // Checked before the database is opened: a refused start changes nothing.
    const password = yield* configuredPassword
    if (!isLoopback(host) && Option.isNone(password)) {
      return yield* new DeskPasswordUnavailable({
        message: `--host ${host} では受付デスクのパスワードが必要です: KESHIKOMI_DESK_PASSWORD_FILE（または systemd の資格情報 keshikomi-desk-password）にパスワードファイルを指定してください（README の「The intake desk」）`
      })
    }
    const announce = Layer.effectDiscard(HttpServer.addressWith((address) =>
      Effect.sync(() => process.stdout.write(`受付デスクを開きました: ${deskUrl(address)}（止めるには Ctrl-C）\n`))
    ))
    yield* Layer.launch(announce.pipe(Layer.provide(DeskServerLive({ host, port, password })), Layer.provide(DeskAppLive)))
  }).pipe(
    Effect.catchTags({
      DeskPasswordUnavailable: (error) => refuseLine(error.message),
      ServeError: () => refuseLine(`${host}:${port} で待ち受けられません（ポートが使用中か、このアドレスがこの PC にありません）`)
    })
  )).pipe(Command.withDescription("受付デスク: 荷物をスキャンしてその場で判定を見るページを開く"))

/** Every command; a new one is one more entry here and one in CliHelp.ts. */
const commands = [runCommand, scheduleCommand, statusCommand, resolveCommand, rekeyCommand, zenginCommand, deskCommand] as const

export const command = Command.make("keshikomi").pipe(
  Command.withDescription("消込: 荷物を注文と、支払を振込と照合する"),
  Command.withSubcommands(commands)
)

export const version = "0.1.0"

export const cli = Command.run(command, { name: "keshikomi", version })
