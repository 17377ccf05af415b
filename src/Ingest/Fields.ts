// Cell schemas for the exports: each turns the text of one CSV cell into a domain value
// or fails with a reason staff can act on (in Japanese, naming what was expected).
import { Either, ParseResult, Schema, type SchemaAST } from "effect"
import { parseYen } from "../Domain/Yen.ts"

const normaliseWidth = (text: string) => text.normalize("NFKC").trim()

/**
 * Each cell schema also carries its parse function (undefined = not valid), so that a
 * row of valid cells can be decoded by plain calls (`fastCells`); the schema itself is
 * the only judge of a row that fails, and gives its reason.
 */
const cellParse = Symbol.for("keshikomi/Fields/cellParse")
type CellParse = (text: string) => unknown

/** A cell parsed by `parse`; `expected` tells staff what the cell should hold. */
export const cell = <A>(expected: string, parse: (text: string) => A | undefined): Schema.Schema<A, string> =>
  Schema.transformOrFail(Schema.String, Schema.Unknown as Schema.Schema<A>, {
    strict: true,
    decode: (text, _options, ast) => {
      const value = parse(text)
      return value === undefined ? ParseResult.fail(new ParseResult.Type(ast, text, expected)) : ParseResult.succeed(value)
    },
    encode: (value) => ParseResult.succeed(String(value))
  }).annotations({ [cellParse]: parse })

/** Free text, trimmed; may be empty. */
export const FreeText = cell("文字列", (text) => text.trim())

/** Text that must not be empty. */
export const RequiredText = cell("空欄にできません", (text) => {
  const trimmed = text.trim()
  return trimmed.length > 0 ? trimmed : undefined
})

/** Blank → null; otherwise the cell must satisfy `field`. */
export const optional = <A>(field: Schema.Schema<A, string>): Schema.Schema<A | null, string> => {
  const decodeField = ParseResult.decodeUnknown(field)
  const parseField = field.ast.annotations[cellParse] as CellParse | undefined
  const schema = Schema.transformOrFail(Schema.String, Schema.Unknown as Schema.Schema<A | null>, {
    strict: true,
    decode: (text, options) => text.trim() === "" ? ParseResult.succeed(null) : decodeField(text, options),
    encode: (value) => ParseResult.succeed(value === null ? "" : String(value))
  })
  return parseField === undefined
    ? schema
    : schema.annotations({ [cellParse]: (text: string) => (text.trim() === "" ? null : parseField(text)) })
}

/** Text matching `pattern` after width normalisation (full-width digits accepted). */
export const matching = (pattern: RegExp, expected: string) =>
  cell(expected, (text) => {
    const value = normaliseWidth(text)
    return pattern.test(value) ? value : undefined
  })

/** One of `values`, as written. */
export const oneOf = <const Values extends ReadonlyArray<string>>(values: Values) =>
  cell(`${values.join(" / ")} のいずれか`, (text) => {
    const value = text.trim()
    return (values as ReadonlyArray<string>).includes(value) ? (value as Values[number]) : undefined
  })

/** Whole yen; thousands separators allowed. */
export const Yen = cell("円の整数（例: 12,300）", (text) => parseYen(text))
export const PositiveYen = cell("1円以上の円の整数（例: 12,300）", (text) => {
  const yen = parseYen(text)
  return yen !== undefined && yen > 0 ? yen : undefined
})

/** A whole number ≥ `min`. */
export const wholeNumber = (min: number) =>
  cell(`${min}以上の整数`, (text) => {
    const value = normaliseWidth(text)
    if (!/^\d+$/.test(value)) return undefined
    const n = Number(value)
    return Number.isSafeInteger(n) && n >= min ? n : undefined
  })

// A calendar date (proleptic Gregorian, as Date counts), by arithmetic: every date cell
// of every row is checked here. Years 0–99 are not dates here, as Date.UTC reads them as
// 19xx and so the check that used a Date never took them.
const daysInMonth = (year: number, month: number) =>
  month === 2
    ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28)
    : month === 4 || month === 6 || month === 9 || month === 11
    ? 30
    : 31
const isValidDate = (year: number, month: number, day: number) =>
  year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
const pad = (n: number) => String(n).padStart(2, "0")

// The form every export writes (2023-08-10T21:14:03+09:00): its instant by arithmetic on
// the characters at their fixed places, without a regular expression or arrays of parts
// (this runs for every row of every export). Any other form, and anything this does not
// accept, goes the long way, which is the judge (instant.test.ts).
/** The two digits at `at` as a number, or -1. */
const twoDigitsAt = (text: string, at: number) => {
  const tens = text.charCodeAt(at) - 48
  const ones = text.charCodeAt(at + 1) - 48
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1
}

