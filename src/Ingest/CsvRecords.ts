// The CSV grammar, read strictly (issue 9, docs/ingest.md): fields separated by commas,
// optionally in double quotes ("" inside is one quote); CR, LF and CRLF, mixed, each end
// a record. Pure and incremental: text arrives in chunks of any size and the records
// are the same wherever the chunks were cut. Faults are reported on the record they
// break, with its line, and reading goes on at the next record.
//
// papaparse, the stack's CSV parser, splits the fields and undoes the quoting. It is
// driven as `Papa.Parser` with the delimiter and the line end given, never guessed
// (comma, "\n"), and only ever sees records already known to be well formed. Around it,
// one small pass over the text (`RecordFramer` below) keeps what papaparse cannot:
//  - it cuts the text into records, ending one at CR, LF or CRLF outside quotes
//    (papaparse takes a single line end) and leaving line ends inside quotes untouched,
//    also when a CRLF is split between chunks;
//  - it numbers physical lines;
//  - it finds the faults papaparse lets through or reads past: text after a closing
//    quote (papaparse accepts `"x" ,` and otherwise reads on to the next quote, lines
//    later), a quote that never closes (papaparse takes the rest of the file as the
//    field; here only its record is lost, and reading goes on at the next line unless
//    more than `maxQuotedKept` followed it), a field or a record over the limits;
//  - it keeps memory flat: a record's text is held only while the record is whole and
//    within the limits, so a 10 MB field is counted, never held.
// A faulted record carries no fields (they are not to be trusted).
import Papa from "papaparse"

export interface CsvRecord {
  /** 1-based physical line where the record starts (CR, LF and CRLF each end a line). */
  readonly line: number
  readonly fields: ReadonlyArray<string>
  /** A structural fault: the record's fields are not to be trusted. */
  readonly fault?: string
}

export interface CsvLimits {
  /** Longest field kept; a longer one is a fault (memory stays bounded). */
  readonly maxFieldChars: number
  readonly maxFields: number
  /** How much of a quoted field's text is kept to read on from should its quote never close. */
  readonly maxQuotedKept: number
}

export const defaultCsvLimits: CsvLimits = { maxFieldChars: 10_000, maxFields: 1_000, maxQuotedKept: 1 << 20 }

const COMMA = 44
const QUOTE = 34
const CR = 13
const LF = 10

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  /** Just read a quote inside a quoted field: a second quote, a comma or a line end decides. */
  QuoteInQuoted
}

const unterminated = "引用符（\"）が閉じられていません（ファイルの最後まで）"
const unterminatedLost = "引用符（\"）が閉じられていません: この行からファイルの最後までを読めませんでした"
const textAfterQuote = "引用符（\"）で囲んだ値の後に文字が続いています"

const firstLineBreak = (text: string, from = 0) => {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === CR || c === LF) return i
  }
  return -1
}

/** A record as framed: a fault, or its text (without its line end) for papaparse to split. */
type Framed = { readonly line: number; readonly fault: string } | { readonly line: number; readonly text: string; readonly fields: number }

const isFault = (framed: Framed): framed is Extract<Framed, { fault: string }> => "fault" in framed

/**
 * Cuts text into records and checks their structure, without building their fields.
 * The states are those of the grammar; a record's text is kept (as it was, minus its
 * line end) only while it has no fault.
 */
class RecordFramer {
  out: Array<Framed> = []
  private state = State.FieldStart
  private line = 1
  private recordLine = 1
  private fault: string | undefined
  /** Characters of the current field's value so far (a doubled quote counts one). */
  private fieldChars = 0
  /** Fields of the current record ended so far. */
  private fieldCount = 0
  /** The current record's text from earlier chunks (empty once it has a fault). */
  private carried = ""
  /** The previous chunk ended in a CR that ended a line: a leading LF belongs to it. */
  private skipLf = false
  /** Inside a quoted field: the previous character was a CR (so a LF is the same line end). */
  private quotedAfterCr = false
  /** Raw text since the opening quote (up to the limit), to read on from if it never closes. */
  private quoteRaw = ""
  /** The quoted field outgrew `maxQuotedKept`: if it never closes, what follows is lost. */
  private quoteRawLost = false
  private quoteLine = 0

