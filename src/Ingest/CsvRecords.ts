// The CSV grammar, read strictly (issue 9, docs/ingest.md): fields separated by commas,
// optionally in double quotes ("" inside is one quote); CR, LF and CRLF, mixed, each end
// a record. Pure and incremental: text arrives in chunks of any size and the records
// are the same wherever the chunks were cut. Faults are reported on the record they
// break, with its line, and reading goes on at the next record.

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

const firstLineBreak = (text: string, from = 0) => {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === CR || c === LF) return i
  }
  return -1
}

export class CsvTokenizer {
  private out: Array<CsvRecord> = []
  private fields: Array<string> = []
  private field = ""
  private state = State.FieldStart
  private line = 1
  private recordLine = 1
  private fault: string | undefined
  /** The previous chunk ended in a CR that ended a line: a leading LF belongs to it. */
  private skipLf = false
  /** Inside a quoted field: the previous character was a CR (so a LF is the same line end). */
  private quotedAfterCr = false
  /** Raw text since the opening quote (up to the limit), to read on from if it never closes. */
  private quoteRaw = ""
  /** The quoted field outgrew `maxQuotedKept`: if it never closes, what follows is lost. */
  private quoteRawLost = false
  private quoteLine = 0

  constructor(private readonly limits: CsvLimits = defaultCsvLimits) {}

  /** Feeds the next chunk of text; returns the records it completed. */
  push(text: string): Array<CsvRecord> {
    this.scan(text)
    return this.take()
  }

  /** The end of the text: completes the last record (or reports it unterminated). */
  end(): Array<CsvRecord> {
    for (;;) {
      switch (this.state) {
        case State.FieldStart:
          if (this.fields.length > 0) this.endField("")
          if (this.fields.length > 0) this.endRecord()
          return this.take()
        case State.Unquoted:
        case State.QuoteInQuoted:
          this.endField(this.field)
          this.endRecord()
          return this.take()
        case State.Quoted: {
          if (this.quoteRawLost) {
            this.fault = unterminatedLost
            this.recordLine = this.quoteLine
            this.fields = []
            this.endRecord()
            return this.take()
          }
          // Read on from the line after the one where the quote opened.
          const rest = this.abandonQuotedRecord(unterminated)
          if (rest === undefined) return this.take()
          this.scan(rest)
        }
      }
    }
  }

  private take() {
    const records = this.out
    this.out = []
    return records
  }

  private endField(value: string) {
    if (this.fields.length < this.limits.maxFields) this.fields.push(value)
    else this.fault ??= `列が多すぎます（${this.limits.maxFields}列を超えます）`
    this.field = ""
  }

  private endRecord() {
    this.out.push(this.fault === undefined
      ? { line: this.recordLine, fields: this.fields }
      : { line: this.recordLine, fields: this.fields, fault: this.fault })
    this.fields = []
    this.field = ""
    this.fault = undefined
    this.state = State.FieldStart
  }

  private append(text: string, from: number, to: number) {
    if (to <= from) return
    const room = this.limits.maxFieldChars - this.field.length
    if (to - from > room) {
      this.fault ??= `値が長すぎます（${this.limits.maxFieldChars.toLocaleString("en")}文字を超えます）`
      if (room > 0) this.field += text.slice(from, from + room)
    } else {
      this.field += text.slice(from, to)
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
   * Ends a record whose quoted field never closed (or grew past the limit): it is
   * reported at its line, and the text after the line end where the quote opened is
   * returned to be read again as records. Undefined when there is none.
   */
  private abandonQuotedRecord(fault: string): string | undefined {
    const raw = this.quoteRaw
    this.fault ??= fault
    this.fields = []
    this.field = ""
    this.endRecord()
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

  /** A line end at `text[i]` (CR or LF) ends the record; returns the index after it. */
  private lineEnd(text: string, i: number): number {
    this.endRecord()
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

  private scan(input: string) {
    const text = input
    let i = 0
    if (this.skipLf && text.length > 0) {
      if (text.charCodeAt(0) === LF) i = 1
      this.skipLf = false
    }
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
            this.endField("")
            i++
          } else if (c === CR || c === LF) {
            this.endField("")
            i = this.lineEnd(text, i)
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
          this.append(text, i, j)
          if (j === length) {
            i = j
            break
          }
          this.endField(this.field)
          if (text.charCodeAt(j) === COMMA) {
            this.state = State.FieldStart
            i = j + 1
          } else {
            i = this.lineEnd(text, j)
          }
          break
        }
        case State.Quoted: {
          const close = text.indexOf("\"", i)
          const to = close === -1 ? length : close
          if (this.quoteRaw.length + (to - i) <= this.limits.maxQuotedKept) this.quoteRaw += text.slice(i, to)
          else this.quoteRawLost = true
          this.append(text, i, to)
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
            this.append("\"", 0, 1)
            if (!this.quoteRawLost) this.quoteRaw += "\""
            this.state = State.Quoted
            i++
          } else if (c === COMMA) {
            this.endField(this.field)
            this.state = State.FieldStart
            i++
          } else if (c === CR || c === LF) {
            this.endField(this.field)
            i = this.lineEnd(text, i)
          } else {
            this.fault ??= "引用符（\"）で囲んだ値の後に文字が続いています"
            this.state = State.Unquoted
          }
          break
        }
      }
    }
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
