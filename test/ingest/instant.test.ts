// Instant cells (ISO 8601 with an offset) take a short way for the form every export
// writes (2023-08-10T21:14:03+09:00): it must give what the general parse gives, the
// instant in UTC or no value, for that form and for everything near it.
import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { generalInstantOf, Instant, IsoDate, PlainDate } from "../../src/Ingest/Fields.ts"

// The oracle: the general parse, which every other form takes (trimmed as the cell is).
const generalInstant = (text: string) => generalInstantOf(text.trim())

const decode = Schema.decodeUnknownEither(Instant)
const parsed = (text: string) => Either.getOrUndefined(decode(text))

describe("an Instant cell", () => {
  it("reads the usual form as the general parse does", () => {
    expect(parsed("2023-08-10T21:14:03+09:00")).toBe("2023-08-10T12:14:03.000Z")
    expect(parsed(" 2023-08-31T23:59:59-00:30 ")).toBe("2023-09-01T00:29:59.000Z")
    expect(parsed("2023-02-29T10:00:00Z")).toBeUndefined()
  })

  it("gives the general parse's answer for edge cases", () => {
    const cases = [
      "2023-08-10T21:14:03Z", "2024-02-29T00:00:00+14:00", "2023-02-29T00:00:00Z", "2023-12-31T23:59:59-23:59",
      "2023-01-01T00:00:00+23:59", "2023-01-01T00:00:00+24:00", "2023-01-01T00:00:00+00:60", "2023-01-01T00:00:00+99:99",
      "0099-01-01T00:00:00Z", "0999-12-31T23:59:59+09:00", "1000-01-01T00:00:00+09:00", "9999-12-31T23:59:59-23:59",
      "2023-08-10T24:00:00Z", "2023-08-10T23:60:00Z", "2023-08-10T23:59:60Z", "2023-00-10T10:00:00Z", "2023-13-10T10:00:00Z",
      "2023-08-00T10:00:00Z", "2023-08-32T10:00:00Z", "2023-08-10 21:14:03+09:00", "2023-08-10T21:14+09:00",
      "2023-08-10T21:14:03.5+09:00", "2023-08-10T21:14:03+0900", "2023-08-10t21:14:03Z", "2023-08-10T21:14:03z",
      "２０２３-08-10T21:14:03+09:00", "2023-08-10T21:14:03+09:00\u3000", "", "2023-08-10"
    ]
    for (const text of cases) expect([text, parsed(text)]).toEqual([text, generalInstant(text)])
  })

  it("gives the general parse's answer for random texts near the usual form", () => {
    let seed = 7
    const next = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n
    const two = (max: number) => String(next(max)).padStart(2, "0")
    for (let run = 0; run < 20_000; run++) {
      const year = String([next(10_000), 1900 + next(200), 2023][next(3)]).padStart(4, "0")
      const offset = ["Z", "+09:00", "-05:30", `${next(2) === 0 ? "+" : "-"}${two(30)}:${two(70)}`, "+0900", ""][next(6)]
      const time = [`${two(26)}:${two(62)}:${two(62)}`, `${two(24)}:${two(60)}`, `${two(24)}:${two(60)}:${two(60)}.${next(1000)}`][next(3)]
      const text = `${year}-${two(14)}-${two(33)}${["T", " ", "T", "T"][next(4)]}${time}${offset}`
      expect([text, parsed(text)]).toEqual([text, generalInstant(text)])
    }
  })
})

// Days are checked by arithmetic (every date cell of every row); the oracle is what a Date
// makes of the day, as the check did before: the same year, month and day back, and no
// year below 100 (Date.UTC reads 0–99 as 19xx).
const dateOracle = (year: number, month: number, day: number) => {
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

describe("a date cell", () => {
  it("takes exactly the days a Date takes, leap years and years below 100 included", () => {
    const plain = Schema.decodeUnknownEither(PlainDate)
    const iso = Schema.decodeUnknownEither(IsoDate)
    const two = (n: number) => String(n).padStart(2, "0")
    for (const year of [0, 4, 99, 100, 400, 999, 1000, 1900, 2000, 2023, 2024, 2100, 2400, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const text = `${String(year).padStart(4, "0")}-${two(month)}-${two(day)}`
          const valid = dateOracle(year, month, day)
          expect([text, Either.isRight(plain(text))]).toEqual([text, valid])
          expect([text, Either.isRight(iso(text))]).toEqual([text, valid])
        }
      }
    }
  })
})
