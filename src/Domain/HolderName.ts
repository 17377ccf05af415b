/**
 * Account holder names (受取人名 / account_holder) in the one form they are compared
 * in: a request keyed in by a user in full-width kana or hiragana must equal the
 * bank's half-width kana for the same person or company.
 */

// Small kana written large, as the bank's half-width character set has no small
// kana (ｷﾖｳｺ for キョウコ). Hiragana are turned to katakana before this.
const SMALL_TO_LARGE: Readonly<Record<string, string>> = {
  ァ: "ア", ィ: "イ", ゥ: "ウ", ェ: "エ", ォ: "オ",
  ッ: "ツ", ャ: "ヤ", ュ: "ユ", ョ: "ヨ", ヮ: "ワ", ヵ: "カ", ヶ: "ケ",
  // Katakana Phonetic Extensions (Ainu small forms).
  ㇰ: "ク", ㇱ: "シ", ㇲ: "ス", ㇳ: "ト", ㇴ: "ヌ", ㇵ: "ハ", ㇶ: "ヒ", ㇷ: "フ",
  ㇸ: "ヘ", ㇹ: "ホ", ㇺ: "ム", ㇻ: "ラ", ㇼ: "リ", ㇽ: "ル", ㇾ: "レ", ㇿ: "ロ"
}
const SMALL_KANA = new RegExp(`[${Object.keys(SMALL_TO_LARGE).join("")}]`, "gu")

// Hiragana ぁ..ゖ and the iteration marks ゝゞ; katakana sits 0x60 above.
const HIRAGANA = /[\u3041-\u3096\u309D\u309E]/gu

// Dashes, minus signs and long-vowel marks: one of them is as good as another in
// a name typed by a user (ジヨ－ジ, ｼﾞｮｰｼﾞ).
const DASH_OR_LONG_VOWEL = /[\u002D\u02D7\u2010-\u2015\u2043\u2212\u2E3A\u2E3B\u30FC\uFE58\uFE63\uFF0D\uFF70]/gu
const LONG_VOWEL = "ー"

// Word separators: spaces (U+3000 too), invisible characters, and the middle dot /
// period that separate given and family names of foreign names (ジヨン・スミス,
// ｼﾞﾖﾝ.ｽﾐｽ), where the bank's character set has no 「・」.
const SEPARATOR = /[\s\u00AD\u200B-\u200D\u2060\uFEFF\u30FB.]/gu

// NFKC turns a spacing voiced mark (゛ U+309B) into a space plus the combining mark;
// dropping that space lets NFC compose タ゛ into ダ.
const SPACE_BEFORE_VOICED_MARK = /\s+(?=[\u3099\u309A])/gu

interface CompanyKind {
  readonly token: string
  // The spelled-out words, after kana normalisation (so ガイシャ is ガイシヤ).
  readonly words: ReadonlyArray<string>
  // The letter of the bank abbreviation: カ) before the name, (カ after it, (カ) inside.
  readonly letter: string
  // Kanji abbreviations, e.g. ㈱ which NFKC makes (株).
  readonly bracketed: ReadonlyArray<string>
}

const COMPANY_KINDS: ReadonlyArray<CompanyKind> = [
  {
    token: "(カ)",
    words: ["株式会社", "カブシキガイシヤ", "カブシキカイシヤ"],
    letter: "カ",
    bracketed: ["(株)"]
  },
  {
    token: "(ユ)",
    words: ["有限会社", "ユウゲンガイシヤ", "ユウゲンカイシヤ"],
    letter: "ユ",
    bracketed: ["(有)"]
  },
  {
    token: "(ド)",
    words: ["合同会社", "ゴウドウガイシヤ", "ゴウドウカイシヤ"],
    letter: "ド",
    bracketed: ["(同)"]
  }
]

// Katakana, kanji and the long-vowel mark: characters that make a word, next to
// which a bare カ) or (カ is a part of the name, not an abbreviation.
const WORD_CHAR = "[\\u30A1-\\u30FA\\u30FC\\u4E00-\\u9FFF]"

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

// Each kind's pattern, tried on the name with its separators still in place so that
// `(ｶ ﾄｳｷﾖｳｼﾃﾝ` still reads as an abbreviation.
const companyPatterns: ReadonlyArray<{ readonly pattern: RegExp }> = COMPANY_KINDS.map(
  (kind) => {
    const letter = escapeRegExp(kind.letter)
    const alternatives = [
      ...kind.bracketed.map(escapeRegExp),
      `\\(${letter}\\)`,
      // カ) at the start or after a separator; (カ at the end or before one.
      `(?<!${WORD_CHAR})${letter}\\)`,
      `\\(${letter}(?!${WORD_CHAR})`
    ]
    return { pattern: new RegExp(alternatives.join("|"), "gu") }
  }
)

// The spelled-out words are matched once separators are gone, as
// `カブシキ ガイシヤ` may be split.
const companyWordPatterns: ReadonlyArray<{ readonly pattern: RegExp }> = COMPANY_KINDS.map(
  (kind) => ({ pattern: new RegExp(kind.words.map(escapeRegExp).join("|"), "gu") })
)

// Each kind's abbreviation is first replaced, where it stands, by a private-use
// character (not a word character, so it still bounds the patterns of the next kind),
// and at the end by the kind's one token.
const placeholders = COMPANY_KINDS.map((_, index) => String.fromCharCode(0xe000 + index))
const tokenOfPlaceholder = new Map(COMPANY_KINDS.map((kind, index) => [placeholders[index]!, kind.token]))
const PLACEHOLDER = /[\uE000-\uE0FF]/gu

/**
 * The form in which two holder names are compared. Width, hiragana/katakana, small
 * kana, spaces and dash-like marks no longer matter; a company abbreviation
 * (株式会社, カ), (カ, ㈱ …) becomes one token per kind where it stands, so that
 * `カ)アオゾラシヨウジ` and `株式会社アオゾラショウジ` are one name, while
 * `アオゾラショウジ(カ` (後株: the company's name ends in 株式会社) is another.
 */
export const normaliseHolderName = (name: string): string => {
  const kana = name
    .normalize("NFKC")
    .replace(SPACE_BEFORE_VOICED_MARK, "")
    .normalize("NFC")
    .replace(PLACEHOLDER, "")
    .replace(HIRAGANA, (char) => String.fromCodePoint(char.codePointAt(0)! + 0x60))
    .replace(SMALL_KANA, (char) => SMALL_TO_LARGE[char]!)
    .replace(DASH_OR_LONG_VOWEL, LONG_VOWEL)
    .replace(/[a-z]+/g, (latin) => latin.toUpperCase())

  let rest = kana
  companyPatterns.forEach(({ pattern }, index) => (rest = rest.replace(pattern, placeholders[index]!)))
  rest = rest.replace(SEPARATOR, "")
  companyWordPatterns.forEach(({ pattern }, index) => (rest = rest.replace(pattern, placeholders[index]!)))
  return rest.replace(SEPARATOR, "").replace(PLACEHOLDER, (p) => tokenOfPlaceholder.get(p)!)
}
