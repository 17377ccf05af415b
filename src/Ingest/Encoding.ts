// Deciding an export's encoding from its bytes, strictly, before any row is read
// (issue 9, docs/ingest.md). Pure: the profiles are fed byte chunks of any size, so the
// verdict never depends on where a read happened to split a character.
import iconv from "iconv-lite"

export type Encoding = "utf-8" | "cp932"

export type EncodingVerdict =
  | { readonly _tag: "Decided"; readonly encoding: Encoding }
  | { readonly _tag: "Rejected"; readonly reason: string; readonly line?: number | undefined }

/** What the first bytes of a file say on their own. */
export type Opening = "utf-8-bom" | "utf-16le" | "utf-16be" | "zip" | undefined

const resave = "UTF-8 か Shift_JIS (CP932) のカンマ区切り CSV で保存し直してください"

/**
 * A BOM, a zip signature (an .xlsx renamed to .csv), or the NUL pattern of UTF-16 text
 * without a BOM (CSV is mostly ASCII: every other byte is 0).
 */
export const sniffOpening = (head: Uint8Array): Opening => {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return "utf-8-bom"
  if (head[0] === 0xff && head[1] === 0xfe) return "utf-16le"
  if (head[0] === 0xfe && head[1] === 0xff) return "utf-16be"
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return "zip"
  const n = Math.min(head.length, 4096) & ~1
  if (n < 4) return undefined
  let evenZeros = 0
  let oddZeros = 0
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenZeros++
    if (head[i + 1] === 0) oddZeros++
  }
  const pairs = n / 2
  if (oddZeros >= pairs * 0.4 && evenZeros <= pairs * 0.05) return "utf-16le"
  if (evenZeros >= pairs * 0.4 && oddZeros <= pairs * 0.05) return "utf-16be"
  return undefined
}

/** Counts lines over decoded text: CR, LF and CRLF each end one line (as in the CSV reader). */
class LineCounter {
  private lines = 1
  private afterCr = false
  /** The line of `text[index]`, `text` being the next chunk; call before `advance(text)`. */
  lineAt(text: string, index: number): number {
    let line = this.lines
    let afterCr = this.afterCr
    for (let i = 0; i < index; i++) {
      const c = text.charCodeAt(i)
      if (c === 13) line++
      else if (c === 10 && !afterCr) line++
      afterCr = c === 13
    }
    return line
  }
  advance(text: string) {
    this.lines = this.lineAt(text, text.length)
    if (text.length > 0) this.afterCr = text.charCodeAt(text.length - 1) === 13
  }
}

/** One decoding hypothesis: its first undecodable character's line, and character counts. */
class Hypothesis {
  private readonly lines = new LineCounter()
  firstBadLine: number | undefined
  bad = 0
  nonAscii = 0
  kana = 0 // hiragana and full-width katakana
  halfWidthKana = 0
  threeByte = 0 // characters U+0800–U+FFFF (a UTF-8 three-byte sequence)

  constructor(private readonly isBad: (code: number) => boolean) {}

  take(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c < 0x80) continue
      this.nonAscii++
      if (this.isBad(c)) {
        this.bad++
        if (this.firstBadLine === undefined) this.firstBadLine = this.lines.lineAt(text, i)
        continue
      }
      if (c >= 0x3041 && c <= 0x30ff) this.kana++
      else if (c >= 0xff61 && c <= 0xff9f) this.halfWidthKana++
      if (c >= 0x800) this.threeByte++
    }
    this.lines.advance(text)
  }
}

const isReplacement = (c: number) => c === 0xfffd
// iconv-lite maps CP932's undefined bytes to U+FFFD, 0x80 to U+0080 and the user-defined
// area (外字, lead bytes F0–F9) to the Private Use Area: none of them is text we can store.
const isCp932Undefined = (c: number) => c === 0xfffd || c === 0x80 || (c >= 0xe000 && c <= 0xf8ff)

/** Latin-1 letters À–ÿ without × and ÷. */
const isLatin1Letter = (b: number) => b >= 0xc0 && b !== 0xd7 && b !== 0xf7
const isAsciiLetter = (b: number) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)

/**
 * The second look at a file that is not valid UTF-8: how it reads as UTF-8, CP932 and
 * EUC-JP, and whether its high bytes look like accented letters inside Latin words.
 */
export class ByteProfile {
  readonly utf8 = new Hypothesis(isReplacement)
  readonly cp932 = new Hypothesis(isCp932Undefined)
  readonly eucJp = new Hypothesis(isReplacement)
  private readonly utf8Decoder = new TextDecoder("utf-8")
  private readonly cp932Decoder = iconv.getDecoder("cp932")
  private readonly eucJpDecoder = iconv.getDecoder("eucjp")
  highBytes = 0
  c1Bytes = 0 // 0x80–0x9F: never a Latin-1 character
  latinLettersInWords = 0 // accented letters inside a word that has ASCII letters
  private word = { high: 0, ascii: false }

