// The CSV grammar and the structure rules, at the pure level: every text is also read
// cut at every possible chunk boundary, and must give the same records.
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { checkRecord, type CsvColumns, readHeader } from "../../src/Ingest/Csv.ts"
import { type CsvLimits, csvRecordsOf } from "../../src/Ingest/CsvRecords.ts"

/** The records of `text`, asserting they are the same for every chunk size. */
const records = (text: string, limits?: CsvLimits) => {
  const whole = csvRecordsOf(text, text.length || 1, limits)
  for (let size = 1; size < Math.min(text.length, 40); size++) expect(csvRecordsOf(text, size, limits)).toEqual(whole)
  return whole
}
const small: CsvLimits = { maxFieldChars: 20, maxFields: 10, maxQuotedKept: 60 }

describe("reading records", () => {
  it("ends a record at CRLF, LF and CR alike, mixed in one file, and numbers physical lines", () => {
    expect(records("a,b\r\n1,2\n3,4\r5,6\r\n7,8")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "2"] },
      { line: 3, fields: ["3", "4"] },
      { line: 4, fields: ["5", "6"] },
      { line: 5, fields: ["7", "8"] }
    ])
  })

  it("reads quoted fields with commas, doubled quotes and line ends inside, counting their lines", () => {
    expect(records("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\r\nlines\",\"cr\ronly\"\n9,9\n")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["x, y", "say \"hi\""] },
      { line: 3, fields: ["two\r\nlines", "cr\ronly"] },
      // Lines 3–5: the CRLF and the lone CR inside the quotes each end a line.
      { line: 6, fields: ["9", "9"] }
    ])
  })

  it("keeps empty fields and blank lines as records (the checker decides)", () => {
    expect(records("a,b\n\n,\n1,\n")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: [""] },
      { line: 3, fields: ["", ""] },
      { line: 4, fields: ["1", ""] }
    ])
  })

  it("reports an unterminated quote on its record and reads on from the next line", () => {
    const read = records("a,b\n1,\"open\n2,3\n4,5\n")
    expect(read.map((r) => [r.line, r.fault === undefined ? r.fields : "fault"])).toEqual([
      [1, ["a", "b"]],
      [2, "fault"],
      [3, ["2", "3"]],
      [4, ["4", "5"]]
    ])
    expect(read[1]!.fault).toContain("引用符")
  })

  it("reports a last record cut inside its quoted field", () => {
    const read = records("a,b\r\n1,2\r\n3,\"12,3")
    expect(read.at(-1)).toMatchObject({ line: 3, fault: expect.stringContaining("引用符") })
  })

  it("reports text after a closing quote", () => {
    expect(records("a,b\n\"x\"y,1\n2,3\n")[1]).toMatchObject({ line: 2, fault: expect.stringContaining("引用符") })
  })

  it("caps a long field, reporting it, and reads the next record normally", () => {
    const read = records(`a,b\n1,${"x".repeat(50)}\n"${"y".repeat(50)}",2\n3,4\n`, small)
    expect(read.map((r) => [r.line, r.fault === undefined ? "ok" : "fault"])).toEqual([[1, "ok"], [2, "fault"], [3, "fault"], [4, "ok"]])
    expect(read[1]!.fault).toContain("長すぎます")
  })

  it("says a quote that never closes loses the rest of the file, when too much follows it to read on", () => {
    const read = records(`a,b\n1,"${"z\n".repeat(40)}`, small)
    expect(read.at(-1)).toMatchObject({ line: 2, fault: expect.stringContaining("ファイルの最後まで") })
  })
})

const columns: CsvColumns = { required: ["id", "amount"], optional: ["note"], freeText: ["note"] }
const header = (line: string) => {
  const [record] = csvRecordsOf(line)
  return readHeader(record!, columns)
}
const reasonOf = (line: string) => Either.match(header(line), { onLeft: (reason) => reason, onRight: () => "ok" })

describe("the header", () => {
  it.each([
    ["id,amount,note", "ok"],
    [" id , amount ", "ok"],
    ["\uFEFFid,amount", "ok"],
    ["id\tamount\tnote", "タブ区切りのようです"],
    ["id;amount;note", "セミコロン区切りのようです"],
    ["id|amount|note", "縦棒 (|) 区切りのようです"],
    ["id，amount，note", "全角カンマ区切りのようです"],
    ["id,amount,amount", "見出し「amount」が2回あります（2列目と3列目）"],
    ["id,amount,x,x", "見出しの3列目と4列目が同じ名前です"],
    ["id,,amount", "見出し行の2列目が空です"],
    ["id,note", "必須の列がありません: amount"]
  ])("%j → %s", (line, expected) => {
    expect(reasonOf(line)).toContain(expected)
  })

  it("never repeats a name it does not know (the header of a money file may be a data row)", () => {
    expect(reasonOf("1234567,1234567,id,amount")).not.toContain("1234567")
  })
})

describe("a data record", () => {
  const known = Either.getOrThrow(header("id,amount,note,extra"))
  const check = (line: string) => checkRecord(known, csvRecordsOf(`h\n${line}\n`)[1]!)

  it("is a row with the cells the kind reads", () => {
    expect(check("A1,100,メモ,x")).toEqual({ _tag: "Row", line: 2, cells: { id: "A1", amount: "100", note: "メモ" } })
  })

  it.each(["", ",,,", " , ,\t, "])("of empty cells only (%j) is blank: skipped and counted", (line) => {
    expect(check(line)._tag).toBe("Blank")
  })

  it.each([
    ["A1,100,メモ", "セルの数が見出しと違います（見出し4列、この行3列）"],
    ["A1,100,メモ,x,y", "セルの数が見出しと違います（見出し4列、この行5列）"],
    ["A1,1\u000000,メモ,x", "列「amount」に NUL 文字"],
    ["A1,100,メモ,x\u0000", "4列目に NUL 文字"],
    [`A1,100,${"長".repeat(1001)},x`, "列「note」の値が長すぎます（1,000文字まで"],
    [`${"9".repeat(201)},100,,x`, "列「id」の値が長すぎます（200文字まで"]
  ])("%j is set aside: %s", (line, reason) => {
    const checked = check(line)
    expect(checked).toMatchObject({ _tag: "Broken", line: 2 })
    expect(checked._tag === "Broken" && checked.reason).toContain(reason)
  })

  it("never quotes a value in a structural reason", () => {
    const checked = check(`1234567,${"9".repeat(300)},x`)
    expect(checked._tag === "Broken" && checked.reason).not.toMatch(/1234567|999/)
  })
})
