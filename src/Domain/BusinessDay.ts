/**
 * Japanese bank business days (銀行営業日) on plain calendar dates in Japan time.
 *
 * Dates are `YYYY-MM-DD` strings; arithmetic is done on UTC midnights so the host's
 * time zone never matters.
 */
import holidayJp from "@holiday-jp/holiday_jp"

/** A calendar date in Japan time, `YYYY-MM-DD`. */
export type PlainDate = string

const MS_PER_DAY = 86_400_000
const JAPAN_OFFSET_MS = 9 * 3_600_000 // JST is UTC+9 all year: Japan has no DST.
const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

// The holiday data is a fixed table; outside its years a day could be a holiday
// we do not know of, so those dates are refused rather than guessed.
const holidayYears = Object.keys(holidayJp.holidays).map((day) => Number(day.slice(0, 4)))
export const HOLIDAY_DATA_YEARS: { readonly first: number; readonly last: number } = {
  first: Math.min(...holidayYears),
  last: Math.max(...holidayYears)
}

const toEpochMs = (d: PlainDate): number => {
  const match = PLAIN_DATE.exec(d)
  if (match !== null) {
    const [, year, month, day] = match.map(Number) as [number, number, number, number]
    const ms = Date.UTC(year, month - 1, day)
    // Date.UTC rolls 2023-02-30 over to March: a round trip catches it.
    if (fromEpochMs(ms) === d) return ms
  }
  throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(d)}`)
}

const fromEpochMs = (ms: number): PlainDate => new Date(ms).toISOString().slice(0, 10)

/** Whether `s` is a valid `YYYY-MM-DD` calendar date. */
export const isPlainDate = (s: string): boolean => {
  const match = PLAIN_DATE.exec(s)
  if (match === null) return false
  const [, year, month, day] = match.map(Number) as [number, number, number, number]
  return fromEpochMs(Date.UTC(year, month - 1, day)) === s
}

/** `d` moved by `n` whole days (negative goes back). */
export const addDays = (d: PlainDate, n: number): PlainDate => {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a whole number of days: ${n}`)
  return fromEpochMs(toEpochMs(d) + n * MS_PER_DAY)
}

/** The calendar date in Japan at the instant `now`. */
export const todayInJapan = (now: Date): PlainDate => fromEpochMs(now.getTime() + JAPAN_OFFSET_MS)

// Parses `d` and checks that the holiday data covers its year.
const toCoveredEpochMs = (d: PlainDate): number => {
  const ms = toEpochMs(d)
  const year = Number(d.slice(0, 4))
  if (year < HOLIDAY_DATA_YEARS.first || year > HOLIDAY_DATA_YEARS.last) {
    throw new RangeError(
      `no holiday data for ${d} (known: ${HOLIDAY_DATA_YEARS.first}–${HOLIDAY_DATA_YEARS.last})`
    )
  }
  return ms
}

/** Whether `d` is a national holiday (振替休日 and 国民の休日 included). */
export const isNationalHoliday = (d: PlainDate): boolean => {
  toCoveredEpochMs(d)
  // A key lookup: the library's isHoliday scans every key, and for a Date uses
  // the host's time zone.
  return Object.hasOwn(holidayJp.holidays, d)
}

// Banks close 12/31 to 1/3 (銀行休業日) although only 1/1 is a national holiday.
const isYearEndClosure = (d: PlainDate): boolean => {
  const monthDay = d.slice(5)
  return monthDay === "12-31" || monthDay === "01-01" || monthDay === "01-02" || monthDay === "01-03"
}

/**
 * Whether banks are open on `d`: not Saturday or Sunday, not a national holiday,
 * not 12/31–1/3.
 */
export const isBankBusinessDay = (d: PlainDate): boolean => isOpenOn(d, toCoveredEpochMs(d))

// The rule on an already checked day `d` at UTC midnight `ms` (calendar() walks ms).
const isOpenOn = (d: PlainDate, ms: number): boolean => {
  const weekday = new Date(ms).getUTCDay()
  if (weekday === 0 || weekday === 6) return false
  if (isYearEndClosure(d)) return false
  return !Object.hasOwn(holidayJp.holidays, d)
}

/** `d` itself when banks are open that day, otherwise the next day they are. */
export const nextBusinessDayOnOrAfter = (d: PlainDate): PlainDate => {
  let day = d
  while (!isBankBusinessDay(day)) day = addDays(day, 1)
  return day
}

/**
 * How many business days fall after `from` and up to and including `to`
 * (arrived Friday 2023-09-01, as of Tuesday 2023-09-05: 2). 0 when `to` is not
 * after `from`.
 */
export const businessDaysAfterUpTo = (from: PlainDate, to: PlainDate): number => {
  const end = toEpochMs(to)
  let count = 0
  for (let ms = toEpochMs(from) + MS_PER_DAY; ms <= end; ms += MS_PER_DAY) {
    if (isBankBusinessDay(fromEpochMs(ms))) count++
  }
  return count
}

/** Every day of the years `fromYear` to `toYear` inclusive, in order. */
export const calendar = (
  fromYear: number,
  toYear: number
): Array<{ day: PlainDate; isBusinessDay: boolean }> => {
  if (!Number.isSafeInteger(fromYear) || !Number.isSafeInteger(toYear)) {
    throw new RangeError(`not whole years: ${fromYear}, ${toYear}`)
  }
  const days: Array<{ day: PlainDate; isBusinessDay: boolean }> = []
  if (toYear < fromYear) return days
  // Both ends are checked against the holiday data; the days between need no parsing.
  toCoveredEpochMs(`${String(fromYear).padStart(4, "0")}-01-01`)
  toCoveredEpochMs(`${String(toYear).padStart(4, "0")}-12-31`)
  const end = Date.UTC(toYear, 11, 31)
  for (let ms = Date.UTC(fromYear, 0, 1); ms <= end; ms += MS_PER_DAY) {
    const day = fromEpochMs(ms)
    days.push({ day, isBusinessDay: isOpenOn(day, ms) })
  }
  return days
}
