// The hostile corpus (issue 9 item 6): export files of the kinds offices really produce,
// generated at test time. Every case is one inbox entry (sometimes with a helper file)
// and says what the run must do with it: the exit status, the one input finding (file,
// line, reason), and how many of its rows reach the database — none for a money file
// that is rejected. Keys carry the case number, so rows are counted per case.
import { execFileSync } from "node:child_process"
import iconv from "iconv-lite"
import * as fs from "node:fs"
import * as path from "node:path"

export type Entry =
  | { readonly bytes: Uint8Array }
  | { readonly symlinkTo: string }
  | { readonly folder: true }
  | { readonly fifo: true }

export interface HostileCase {
  readonly no: number
  readonly title: string
  /** Inbox entries by name (raw name bytes allowed via `rawName`). */
  readonly entries: Readonly<Record<string, Entry>>
  readonly rawName?: Buffer
  readonly exit: 0 | 2
  readonly finding?: {
    readonly code: "INPUT_FILE_REJECTED" | "INPUT_ROW_REJECTED"
    readonly file: string
    readonly line?: number
    readonly reason: RegExp
  }
  /** Rows of this case stored afterwards, by table. */
  readonly stored?: Readonly<Partial<Record<KeyedTable, number>>>
  /** Values that must appear in no finding detail (account numbers, personal cells). */
  readonly neverQuoted?: ReadonlyArray<string>
}

export type KeyedTable = "orders" | "parcel_lines" | "shipping_addresses" | "reshipments" | "payout_requests" | "transfers" | "payout_windows"

const pad = (n: number, width: number) => String(n).padStart(width, "0")

/** SQL counting the rows of case `no` in `table` (keys carry the case number). */
export const caseRowsSql = (table: KeyedTable, no: number) => {
  const c = pad(no, 3)
  switch (table) {
    case "orders":
    case "shipping_addresses":
      return `SELECT count(*)::int AS n FROM ${table} WHERE order_id LIKE 'PS-${c}%'`
    case "reshipments":
      return `SELECT count(*)::int AS n FROM reshipments WHERE tracking_no LIKE 'T${c}-%'`
    case "parcel_lines":
      return `SELECT count(*)::int AS n FROM parcel_lines WHERE parcel_id LIKE 'IN-${c}-%'`
    case "payout_requests":
      return `SELECT count(*)::int AS n FROM payout_requests WHERE request_id LIKE '${c}%'`
    case "transfers":
      return `SELECT count(*)::int AS n FROM transfers WHERE transfer_id LIKE 'B${c}-%' OR (channel = 'linepay' AND transfer_id LIKE '${c}%')`
    case "payout_windows":
      return `SELECT count(*)::int AS n FROM payout_windows`
  }
}

// Rows of each kind, keyed by case number `c` and row number `i`.
export const headers = {
  orders: "order_id,ordered_at,seller_id,circle_name,buyer_id,shipping_method,status,total_amount",
  shipping_addresses: "order_id,postal_code,prefecture,city,address_line,recipient_name,phone",
  parcels: "受付番号,受付日時,配送業者,伝票番号,頒布者ID,注文ID,点数,状態,備考",
  reshipments: "parcel_id,order_id,carrier,tracking_no,shipped_at",
  payout_requests: "request_id,service,kind,user_id,amount,method,requested_at,status,bank_code,branch_code,account_type,account_number,account_holder,linepay_user_ref",
  bank_transfers: "受付番号,振込指定日,金融機関コード,金融機関名,支店コード,支店名,預金種目,口座番号,受取人名,振込金額,手数料,顧客コード,結果,不能事由",
  linepay_transfers: "transaction_id,reference,linepay_user_ref,amount,status,executed_at"
} as const

export const accountOf = (c: number, i: number) => `9${pad(c, 3)}${pad(i, 3)}`
export const rows = {
  orders: (c: number, i: number, circle = `サークル青空${i}`) =>
    `PS-${pad(c, 3)}${pad(i, 5)},2023-08-10T21:14:03+09:00,S104233,${circle},B2023311,pictspace_anonymous,awaiting_shipment,1500`,
  shipping_addresses: (c: number, i: number, recipient = "山田 太郎") =>
    `PS-${pad(c, 3)}${pad(i, 5)},100-0001,東京都,千代田区,千代田1-1,${recipient},03-1234-5678`,
  parcels: (c: number, i: number, note = "") =>
    `IN-${pad(c, 3)}-${pad(i, 4)},2023/09/01 10:12,日本郵便,1111-2222-3333,S104233,PS-00000001,1,良好,${note}`,
  reshipments: (c: number, i: number) => `,PS-${pad(c, 3)}${pad(i, 5)},日本郵便,T${pad(c, 3)}-${i},2023-09-02T10:00:00+09:00`,
  payout_requests: (c: number, i: number, amount = "12300") =>
    `${pad(c, 3)}${pad(i, 7)},pictSPACE,sales_settlement,U0088123,${amount},bank,2023-08-09T11:02:00+09:00,requested,0009,123,1,${accountOf(c, i)},ヤマダ タロウ,`,
  bank_transfers: (c: number, i: number, amount = "\"12,300\"") =>
    `B${pad(c, 3)}-${pad(i, 6)},2023/08/21,0009,ﾐﾂｲｽﾐﾄﾓ,123,ﾄｳｷﾖｳ,普通,${accountOf(c, i)},ﾔﾏﾀﾞ ﾀﾛｳ,${amount},145,,完了,`,
  linepay_transfers: (c: number, i: number) => `${pad(c, 3)}${pad(i, 16)},,LP8f3a9c21,12300,COMPLETE,2023-09-01T10:00:00+09:00`
}
type CsvKind = keyof typeof rows

