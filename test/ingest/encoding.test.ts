// Encoding decided strictly (issue 9 item 1), at the pure level: the verdict for each
// encoding an office produces, the same verdict however the bytes are chunked, and a
// stateful decode that never splits a character at a read boundary.
import iconv from "iconv-lite"
import { describe, expect, it } from "vitest"
import { detectEncoding, textDecoder } from "../../src/Ingest/Encoding.ts"

const japanese = "order_id,circle_name,item_name\r\nPS-00000001,サークル青空,夏の新刊セット（再販）\r\nPS-00000002,ひだまり工房,ポストカード　全５種\r\n"
const latin = "order_id,circle_name\r\nPS-00000001,Café Müller\r\nPS-00000002,José Niño\r\n"

/** Seeded pseudo-random Japanese text (kana, kanji of both JIS levels, half-width kana). */
const randomJapanese = (seed: number, chars: number) => {
  const pool = "あいうえおかきくけこさしすせそアイウエオカキクケコ漢字東京都千代田区夏新刊売上精算返金振込濵髙﨑ｱｲｳｴｵﾔﾏﾀﾞﾀﾛｳ、。「」ー"
  let x = seed
  let text = ""
  for (let i = 0; i < chars; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff
    text += i % 40 === 39 ? "\r\n" : i % 7 === 6 ? "," : pool[x % pool.length]
  }
  return text
}

describe("deciding the encoding", () => {
  it.each([
    ["UTF-8", Buffer.from(japanese), { _tag: "Decided", encoding: "utf-8" }],
    ["UTF-8 with BOM", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(japanese)]), { _tag: "Decided", encoding: "utf-8" }],
    ["CP932", iconv.encode(japanese, "cp932"), { _tag: "Decided", encoding: "cp932" }],
    ["pure ASCII", Buffer.from("a,b\r\n1,2\r\n"), { _tag: "Decided", encoding: "utf-8" }]
  ])("reads %s", (_name, bytes, verdict) => {
    expect(detectEncoding(bytes)).toEqual(verdict)
  })

  it.each([
    ["EUC-JP", iconv.encode(japanese, "eucjp"), "EUC-JP のようです: UTF-8 か Shift_JIS"],
    ["EUC-JP half-width kana", iconv.encode("a,b\r\n1,ﾔﾏﾀﾞ ﾀﾛｳ\r\n2,ｻﾄｳ ﾊﾅｺ\r\n", "eucjp"), "EUC-JP のようです"],
    ["ISO-8859-1", iconv.encode(latin, "latin1"), "ISO-8859-1 (Latin-1) のようです"],
    ["UTF-16LE with BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(japanese, "utf16le")]), "UTF-16 のようです"],
    ["UTF-16BE with BOM", Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(japanese, "utf16be")]), "UTF-16 のようです"],
    ["UTF-16LE without BOM", iconv.encode(japanese, "utf16le"), "UTF-16 のようです"],
    ["UTF-16BE without BOM", iconv.encode(japanese, "utf16be"), "UTF-16 のようです"],
    ["a zip (xlsx)", Buffer.from("PK\u0003\u0004\u0014\u0000"), "xlsx"]
  ])("rejects %s, naming it", (_name, bytes, reason) => {
    const verdict = detectEncoding(bytes)
    expect(verdict._tag).toBe("Rejected")
    expect(verdict._tag === "Rejected" && verdict.reason).toContain(reason)
  })

  it("rejects UTF-8 with one bad byte (not read as CP932), naming its line", () => {
    const bytes = Buffer.from(japanese)
    bytes[bytes.indexOf(Buffer.from("ひだまり")) + 1] = 0x41
    expect(detectEncoding(bytes)).toMatchObject({ _tag: "Rejected", line: 3, reason: expect.stringContaining("UTF-8 のようですが") })
  })

  it.each([
    ["an undefined double byte 0x85 0x40", [0x85, 0x40]],
    ["a lone 0x80", [0x80]],
    ["a lone 0xA0", [0xa0]],
    ["0xFD", [0xfd]],
    ["a user-defined character (外字) 0xF0 0x40", [0xf0, 0x40]],
    ["a lead byte with a bad trail 0x81 0x20", [0x81, 0x20]],
    ["a lead byte at the end", [0x81]]
  ])("rejects CP932 with %s, naming its line", (_name, bad) => {
    const bytes = Buffer.concat([iconv.encode(japanese, "cp932"), Buffer.from(bad)])
    expect(detectEncoding(bytes)).toMatchObject({ _tag: "Rejected", line: 4, reason: expect.stringContaining("Shift_JIS (CP932) でもありません") })
  })

  it("reads seeded random Japanese text in CP932 as CP932 and in UTF-8 as UTF-8", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const text = randomJapanese(seed, 2_000)
      expect(detectEncoding(iconv.encode(text, "cp932"))).toEqual({ _tag: "Decided", encoding: "cp932" })
      expect(detectEncoding(Buffer.from(text))).toEqual({ _tag: "Decided", encoding: "utf-8" })
    }
  })

  it("gives the same verdict for every chunk size", () => {
    const samples = [Buffer.from(japanese), iconv.encode(japanese, "cp932"), iconv.encode(japanese, "eucjp"), iconv.encode(latin, "latin1")]
    for (const bytes of samples) {
      const whole = detectEncoding(bytes, bytes.length)
      for (let size = 1; size <= 17; size++) expect(detectEncoding(bytes, size)).toEqual(whole)
    }
  })
})

describe("decoding as a stream", () => {
  // A character split at every read boundary: each chunk ends one byte into a character.
  it.each([
    ["UTF-8 three-byte", "utf-8", (t: string) => Buffer.from(t)],
    ["UTF-8 four-byte", "utf-8", (t: string) => Buffer.from(t)],
    ["CP932 two-byte", "cp932", (t: string) => iconv.encode(t, "cp932")]
  ] as const)("never splits a %s character at 16 KiB, 64 KiB or any other boundary", (name, encoding, encode) => {
    const char = name === "UTF-8 four-byte" ? "𠮷" : "漢"
    const text = `a,b\r\n${"x,".repeat(5000)}${char.repeat(40_000)}\r\n`
    const bytes = encode(text)
    for (const chunkBytes of [16 << 10, 64 << 10, 16_385, 65_537, 1_000_003]) {
      const decoder = textDecoder(encoding)
      let decoded = ""
      for (let i = 0; i < bytes.length; i += chunkBytes) decoded += decoder.write(bytes.subarray(i, i + chunkBytes))
      decoded += decoder.end()
      expect(decoded).toBe(text)
    }
  })
})