  push(bytes: Uint8Array) {
    this.utf8.take(this.utf8Decoder.decode(bytes, { stream: true }))
    this.cp932.take(this.cp932Decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)))
    // Once a hypothesis is ruled out, it is not followed further (real CP932 files rule
    // out EUC-JP and Latin-1 within their first Japanese header).
    if (this.eucJp.bad === 0) this.eucJp.take(this.eucJpDecoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)))
    if (this.c1Bytes > 0) return
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!
      if (b >= 0x80) {
        this.highBytes++
        if (b < 0xa0) this.c1Bytes++
      }
      if (isAsciiLetter(b)) this.word.ascii = true
      else if (isLatin1Letter(b)) this.word.high++
      else this.endWord()
    }
  }

  finish() {
    this.endWord()
    this.utf8.take(this.utf8Decoder.decode())
    this.cp932.take(this.cp932Decoder.end() ?? "")
    if (this.eucJp.bad === 0) this.eucJp.take(this.eucJpDecoder.end() ?? "")
    return this
  }

  private endWord() {
    if (this.word.ascii) this.latinLettersInWords += this.word.high
    this.word = { high: 0, ascii: false }
  }
}

/**
 * The verdict. `utf8Valid`: the whole file decoded as UTF-8 without error (checked
 * natively in the hashing pass); `profile`: the second look, needed only when not.
 */
export const judgeEncoding = (opening: Opening, utf8Valid: boolean, profile?: ByteProfile): EncodingVerdict => {
  if (opening === "utf-16le" || opening === "utf-16be") {
    return { _tag: "Rejected", reason: `UTF-16 のようです: ${resave}` }
  }
  if (opening === "zip") {
    return { _tag: "Rejected", reason: "Excel ブック (xlsx) か zip のようです: CSV で保存し直してください" }
  }
  if (utf8Valid) return { _tag: "Decided", encoding: "utf-8" }
  if (profile === undefined) throw new Error("judgeEncoding: a file that is not UTF-8 needs its byte profile")
  const { utf8, cp932, eucJp } = profile
  // Mostly well-formed UTF-8 with a few bad bytes: a damaged UTF-8 file, not Shift_JIS
  // (CP932 text read as UTF-8 is almost all errors: its lead bytes 0x81–0x9F start no
  // UTF-8 sequence, and it rarely forms a valid three-byte one).
  if (opening === "utf-8-bom" || (utf8.bad > 0 && utf8.threeByte >= utf8.bad * 2)) {
    return {
      _tag: "Rejected",
      line: utf8.firstBadLine,
      reason: `UTF-8 のようですが、UTF-8 として読めないバイトがあります（${utf8.firstBadLine}行目）: 壊れていない元のファイルを置いてください`
    }
  }
  // EUC-JP: valid as EUC-JP, and either reads as kana there or not as CP932 at all.
  // (Real CP932 text is almost never valid EUC-JP: its kana and most kanji lead bytes
  // 0x81–0x9F are not EUC-JP bytes.)
  if (eucJp.bad === 0 && eucJp.nonAscii > 0) {
    const cp932Soup = cp932.halfWidthKana >= cp932.nonAscii * 0.5
    if (eucJp.kana + eucJp.halfWidthKana >= eucJp.nonAscii * 0.1 || cp932.bad > 0 || cp932Soup) {
      return { _tag: "Rejected", reason: `EUC-JP のようです: ${resave}` }
    }
  }
  // ISO-8859-1: no C1 bytes, and the high bytes are accented letters inside Latin words.
  if (profile.c1Bytes === 0 && profile.highBytes > 0 && profile.latinLettersInWords >= profile.highBytes * 0.8) {
    return { _tag: "Rejected", reason: `ISO-8859-1 (Latin-1) のようです: ${resave}` }
  }
  if (cp932.bad > 0) {
    return {
      _tag: "Rejected",
      line: cp932.firstBadLine,
      reason: `UTF-8 でも Shift_JIS (CP932) でもありません（${cp932.firstBadLine}行目に読めないバイト）: ${resave}`
    }
  }
  return { _tag: "Decided", encoding: "cp932" }
}

/** Verdict for bytes held in memory, cut into chunks of `chunkBytes` (tests; small files). */
export const detectEncoding = (bytes: Uint8Array, chunkBytes = 1 << 16): EncodingVerdict => {
  const opening = sniffOpening(bytes.subarray(0, 4096))
  const decoder = new TextDecoder("utf-8", { fatal: true })
  let utf8Valid = true
  try {
    for (let i = 0; i < bytes.length; i += chunkBytes) decoder.decode(bytes.subarray(i, i + chunkBytes), { stream: true })
    decoder.decode()
  } catch {
    utf8Valid = false
  }
  if (utf8Valid || opening === "utf-16le" || opening === "utf-16be" || opening === "zip") return judgeEncoding(opening, utf8Valid)
  const profile = new ByteProfile()
  for (let i = 0; i < bytes.length; i += chunkBytes) profile.push(bytes.subarray(i, i + chunkBytes))
  return judgeEncoding(opening, false, profile.finish())
}

/** A stateful decoder for the decided encoding: a character split across chunks is decoded whole. */
export const textDecoder = (encoding: Encoding) => {
  if (encoding === "utf-8") {
    // Drops a leading BOM (the WHATWG default).
    const decoder = new TextDecoder("utf-8")
    return { write: (bytes: Uint8Array) => decoder.decode(bytes, { stream: true }), end: () => decoder.decode() }
  }
  const decoder = iconv.getDecoder("cp932")
  return {
    write: (bytes: Uint8Array) => decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    end: () => decoder.end() ?? ""
  }
}
