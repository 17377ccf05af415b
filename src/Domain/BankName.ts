/**
 * The banks' name rules (全銀協 character set and 法人略語), in one place for the two
 * uses that must agree: the holder-name comparison behind PAY_NAME_MISMATCH
 * (`holderNameKey`) and the 受取人名 the transfer file writes (`bankHolderName`).
 *
 * The bank character set: half-width katakana without small kana and ｦ, the voiced
 * marks ﾞﾟ, digits, upper-case A–Z, space and ( ) . - / \ ｢ ｣ (docs/zengin.md lists the
 * sources). A name is first brought to one full-width form (`canonical`), where the
 * banks' substitutions are made and the company-type words found; both uses are read
 * from that form.
 */

// Small kana written large, as the bank's set has none (ｷﾖｳｺ for キョウコ).
const SMALL_TO_LARGE: Readonly<Record<string, string>> = {
  ァ: "ア", ィ: "イ", ゥ: "ウ", ェ: "エ", ォ: "オ",
  ッ: "ツ", ャ: "ヤ", ュ: "ユ", ョ: "ヨ", ヮ: "ワ", ヵ: "カ", ヶ: "ケ",
  // Katakana Phonetic Extensions (Ainu small forms).
  ㇰ: "ク", ㇱ: "シ", ㇲ: "ス", ㇳ: "ト", ㇴ: "ヌ", ㇵ: "ハ", ㇶ: "ヒ", ㇷ: "フ",
  ㇸ: "ヘ", ㇹ: "ホ", ㇺ: "ム", ㇻ: "ラ", ㇼ: "リ", ㇽ: "ル", ㇾ: "レ", ㇿ: "ロ"
}

// The banks' substitutions for characters outside their set (全銀協 / the banks' own
// 入力文字 pages): the old kana ヲヰヱ as オイエ, every bracket as ( ), 『』 as 「」,
// 、。, and the middle dot as a period, the yen sign as the backslash of JIS X 0201
// (the same byte, 0x5C).
const SUBSTITUTIONS: Readonly<Record<string, string>> = {
  ヲ: "オ", ヰ: "イ", ヱ: "エ", ヷ: "ヴア", ヸ: "ヴイ", ヹ: "ヴエ", ヺ: "ヴオ",
  "[": "(", "{": "(", "【": "(", "〔": "(", "〈": "(", "《": "(", "〘": "(", "〖": "(", "⦅": "(",
  "]": ")", "}": ")", "】": ")", "〕": ")", "〉": ")", "》": ")", "〙": ")", "〗": ")", "⦆": ")",
  "『": "「", "』": "」",
  "、": ".", "。": ".", ",": ".", "・": ".",
  "¥": "\\"
}

const SMALL_KANA = new RegExp(`[${Object.keys(SMALL_TO_LARGE).join("")}]`, "gu")
const SUBSTITUTED = new RegExp(`[${Object.keys(SUBSTITUTIONS).map((c) => c.replace(/[\]\\[^-]/g, "\\$&")).join("")}]`, "gu")

// Hiragana ぁ..ゖ and the iteration marks ゝゞ; katakana sits 0x60 above.
const HIRAGANA = /[\u3041-\u3096\u309D\u309E]/gu

// Dashes, minus signs and long-vowel marks: one is as good as another in a name typed
// by a user (ジヨ－ジ, ｼﾞｮｰｼﾞ); the bank writes them all as -.
const DASH_OR_LONG_VOWEL = /[\u002D\u02D7\u2010-\u2015\u2043\u2212\u2E3A\u2E3B\u30FC\uFE58\uFE63\uFF0D\uFF70]/gu
const LONG_VOWEL = "ー"

// Spaces of every kind become one space; invisible characters go.
const WHITESPACE = /[\s\u3000]+/gu
const INVISIBLE = /[\u00AD\u200B-\u200D\u2060\uFEFF]/gu

// NFKC turns a spacing voiced mark (゛ U+309B) into a space plus the combining mark;
// dropping that space lets NFC compose タ゛ into ダ.
const SPACE_BEFORE_VOICED_MARK = /\s+(?=[\u3099\u309A])/gu

