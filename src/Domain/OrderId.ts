/**
 * Order ids (`PS-00412345`) as written on parcels by shipping staff, and the
 * "one typo away" relation used to suggest the order an unknown id probably meant.
 */

const ORDER_ID = /^PS-\d{8}$/

// Hyphen, dashes, minus signs and long-vowel marks that staff type for the hyphen.
// Full-width and small forms (U+FF0D, U+FE63, U+FF70, U+2011) are listed although
// NFKC already folds them, so the set stays right if the order of steps changes.
const DASH_LIKE = /[\u002D\u02D7\u2010-\u2015\u2043\u2212\u2E3A\u2E3B\u30FC\uFE58\uFE63\uFF0D\uFF70]/gu

// Spaces anywhere (U+3000 included) and the invisible characters a spreadsheet
// paste can carry; none of them can be part of an id.
const SPACE_OR_INVISIBLE = /[\s\u00AD\u200B-\u200D\u2060\uFEFF]/gu

// `PS` then exactly 8 characters without the hyphen: the hyphen was left out.
const MISSING_HYPHEN = /^PS([^-]{8})$/u

/**
 * Normalises an order id as typed: NFKC, spaces removed, upper case, any dash-like
 * character as `-`, a missing hyphen after `PS` restored. Goes as far as it can; the
 * result is not necessarily a well-formed id (check with {@link isOrderId}).
 */
export const normaliseOrderId = (typed: string): string =>
  typed
    .normalize("NFKC")
    .replace(SPACE_OR_INVISIBLE, "")
    .toUpperCase()
    .replace(DASH_LIKE, "-")
    .replace(MISSING_HYPHEN, "PS-$1")

/** A well-formed order id: `PS-` and 8 digits. */
export const isOrderId = (s: string): boolean => ORDER_ID.test(s)

// What a well-formed id allows at each position: a fixed character, or any digit.
const ID_LENGTH = 11
const FIXED_PREFIX = ["P", "S", "-"] as const
const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] as const

const allowedAt = (position: number): ReadonlyArray<string> =>
  position < FIXED_PREFIX.length ? [FIXED_PREFIX[position]!] : DIGITS

const isAllowedAt = (position: number, char: string): boolean => allowedAt(position).includes(char)

/**
 * Every well-formed order id one typo away from `normalised`: one character changed,
 * or two neighbouring characters swapped. The input itself is never included, and it
 * may be malformed. Candidates are generated, not searched for: at most 72 + 10, so
 * the list can go straight into a SQL lookup. Sorted.
 */
export const typoNeighbours = (normalised: string): ReadonlyArray<string> => {
  // Code points, so that a stray astral character counts as one typed character.
  const chars = Array.from(normalised)
  if (chars.length !== ID_LENGTH) return []

  const invalidPositions: Array<number> = []
  chars.forEach((char, position) => {
    if (!isAllowedAt(position, char)) invalidPositions.push(position)
  })

  const candidates = new Set<string>()

  // One character changed: every other position must already be right.
  const changeable =
    invalidPositions.length === 0
      ? chars.map((_, position) => position)
      : invalidPositions.length === 1
      ? invalidPositions
      : []
  for (const position of changeable) {
    for (const replacement of allowedAt(position)) {
      if (replacement === chars[position]) continue
      const candidate = chars.slice()
      candidate[position] = replacement
      candidates.add(candidate.join(""))
    }
  }

  // Two neighbours swapped.
  for (let position = 0; position + 1 < chars.length; position++) {
    if (chars[position] === chars[position + 1]) continue
    const candidate = chars.slice()
    candidate[position] = chars[position + 1]!
    candidate[position + 1] = chars[position]!
    const id = candidate.join("")
    if (isOrderId(id)) candidates.add(id)
  }

  candidates.delete(normalised)
  return Array.from(candidates).sort()
}

/**
 * Whether two strings are exactly one typo apart: one character changed, or two
 * neighbouring characters swapped. Equal strings are not.
 */
export const isOneTypoApart = (a: string, b: string): boolean => {
  const left = Array.from(a)
  const right = Array.from(b)
  if (left.length !== right.length) return false

  const differing: Array<number> = []
  for (let position = 0; position < left.length; position++) {
    if (left[position] !== right[position]) {
      differing.push(position)
      if (differing.length > 2) return false
    }
  }

  if (differing.length === 1) return true
  if (differing.length === 2) {
    const [first, second] = differing as [number, number]
    return second === first + 1 && left[first] === right[second] && left[second] === right[first]
  }
  return false
}
