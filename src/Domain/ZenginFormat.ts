/**
 * The 全銀協制定 総合振込 file (種別コード 21, コード区分 0): Shift_JIS, 120-byte records,
 * each ended by CRLF — one header, one data record per payout, a trailer with the count
 * and sum, an end record. The layout (docs/zengin.md names the sources):
 *
 *   header  1 データ区分 N1 "1" · 種別コード N2 "21" · コード区分 N1 "0" · 依頼人コード N10 ·
 *           依頼人名 C40 · 振込指定日 N4 MMDD · 仕向銀行番号 N4 · 仕向銀行名 C15 ·
 *           仕向支店番号 N3 · 仕向支店名 C15 · 預金種目 N1 · 口座番号 N7 · ダミー C17
 *   data    データ区分 N1 "2" · 被仕向銀行番号 N4 · 被仕向銀行名 C15 · 被仕向支店番号 N3 ·
 *           被仕向支店名 C15 · 手形交換所番号 N4 (0) · 預金種目 N1 · 口座番号 N7 · 受取人名 C30 ·
 *           振込金額 N10 · 新規コード N1 · 顧客コード1 N10 · 顧客コード2 N10 · 振込指定区分 N1 ·
 *           識別表示 C1 · ダミー C7
 *   trailer データ区分 N1 "8" · 合計件数 N6 · 合計金額 N12 · ダミー C101
 *   end     データ区分 N1 "9" · ダミー C119
 *
 * N fields are right-aligned and zero-filled, C fields left-aligned and space-filled;
 * widths are bytes after Shift_JIS encoding. No field ever runs into the next: a number
 * that does not fit is refused, a text that does not fit is cut at a character boundary.
 */
import iconv from "iconv-lite"

export interface ZenginHeader {
  readonly requesterCode: string
  readonly requesterName: string
  /** 振込指定日 as MMDD */
  readonly transferDate: string
  readonly bankCode: string
  readonly bankName: string
  readonly branchCode: string
  readonly branchName: string
  readonly accountType: string
  readonly accountNumber: string
}

export interface ZenginRecord {
  readonly bankCode: string
  readonly bankName: string
  readonly branchCode: string
  readonly branchName: string
  readonly accountType: string
  readonly accountNumber: string
  readonly holderName: string
  readonly amount: number
  /** 顧客コード1: the request_id, so that the bank's result export matches by reference */
  readonly customerCode: string
}

export interface ZenginTrailer {
  readonly count: number
  readonly total: number
}

export interface ZenginFile {
  readonly header: ZenginHeader
  readonly records: ReadonlyArray<ZenginRecord>
}

export const RECORD_BYTES = 120
const CRLF = Buffer.from("\r\n", "latin1")

/** A value that cannot be written into its field (a defect of the caller: values are checked before). */
export class ZenginFieldError extends Error {}

const numeric = (field: string, value: string | number, width: number): Buffer => {
  const digits = typeof value === "number" ? (Number.isSafeInteger(value) && value >= 0 ? String(value) : "") : value
  if (!/^\d+$/.test(digits)) throw new ZenginFieldError(`${field}: not a number: ${JSON.stringify(value)}`)
  if (digits.length > width) throw new ZenginFieldError(`${field}: ${digits.length} digits do not fit in ${width}`)
  return Buffer.from(digits.padStart(width, "0"), "latin1")
}

const VOICED_MARKS = new Set([0xde, 0xdf]) // ﾞ ﾟ in Shift_JIS

const text = (field: string, value: string, width: number): Buffer => {
  const encoded = iconv.encode(value, "Shift_JIS")
  if (iconv.decode(encoded, "Shift_JIS") !== value) throw new ZenginFieldError(`${field}: not writable in Shift_JIS`)
  let length = Math.min(encoded.length, width)
  // Cut at a character boundary: never half of a double-byte character, and never a
  // kana without the voiced mark that follows it (ｶﾞ cut to ｶ would be another name).
  if (length < encoded.length) {
    let i = 0
    let boundary = 0
    while (i < length) {
      const lead = encoded[i]!
      const size = (lead >= 0x81 && lead <= 0x9f) || (lead >= 0xe0 && lead <= 0xfc) ? 2 : 1
      if (i + size > length) break
      i += size
      boundary = i
    }
    length = boundary
    while (length > 0 && VOICED_MARKS.has(encoded[length]!)) length--
  }
  const out = Buffer.alloc(width, 0x20)
  encoded.copy(out, 0, 0, length)
  return out
}