/** A company (or office) type and the bank's kana abbreviation of it (法人略語). */
interface CompanyKind {
  /** The abbreviation: カ) before the name, (カ after it, (カ) inside. */
  readonly abbreviation: string
  /** The spelled-out words: kanji, and kana as the bank spells them (small kana large). */
  readonly words: ReadonlyArray<string>
  /** Kanji abbreviations, e.g. (株), which ㈱ becomes under NFKC. */
  readonly bracketed?: ReadonlyArray<string>
}

// 会社 is read ガイシヤ or カイシヤ; both are found.
const kaisha = (kanji: string, kana: string): ReadonlyArray<string> => [`${kanji}会社`, `${kana}ガイシヤ`, `${kana}カイシヤ`]
const houjin = (kanji: string, kana: string): ReadonlyArray<string> => [`${kanji}法人`, `${kana}ホウジン`]

/**
 * The bank abbreviation table (法人略語, 全銀協; as published by the banks, e.g. 京葉銀行,
 * 常陽銀行): the 23 company types of the table, the variants the longer tables add
 * (一般/公益 社団・財団, 医療法人社団/財団, 社会医療法人, 地方独立行政法人, 公立大学法人,
 * 管理組合法人, 社会保険労務士法人, 監査法人), and the office words (営業所略語).
 */
export const COMPANY_KINDS: ReadonlyArray<CompanyKind> = [
  { abbreviation: "カ", words: kaisha("株式", "カブシキ"), bracketed: ["(株)"] },
  { abbreviation: "ユ", words: kaisha("有限", "ユウゲン"), bracketed: ["(有)"] },
  { abbreviation: "メ", words: kaisha("合名", "ゴウメイ"), bracketed: ["(名)"] },
  { abbreviation: "シ", words: kaisha("合資", "ゴウシ"), bracketed: ["(資)"] },
  { abbreviation: "ド", words: kaisha("合同", "ゴウドウ"), bracketed: ["(同)"] },
  { abbreviation: "ソ", words: kaisha("相互", "ソウゴ"), bracketed: ["(相)"] },
  {
    abbreviation: "イ",
    words: [
      ...houjin("医療", "イリヨウ"), "医療法人社団", "イリヨウホウジンシヤダン", "医療法人財団", "イリヨウホウジンザイダン",
      ...houjin("社会医療", "シヤカイイリヨウ")
    ],
    bracketed: ["(医)"]
  },
  {
    abbreviation: "ザイ",
    words: [...houjin("財団", "ザイダン"), ...houjin("一般財団", "イツパンザイダン"), ...houjin("公益財団", "コウエキザイダン")],
    bracketed: ["(財)", "(一財)", "(公財)"]
  },
  {
    abbreviation: "シヤ",
    words: [...houjin("社団", "シヤダン"), ...houjin("一般社団", "イツパンシヤダン"), ...houjin("公益社団", "コウエキシヤダン")],
    bracketed: ["(社)", "(一社)", "(公社)"]
  },
  { abbreviation: "シユウ", words: houjin("宗教", "シユウキヨウ"), bracketed: ["(宗)"] },
  { abbreviation: "ガク", words: houjin("学校", "ガツコウ"), bracketed: ["(学)"] },
  { abbreviation: "フク", words: houjin("社会福祉", "シヤカイフクシ"), bracketed: ["(福)"] },
  { abbreviation: "ホゴ", words: [...houjin("更生保護", "コウセイホゴ"), "更正保護法人"] },
  {
    abbreviation: "トクヒ",
    words: [...houjin("特定非営利活動", "トクテイヒエイリカツドウ"), "NPO法人", "NPOホウジン"],
    bracketed: ["(特非)"]
  },
  { abbreviation: "ドク", words: houjin("独立行政", "ドクリツギヨウセイ"), bracketed: ["(独)"] },
  { abbreviation: "チドク", words: houjin("地方独立行政", "チホウドクリツギヨウセイ"), bracketed: ["(地独)"] },
  { abbreviation: "ベン", words: houjin("弁護士", "ベンゴシ"), bracketed: ["(弁)"] },
  {
    abbreviation: "チユウ",
    words: [...houjin("有限責任中間", "ユウゲンセキニンチユウカン"), ...houjin("無限責任中間", "ムゲンセキニンチユウカン")]
  },
  { abbreviation: "ギヨ", words: houjin("行政書士", "ギヨウセイシヨシ") },
  { abbreviation: "シホウ", words: houjin("司法書士", "シホウシヨシ"), bracketed: ["(司)"] },
  { abbreviation: "ゼイ", words: houjin("税理士", "ゼイリシ"), bracketed: ["(税)"] },
  {
    abbreviation: "ダイ",
    words: [...houjin("国立大学", "コクリツダイガク"), ...houjin("公立大学", "コウリツダイガク")],
    bracketed: ["(大)"]
  },
  { abbreviation: "ノウ", words: houjin("農事組合", "ノウジクミアイ"), bracketed: ["(農)"] },
  { abbreviation: "カンリ", words: houjin("管理組合", "カンリクミアイ") },
  { abbreviation: "ロウム", words: houjin("社会保険労務士", "シヤカイホケンロウムシ") },
  { abbreviation: "カンサ", words: houjin("監査", "カンサ") },
  { abbreviation: "エイ", words: ["営業所", "エイギヨウシヨ"] },
  { abbreviation: "シユツ", words: ["出張所", "シユツチヨウシヨ"] }
]