const plainInstantOf = (value: string): string | undefined => {
  // YYYY-MM-DDTHH:MM:SS, then Z or ±HH:MM.
  const zulu = value.length === 20
  if (!zulu && value.length !== 25) return undefined
  if (value[4] !== "-" || value[7] !== "-" || value[10] !== "T" || value[13] !== ":" || value[16] !== ":") return undefined
  const century = twoDigitsAt(value, 0)
  const yearOfCentury = twoDigitsAt(value, 2)
  // Years before 1000: the long way.
  if (century < 10 || yearOfCentury < 0) return undefined
  const year = century * 100 + yearOfCentury
  const month = twoDigitsAt(value, 5)
  const day = twoDigitsAt(value, 8)
  const hour = twoDigitsAt(value, 11)
  const minute = twoDigitsAt(value, 14)
  const second = twoDigitsAt(value, 17)
  if (!isValidDate(year, month, day) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined
  }
  let offsetMinutes = 0
  if (zulu) {
    if (value[19] !== "Z") return undefined
  } else {
    const sign = value[19]
    const offsetHour = twoDigitsAt(value, 20)
    const offsetMinute = twoDigitsAt(value, 23)
    if ((sign !== "+" && sign !== "-") || value[22] !== ":") return undefined
    // Offsets Date does not take: the long way.
    if (offsetHour < 0 || offsetHour > 23 || offsetMinute < 0 || offsetMinute > 59) return undefined
    offsetMinutes = (sign === "-" ? -1 : 1) * (offsetHour * 60 + offsetMinute)
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000).toISOString()
}

/** Any ISO 8601 date and time with an offset, the general way (trimmed text): the instant in UTC, or undefined. */
export const generalInstantOf = (value: string) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.exec(value)
  if (m === null) return undefined
  const [, y, mo, d, h, mi, s] = m.map(Number) as unknown as [number, number, number, number, number, number, number]
  if (!isValidDate(y, mo, d) || h > 23 || mi > 59 || (m[6] !== undefined && s > 59)) return undefined
  const instant = new Date(value.replace(" ", "T"))
  return Number.isNaN(instant.getTime()) ? undefined : instant.toISOString()
}

/** ISO 8601 date and time with an offset; kept as the instant (ISO string in UTC). */
export const Instant = cell("日時（ISO 8601、時差付き。例: 2023-08-10T21:14:03+09:00）", (text) => {
  const value = text.trim()
  return plainInstantOf(value) ?? generalInstantOf(value)
})

/** `2023/09/01 10:12` (seconds optional, zero padding optional), Japan time. */
export const JapanDateTime = cell("日時（例: 2023/09/01 10:12）", (text) => {
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(normaliseWidth(text))
  if (m === null) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number]
  if (!isValidDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined
  return new Date(`${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}+09:00`).toISOString()
})

/** `2023/08/21` (or with hyphens), a plain date; returned as `YYYY-MM-DD`. */
export const PlainDate = cell("日付（例: 2023/08/21）", (text) => {
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(normaliseWidth(text))
  if (m === null) return undefined
  const [y, mo, d] = m.slice(1).map(Number) as [number, number, number]
  return isValidDate(y, mo, d) ? `${y}-${pad(mo)}-${pad(d)}` : undefined
})

/** Strict `YYYY-MM-DD` (the schedule file). */
export const IsoDate = cell("日付（YYYY-MM-DD）", (text) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim())
  return m !== null && isValidDate(Number(m[1]), Number(m[2]), Number(m[3])) ? m[0] : undefined
})

/**
 * The first problem of a failed decode as `列「col」: reason`, naming the value only where
 * `mayQuote(column)` allows it (never for personal data or money files).
 */
export const describeIssue = (
  error: ParseResult.ParseError,
  cells: Readonly<Record<string, string>>,
  mayQuote: (column: string) => boolean
): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return "内容が正しくありません"
  const column = String(issue.path[0] ?? "")
  if (issue._tag === "Missing") return `列「${column}」の値がありません`
  const value = cells[column]
  const shown = value === undefined || !mayQuote(column) ? "" : `（値: "${value}"）`
  return column === "" ? issue.message : `列「${column}」が正しくありません: ${issue.message}${shown}`
}

/**
 * The struct's fields and their parse functions, when every field is a `cell` (or
 * `optional` of one); else undefined. A field with a default (Schema.optionalWith) is
 * read from the encoded side, so a row that lacks it goes to the schema.
 */
const fastFields = (ast: SchemaAST.AST): ReadonlyArray<readonly [string, CellParse]> | undefined => {
  const literal = ast._tag === "TypeLiteral"
    ? ast
    : ast._tag === "Transformation" && ast.from._tag === "TypeLiteral" && ast.transformation._tag === "TypeLiteralTransformation"
    ? ast.from
    : undefined
  if (literal === undefined || literal.indexSignatures.length > 0) return undefined
  const fields: Array<readonly [string, CellParse]> = []
  for (const property of literal.propertySignatures) {
    // An optional field's encoded type is `cell | undefined`.
    const types = property.type._tag === "Union" ? property.type.types.filter((t) => t._tag !== "UndefinedKeyword") : [property.type]
    const parse = types.length === 1 ? (types[0]!.annotations[cellParse] as CellParse | undefined) : undefined
    if (parse === undefined || typeof property.name !== "string") return undefined
    fields.push([property.name, parse])
  }
  return fields
}

export const decodeCells = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "first", onExcessProperty: "ignore" })
  const fields = fastFields(schema.ast)
  if (fields === undefined) return (cells: Readonly<Record<string, string>>) => decode(cells)
  // Plain calls for a row whose cells are all valid: the common case, many times
  // cheaper than the schema's machinery; any other row is decoded by the schema.
  return (cells: Readonly<Record<string, string>>): Either.Either<A, ParseResult.ParseError> => {
    const decoded: Record<string, unknown> = {}
    for (const [name, parse] of fields) {
      const text = cells[name]
      const value = text === undefined ? undefined : parse(text)
      if (value === undefined) return decode(cells)
      decoded[name] = value
    }
    return Either.right(decoded as A)
  }
}