  constructor(private readonly limits: CsvLimits) {}

  /** The end of the text: completes the last record (or reports it unterminated). */
  end() {
    for (;;) {
      switch (this.state) {
        case State.FieldStart:
          if (this.fieldCount > 0) {
            this.endField()
            this.endRecord("")
          }
          return
        case State.Unquoted:
        case State.QuoteInQuoted:
          this.endField()
          this.endRecord("")
          return
        case State.Quoted: {
          if (this.quoteRawLost) {
            this.recordLine = this.quoteLine
            this.fault = unterminatedLost
            this.endRecord("")
            return
          }
          // Read on from the line after the one where the quote opened.
          const rest = this.abandonQuotedRecord()
          if (rest === undefined) return
          this.scan(rest)
        }
      }
    }
  }

  private setFault(fault: string) {
    if (this.fault === undefined) {
      this.fault = fault
      this.carried = ""
    }
  }

  private endField() {
    this.fieldCount++
    if (this.fieldCount > this.limits.maxFields) this.setFault(`列が多すぎます（${this.limits.maxFields}列を超えます）`)
    this.fieldChars = 0
  }

  /** Ends the record; `tail` is its text in the current chunk. */
  private endRecord(tail: string) {
    this.out.push(this.fault === undefined
      ? { line: this.recordLine, text: this.carried + tail, fields: this.fieldCount }
      : { line: this.recordLine, fault: this.fault })
    this.carried = ""
    this.fieldCount = 0
    this.fieldChars = 0
    this.fault = undefined
    this.state = State.FieldStart
  }

  private grow(chars: number) {
    this.fieldChars += chars
    if (this.fieldChars > this.limits.maxFieldChars) {
      this.setFault(`値が長すぎます（${this.limits.maxFieldChars.toLocaleString("en")}文字を超えます）`)
    }
  }

  /** Counts the line ends inside a quoted field's text. */
  private countQuotedLines(text: string, from: number, to: number) {
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i)
      if (c === CR) this.line++
      else if (c === LF && !this.quotedAfterCr) this.line++
      this.quotedAfterCr = c === CR
    }
  }

  /**
   * Ends a record whose quoted field never closed: it is reported at its line, and the
   * text after the line end where the quote opened is returned to be read again as
   * records. Undefined when there is none.
   */
  private abandonQuotedRecord(): string | undefined {
    const raw = this.quoteRaw
    this.setFault(unterminated)
    this.endRecord("")
    this.quoteRaw = ""
    this.quotedAfterCr = false
    const lineEnd = firstLineBreak(raw)
    this.line = this.quoteLine
    if (lineEnd === -1) return undefined
    this.line = this.quoteLine + 1
    this.recordLine = this.line
    const crlf = raw.charCodeAt(lineEnd) === CR && raw.charCodeAt(lineEnd + 1) === LF
    if (raw.charCodeAt(lineEnd) === CR && lineEnd === raw.length - 1) this.skipLf = true
    return raw.slice(lineEnd + (crlf ? 2 : 1))
  }

  /** A line end at `text[i]` (CR or LF) ends the record begun at `start`; returns the index after it. */
  private lineEnd(text: string, start: number, i: number): number {
    this.endRecord(this.fault === undefined ? text.slice(start, i) : "")
    this.line++
    this.recordLine = this.line
    if (text.charCodeAt(i) === CR) {
      if (i + 1 === text.length) {
        this.skipLf = true
        return i + 1
      }
      if (text.charCodeAt(i + 1) === LF) return i + 2
    }
    return i + 1
  }

  scan(text: string) {
    let i = 0
    if (this.skipLf && text.length > 0) {
      if (text.charCodeAt(0) === LF) i = 1
      this.skipLf = false
    }
    /** Where the current record starts in this chunk. */
    let start = i
    const length = text.length
    while (i < length) {
      switch (this.state) {
        case State.FieldStart: {
          const c = text.charCodeAt(i)
          if (c === QUOTE) {
            this.state = State.Quoted
            this.quoteLine = this.line
            this.quoteRaw = ""
            this.quoteRawLost = false
            this.quotedAfterCr = false
            i++
          } else if (c === COMMA) {
            this.endField()
            i++
          } else if (c === CR || c === LF) {
            this.endField()
            i = start = this.lineEnd(text, start, i)
          } else {
            this.state = State.Unquoted
          }
          break
        }
        case State.Unquoted: {
          let j = i
          while (j < length) {
            const d = text.charCodeAt(j)
            if (d === COMMA || d === CR || d === LF) break
            j++
          }
          this.grow(j - i)
          if (j === length) {
            i = j
            break
          }
          this.endField()
          if (text.charCodeAt(j) === COMMA) {
            this.state = State.FieldStart
            i = j + 1
          } else {
            i = start = this.lineEnd(text, start, j)
          }
          break
        }
        case State.Quoted: {
          const close = text.indexOf("\"", i)
          const to = close === -1 ? length : close
          if (this.quoteRaw.length + (to - i) <= this.limits.maxQuotedKept) this.quoteRaw += text.slice(i, to)
          else this.quoteRawLost = true
          this.grow(to - i)
          this.countQuotedLines(text, i, to)
          if (close === -1) {
            i = length
          } else {
            if (!this.quoteRawLost) this.quoteRaw += "\""
            this.quotedAfterCr = false
            this.state = State.QuoteInQuoted
            i = close + 1
          }
          break
        }
        case State.QuoteInQuoted: {
          const c = text.charCodeAt(i)
          if (c === QUOTE) {
            this.grow(1)
            if (!this.quoteRawLost) this.quoteRaw += "\""
            this.state = State.Quoted
            i++
          } else if (c === COMMA) {
            this.endField()
            this.state = State.FieldStart
            i++
          } else if (c === CR || c === LF) {
            this.endField()
            i = start = this.lineEnd(text, start, i)
          } else {
            this.setFault(textAfterQuote)
            this.state = State.Unquoted
          }
          break
        }
      }
    }
    if (this.fault === undefined && start < length) this.carried += text.slice(start)
  }
}

