// The 総合振込 writer on fixed cases, byte for byte, and the reader that parses a file
// back into the records it was written from.
import iconv from "iconv-lite"
import { describe, expect, it } from "vitest"
import {
  readZenginFile,
  writeZenginFile,
  ZenginFieldError,
  ZenginParseError,
  type ZenginFile,
  type ZenginRecord
} from "../../src/Domain/ZenginFormat.ts"

const header = {
  requesterCode: "1234567890",
  requesterName: "ｶ)ﾋﾟｸﾄｽﾍﾟ-ｽ",
  transferDate: "0906",
  bankCode: "0009",
  bankName: "ﾐﾂｲｽﾐﾄﾓ",
  branchCode: "101",
  branchName: "ｵｵｻｶﾎﾝﾃﾝ",
  accountType: "1",
  accountNumber: "7654321"
}

const record = (over: Partial<ZenginRecord> = {}): ZenginRecord => ({
  bankCode: "0005",
  bankName: "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ",
  branchCode: "041",
  branchName: "ﾄﾗﾉﾓﾝ",
  accountType: "1",
  accountNumber: "0123456",
  holderName: "ﾔﾏﾀﾞ ﾀﾛｳ",
  amount: 12300,
  customerCode: "2308070001",
  ...over
})

const file: ZenginFile = { header, records: [record(), record({ holderName: "ｶ)ｱｵｿﾞﾗｼﾖｳｼﾞ", amount: 4800, customerCode: "2308080102", accountType: "2" })] }

// Written out field by field from the published layout, space- and zero-filled by hand.
const sp = (n: number) => " ".repeat(n)
const expectedLines = [
  "1" + "21" + "0" + "1234567890" + "ｶ)ﾋﾟｸﾄｽﾍﾟ-ｽ" + sp(40 - 11) + "0906" + "0009" + "ﾐﾂｲｽﾐﾄﾓ" + sp(15 - 7) + "101" + "ｵｵｻｶﾎﾝﾃﾝ" + sp(15 - 8) + "1" + "7654321" + sp(17),
  "2" + "0005" + "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ" + sp(15 - 13) + "041" + "ﾄﾗﾉﾓﾝ" + sp(15 - 5) + "0000" + "1" + "0123456" + "ﾔﾏﾀﾞ ﾀﾛｳ" + sp(30 - 8)
    + "0000012300" + "0" + "2308070001" + "0000000000" + "7" + " " + sp(7),
  "2" + "0005" + "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ" + sp(15 - 13) + "041" + "ﾄﾗﾉﾓﾝ" + sp(15 - 5) + "0000" + "2" + "0123456" + "ｶ)ｱｵｿﾞﾗｼﾖｳｼﾞ" + sp(30 - 12)
    + "0000004800" + "0" + "2308080102" + "0000000000" + "7" + " " + sp(7),
  "8" + "000002" + "000000017100" + sp(101),
  "9" + sp(119)
]

describe("writeZenginFile", () => {
  const bytes = writeZenginFile(file)

  it("writes header, data, trailer and end records of 120 bytes, each ended by CRLF, in Shift_JIS", () => {
    expect(bytes.length).toBe(5 * 122)
    for (let i = 0; i < 5; i++) {
      expect(bytes[i * 122 + 120]).toBe(0x0d)
      expect(bytes[i * 122 + 121]).toBe(0x0a)
    }
    expect(bytes.equals(iconv.encode(expectedLines.map((l) => `${l}\r\n`).join(""), "Shift_JIS"))).toBe(true)
    for (const line of expectedLines) expect(iconv.encode(line, "Shift_JIS").length).toBe(120)
  })

  it("writes half-width kana one byte each and a voiced mark as a byte of its own", () => {
    // ﾄﾞ of the holder ﾔﾏﾀﾞ: ﾀ 0xC0 then ﾞ 0xDE, at 受取人名 (bytes 51–80 of the record)
    const data = bytes.subarray(122, 242)
    expect([...data.subarray(50, 55)]).toEqual([0xd4, 0xcf, 0xc0, 0xde, 0x20])
  })

  it("sums the trailer from the data records", () => {
    const trailer = bytes.subarray(3 * 122, 3 * 122 + 120).toString("latin1")
    expect(trailer.slice(0, 19)).toBe("8000002000000017100")
  })

  it("cuts a holder name longer than its 30 bytes at a character, never between a kana and its voiced mark", () => {
    const long = "ｱ".repeat(29) + "ﾀﾞﾛｳ" // ﾀﾞ would be split at byte 30
    const written = writeZenginFile({ header, records: [record({ holderName: long })] })
    const holder = written.subarray(122 + 50, 122 + 80)
    expect(iconv.decode(holder, "Shift_JIS")).toBe("ｱ".repeat(29) + " ")
    // the next field is untouched
    expect(written.subarray(122 + 80, 122 + 90).toString("latin1")).toBe("0000012300")
  })

  it("refuses a number that does not fit its field instead of running into the next", () => {
    expect(() => writeZenginFile({ header, records: [record({ amount: 12_345_678_901 })] })).toThrow(ZenginFieldError)
    expect(() => writeZenginFile({ header, records: [record({ customerCode: "23080700011" })] })).toThrow(ZenginFieldError)
    expect(() => writeZenginFile({ header, records: [record({ amount: -1 })] })).toThrow(ZenginFieldError)
  })
})

describe("readZenginFile", () => {
  it("reads a written file back into the records it was written from", () => {
    const read = readZenginFile(writeZenginFile(file))
    expect(read.header).toEqual(header)
    expect(read.records).toEqual(file.records)
    expect(read.trailer).toEqual({ count: 2, total: 17100 })
  })

  it("refuses a file whose trailer does not add up, or whose lines are not 120 bytes and CRLF", () => {
    const bytes = Buffer.from(writeZenginFile(file))
    const bad = Buffer.from(bytes)
    bad.write("000003", 3 * 122 + 1, "latin1")
    expect(() => readZenginFile(bad)).toThrow(ZenginParseError)
    expect(() => readZenginFile(bytes.subarray(0, bytes.length - 1))).toThrow(ZenginParseError)
    const lf = Buffer.from(bytes)
    lf[120] = 0x20
    expect(() => readZenginFile(lf)).toThrow(ZenginParseError)
  })
})