/** Header and `n` good rows of `kind` for case `c`, lines joined with `eol`. */
export const csv = (kind: CsvKind, c: number, n: number, eol = "\r\n", override?: (i: number, row: string) => string) =>
  [headers[kind], ...Array.from({ length: n }, (_, k) => override?.(k + 1, rows[kind](c, k + 1)) ?? rows[kind](c, k + 1))].join(eol) + eol

const utf8 = (text: string) => ({ bytes: Buffer.from(text, "utf8") })
const cp932 = (text: string) => ({ bytes: iconv.encode(text, "cp932") })
const encoded = (text: string, encoding: string) => ({ bytes: iconv.encode(text, encoding) })
const bytes = (...parts: ReadonlyArray<string | Uint8Array | ReadonlyArray<number>>) => ({
  bytes: Buffer.concat(parts.map((p) => typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p as Uint8Array)))
})

/**
 * Rows of `kind` until the file passes every `boundaries` offset, each boundary falling
 * inside a multi-byte character of a free-text cell (padding before it moves it there).
 */
const straddling = (
  encode: (text: string) => Buffer,
  header: string,
  row: (i: number, padding: string) => string,
  multibyteAt: (row: string) => number,
  boundaries: ReadonlyArray<number>
) => {
  const parts: Array<Buffer> = [encode(header + "\r\n")]
  let size = parts[0]!.length
  let i = 1
  for (const boundary of boundaries) {
    for (;;) {
      const plain = row(i, "")
      const prefix = encode(plain.slice(0, multibyteAt(plain))).length
      const padding = boundary - size - prefix - 1
      // Plain rows until the boundary is near, then one padded so that it falls just
      // after the first byte of the row's first multi-byte character.
      const padded = padding >= 0 && padding <= 200
      const encodedRow = encode(row(i, padded ? "x".repeat(padding) : "") + "\r\n")
      parts.push(encodedRow)
      size += encodedRow.length
      i++
      if (padded) break
    }
  }
  return { bytes: Buffer.concat(parts), rows: i - 1 }
}

const schedule = (windows: ReadonlyArray<unknown>, deferred: ReadonlyArray<string> = ["amazon_gift"]) =>
  JSON.stringify({ timezone: "Asia/Tokyo", windows, deferred_methods: deferred }, null, 2)
const window = (from: string, to: string, due: Record<string, string>) => ({ requested_from: from, requested_to: to, due })

const fileRejected = (file: string, reason: RegExp, line?: number) =>
  ({ code: "INPUT_FILE_REJECTED", file, reason, ...(line === undefined ? {} : { line }) }) as const
const rowRejected = (file: string, line: number, reason: RegExp) => ({ code: "INPUT_ROW_REJECTED", file, line, reason }) as const