const record = (fields: ReadonlyArray<Buffer>): Buffer => {
  const bytes = Buffer.concat(fields)
  if (bytes.length !== RECORD_BYTES) throw new ZenginFieldError(`record of ${bytes.length} bytes`)
  return bytes
}

const spaces = (width: number) => Buffer.alloc(width, 0x20)

export const headerRecord = (h: ZenginHeader): Buffer =>
  record([
    numeric("データ区分", "1", 1),
    numeric("種別コード", "21", 2),
    numeric("コード区分", "0", 1),
    numeric("依頼人コード", h.requesterCode, 10),
    text("依頼人名", h.requesterName, 40),
    numeric("振込指定日", h.transferDate, 4),
    numeric("仕向銀行番号", h.bankCode, 4),
    text("仕向銀行名", h.bankName, 15),
    numeric("仕向支店番号", h.branchCode, 3),
    text("仕向支店名", h.branchName, 15),
    numeric("預金種目", h.accountType, 1),
    numeric("口座番号", h.accountNumber, 7),
    spaces(17)
  ])

export const dataRecord = (r: ZenginRecord): Buffer =>
  record([
    numeric("データ区分", "2", 1),
    numeric("被仕向銀行番号", r.bankCode, 4),
    text("被仕向銀行名", r.bankName, 15),
    numeric("被仕向支店番号", r.branchCode, 3),
    text("被仕向支店名", r.branchName, 15),
    numeric("手形交換所番号", "0", 4),
    numeric("預金種目", r.accountType, 1),
    numeric("口座番号", r.accountNumber, 7),
    text("受取人名", r.holderName, 30),
    numeric("振込金額", r.amount, 10),
    numeric("新規コード", "0", 1),
    numeric("顧客コード1", r.customerCode, 10),
    numeric("顧客コード2", "0", 10),
    // 7: テレ振込 (電信扱)
    numeric("振込指定区分", "7", 1),
    spaces(1),
    spaces(7)
  ])

export const trailerRecord = (t: ZenginTrailer): Buffer =>
  record([numeric("データ区分", "8", 1), numeric("合計件数", t.count, 6), numeric("合計金額", t.total, 12), spaces(101)])

export const endRecord = (): Buffer => record([numeric("データ区分", "9", 1), spaces(119)])

export const trailerOf = (records: ReadonlyArray<ZenginRecord>): ZenginTrailer => ({
  count: records.length,
  total: records.reduce((sum, r) => sum + r.amount, 0)
})

/** The whole file, every record followed by CRLF. */
export const writeZenginFile = (file: ZenginFile): Buffer => {
  const lines = [headerRecord(file.header), ...file.records.map(dataRecord), trailerRecord(trailerOf(file.records)), endRecord()]
  return Buffer.concat(lines.flatMap((line) => [line, CRLF]))
}

// ---- reading, for the tests and for `--void` (which checks a file is one of ours) ----

export class ZenginParseError extends Error {}

interface Field {
  readonly name: string
  readonly width: number
  readonly kind: "N" | "C"
}

const layout = (fields: ReadonlyArray<[string, number, "N" | "C"]>): ReadonlyArray<Field> =>
  fields.map(([name, width, kind]) => ({ name, width, kind }))

const HEADER = layout([
  ["dataType", 1, "N"], ["typeCode", 2, "N"], ["codeType", 1, "N"], ["requesterCode", 10, "N"], ["requesterName", 40, "C"],
  ["transferDate", 4, "N"], ["bankCode", 4, "N"], ["bankName", 15, "C"], ["branchCode", 3, "N"], ["branchName", 15, "C"],
  ["accountType", 1, "N"], ["accountNumber", 7, "N"], ["dummy", 17, "C"]
])
const DATA = layout([
  ["dataType", 1, "N"], ["bankCode", 4, "N"], ["bankName", 15, "C"], ["branchCode", 3, "N"], ["branchName", 15, "C"],
  ["clearingHouse", 4, "N"], ["accountType", 1, "N"], ["accountNumber", 7, "N"], ["holderName", 30, "C"],
  ["amount", 10, "N"], ["newCode", 1, "N"], ["customerCode", 10, "N"], ["customerCode2", 10, "N"], ["transferKind", 1, "N"],
  ["identification", 1, "C"], ["dummy", 7, "C"]
])
const TRAILER = layout([["dataType", 1, "N"], ["count", 6, "N"], ["total", 12, "N"], ["dummy", 101, "C"]])
const END = layout([["dataType", 1, "N"], ["dummy", 119, "C"]])