export class CsvTokenizer {
  private readonly framer: RecordFramer
  /** Delimiter and line end given, never guessed; `Parser` is papaparse's own, without the guessing wrapper. */
  private readonly papa = new Papa.Parser({ delimiter: ",", newline: "\n", quoteChar: "\"", escapeChar: "\"" })

  constructor(limits: CsvLimits = defaultCsvLimits) {
    this.framer = new RecordFramer(limits)
  }

  /** Feeds the next chunk of text; returns the records it completed. */
  push(text: string): Array<CsvRecord> {
    this.framer.scan(text)
    return this.take()
  }

  /** The end of the text: completes the last record (or reports it unterminated). */
  end(): Array<CsvRecord> {
    this.framer.end()
    return this.take()
  }

  /** The framed records, their fields split by papaparse (all of one chunk in one call). */
  private take(): Array<CsvRecord> {
    const framed = this.framer.out
    this.framer.out = []
    if (framed.length === 0) return []
    let input = ""
    let wellFormed = 0
    for (const record of framed) {
      if (isFault(record)) continue
      input += record.text + "\n"
      wellFormed++
    }
    const rows: Array<Array<string>> = wellFormed === 0 ? [] : this.papa.parse(input, 0, false).data
    let next = 0
    return framed.map((record): CsvRecord => {
      if (isFault(record)) return { line: record.line, fields: [], fault: record.fault }
      const fields = rows[next++]
      // The framer checked the record's structure; papaparse must agree with it.
      if (fields === undefined || fields.length !== record.fields) {
        throw new Error(`CSV: papaparse split line ${record.line} into ${fields?.length ?? 0} fields, not ${record.fields}`)
      }
      return { line: record.line, fields }
    })
  }
}

/** All records of a text, cut into chunks of `chunkChars` (tests and small inputs). */
export const csvRecordsOf = (text: string, chunkChars = text.length || 1, limits?: CsvLimits): Array<CsvRecord> => {
  const tokenizer = new CsvTokenizer(limits)
  const records: Array<CsvRecord> = []
  for (let i = 0; i < text.length; i += chunkChars) records.push(...tokenizer.push(text.slice(i, i + chunkChars)))
  records.push(...tokenizer.end())
  return records
}
