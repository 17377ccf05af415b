import { describe, expect, it } from "vitest"
import {
  addDays,
  businessDaysAfterUpTo,
  calendar,
  HOLIDAY_DATA_YEARS,
  isBankBusinessDay,
  isNationalHoliday,
  isPlainDate,
  nextBusinessDayOnOrAfter,
  todayInJapan
} from "../../src/Domain/BusinessDay.ts"

describe("isBankBusinessDay", () => {
  it("is open on an ordinary weekday", () => {
    expect(isBankBusinessDay("2023-09-01")).toBe(true) // Friday
    expect(isBankBusinessDay("2023-09-04")).toBe(true) // Monday
  })

  it("is closed on Saturday and Sunday", () => {
    expect(isBankBusinessDay("2023-09-02")).toBe(false)
    expect(isBankBusinessDay("2023-09-03")).toBe(false)
  })

  it("is closed on a national holiday", () => {
    expect(isBankBusinessDay("2023-09-18")).toBe(false) // 敬老の日 (Monday)
    expect(isBankBusinessDay("2023-11-23")).toBe(false) // 勤労感謝の日 (Thursday)
    expect(isBankBusinessDay("2023-08-11")).toBe(false) // 山の日 (Friday)
  })

  it("is closed on a substitute holiday (振替休日)", () => {
    expect(isBankBusinessDay("2023-01-02")).toBe(false) // 元日 fell on Sunday
    expect(isBankBusinessDay("2024-02-12")).toBe(false) // 建国記念の日 fell on Sunday
    expect(isBankBusinessDay("2024-11-04")).toBe(false) // 文化の日 fell on Sunday
  })

  it("is closed from 12/31 to 1/3 on weekdays too", () => {
    expect(isBankBusinessDay("2024-12-30")).toBe(true) // Monday
    expect(isBankBusinessDay("2024-12-31")).toBe(false) // Tuesday
    expect(isBankBusinessDay("2025-01-01")).toBe(false)
    expect(isBankBusinessDay("2025-01-02")).toBe(false) // Thursday
    expect(isBankBusinessDay("2025-01-03")).toBe(false) // Friday
    expect(isBankBusinessDay("2025-01-06")).toBe(true) // Monday
    expect(isBankBusinessDay("2026-01-05")).toBe(true) // Monday
  })

  it("refuses what is not a calendar date", () => {
    expect(() => isBankBusinessDay("2023-02-29")).toThrow(RangeError)
    expect(() => isBankBusinessDay("2023/09/01")).toThrow(RangeError)
    expect(() => isBankBusinessDay("2023-9-1")).toThrow(RangeError)
    expect(() => isBankBusinessDay("")).toThrow(RangeError)
  })

  it("refuses a year the holiday data does not cover rather than guess", () => {
    expect(HOLIDAY_DATA_YEARS.first).toBeLessThanOrEqual(2020)
    expect(HOLIDAY_DATA_YEARS.last).toBeGreaterThanOrEqual(2030)
    const after = `${HOLIDAY_DATA_YEARS.last + 1}-06-01`
    const before = `${HOLIDAY_DATA_YEARS.first - 1}-06-01`
    expect(() => isBankBusinessDay(after)).toThrow(RangeError)
    expect(() => isBankBusinessDay(before)).toThrow(RangeError)
    // whatever the weekday: an answer must not depend on which day it happens to be
    for (let i = 0; i < 7; i++) expect(() => isBankBusinessDay(addDays(before, i))).toThrow(RangeError)
    expect(() => calendar(HOLIDAY_DATA_YEARS.last, HOLIDAY_DATA_YEARS.last + 1)).toThrow(RangeError)
  })
})

describe("isNationalHoliday", () => {
  it("knows holidays and their substitutes, not the bank's year-end days", () => {
    expect(isNationalHoliday("2023-09-18")).toBe(true)
    expect(isNationalHoliday("2024-02-12")).toBe(true)
    expect(isNationalHoliday("2023-01-01")).toBe(true)
    expect(isNationalHoliday("2023-01-03")).toBe(false)
    expect(isNationalHoliday("2023-12-31")).toBe(false)
    expect(isNationalHoliday("2023-09-19")).toBe(false)
  })
})

describe("nextBusinessDayOnOrAfter", () => {
  it("keeps a business day", () => {
    expect(nextBusinessDayOnOrAfter("2023-09-01")).toBe("2023-09-01")
  })

  it("rolls a weekend forward to Monday", () => {
    expect(nextBusinessDayOnOrAfter("2023-09-02")).toBe("2023-09-04")
    expect(nextBusinessDayOnOrAfter("2023-09-03")).toBe("2023-09-04") // the LINE Pay due date in the spec
  })

  it("rolls past a holiday Monday", () => {
    expect(nextBusinessDayOnOrAfter("2023-09-16")).toBe("2023-09-19")
    expect(nextBusinessDayOnOrAfter("2023-09-18")).toBe("2023-09-19")
  })

  it("rolls past the year end", () => {
    expect(nextBusinessDayOnOrAfter("2023-12-30")).toBe("2024-01-04")
    expect(nextBusinessDayOnOrAfter("2023-12-31")).toBe("2024-01-04")
    expect(nextBusinessDayOnOrAfter("2024-12-31")).toBe("2025-01-06")
  })

  it("rolls past Golden Week", () => {
    expect(nextBusinessDayOnOrAfter("2024-05-03")).toBe("2024-05-07")
  })
})