// Katakana, kanji and the long-vowel mark: characters that make a word, next to which
// a bare カ) or (カ is a part of the name, not an abbreviation.
const WORD_CHAR = "[\\u30A1-\\u30FA\\u30FC\\u4E00-\\u9FFF]"

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

// Each kind stands, once found, as one private-use character (not a word character, so
// it still bounds the next patterns); its position decides how it is written.
const PLACEHOLDER_BASE = 0xe000
const PLACEHOLDER = /[\uE000-\uE0FF]/gu
const placeholderOf = (index: number) => String.fromCharCode(PLACEHOLDER_BASE + index)
const isPlaceholder = (char: string) => {
  const code = char.charCodeAt(0)
  return code >= PLACEHOLDER_BASE && code <= 0xe0ff
}
const kindOf = (placeholder: string) => COMPANY_KINDS[placeholder.charCodeAt(0) - PLACEHOLDER_BASE]!

// Every spelled-out or kanji-abbreviated form, longest first (一般社団法人 before 社団法人,
// 社会医療法人 before 医療法人), in one alternation; spaces are allowed inside a spelled
// word (カブシキ ガイシヤ). A match is looked up without its spaces.
const spelledForms = COMPANY_KINDS.flatMap((kind, index) =>
  [...kind.words, ...(kind.bracketed ?? [])].map((form) => ({ form, placeholder: placeholderOf(index) }))
).sort((x, y) => y.form.length - x.form.length)
const SPELLED = new RegExp(spelledForms.map(({ form }) => [...form].map(escapeRegExp).join(" ?")).join("|"), "gu")
const placeholderOfForm = new Map(spelledForms.map(({ form, placeholder }) => [form, placeholder]))

// The bank abbreviations already written, longest first ((シヤ before (シ): (カ) anywhere;
// カ) at the start or after a non-word character; (カ at the end or before one. Spaces
// inside the brackets are tolerated: ( ｶ ).
const abbreviations = [...new Set(COMPANY_KINDS.map((kind) => kind.abbreviation))].sort((x, y) => y.length - x.length)
const placeholderOfAbbreviation = new Map(
  abbreviations.map((a) => [a, placeholderOf(COMPANY_KINDS.findIndex((kind) => kind.abbreviation === a))])
)
const ABBREVIATION = abbreviations.map(escapeRegExp).join("|")
const ABBREVIATED: ReadonlyArray<RegExp> = [
  new RegExp(`\\( ?(${ABBREVIATION}) ?\\)`, "gu"),
  new RegExp(`(?<!${WORD_CHAR})(${ABBREVIATION}) ?\\)`, "gu"),
  new RegExp(`\\( ?(${ABBREVIATION})(?!${WORD_CHAR})`, "gu")
]

/**
 * A name in the one full-width form both uses read: NFKC (width, ㈱ → (株)), hiragana
 * as katakana, small kana large, every dash as ー, latin upper-case, the banks'
 * substitutions, one space between words, and each company word or abbreviation as its
 * kind's placeholder.
 */