const parseFields = (line: Buffer, fields: ReadonlyArray<Field>, lineNo: number): Record<string, string> => {
  const out: Record<string, string> = {}
  let at = 0
  for (const f of fields) {
    const bytes = line.subarray(at, at + f.width)
    at += f.width
    if (f.kind === "N") {
      const digits = bytes.toString("latin1")
      if (!/^\d+$/.test(digits)) throw new ZenginParseError(`line ${lineNo}: ${f.name} is not ${f.width} digits`)
      out[f.name] = digits
    } else {
      out[f.name] = iconv.decode(bytes, "Shift_JIS").replace(/ +$/, "")
    }
  }
  return out
}

const stripZeros = (digits: string) => digits.replace(/^0+(?=\d)/, "")

/**
 * Reads a file written by `writeZenginFile` back: every line 120 bytes and CRLF-ended,
 * the records in order, the trailer's count and sum equal to the data records'.
 */
export const readZenginFile = (bytes: Buffer): ZenginFile & { readonly trailer: ZenginTrailer } => {
  const lineLength = RECORD_BYTES + 2
  if (bytes.length % lineLength !== 0) throw new ZenginParseError(`${bytes.length} bytes is not a whole number of 122-byte lines`)
  const lines: Array<Buffer> = []
  for (let at = 0; at < bytes.length; at += lineLength) {
    const line = bytes.subarray(at, at + lineLength)
    if (line[RECORD_BYTES] !== 0x0d || line[RECORD_BYTES + 1] !== 0x0a) {
      throw new ZenginParseError(`line ${lines.length + 1}: not ended by CRLF at byte 121`)
    }
    lines.push(line.subarray(0, RECORD_BYTES))
  }
  if (lines.length < 3) throw new ZenginParseError("fewer than header, trailer and end record")
  const kinds = lines.map((l) => String.fromCharCode(l[0]!)).join("")
  if (!/^12*89$/.test(kinds)) throw new ZenginParseError(`records out of order: ${kinds.slice(0, 20)}`)
  const h = parseFields(lines[0]!, HEADER, 1)
  if (h.typeCode !== "21" || h.codeType !== "0") throw new ZenginParseError("not a 総合振込 file in JIS (21 / 0)")
  const header: ZenginHeader = {
    requesterCode: h.requesterCode!, requesterName: h.requesterName!, transferDate: h.transferDate!,
    bankCode: h.bankCode!, bankName: h.bankName!, branchCode: h.branchCode!, branchName: h.branchName!,
    accountType: h.accountType!, accountNumber: h.accountNumber!
  }
  const records = lines.slice(1, -2).map((line, index): ZenginRecord => {
    const d = parseFields(line, DATA, index + 2)
    return {
      bankCode: d.bankCode!, bankName: d.bankName!, branchCode: d.branchCode!, branchName: d.branchName!,
      accountType: d.accountType!, accountNumber: d.accountNumber!, holderName: d.holderName!,
      amount: Number(d.amount), customerCode: d.customerCode!
    }
  })
  const t = parseFields(lines.at(-2)!, TRAILER, lines.length - 1)
  parseFields(lines.at(-1)!, END, lines.length)
  const trailer = { count: Number(stripZeros(t.count!)), total: Number(stripZeros(t.total!)) }
  const sums = trailerOf(records)
  if (trailer.count !== sums.count || trailer.total !== sums.total) {
    throw new ZenginParseError(`trailer says ${trailer.count} / ${trailer.total}, records add up to ${sums.count} / ${sums.total}`)
  }
  return { header, records, trailer }
}
