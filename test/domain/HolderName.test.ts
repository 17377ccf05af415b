import { describe, expect, it } from "vitest"
import { normaliseHolderName } from "../../src/Domain/HolderName.ts"

const same = (a: string, b: string) => expect(normaliseHolderName(a), `${a} vs ${b}`).toBe(normaliseHolderName(b))
const differ = (a: string, b: string) =>
  expect(normaliseHolderName(a), `${a} vs ${b}`).not.toBe(normaliseHolderName(b))

describe("normaliseHolderName", () => {
  it("reads the findings.md example as one name", () => {
    const forms = ["ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ", "ﾔﾏﾀﾞﾀﾛｳ", "やまだ たろう", "ヤマダ タロウ", " ヤマダタロウ "]
    for (const form of forms) expect(normaliseHolderName(form), form).toBe("ヤマダタロウ")
  })

  it.each([
    // width and spaces
    ["ﾀﾅｶ ﾊﾅｺ", "タナカ　ハナコ"],
    ["ｻﾄｳ  ｲﾁﾛｳ", "サトウイチロウ"],
    ["ｽｽﾞｷ\tｼﾞﾛｳ", "すずき じろう"],
    // small kana: the bank's character set has none
    ["ｷﾖｳｺ", "キョウコ"],
    ["ｷﾖｳｺ", "きょうこ"],
    ["ﾏﾂﾓﾄ ｼﾕﾝﾍﾟｲ", "マツモト シュンペイ"],
    ["ﾊﾂﾄﾘ ﾘﾖｳ", "ハットリ リョウ"],
    ["ｸﾜ", "クヮ"],
    ["ﾌｴﾙﾅﾝﾃﾞｽ", "フェルナンデス"],
    ["ｳｲﾘｱﾑ", "ウィリアム"],
    ["ﾄｳｲﾝ", "トゥイン"],
    ["ｶｹﾞﾂ", "ヵゲツ"],
    ["ｹ", "ヶ"],
    ["ｸ", "ㇰ"],
    // long-vowel marks and dashes
    ["ｼﾞｮｰｼﾞ", "ジヨ－ジ"],
    ["ｼﾞﾖｰｼﾞ", "ジョージ"],
    ["ｼﾞﾖ-ｼﾞ", "ジヨ‐ジ"],
    ["ｼﾞﾖ-ｼﾞ", "ジヨ−ジ"],
    ["ｼﾞﾖ-ｼﾞ", "ジヨ―ジ"],
    ["ｼﾞﾖ-ｼﾞ", "ジヨ—ジ"],
    ["ｼﾞﾖ-ｼﾞ", "ジヨ–ジ"],
    ["ｼﾞﾖ-ｼﾞ", "ジヨ‑ジ"],
    // voiced and semi-voiced marks, however they were typed
    ["ﾀﾞｲｽｹ", "ダイスケ"],
    ["ﾀﾞｲｽｹ", "タ゛イスケ"],
    ["ﾎﾟﾁ", "ホ゜チ"],
    ["ﾎﾟﾁ", "ホ\u309Aチ"],
    ["ｳﾞｨﾝｾﾝﾄ", "ヴィンセント"],
    // foreign names: the bank writes a period or space where a user writes ・
    ["ｼﾞﾖﾝ.ｽﾐｽ", "ジョン・スミス"],
    ["ｼﾞﾖﾝ ｽﾐｽ", "ジョン･スミス"],
    // latin letters
    ["ABC ｼﾖｳｼﾞ", "ａｂｃ　ショウジ"]
  ])("%s equals %s", same)

  describe("company abbreviations", () => {
    // 前株: 株式会社 before the name, カ) in the bank's form.
    const kabushikiBefore = [
      "カ)アオゾラシヨウジ",
      "ｶ)ｱｵｿﾞﾗｼﾖｳｼﾞ",
      "ｶ) ｱｵｿﾞﾗ ｼﾖｳｼﾞ",
      "株式会社アオゾラショウジ",
      "株式会社　アオゾラショウジ",
      "（カ）アオゾラショウジ",
      "ｶﾌﾞｼｷｶﾞｲｼｬ ｱｵｿﾞﾗｼﾖｳｼﾞ",
      "カブシキカイシャアオゾラショウジ",
      "かぶしきがいしゃ あおぞらしょうじ",
      "㈱アオゾラショウジ",
      "㍿アオゾラショウジ"
    ]
    it.each(kabushikiBefore)("%s is カ)アオゾラシヨウジ", (form) => {
      expect(normaliseHolderName(form)).toBe(normaliseHolderName("カ)アオゾラシヨウジ"))
    })

    // 後株: 株式会社 after the name, (カ in the bank's form.
    const kabushikiAfter = [
      "アオゾラショウジ株式会社",
      "アオゾラショウジ（カ）",
      "アオゾラショウジ(カ)",
      "ｱｵｿﾞﾗｼﾖｳｼﾞ(ｶ",
      "ｱｵｿﾞﾗｼﾖｳｼﾞ (ｶ",
      "アオゾラショウジ　カブシキ　ガイシャ",
      "アオゾラショウジ(株)"
    ]
    it.each(kabushikiAfter)("%s is ｱｵｿﾞﾗｼﾖｳｼﾞ(ｶ", (form) => {
      expect(normaliseHolderName(form)).toBe(normaliseHolderName("ｱｵｿﾞﾗｼﾖｳｼﾞ(ｶ"))
    })

    it("unifies the abbreviation where it stands: 株式会社X and X株式会社 are two companies", () => {
      expect(normaliseHolderName("アオゾラショウジ（カ）")).toBe("アオゾラシヨウジ(カ)")
      expect(normaliseHolderName("株式会社アオゾラショウジ")).toBe("(カ)アオゾラシヨウジ")
      expect(normaliseHolderName("株式会社アオゾラショウジ")).not.toBe(normaliseHolderName("アオゾラショウジ株式会社"))
    })

    it.each([
      ["ユ)アオゾラシヨウジ", "有限会社アオゾラショウジ"],
      ["ﾕ)ｱｵｿﾞﾗｼﾖｳｼﾞ", "ユウゲンガイシャアオゾラショウジ"],
      ["ｱｵｿﾞﾗｼﾖｳｼﾞ(ﾕ", "アオゾラショウジ有限会社"],
      ["(ﾕ)ｱｵｿﾞﾗｼﾖｳｼﾞ", "ゆうげんかいしゃ あおぞらしょうじ"],
      ["ユ)アオゾラシヨウジ", "㈲アオゾラショウジ"],
      ["ド)アオゾラシヨウジ", "合同会社アオゾラショウジ"],
      ["ﾄﾞ)ｱｵｿﾞﾗｼﾖｳｼﾞ", "ゴウドウガイシャアオゾラショウジ"],
      ["ｱｵｿﾞﾗｼﾖｳｼﾞ(ﾄﾞ", "アオゾラショウジ合同会社"],
      ["(ﾄﾞ)ｱｵｿﾞﾗｼﾖｳｼﾞ", "ごうどうかいしゃ アオゾラショウジ"],
      // a branch after the company name
      ["ｶ)ｱｵｿﾞﾗｼﾖｳｼﾞ ﾄｳｷﾖｳｼﾃﾝ", "株式会社アオゾラショウジ　トウキョウシテン"],
      ["ｱｵｿﾞﾗｼﾖｳｼﾞ(ｶ ﾄｳｷﾖｳｼﾃﾝ", "アオゾラショウジ株式会社トウキョウシテン"]
    ])("%s equals %s", same)

    it("leaves a カ, ユ or ド that is part of the name alone", () => {
      expect(normaliseHolderName("タカハシ")).toBe("タカハシ")
      expect(normaliseHolderName("ｶﾄｳ ﾕｳｺ")).toBe("カトウユウコ")
      expect(normaliseHolderName("ﾄﾞｲ ﾕｶ")).toBe("ドイユカ")
      expect(normaliseHolderName("ユカ")).toBe("ユカ")
      // a parenthesis opening a word, and one closing after a word
      expect(normaliseHolderName("ヤマダ(カトウ)")).toBe("ヤマダ(カトウ)")
      expect(normaliseHolderName("(ユカ)タナカ")).toBe("(ユカ)タナカ")
    })
  })

  it("is idempotent", () => {
    for (const name of ["ｶ)ｱｵｿﾞﾗｼﾖｳｼﾞ", "ｼﾞｮｰｼﾞ", "やまだ たろう", "ｱｵｿﾞﾗ(ﾕ", "ジョン・スミス", "タ゛イスケ"]) {
      const once = normaliseHolderName(name)
      expect(normaliseHolderName(once), name).toBe(once)
    }
  })

  it.each([
    // another person
    ["ヤマダ タロウ", "ヤマダ ジロウ"],
    ["ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾓﾄ ﾀﾛｳ"],
    // voiced against unvoiced
    ["ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀ ﾀﾛｳ"],
    ["ヤマダ", "ヤマタ"],
    ["ﾎﾟﾁ", "ﾎﾞﾁ"],
    ["ﾎﾟﾁ", "ﾎﾁ"],
    // another kind of company, or none
    ["株式会社アオゾラショウジ", "有限会社アオゾラショウジ"],
    ["カ)アオゾラシヨウジ", "ユ)アオゾラシヨウジ"],
    ["ｱｵｿﾞﾗｼﾖｳｼﾞ(ｶ", "ｱｵｿﾞﾗｼﾖｳｼﾞ(ﾄﾞ"],
    ["合同会社アオゾラショウジ", "有限会社アオゾラショウジ"],
    ["カ)アオゾラシヨウジ", "アオゾラシヨウジ"],
    // a long-vowel mark is not nothing
    ["ジョージ", "ジョジ"],
    // ヂ and ジ, ヅ and ズ are different kana
    ["ﾌｼﾞﾀ", "フヂタ"]
  ])("%s differs from %s", differ)

  it("keeps an empty name empty", () => {
    expect(normaliseHolderName("")).toBe("")
    expect(normaliseHolderName(" \u3000 ")).toBe("")
  })
})
