// The command line's own help, in Japanese: what each command does, every option with
// its default and an example, and the exit status. @effect/cli's generated help would
// show its English placeholders ("A user-defined piece of text.") and colour codes; the
// entry point prints this text for `--help` instead. A new command adds one entry here.

export interface OptionHelp {
  /** As typed: `--inbox DIR`. */
  readonly flag: string
  readonly description: string
  /** What applies when the option is left out; undefined when the option is required. */
  readonly default?: string
  readonly example: string
}

export interface CommandHelp {
  readonly usage: ReadonlyArray<string>
  readonly description: string
  readonly options: ReadonlyArray<OptionHelp>
}

export const exitStatusHelp = [
  "終了ステータス:",
  "  0    最後まで実行し、すべての入力を読み込んだ",
  "  1    失敗した・コマンドラインが正しくない（何も変更していない。理由を 1 行表示）",
  "  2    最後まで実行したが、読み込めなかった入力がある（各ブックの 入力エラー シート）",
  "  3    別の実行がデータベースを使用中（何も変更していない）",
  "  130  実行中に中断された（ロールバック済み）"
]

const inboxOption: OptionHelp = {
  flag: "--inbox DIR",
  description: "エクスポートを置いたフォルダ（ファイルの種類は名前で決まる: docs/inputs.md）",
  default: "inbox",
  example: "--inbox /srv/exports"
}
const outOption: OptionHelp = {
  flag: "--out DIR",
  description: "ブックの出力先。OUT/<基準日>/shipping.xlsx・finance.xlsx・sellers/<頒布者ID>.xlsx を書く",
  default: "reports",
  example: "--out /srv/reports"
}

