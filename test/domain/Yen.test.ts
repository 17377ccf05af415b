import { describe, expect, it } from "vitest"
import { parseYen } from "../../src/Domain/Yen.ts"

describe("parseYen", () => {
  it.each([
    ["12300", 12300],
    ["0", 0],
    ["1", 1],
    ["145", 145],
    ["12,300", 12300],
    ["1,234,567", 1234567],
    ["999", 999],
    ["1,000", 1000],
    [" 12300 ", 12300],
    ["\u300012,300\u3000", 12300],
    ["１２，３００", 12300],
    ["１２３００", 12300],
    ["¥12,300", 12300],
    ["￥12,300", 12300],
    ["￥１２，３００", 12300],
    ["¥ 12300", 12300],
    // Shift_JIS 0x5C is the yen sign, decoded as a backslash
    ["\\12,300", 12300],
    ["12,300円", 12300],
    ["0145", 145],
    ["9,007,199,254,740,991", Number.MAX_SAFE_INTEGER],
    ["9007199254740991", Number.MAX_SAFE_INTEGER]
  ])("reads %j as %d", (text, yen) => {
    expect(parseYen(text)).toBe(yen)
  })

  it.each([
    ["empty", ""],
    ["only spaces", "  \u3000"],
    ["only a yen sign", "¥"],
    ["a decimal", "12.5"],
    ["a decimal zero", "12300.0"],
    ["a decimal after groups", "12,300.00"],
    ["a group of two", "1,23,00"],
    ["a group of four", "12,3000"],
    ["a first group of four", "1234,567"],
    ["a leading separator", ",123"],
    ["a trailing separator", "123,"],
    ["a doubled separator", "1,,234"],
    ["a zero-led first group", "01,234"],
    ["a plus sign", "+12300"],
    ["a minus sign", "-12300"],
    ["a full-width minus sign", "－12300"],
    ["a minus sign as U+2212", "−12300"],
    ["an exponent", "1e5"],
    ["hex", "0x10"],
    ["letters", "12300yen"],
    ["spaces inside the number", "12 300"],
    ["a yen sign after the number", "12300¥"],
    ["two numbers", "100 200"],
    ["beyond MAX_SAFE_INTEGER", "9007199254740992"],
    ["far beyond MAX_SAFE_INTEGER", "99999999999999999999999"],
    ["beyond MAX_SAFE_INTEGER, grouped", "9,007,199,254,740,992"],
    ["other digits", "١٢٣"]
  ])("rejects %s (%j)", (_, text) => {
    expect(parseYen(text)).toBeUndefined()
  })

  describe("with allowNegative", () => {
    const negative = { allowNegative: true } as const

    it.each([
      ["-12300", -12300],
      ["-12,300", -12300],
      ["－１２，３００", -12300],
      ["−12300", -12300],
      ["-¥12,300", -12300],
      [" -145 ", -145],
      ["12300", 12300],
      ["-9007199254740991", -Number.MAX_SAFE_INTEGER]
    ])("reads %j as %d", (text, yen) => {
      expect(parseYen(text, negative)).toBe(yen)
    })

    it("reads -0 as 0, not -0", () => {
      expect(Object.is(parseYen("-0", negative), 0)).toBe(true)
    })

    it.each(["--12", "- 12", "¥-12", "-12.5", "-1,23,00", "-9007199254740992", "-"])("still rejects %j", (text) => {
      expect(parseYen(text, negative)).toBeUndefined()
    })
  })

  it("rejects a negative amount when allowNegative is false", () => {
    expect(parseYen("-12300", { allowNegative: false })).toBeUndefined()
  })

  it("always returns a safe integer", () => {
    for (const text of ["12,300", "１２，３００", "9007199254740991", "0"]) {
      expect(Number.isSafeInteger(parseYen(text))).toBe(true)
    }
  })
})
