/**
 * Whole-yen amounts as they appear in exports: `12300`, `12,300`, `１２，３００`, `¥12,300`.
 */

// After NFKC: optional sign, optional yen sign (¥, or the backslash that is the yen
// sign's code in Shift_JIS), digits plain or grouped by three, optional 円.
const AMOUNT = /^(-)?(?:[¥\\]\s*)?(\d+|\d{1,3}(?:,\d{3})+)円?$/u

// A first group such as `01,234` is not how anyone writes a number.
const LEADING_ZERO_GROUP = /^0\d*,/

export interface ParseYenOptions {
  /** Accept a leading minus (`-` or `−`); refunds and corrections may need it. */
  readonly allowNegative?: boolean
}

/**
 * The amount in whole yen, or `undefined` when `text` is not one: empty, a decimal,
 * badly grouped (`1,23,00`), negative without `allowNegative`, or beyond
 * `Number.MAX_SAFE_INTEGER`.
 */
export const parseYen = (text: string, options: ParseYenOptions = {}): number | undefined => {
  const match = AMOUNT.exec(text.normalize("NFKC").trim().replace(/^\u2212/u, "-"))
  if (match === null) return undefined
  const sign: string | undefined = match[1]
  const digits = match[2]!
  if (LEADING_ZERO_GROUP.test(digits)) return undefined
  if (sign !== undefined && options.allowNegative !== true) return undefined

  // BigInt first: Number() of a long digit string rounds silently.
  const magnitude = BigInt(digits.replaceAll(",", ""))
  if (magnitude > BigInt(Number.MAX_SAFE_INTEGER)) return undefined
  const value = Number(magnitude)
  // `-0` is 0.
  return sign !== undefined && value !== 0 ? -value : value
}
