// Small readable payout inboxes: requests, bank and LINE Pay transfers and the schedule,
// written as the exports are (bank transfers in CP932), and a run over them.
import { crlf, tempDir, writeInbox } from "../support/inbox.ts"
import { createTestDatabase, raisedFindings, runPipeline } from "../support/testDatabase.ts"

export interface Account {
  readonly bank: string
  readonly branch: string
  /** 1 普通, 2 当座, 4 貯蓄 */
  readonly type: "1" | "2" | "4"
  readonly number: string
}

export const accountA: Account = { bank: "0009", branch: "123", type: "1", number: "1234567" }
export const accountB: Account = { bank: "0005", branch: "041", type: "1", number: "7654321" }
export const accountC: Account = { bank: "0001", branch: "200", type: "2", number: "3141592" }

/** `2023-08-07 11:02` (Japan time) → ISO 8601 with the offset. */
const jst = (local: string) => (local.includes("T") ? local : `${local.replace(" ", "T")}:00+09:00`)

export interface RequestOptions {
  readonly amount: number
  readonly at: string
  readonly status?: "requested" | "withdrawn"
  readonly kind?: "sales_settlement" | "refund" | "fee_compensation"
  readonly service?: "pictSPACE" | "pictSQUARE"
}

const requestRow = (id: string, method: string, o: RequestOptions, bank: ReadonlyArray<string>, walletRef: string) =>
  [id, o.service ?? "pictSPACE", o.kind ?? "sales_settlement", "U0088123", String(o.amount), method, jst(o.at),
    o.status ?? "requested", ...bank, walletRef].join(",")

export const bankRequest = (id: string, o: RequestOptions & { readonly account?: Account; readonly holder?: string }) => {
  const a = o.account ?? accountA
  return requestRow(id, "bank", o, [a.bank, a.branch, a.type, a.number, o.holder ?? "ヤマダ　タロウ"], "")
}
export const linePayRequest = (id: string, o: RequestOptions & { readonly userRef?: string }) =>
  requestRow(id, "linepay", o, ["", "", "", "", ""], o.userRef ?? "LP8f3a9c21")
export const amazonRequest = (id: string, o: RequestOptions) => requestRow(id, "amazon_gift", o, ["", "", "", "", ""], "")

const accountTypeName = { "1": "普通", "2": "当座", "4": "貯蓄" } as const

export interface BankTransferOptions {
  /** 振込指定日, `2023/08/21` */
  readonly date: string
  readonly amount: number
  readonly account?: Account
  readonly holder?: string
  readonly fee?: number
  /** 顧客コード: the request_id, or blank when keyed in by hand */
  readonly code?: string
  readonly result?: "完了" | "不能" | "取消"
  readonly reason?: string
}

export const bankTransfer = (id: string, o: BankTransferOptions) => {
  const a = o.account ?? accountA
  return [id, o.date, a.bank, "ﾐﾂｲｽﾐﾄﾓ", a.branch, "ﾄｳｷﾖｳ", accountTypeName[a.type], a.number, o.holder ?? "ﾔﾏﾀﾞ ﾀﾛｳ",
    `"${o.amount.toLocaleString("en-US")}"`, String(o.fee ?? 145), o.code ?? "", o.result ?? "完了",
    o.result === "不能" ? o.reason ?? "口座なし" : ""].join(",")
}

export interface LinePayTransferOptions {
  /** executed_at, Japan time: `2023-09-01 14:03` */
  readonly at: string
  readonly amount: number
  readonly reference?: string
  readonly userRef?: string
  readonly status?: "COMPLETE" | "FAILED" | "CANCELLED"
}

export const linePayTransfer = (id: string, o: LinePayTransferOptions) =>
  [id, o.reference ?? "", o.userRef ?? "LP8f3a9c21", String(o.amount), o.status ?? "COMPLETE", jst(o.at)].join(",")

/** The schedule of inputs.md: window 1 bank 8/21, LINE Pay 9/1; window 2 bank 9/1, LINE Pay 9/3 (Sun). */
export const specSchedule = {
  timezone: "Asia/Tokyo",
  windows: [
    { requested_from: "2023-08-07", requested_to: "2023-08-13", due: { bank: "2023-08-21", linepay: "2023-09-01" } },
    { requested_from: "2023-08-14", requested_to: "2023-08-16", due: { bank: "2023-09-01", linepay: "2023-09-03" } }
  ],
  deferred_methods: ["amazon_gift"]
}

export interface PayoutInbox {
  readonly requests?: ReadonlyArray<string>
  readonly bank?: ReadonlyArray<string>
  readonly linePay?: ReadonlyArray<string>
  readonly schedule?: unknown
  /** File names carry this stamp, so a later day's files sort after an earlier day's. */
  readonly stamp?: string
}

export const writePayoutInbox = (inbox: PayoutInbox) => {
  const stamp = inbox.stamp ?? "20230905"
  const files: Record<string, string | { text: string; encoding: "cp932" }> = {
    "payout_schedule.json": JSON.stringify(inbox.schedule ?? specSchedule)
  }
  if (inbox.requests !== undefined && inbox.requests.length > 0) {
    files[`payout_requests_${stamp}.csv`] = crlf(
      "request_id,service,kind,user_id,amount,method,requested_at,status,bank_code,branch_code,account_type,account_number,account_holder,linepay_user_ref",
      ...inbox.requests
    )
  }
  if (inbox.bank !== undefined && inbox.bank.length > 0) {
    files[`bank_transfers_${stamp}.csv`] = {
      text: crlf(
        "受付番号,振込指定日,金融機関コード,金融機関名,支店コード,支店名,預金種目,口座番号,受取人名,振込金額,手数料,顧客コード,結果,不能事由",
        ...inbox.bank
      ),
      encoding: "cp932"
    }
  }
  if (inbox.linePay !== undefined && inbox.linePay.length > 0) {
    files[`linepay_transfers_${stamp}.csv`] = crlf(
      "transaction_id,reference,linepay_user_ref,amount,status,executed_at",
      ...inbox.linePay
    )
  }
  return writeInbox(files)
}

/** Runs the pipeline once on a new database; returns the PAY_ findings as `CODE subject [related]`. */
export const payoutFindings = async (inbox: PayoutInbox, asOf = "2023-09-05") => {
  const url = await createTestDatabase()
  const outDir = tempDir()
  const result = await runPipeline(url, { inbox: writePayoutInbox(inbox), outDir, asOf })
  if (result.exitCode !== 0) throw new Error(`the inbox was not read whole: ${JSON.stringify(result.ingest.files)}`)
  return await raisedFindings(url, "PAY_")
}