const canonical = (name: string, companies = true): string => {
  let text = name
    .normalize("NFKC")
    .replace(SPACE_BEFORE_VOICED_MARK, "")
    .normalize("NFC")
    .replace(PLACEHOLDER, "")
    .replace(INVISIBLE, "")
    .replace(HIRAGANA, (char) => String.fromCodePoint(char.codePointAt(0)! + 0x60))
    .replace(SMALL_KANA, (char) => SMALL_TO_LARGE[char]!)
    .replace(DASH_OR_LONG_VOWEL, LONG_VOWEL)
    .replace(/[a-z]+/g, (latin) => latin.toUpperCase())
    .replace(SUBSTITUTED, (char) => SUBSTITUTIONS[char]!)
    .replace(WHITESPACE, " ")
    .trim()
  if (!companies) return text
  text = text.replace(SPELLED, (match) => placeholderOfForm.get(match.replace(/ /g, ""))!)
  for (const pattern of ABBREVIATED) text = text.replace(pattern, (_, abbreviation: string) => placeholderOfAbbreviation.get(abbreviation)!)
  return text
}

type Position = "first" | "middle" | "last"

// Where a company kind stands: only spaces (or other kinds) before it, after it, or neither.
const positionAt = (text: string, index: number): Position => {
  const before = text.slice(0, index).replace(PLACEHOLDER, "").trim()
  const after = text.slice(index + 1).replace(PLACEHOLDER, "").trim()
  if (before === "") return "first"
  if (after === "") return "last"
  return "middle"
}

// The full-width katakana of the bank set and their half-width forms (JIS X 0201).
const HALF_WIDTH: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>()
  for (let code = 0xff61; code <= 0xff9f; code++) {
    const half = String.fromCharCode(code)
    map.set(half.normalize("NFKC"), half)
  }
  map.set("\u3099", "\uFF9E") // combining voiced mark → ﾞ
  map.set("\u309A", "\uFF9F") // combining semi-voiced mark → ﾟ
  map.set("ー", "-") // the bank writes a long vowel as a hyphen
  return map
})()

const toHalfWidth = (text: string): string =>
  [...text.normalize("NFD")].map((char) => HALF_WIDTH.get(char) ?? char).join("")

/** Every character the bank set holds (half-width katakana without small kana and ｦ). */
const BANK_CHARACTERS = /^[\uFF71-\uFF9D\uFF9E\uFF9F0-9A-Z ().\-/\\\uFF62\uFF63]*$/u

/** Whether `text` is written in the bank character set only. */
export const isBankText = (text: string): boolean => BANK_CHARACTERS.test(text)

/**
 * A name as the bank writes it (受取人名, 依頼人名): half-width, each company type as its
 * abbreviation by position (カ)X, X(カ, X(カ)Y). Characters outside the bank set (kanji,
 * & …) are kept, so that `isBankText` can refuse the result.
 */
export const toBankText = (name: string): string => {
  const text = canonical(name)
  let out = ""
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (!isPlaceholder(char)) {
      out += char
      continue
    }
    const { abbreviation } = kindOf(char)
    const position = positionAt(text, i)
    out = out.trimEnd()
    out += position === "first" ? `${abbreviation})` : position === "last" ? `(${abbreviation}` : `(${abbreviation})`
    while (text[i + 1] === " ") i++
  }
  return toHalfWidth(out)
}

/**
 * Kana text (bank and branch names of the master) in the bank character set, without
 * looking for company types: cheap enough for the master's 30,000 names.
 */
export const toBankCharacters = (text: string): string => toHalfWidth(canonical(text, false))

/** The 受取人名 to write, or undefined when the name cannot be written in the bank set. */
export const bankHolderName = (name: string): string | undefined => {
  const text = toBankText(name)
  return text.trim() !== "" && isBankText(text) ? text : undefined
}

/**
 * The form in which two holder names are compared: width, hiragana/katakana, small kana,
 * spaces, periods and dash-like marks no longer matter, nor the bank's substitutions; a
 * company type becomes one token per kind where it stands, so `カ)アオゾラシヨウジ` and
 * `株式会社アオゾラショウジ` are one name while `アオゾラショウジ(カ` (後株) is another.
 */
export const holderNameKey = (name: string): string =>
  canonical(name)
    .replace(/[ .]/g, "")
    .replace(PLACEHOLDER, (placeholder) => `(${kindOf(placeholder).abbreviation})`)