/** The corpus. Case numbers are stable: keys and file names carry them. */
export const hostileCases = (): ReadonlyArray<HostileCase> => {
  const cases: Array<HostileCase> = []
  const add = (c: Omit<HostileCase, "no">) => cases.push({ no: cases.length + 1, ...c })
  const next = () => cases.length + 1

  // ---- encodings -------------------------------------------------------------------
  let n = next()
  add({ title: "EUC-JP orders file", entries: { "orders_e01.csv": encoded(csv("orders", n, 3), "eucjp") }, exit: 2, finding: fileRejected("orders_e01.csv", /EUC-JP のようです/), stored: { orders: 0 } })
  n = next()
  add({ title: "EUC-JP parcels file", entries: { "parcels_e02.csv": encoded(csv("parcels", n, 3, "\r\n", (_i, r) => r + "箱つぶれ"), "eucjp") }, exit: 2, finding: fileRejected("parcels_e02.csv", /EUC-JP のようです/), stored: { parcel_lines: 0 } })
  n = next()
  add({ title: "EUC-JP bank file", entries: { "bank_transfers_e03.csv": encoded(csv("bank_transfers", n, 3), "eucjp") }, exit: 2, finding: fileRejected("bank_transfers_e03.csv", /EUC-JP のようです/), stored: { transfers: 0 } })
  n = next()
  add({ title: "Latin-1 orders file", entries: { "orders_e04.csv": encoded(csv("orders", n, 3, "\r\n", (i, r) => r.replace(/サークル青空\d+/, `Café Müller ${i}`)), "latin1") }, exit: 2, finding: fileRejected("orders_e04.csv", /ISO-8859-1/), stored: { orders: 0 } })
  n = next()
  add({ title: "Latin-1 shipping addresses", entries: { "shipping_addresses_e05.csv": encoded(csv("shipping_addresses", n, 2, "\n", (_i, r) => r.replace("山田 太郎", "José Niño")), "latin1") }, exit: 2, finding: fileRejected("shipping_addresses_e05.csv", /ISO-8859-1/), stored: { shipping_addresses: 0 } })
  n = next()
  add({ title: "UTF-16LE with BOM", entries: { "orders_e06.csv": bytes([0xff, 0xfe], iconv.encode(csv("orders", n, 2), "utf16le")) }, exit: 2, finding: fileRejected("orders_e06.csv", /UTF-16 のようです/), stored: { orders: 0 } })
  n = next()
  add({ title: "UTF-16LE without BOM", entries: { "orders_e07.csv": encoded(csv("orders", n, 2), "utf16le") }, exit: 2, finding: fileRejected("orders_e07.csv", /UTF-16 のようです/), stored: { orders: 0 } })
  n = next()
  add({ title: "UTF-16BE parcels", entries: { "parcels_e08.csv": encoded(csv("parcels", n, 2), "utf16be") }, exit: 2, finding: fileRejected("parcels_e08.csv", /UTF-16 のようです/), stored: { parcel_lines: 0 } })
  n = next()
  add({ title: "UTF-16 LINE Pay file", entries: { "linepay_transfers_e09.csv": bytes([0xff, 0xfe], iconv.encode(csv("linepay_transfers", n, 2), "utf16le")) }, exit: 2, finding: fileRejected("linepay_transfers_e09.csv", /UTF-16/), stored: { transfers: 0 } })
  n = next()
  {
    const text = csv("orders", n, 4)
    const at = Buffer.from(text.split("\r\n").slice(0, 2).join("\r\n")).length + 20
    const b = Buffer.from(text)
    b[at] = 0xff
    add({ title: "UTF-8 orders with one invalid byte on line 3", entries: { "orders_e10.csv": { bytes: b } }, exit: 2, finding: fileRejected("orders_e10.csv", /UTF-8 として読めないバイト/, 3), stored: { orders: 0 } })
  }
  n = next()
  {
    const text = csv("payout_requests", n, 5)
    const b = Buffer.from(text)
    const at = b.indexOf(Buffer.from("ヤマダ"), b.indexOf("\r\n", b.indexOf("\r\n") + 2)) // line 3
    b[at + 1] = 0x41 // a broken three-byte sequence
    add({ title: "payout requests with an invalid UTF-8 sequence (was applied)", entries: { "payout_requests_e11.csv": { bytes: b } }, exit: 2, finding: fileRejected("payout_requests_e11.csv", /UTF-8 として読めないバイト/, 3), stored: { payout_requests: 0 } })
  }
  n = next()
  add({ title: "UTF-8 with BOM cut inside the last character", entries: { "payout_requests_e12.csv": bytes([0xef, 0xbb, 0xbf], csv("payout_requests", n, 2), "メモ".slice(0, 1), [0xe3, 0x83]) }, exit: 2, finding: fileRejected("payout_requests_e12.csv", /UTF-8/), stored: { payout_requests: 0 } })
  n = next()
  add({ title: "CP932 bank file with an undefined double byte", entries: { "bank_transfers_e13.csv": { bytes: Buffer.concat([iconv.encode(csv("bank_transfers", n, 2), "cp932"), Buffer.from([0x85, 0x40, 0x0d, 0x0a])]) } }, exit: 2, finding: fileRejected("bank_transfers_e13.csv", /Shift_JIS \(CP932\) でもありません/, 4), stored: { transfers: 0 } })
  n = next()
  add({ title: "CP932 bank file with a user-defined character (外字)", entries: { "bank_transfers_e14.csv": { bytes: Buffer.concat([iconv.encode(csv("bank_transfers", n, 1), "cp932"), iconv.encode(rows.bank_transfers(n, 2).replace("ﾔﾏﾀﾞ ﾀﾛｳ", "X"), "cp932").subarray(0, 40), Buffer.from([0xf0, 0x40, 0x0d, 0x0a])]) } }, exit: 2, finding: fileRejected("bank_transfers_e14.csv", /読めないバイト/, 3), stored: { transfers: 0 } })
  n = next()
  add({ title: "CP932 bank file with a lone undefined byte 0xA0", entries: { "bank_transfers_e15.csv": { bytes: Buffer.concat([iconv.encode(csv("bank_transfers", n, 3), "cp932"), Buffer.from([0xa0])]) } }, exit: 2, finding: fileRejected("bank_transfers_e15.csv", /読めないバイト/), stored: { transfers: 0 } })
  n = next()
  add({ title: "an .xlsx renamed to .csv", entries: { "parcels_e16.csv": bytes("PK\u0003\u0004", [0x14, 0, 0x06, 0, 0x08, 0, 0, 0, 0x21, 0, 0xff, 0xfe, 0x80, 0x81]) }, exit: 2, finding: fileRejected("parcels_e16.csv", /xlsx/), stored: { parcel_lines: 0 } })
  n = next()
  add({ title: "CP932 parcels (as written at the office)", entries: { "parcels_e17.csv": cp932(csv("parcels", n, 3, "\r\n", (_i, r) => r + "角が潰れています")) }, exit: 0, stored: { parcel_lines: 3 } })
  n = next()
  add({ title: "UTF-8 parcels with BOM", entries: { "parcels_e18.csv": bytes([0xef, 0xbb, 0xbf], csv("parcels", n, 3)) }, exit: 0, stored: { parcel_lines: 3 } })
  n = next()
  add({ title: "CP932 orders file (a UTF-8 kind saved by Excel) is read", entries: { "orders_e19.csv": cp932(csv("orders", n, 3)) }, exit: 0, stored: { orders: 3 } })
  n = next()
  add({ title: "CP932 payout requests are read", entries: { "payout_requests_e20.csv": cp932(csv("payout_requests", n, 3)) }, exit: 0, stored: { payout_requests: 3 } })
  n = next()
  {
    const c = n
    const file = straddling(
      (t) => Buffer.from(t, "utf8"),
      headers.orders,
      (i, padding) => rows.orders(c, i, `${padding}夏の新刊セット${i}`),
      (row) => row.indexOf("夏"),
      [16 << 10, 32 << 10, 64 << 10, 128 << 10]
    )
    add({ title: "UTF-8 orders with a 3-byte character split at 16, 32, 64 and 128 KiB", entries: { "orders_e21.csv": file }, exit: 0, stored: { orders: file.rows } })
  }
  n = next()
  {
    const c = n
    const file = straddling(
      (t) => iconv.encode(t, "cp932"),
      headers.parcels,
      (i, padding) => rows.parcels(c, i, `${padding}角が潰れています`),
      (row) => row.lastIndexOf(",") + 1 + row.slice(row.lastIndexOf(",") + 1).search(/[^x]/),
      [16 << 10, 64 << 10]
    )
    add({ title: "CP932 parcels with a 2-byte character split at 16 and 64 KiB", entries: { "parcels_e22.csv": file }, exit: 0, stored: { parcel_lines: file.rows } })
  }
  n = next()
  add({ title: "UTF-8 orders cut inside the last character", entries: { "orders_e23.csv": bytes(csv("orders", n, 2), "PS-", [0xe3, 0x81]) }, exit: 2, finding: fileRejected("orders_e23.csv", /UTF-8/, 4), stored: { orders: 0 } })

  // ---- structure -------------------------------------------------------------------
  n = next()
  add({ title: "tab-separated orders", entries: { "orders_s01.csv": utf8(csv("orders", n, 2).replaceAll(",", "\t")) }, exit: 2, finding: fileRejected("orders_s01.csv", /タブ区切り/, 1), stored: { orders: 0 } })
  n = next()
  add({ title: "semicolon-separated orders", entries: { "orders_s02.csv": utf8(csv("orders", n, 2).replaceAll(",", ";")) }, exit: 2, finding: fileRejected("orders_s02.csv", /セミコロン区切り/, 1), stored: { orders: 0 } })
  n = next()
  add({ title: "tab-separated bank file", entries: { "bank_transfers_s03.csv": cp932(csv("bank_transfers", n, 2).replaceAll(",", "\t").replace("\"12\t300\"", "12300")) }, exit: 2, finding: fileRejected("bank_transfers_s03.csv", /タブ区切り/), stored: { transfers: 0 } })
  n = next()
  add({
    title: "mixed CRLF, LF and CR line ends",
    entries: { "orders_s04.csv": utf8(`${headers.orders}\r\n${rows.orders(n, 1)}\n${rows.orders(n, 2)}\r${rows.orders(n, 3)}\r\n${rows.orders(n, 4)}`) },
    exit: 0,
    stored: { orders: 4 }
  })
  n = next()
  add({ title: "the empty ,,,, rows a spreadsheet leaves at the end", entries: { "orders_s05.csv": utf8(csv("orders", n, 2) + ",,,,,,,\r\n,,,,,,,\r\n") }, exit: 0, stored: { orders: 2 } })
  n = next()
  add({ title: "empty rows at the end of a payout requests file", entries: { "payout_requests_s06.csv": utf8(csv("payout_requests", n, 2) + ",,,,,,,,,,,,,\r\n \r\n,,,,,,,,,,,,,\r\n") }, exit: 0, stored: { payout_requests: 2 } })
  n = next()
  add({ title: "blank lines between rows", entries: { "parcels_s07.csv": cp932(csv("parcels", n, 3, "\r\n\r\n")) }, exit: 0, stored: { parcel_lines: 3 } })
  n = next()
  add({
    title: "an unterminated quote on line 3: the rows after it are still read",
    entries: { "orders_s08.csv": utf8(csv("orders", n, 5, "\r\n", (i, r) => i === 2 ? r.replace("サークル青空2", "\"サークル青空2") : r)) },
    exit: 2,
    finding: rowRejected("orders_s08.csv", 3, /引用符/),
    stored: { orders: 4 }
  })
  n = next()
  add({
    title: "a bank file truncated inside its last quoted field (was applied)",
    entries: { "bank_transfers_s09.csv": cp932(csv("bank_transfers", n, 3).replace(/"12,300",145,,完了,\r\n$/, "\"12,3")) },
    exit: 2,
    finding: fileRejected("bank_transfers_s09.csv", /引用符/, 4),
    stored: { transfers: 0 }
  })
  n = next()
  add({ title: "a row with one cell fewer", entries: { "orders_s10.csv": utf8(csv("orders", n, 3, "\r\n", (i, r) => i === 2 ? r.replace(",B2023311", "") : r)) }, exit: 2, finding: rowRejected("orders_s10.csv", 3, /セルの数が見出しと違います（見出し8列、この行7列）/), stored: { orders: 2 } })
  n = next()
  add({ title: "a row with one cell more", entries: { "parcels_s11.csv": cp932(csv("parcels", n, 3, "\r\n", (i, r) => i === 3 ? r + ",余分" : r)) }, exit: 2, finding: rowRejected("parcels_s11.csv", 4, /セルの数/), stored: { parcel_lines: 2 } })
  n = next()
  add({
    title: "a payout request with one cell missing (the account number shifts)",
    entries: { "payout_requests_s12.csv": utf8(csv("payout_requests", n, 3, "\r\n", (i, r) => i === 2 ? r.replace(",1,", ",") : r)) },
    exit: 2,
    finding: fileRejected("payout_requests_s12.csv", /セルの数/, 3),
    stored: { payout_requests: 0 },
    neverQuoted: [accountOf(n, 2), "ヤマダ"]
  })
  n = next()
  add({
    title: "a bank row with one cell missing",
    entries: { "bank_transfers_s13.csv": cp932(csv("bank_transfers", n, 3, "\r\n", (i, r) => i === 1 ? r.replace(",普通", "") : r)) },
    exit: 2,
    finding: fileRejected("bank_transfers_s13.csv", /セルの数/, 2),
    stored: { transfers: 0 },
    neverQuoted: [accountOf(n, 1), "ﾔﾏﾀﾞ"]
  })
  n = next()
  add({ title: "a NUL byte in an orders cell (crashed the run)", entries: { "orders_s14.csv": utf8(csv("orders", n, 3, "\r\n", (i, r) => i === 2 ? r.replace("サークル", "サー\u0000クル") : r)) }, exit: 2, finding: rowRejected("orders_s14.csv", 3, /列「circle_name」に NUL 文字/), stored: { orders: 2 } })
  n = next()
  add({ title: "a NUL byte in a payout requests file (crashed the run)", entries: { "payout_requests_s15.csv": utf8(csv("payout_requests", n, 3, "\r\n", (i, r) => i === 3 ? r.replace("sales_settlement", "sales\u0000settlement") : r)) }, exit: 2, finding: fileRejected("payout_requests_s15.csv", /NUL/, 4), stored: { payout_requests: 0 } })
  n = next()
  add({ title: "a 1,001-character note", entries: { "parcels_s16.csv": cp932(csv("parcels", n, 3, "\r\n", (i, r) => i === 1 ? r + "あ".repeat(1001) : r)) }, exit: 2, finding: rowRejected("parcels_s16.csv", 2, /列「備考」の値が長すぎます（1,000文字まで/), stored: { parcel_lines: 2 } })
  n = next()
  add({ title: "a 10 MB free-text field", entries: { "parcels_s17.csv": utf8(csv("parcels", n, 3, "\r\n", (i, r) => i === 2 ? r + "長".repeat(10 << 20) : r)) }, exit: 2, finding: rowRejected("parcels_s17.csv", 3, /長すぎます/), stored: { parcel_lines: 2 } })
  n = next()
  add({ title: "a 10 MB quoted field with line breaks", entries: { "orders_s18.csv": utf8(csv("orders", n, 3, "\r\n", (i, r) => i === 1 ? r.replace("サークル青空1", `"${"行\r\n".repeat(1 << 20)}"`) : r)) }, exit: 2, finding: rowRejected("orders_s18.csv", 2, /長すぎます/) })
  n = next()
  {
    const long = `PS-${"9".repeat(300)}`
    add({ title: "a 300-character order id", entries: { "orders_s19.csv": utf8(csv("orders", n, 2, "\r\n", (i, r) => i === 1 ? r.replace(/^PS-\d+/, long) : r)) }, exit: 2, finding: rowRejected("orders_s19.csv", 2, /列「order_id」の値が長すぎます/), stored: { orders: 1 }, neverQuoted: [long] })
  }
  n = next()
  add({ title: "amount header twice (was applied)", entries: { "payout_requests_s20.csv": utf8(csv("payout_requests", n, 2).replace("status,", "amount,")) }, exit: 2, finding: fileRejected("payout_requests_s20.csv", /見出し「amount」が2回あります/, 1), stored: { payout_requests: 0 } })
  n = next()
  add({ title: "an empty header name", entries: { "orders_s21.csv": utf8(csv("orders", n, 2).replace("circle_name,", "circle_name,,").replace(/サークル青空(\d)/g, "サークル青空$1,x")) }, exit: 2, finding: fileRejected("orders_s21.csv", /5列目が空です/, 1), stored: { orders: 0 } })
  n = next()
  add({ title: "an extra column named twice", entries: { "orders_s22.csv": utf8(csv("orders", n, 2).replace("total_amount", "total_amount,memo,memo").replace(/,1500/g, ",1500,a,b")) }, exit: 2, finding: fileRejected("orders_s22.csv", /同じ名前/, 1), stored: { orders: 0 } })
  n = next()
  add({ title: "text after a closing quote", entries: { "orders_s23.csv": utf8(csv("orders", n, 3, "\r\n", (i, r) => i === 3 ? r.replace("サークル青空3", "\"サークル\"青空") : r)) }, exit: 2, finding: rowRejected("orders_s23.csv", 4, /引用符/), stored: { orders: 2 } })
  n = next()
  add({ title: "a header and no rows", entries: { "orders_s24.csv": utf8(`${headers.orders}\r\n`) }, exit: 0 })
  n = next()
  add({ title: "an empty file", entries: { "orders_s25.csv": utf8("") }, exit: 2, finding: fileRejected("orders_s25.csv", /空です/) })
  n = next()
  add({ title: "only blank lines", entries: { "orders_s26.csv": utf8("\r\n\r\n,,,\r\n") }, exit: 2, finding: fileRejected("orders_s26.csv", /空です|必須の列/) })
  n = next()
  add({ title: "a required column missing", entries: { "linepay_transfers_s27.csv": utf8(csv("linepay_transfers", n, 2).replace("executed_at", "executed")) }, exit: 2, finding: fileRejected("linepay_transfers_s27.csv", /必須の列がありません: executed_at/, 1), stored: { transfers: 0 } })
  n = next()
  add({ title: "a quoted field with a line break inside (valid)", entries: { "orders_s28.csv": utf8(csv("orders", n, 3, "\r\n", (i, r) => i === 1 ? r.replace("サークル青空1", "\"二行の\r\nサークル\"") : r)) }, exit: 0, stored: { orders: 3 } })
  n = next()
  add({ title: "a LINE Pay row with a cell more", entries: { "linepay_transfers_s29.csv": utf8(csv("linepay_transfers", n, 3, "\n", (i, r) => i === 2 ? r + ",x" : r)) }, exit: 2, finding: fileRejected("linepay_transfers_s29.csv", /セルの数/, 3), stored: { transfers: 0 } })
  n = next()
  add({ title: "an unterminated quote in a payout requests file", entries: { "payout_requests_s30.csv": utf8(csv("payout_requests", n, 3, "\r\n", (i, r) => i === 1 ? r.replace("ヤマダ", "\"ヤマダ") : r)) }, exit: 2, finding: fileRejected("payout_requests_s30.csv", /引用符/, 2), stored: { payout_requests: 0 }, neverQuoted: ["ヤマダ"] })
  n = next()
  add({ title: "an address row too long in a personal column", entries: { "shipping_addresses_s31.csv": utf8(csv("shipping_addresses", n, 2, "\r\n", (i, r) => i === 2 ? r.replace("山田 太郎", "山田".repeat(600)) : r)) }, exit: 2, finding: rowRejected("shipping_addresses_s31.csv", 3, /列「recipient_name」の値が長すぎます/), stored: { shipping_addresses: 1 }, neverQuoted: ["山田"] })

  // ---- values ----------------------------------------------------------------------
  n = next()
  add({ title: "a payout amount that is not a number: not quoted", entries: { "payout_requests_v01.csv": utf8(csv("payout_requests", n, 2, "\r\n", (i, r) => i === 2 ? r.replace(",12300,", ",12,3OO,").replace(",12,3OO,", ",\"12,3OO\",") : r)) }, exit: 2, finding: fileRejected("payout_requests_v01.csv", /列「amount」が正しくありません/, 3), stored: { payout_requests: 0 }, neverQuoted: ["12,3OO"] })
  n = next()
  add({ title: "an account number of 8 digits", entries: { "bank_transfers_v02.csv": cp932(csv("bank_transfers", n, 2, "\r\n", (i, r) => i === 2 ? r.replace(accountOf(n, 2), "12345678") : r)) }, exit: 2, finding: fileRejected("bank_transfers_v02.csv", /列「口座番号」/, 3), stored: { transfers: 0 }, neverQuoted: ["12345678"] })
  n = next()
  add({ title: "an impossible transfer date", entries: { "bank_transfers_v03.csv": cp932(csv("bank_transfers", n, 2, "\r\n", (i, r) => i === 1 ? r.replace("2023/08/21", "2023/02/30") : r)) }, exit: 2, finding: fileRejected("bank_transfers_v03.csv", /列「振込指定日」/, 2), stored: { transfers: 0 }, neverQuoted: ["2023/02/30"] })
  n = next()
  add({ title: "a LINE Pay id of 18 digits", entries: { "linepay_transfers_v04.csv": utf8(csv("linepay_transfers", n, 2, "\r\n", (i, r) => i === 1 ? r.slice(1) : r)) }, exit: 2, finding: fileRejected("linepay_transfers_v04.csv", /列「transaction_id」/, 2), stored: { transfers: 0 } })
  n = next()
  add({ title: "an impossible intake date in parcels", entries: { "parcels_v05.csv": cp932(csv("parcels", n, 3, "\r\n", (i, r) => i === 3 ? r.replace("2023/09/01", "2023/13/01") : r)) }, exit: 2, finding: rowRejected("parcels_v05.csv", 4, /列「受付日時」/), stored: { parcel_lines: 2 } })
  n = next()
  add({ title: "不能事由 on a completed transfer", entries: { "bank_transfers_v06.csv": cp932(csv("bank_transfers", n, 2, "\r\n", (i, r) => i === 2 ? r + "口座なし" : r)) }, exit: 2, finding: fileRejected("bank_transfers_v06.csv", /不能事由/, 3), stored: { transfers: 0 } })
  n = next()
  add({ title: "a blank account holder on a bank request", entries: { "payout_requests_v07.csv": utf8(csv("payout_requests", n, 2, "\r\n", (i, r) => i === 1 ? r.replace("ヤマダ タロウ", "") : r)) }, exit: 2, finding: fileRejected("payout_requests_v07.csv", /account_holder/, 2), stored: { payout_requests: 0 } })
  n = next()
  add({ title: "a reshipment with a bad date", entries: { "reshipments_v08.csv": utf8(csv("reshipments", n, 2, "\r\n", (i, r) => i === 1 ? r.replace("2023-09-02T10:00:00+09:00", "yesterday") : r)) }, exit: 2, finding: rowRejected("reshipments_v08.csv", 2, /列「shipped_at」/), stored: { reshipments: 1 } })

  // ---- file names and entries ----------------------------------------------------
  n = next()
  add({ title: "a symlinked export (was skipped without a word)", entries: { "orders_f01.csv": { symlinkTo: "../elsewhere.csv" } }, exit: 2, finding: fileRejected("orders_f01.csv", /シンボリックリンク/), stored: { orders: 0 } })
  n = next()
  add({ title: "a dangling symlink", entries: { "bank_transfers_f02.csv": { symlinkTo: "/nonexistent/bank.csv" } }, exit: 2, finding: fileRejected("bank_transfers_f02.csv", /シンボリックリンク/) })
  n = next()
  add({ title: "a folder named like an export", entries: { "orders_f03.csv": { folder: true } }, exit: 2, finding: fileRejected("orders_f03.csv", /フォルダ/) })
  n = next()
  add({ title: "a FIFO named like an export", entries: { "payout_requests_f04.csv": { fifo: true } }, exit: 2, finding: fileRejected("payout_requests_f04.csv", /FIFO/) })
  n = next()
  add({ title: "a name of no known kind", entries: { "Orders_f05.csv": utf8(csv("orders", n, 1)) }, exit: 2, finding: fileRejected("Orders_f05.csv", /種類が分かりません/), stored: { orders: 0 } })
  n = next()
  add({ title: "an export with a .txt name", entries: { "orders_f06.txt": utf8(csv("orders", n, 1)) }, exit: 2, finding: fileRejected("orders_f06.txt", /種類が分かりません/), stored: { orders: 0 } })
  n = next()
  add({ title: "control characters in a file name: read, shown escaped", entries: { "orders_f07\u001b[2J\n.csv": utf8(csv("orders", n, 2)) }, exit: 0, stored: { orders: 2 } })
  n = next()
  add({
    title: "control characters in a rejected file's name are escaped in the finding",
    entries: { "orders_f08\u001b[31m.csv": utf8(csv("orders", n, 2).replaceAll(",", "\t")) },
    exit: 2,
    finding: fileRejected("orders_f08\\x1b[31m.csv", /タブ区切り/)
  })
  n = next()
  add({ title: "a file name that is not UTF-8", entries: {}, rawName: Buffer.concat([Buffer.from("orders_f09_"), Buffer.from([0xe9]), Buffer.from(".csv")]), exit: 0, stored: { orders: 2 } })
  n = next()
  add({ title: "a hidden file is not an export", entries: { ".orders_f10.csv": utf8(csv("orders", n, 1)) }, exit: 0, stored: { orders: 0 } })

  // ---- schedules -------------------------------------------------------------------
  n = next()
  add({
    title: "overlapping windows for one method",
    entries: { "payout_schedule.json": utf8(schedule([window("2023-08-07", "2023-08-13", { bank: "2023-08-21" }), window("2023-08-13", "2023-08-16", { bank: "2023-09-01" })])) },
    exit: 2,
    finding: fileRejected("payout_schedule.json", /1番目と2番目の期間が bank について重なっています/)
  })
  n = next()
  add({ title: "an unknown method", entries: { "payout_schedule.json": utf8(schedule([window("2023-08-07", "2023-08-13", { paypay: "2023-08-21" })])) }, exit: 2, finding: fileRejected("payout_schedule.json", /支払方法「paypay」はありません/) })
  n = next()
  add({ title: "an unknown deferred method", entries: { "payout_schedule.json": utf8(schedule([], ["amazon"])) }, exit: 2, finding: fileRejected("payout_schedule.json", /deferred_methods: 支払方法「amazon」/) })
  n = next()
  add({ title: "requested_to before requested_from", entries: { "payout_schedule.json": utf8(schedule([window("2023-08-13", "2023-08-07", { bank: "2023-08-21" })])) }, exit: 2, finding: fileRejected("payout_schedule.json", /requested_to（2023-08-07）が requested_from（2023-08-13）より前です/) })
  n = next()
  add({ title: "a due date that is not a real date", entries: { "payout_schedule.json": utf8(schedule([window("2023-08-07", "2023-08-13", { bank: "2023-02-30" })])) }, exit: 2, finding: fileRejected("payout_schedule.json", /windows の1番目の due\.bank が実在する日付/) })
  n = next()
  add({ title: "a schedule that is not JSON", entries: { "payout_schedule.json": utf8("{ windows: [") }, exit: 2, finding: fileRejected("payout_schedule.json", /JSON として読めません/) })
  n = next()
  add({ title: "a UTF-16 schedule", entries: { "payout_schedule.json": bytes([0xff, 0xfe], iconv.encode(schedule([]), "utf16le")) }, exit: 2, finding: fileRejected("payout_schedule.json", /UTF-16/) })
  n = next()
  add({
    title: "a schedule with a BOM and adjacent windows is applied",
    entries: { "payout_schedule.json": bytes([0xef, 0xbb, 0xbf], schedule([window("2023-08-07", "2023-08-13", { bank: "2023-08-21", linepay: "2023-09-01" }), window("2023-08-14", "2023-08-16", { bank: "2023-09-01" })])) },
    exit: 0,
    stored: { payout_windows: 3 }
  })

  // ---- kinds -----------------------------------------------------------------------
  n = next()
  add({
    title: "an order item whose order is unknown",
    entries: { "order_items_k01.csv": utf8(`order_id,item_id,item_name,quantity,unit_price\r\nPS-${pad(n, 3)}00001,I1,新刊,1,500\r\n`) },
    exit: 2,
    finding: rowRejected("order_items_k01.csv", 2, /orders にありません/)
  })
  n = next()
  add({ title: "a money file with a good and a bad row stores neither", entries: { "linepay_transfers_k02.csv": utf8(csv("linepay_transfers", n, 3, "\r\n", (i, r) => i === 3 ? r.replace("COMPLETE", "DONE") : r)) }, exit: 2, finding: fileRejected("linepay_transfers_k02.csv", /列「status」/, 4), stored: { transfers: 0 } })
  return cases
}

/** Writes the entries of `cases` into `inbox` (a sibling `elsewhere.csv` for symlink targets). */
export const writeCases = (inbox: string, cases: ReadonlyArray<HostileCase>) => {
  for (const c of cases) {
    if (c.rawName !== undefined) {
      fs.writeFileSync(Buffer.concat([Buffer.from(inbox + path.sep), c.rawName]), csv("orders", c.no, 2))
    }
    for (const [name, entry] of Object.entries(c.entries)) {
      const at = path.join(inbox, name)
      if ("bytes" in entry) fs.writeFileSync(at, entry.bytes)
      else if ("symlinkTo" in entry) {
        fs.writeFileSync(path.join(inbox, "..", "elsewhere.csv"), csv("orders", c.no, 2))
        fs.symlinkSync(entry.symlinkTo, at)
      } else if ("folder" in entry) fs.mkdirSync(at)
      else execFileSync("mkfifo", [at])
    }
  }
}