describe("businessDaysAfterUpTo", () => {
  it("counts the spec's example: arrived Friday 9/1, as of Tuesday 9/5, is 2", () => {
    expect(businessDaysAfterUpTo("2023-09-01", "2023-09-05")).toBe(2)
    expect(businessDaysAfterUpTo("2023-09-01", "2023-09-06")).toBe(3)
  })

  it("does not count the first day, and counts the last", () => {
    expect(businessDaysAfterUpTo("2023-09-04", "2023-09-05")).toBe(1)
    expect(businessDaysAfterUpTo("2023-09-01", "2023-09-03")).toBe(0)
  })

  it("is 0 when to is not after from", () => {
    expect(businessDaysAfterUpTo("2023-09-05", "2023-09-05")).toBe(0)
    expect(businessDaysAfterUpTo("2023-09-05", "2023-09-01")).toBe(0)
  })

  it("skips holidays and the year end", () => {
    // 9/16 Sat, 9/17 Sun, 9/18 敬老の日, 9/19 Tue
    expect(businessDaysAfterUpTo("2023-09-15", "2023-09-19")).toBe(1)
    // 12/29 Fri … 1/4 Thu: only 1/4
    expect(businessDaysAfterUpTo("2023-12-29", "2024-01-04")).toBe(1)
  })

  it("counts a whole year as the calendar does", () => {
    const open2023 = calendar(2023, 2023).filter((d) => d.isBusinessDay).length
    expect(businessDaysAfterUpTo("2022-12-31", "2023-12-31")).toBe(open2023)
  })
})

describe("addDays", () => {
  it("crosses months, leap days and years", () => {
    expect(addDays("2023-08-31", 1)).toBe("2023-09-01")
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29")
    expect(addDays("2023-02-28", 1)).toBe("2023-03-01")
    expect(addDays("2023-12-31", 1)).toBe("2024-01-01")
    expect(addDays("2024-01-01", -1)).toBe("2023-12-31")
    expect(addDays("2023-09-01", 0)).toBe("2023-09-01")
    expect(addDays("2023-09-01", 365)).toBe("2024-08-31")
  })

  it("refuses a fractional number of days", () => {
    expect(() => addDays("2023-09-01", 0.5)).toThrow(RangeError)
  })
})

describe("isPlainDate", () => {
  it("accepts real dates only", () => {
    expect(isPlainDate("2024-02-29")).toBe(true)
    expect(isPlainDate("2023-02-29")).toBe(false)
    expect(isPlainDate("2023-13-01")).toBe(false)
    expect(isPlainDate("2023-09-01T00:00:00Z")).toBe(false)
    expect(isPlainDate("２０２３-０９-０１")).toBe(false)
  })
})

describe("calendar", () => {
  it("lists every day of the years, in order", () => {
    const days = calendar(2023, 2024)
    expect(days).toHaveLength(365 + 366)
    expect(days[0]).toEqual({ day: "2023-01-01", isBusinessDay: false })
    expect(days.at(-1)).toEqual({ day: "2024-12-31", isBusinessDay: false })
    for (let i = 1; i < days.length; i++) expect(days[i]!.day).toBe(addDays(days[i - 1]!.day, 1))
  })

  it("marks each day as isBankBusinessDay does", () => {
    const byDay = new Map(calendar(2023, 2023).map((d) => [d.day, d.isBusinessDay]))
    expect(byDay.get("2023-09-18")).toBe(false)
    expect(byDay.get("2023-09-19")).toBe(true)
    expect(byDay.get("2023-01-04")).toBe(true)
    expect(byDay.get("2023-01-03")).toBe(false)
    // 365 days − 105 Saturdays and Sundays − 13 holidays on weekdays − 1/3 (Tue);
    // 1/1 and 12/31 are Sundays, 1/2 is a substitute holiday.
    expect([...byDay.values()].filter(Boolean)).toHaveLength(246)
  })

  it("is empty for a reversed range", () => {
    expect(calendar(2024, 2023)).toEqual([])
  })
})

describe("todayInJapan", () => {
  it("turns the date at 15:00 UTC, which is midnight in Japan", () => {
    expect(todayInJapan(new Date("2023-09-04T14:59:59Z"))).toBe("2023-09-04")
    expect(todayInJapan(new Date("2023-09-04T15:00:00Z"))).toBe("2023-09-05")
  })

  it("reads an instant given with another offset", () => {
    expect(todayInJapan(new Date("2023-09-05T00:30:00+09:00"))).toBe("2023-09-05")
    expect(todayInJapan(new Date("2023-12-31T23:00:00-08:00"))).toBe("2024-01-01")
  })
})