export const commandHelp: Record<string, CommandHelp> = {
  keshikomi: {
    usage: ["keshikomi <コマンド> [オプション]", "keshikomi <コマンド> --help"],
    description: "消込: 事務局に届いた荷物を注文と、支払を振込と照合し、発送・経理向けの Excel ブックを書きます。",
    options: []
  },
  run: {
    usage: ["keshikomi run [--inbox DIR] [--out DIR] [--as-of YYYY-MM-DD] [--dry-run] [--full]"],
    description: "受信フォルダを読み込み、照合して、ブックを書きます（1 回の実行は 1 トランザクション）。ふだんは前回から変わった注文だけを照合し直します（結果は全件照合と同じ）。",
    options: [
      inboxOption,
      outOption,
      {
        flag: "--as-of YYYY-MM-DD",
        description: "実行の基準日（日本時間）",
        default: "今日（日本時間）",
        example: "--as-of 2023-09-05"
      },
      {
        flag: "--dry-run",
        description: "試行: すべて実行してブックを OUT/<基準日>/dry-run/ に書くが、データベースには何も記録しない。試行のブックは resolve --from-workbook で受け付けない",
        default: "試行しない",
        example: "--dry-run"
      },
      {
        flag: "--full",
        description: "全件照合: 記録済みのすべてを照合し直す。初回・基準日が前回より前・照合ルールや営業日カレンダー・支払スケジュール・金融機関マスタの更新後は指定しなくても全件照合になる",
        default: "変更分だけ照合",
        example: "--full"
      }
    ]
  },
  schedule: {
    usage: ["keshikomi schedule [--cron \"30 2 * * *\"] [--inbox DIR] [--out DIR]"],
    description: "止めるまで常駐し、cron の時刻（日本時間）ごとにその日を基準日として run を実行します。実行と実行の間の SIGTERM・Ctrl-C は終了ステータス 0。",
    options: [
      {
        flag: "--cron 式",
        description: "実行する時刻（日本時間、分 時 日 月 曜日）",
        default: "\"30 2 * * *\"（毎日 2:30）",
        example: "--cron \"0 6 * * 1-5\""
      },
      inboxOption,
      outOption
    ]
  },
  resolve: {
    usage: [
      "keshikomi resolve コード 対象ID --note メモ [--by 名前] [--related 関連ID]",
      "keshikomi resolve --from-workbook ファイル [--by 名前]"
    ],
    description: "指摘を対応済にします（要対応から外れ、指摘が続く間は対応者・日時・メモが残ります）。ブックの 要対応 シートで 対応状況 を「対応済」にし、メモを書いたものも取り込めます（最新の実行のブックのみ）。",
    options: [
      { flag: "--note メモ", description: "何をしたか（監査記録に残る。必須）", example: "--note \"頒布者に返送済み\"" },
      { flag: "--by 名前", description: "対応した人", default: "環境変数 USER（なければ staff）", example: "--by yamada" },
      {
        flag: "--related 関連ID",
        description: "同じコード・対象IDの指摘が複数あるとき、1 件に絞る関連ID",
        default: "すべての関連ID",
        example: "--related IN-20230901-0006"
      },
      {
        flag: "--from-workbook ファイル",
        description: "要対応 シートの 対応状況・メモ を取り込む。行ごとに受け付け・拒否を表示し、拒否が 1 件でもあれば終了ステータス 1",
        default: "使わない",
        example: "--from-workbook reports/2023-09-05/shipping.xlsx"
      }
    ]
  },
  status: {
    usage: ["keshikomi status [--last N]"],
    description: "最近の実行（基準日、開始・終了時刻（日本時間）、結果、終了ステータス、ファイル数、コード別件数）を表示します。",
    options: [{ flag: "--last N", description: "表示する実行の数（1 以上）", default: "10", example: "--last 3" }]
  },
  rekey: {
    usage: ["keshikomi rekey --new-key ファイル"],
    description: "保存している個人情報（口座・名義・住所など）をすべて新しい鍵で暗号化し直します（1 トランザクション。失敗したら何も変わりません）。",
    options: [
      {
        flag: "--new-key ファイル",
        description: "作る新しい鍵ファイル（まだ存在しないこと。0600 で作られる）。この後はこの鍵を使い、データベースとは別にバックアップする",
        example: "--new-key /etc/keshikomi/keshikomi-2024.key"
      }
    ]
  },
  zengin: {
    usage: [
      "keshikomi zengin --transfer-date YYYY-MM-DD [--due-by YYYY-MM-DD] [--as-of YYYY-MM-DD] [--out DIR] [--requester ファイル] [--dry-run]",
      "keshikomi zengin --void ファイル --note メモ [--by 名前]"
    ],
    description: "支払期日の来た銀行振込の依頼を全銀協 総合振込ファイル（Shift_JIS、120 バイト固定長）と承認用ブックに書きます。書いた依頼は記録され、二度と別のファイルに入りません（docs/zengin.md）。",
    options: [
      { flag: "--transfer-date YYYY-MM-DD", description: "振込指定日（銀行営業日。休業日なら次の営業日を表示して拒否）", example: "--transfer-date 2023-09-06" },
      { flag: "--due-by YYYY-MM-DD", description: "この日までに支払期日が来る依頼を入れる", default: "振込指定日", example: "--due-by 2023-09-08" },
      { flag: "--as-of YYYY-MM-DD", description: "出力フォルダの基準日（日本時間）", default: "今日（日本時間）", example: "--as-of 2023-09-05" },
      { flag: "--out DIR", description: "出力先。OUT/<基準日>/zengin_<YYYYMMDD>.txt と .xlsx を書く", default: "reports", example: "--out /srv/reports" },
      { flag: "--requester ファイル", description: "依頼人ファイル（JSON: 依頼人コード・依頼人名・支払口座）", default: "zengin-requester.json", example: "--requester /etc/keshikomi/requester.json" },
      { flag: "--dry-run", description: "試行: 承認用ブックだけを書き、振込ファイルは書かず何も記録しない", default: "試行しない", example: "--dry-run" },
      { flag: "--void ファイル", description: "アップロードしなかった振込ファイルを取り消す（監査記録に残る。--note 必須）", default: "使わない", example: "--void reports/2023-09-05/zengin_20230906.txt" },
      { flag: "--by 名前", description: "作成・取消をした人", default: "環境変数 USER（なければ staff）", example: "--by keiri" }
    ]
  },
  desk: {
    usage: ["keshikomi desk [--host 127.0.0.1] [--port 8080]"],
    description: "受付デスクのページを開きます。荷物の伝票番号と注文IDをスキャンすると、注文ごとの判定（再発送へ・保留・返送・確認・二重スキャン・見つかりません）がその場で出て、受付は荷物の記録として保存されます（docs/desk-page.md）。止めるまで動きます。",
    options: [
      {
        flag: "--host アドレス",
        description: "待ち受けるアドレス。127.0.0.1 以外ではパスワードが必要（KESHIKOMI_DESK_PASSWORD_FILE のファイル、または systemd の資格情報 keshikomi-desk-password）。コマンドラインでは受け付けない",
        default: "127.0.0.1（この PC からだけ）",
        example: "--host 192.168.1.20"
      },
      { flag: "--port ポート", description: "待ち受けるポート", default: "8080", example: "--port 8081" }
    ]
  }
}

/** The help of one command as plain text (no colour codes). */
export const renderHelp = (name: string, version: string): string | undefined => {
  const help = commandHelp[name]
  if (help === undefined) return undefined
  const lines = [`keshikomi ${version}`, "", "使い方:", ...help.usage.map((u) => `  ${u}`), "", help.description]
  if (name === "keshikomi") {
    lines.push("", "コマンド:")
    for (const [command, h] of Object.entries(commandHelp)) {
      if (command !== "keshikomi") lines.push(`  ${command.padEnd(10)}${h.description.split("。")[0]}。`)
    }
  }
  if (help.options.length > 0) {
    lines.push("", "オプション:")
    for (const option of help.options) {
      lines.push(`  ${option.flag}`, `      ${option.description}`)
      lines.push(`      既定: ${option.default ?? "なし（必須）"}　例: ${option.example}`)
    }
  }
  lines.push("", ...exitStatusHelp, "", "詳しくは README.md と docs/reports.md を参照してください。")
  return lines.join("\n") + "\n"
}
