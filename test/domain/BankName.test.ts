// The banks' name rules against a table written from the published 法人略語 list (全銀協,
// as the banks print it): every company type, spelled in kanji and in kana as a user
// types it, at every position, against the bank's half-width form.
import { describe, expect, it } from "vitest"
import { bankHolderName, holderNameKey, isBankText, toBankText } from "../../src/Domain/BankName.ts"

// type (kanji), its reading as a user types it, the bank abbreviation (half-width)
const companyTypes: ReadonlyArray<readonly [string, string, string]> = [
  ["株式会社", "かぶしきがいしゃ", "ｶ"],
  ["有限会社", "ゆうげんがいしゃ", "ﾕ"],
  ["合名会社", "ごうめいがいしゃ", "ﾒ"],
  ["合資会社", "ごうしがいしゃ", "ｼ"],
  ["合同会社", "ごうどうがいしゃ", "ﾄﾞ"],
  ["医療法人", "いりょうほうじん", "ｲ"],
  ["財団法人", "ざいだんほうじん", "ｻﾞｲ"],
  ["社団法人", "しゃだんほうじん", "ｼﾔ"],
  ["宗教法人", "しゅうきょうほうじん", "ｼﾕｳ"],
  ["学校法人", "がっこうほうじん", "ｶﾞｸ"],
  ["社会福祉法人", "しゃかいふくしほうじん", "ﾌｸ"],
  ["相互会社", "そうごがいしゃ", "ｿ"],
  ["更生保護法人", "こうせいほごほうじん", "ﾎｺﾞ"],
  ["特定非営利活動法人", "とくていひえいりかつどうほうじん", "ﾄｸﾋ"],
  ["独立行政法人", "どくりつぎょうせいほうじん", "ﾄﾞｸ"],
  ["弁護士法人", "べんごしほうじん", "ﾍﾞﾝ"],
  ["有限責任中間法人", "ゆうげんせきにんちゅうかんほうじん", "ﾁﾕｳ"],
  ["無限責任中間法人", "むげんせきにんちゅうかんほうじん", "ﾁﾕｳ"],
  ["行政書士法人", "ぎょうせいしょしほうじん", "ｷﾞﾖ"],
  ["司法書士法人", "しほうしょしほうじん", "ｼﾎｳ"],
  ["税理士法人", "ぜいりしほうじん", "ｾﾞｲ"],
  ["国立大学法人", "こくりつだいがくほうじん", "ﾀﾞｲ"],
  ["農事組合法人", "のうじくみあいほうじん", "ﾉｳ"],
  // the longer tables' variants
  ["一般社団法人", "いっぱんしゃだんほうじん", "ｼﾔ"],
  ["公益社団法人", "こうえきしゃだんほうじん", "ｼﾔ"],
  ["一般財団法人", "いっぱんざいだんほうじん", "ｻﾞｲ"],
  ["公益財団法人", "こうえきざいだんほうじん", "ｻﾞｲ"],
  ["医療法人社団", "いりょうほうじんしゃだん", "ｲ"],
  ["医療法人財団", "いりょうほうじんざいだん", "ｲ"],
  ["社会医療法人", "しゃかいいりょうほうじん", "ｲ"],
  ["地方独立行政法人", "ちほうどくりつぎょうせいほうじん", "ﾁﾄﾞｸ"],
  ["公立大学法人", "こうりつだいがくほうじん", "ﾀﾞｲ"],
  ["管理組合法人", "かんりくみあいほうじん", "ｶﾝﾘ"],
  ["社会保険労務士法人", "しゃかいほけんろうむしほうじん", "ﾛｳﾑ"]
]

// 労働商事 and its 霞が関支社, the example of the 厚生労働省 page the banks quote.
const stem = { written: "ロウドウショウジ", bank: "ﾛｳﾄﾞｳｼﾖｳｼﾞ" }
const office = { written: "カスミガセキシシャ", bank: "ｶｽﾐｶﾞｾｷｼｼﾔ" }

const positions = (kind: string, abbreviation: string) => [
  { position: "first", written: `${kind}${stem.written}`, bank: `${abbreviation})${stem.bank}` },
  { position: "last", written: `${stem.written}${kind}`, bank: `${stem.bank}(${abbreviation}` },
  { position: "middle", written: `${stem.written}${kind}${office.written}`, bank: `${stem.bank}(${abbreviation})${office.bank}` },
  { position: "first, spaced", written: `${kind}　${stem.written}`, bank: `${abbreviation})${stem.bank}` },
  { position: "last, spaced", written: `${stem.written}　${kind}`, bank: `${stem.bank}(${abbreviation}` },
  { position: "middle, spaced", written: `${stem.written} ${kind} ${office.written}`, bank: `${stem.bank}(${abbreviation})${office.bank}` }
]

const table = companyTypes.flatMap(([kanji, reading, abbreviation]) => [
  ...positions(kanji, abbreviation).map((p) => ({ ...p, form: kanji })),
  ...positions(reading, abbreviation).map((p) => ({ ...p, form: reading }))
])

describe("company types by position (法人略語)", () => {
  it.each(table)("$form $position: $written is written $bank", ({ written, bank }) => {
    expect(toBankText(written)).toBe(bank)
    expect(bankHolderName(written)).toBe(bank)
    expect(holderNameKey(written)).toBe(holderNameKey(bank))
  })

  it("keeps a type at one position apart from the same type at another, and from other types", () => {
    const keys = new Map<string, string>()
    for (const [kanji, , abbreviation] of companyTypes) {
      for (const p of positions(kanji, abbreviation).slice(0, 3)) {
        const key = holderNameKey(p.bank)
        const label = `${abbreviation} ${p.position}`
        const seen = keys.get(key)
        // 有限/無限責任中間法人 share チユウ, 社団/財団/医療法人 variants their kind's letters
        if (seen !== undefined) expect(seen.split(" ")[0], `${label} merged with ${seen}`).toBe(abbreviation)
        keys.set(key, label)
      }
    }
    expect(holderNameKey(`ｶ)${stem.bank}`)).not.toBe(holderNameKey(stem.bank))
  })

  it("reads the abbreviation written by hand in any width, and the kanji abbreviations", () => {
    for (const form of ["ｶ)ﾛｳﾄﾞｳｼﾖｳｼﾞ", "カ)ロウドウショウジ", "（カ）ロウドウショウジ", "㈱ロウドウショウジ", "(株)ロウドウショウジ", "㍿ロウドウショウジ"]) {
      expect(toBankText(form), form).toBe("ｶ)ﾛｳﾄﾞｳｼﾖｳｼﾞ")
    }
    expect(toBankText("ロウドウショウジ㈲")).toBe("ﾛｳﾄﾞｳｼﾖｳｼﾞ(ﾕ")
    expect(toBankText("㈳ニホンブンカ")).toBe("ｼﾔ)ﾆﾎﾝﾌﾞﾝｶ")
    expect(toBankText("㈶ニホンブンカ")).toBe("ｻﾞｲ)ﾆﾎﾝﾌﾞﾝｶ")
    expect(toBankText("NPO法人ミライ")).toBe("ﾄｸﾋ)ﾐﾗｲ")
    expect(toBankText("ロウドウショウジ株式会社カスミガセキエイギョウショ")).toBe("ﾛｳﾄﾞｳｼﾖｳｼﾞ(ｶ)ｶｽﾐｶﾞｾｷ(ｴｲ")
  })

  it("leaves a kana that is part of the name alone", () => {
    expect(toBankText("タカハシ")).toBe("ﾀｶﾊｼ")
    expect(toBankText("ヤマダ(カトウ)")).toBe("ﾔﾏﾀﾞ(ｶﾄｳ)")
    expect(toBankText("シヤマ ユウコ")).toBe("ｼﾔﾏ ﾕｳｺ")
    expect(toBankText("イシイ ダイ")).toBe("ｲｼｲ ﾀﾞｲ")
  })
})

describe("the bank character set and the banks' substitutions", () => {
  it.each([
    ["キョウコ", "ｷﾖｳｺ"],
    ["ハットリ　リョウ", "ﾊﾂﾄﾘ ﾘﾖｳ"],
    ["ジョージ", "ｼﾞﾖ-ｼﾞ"],
    ["ジヨ－ジ", "ｼﾞﾖ-ｼﾞ"],
    ["ヴィンセント", "ｳﾞｲﾝｾﾝﾄ"],
    ["ホ゜チ", "ﾎﾟﾁ"],
    ["ヲカダ", "ｵｶﾀﾞ"],
    ["ヰノウエ", "ｲﾉｳｴ"],
    ["ヱビス", "ｴﾋﾞｽ"],
    ["ジョン・スミス", "ｼﾞﾖﾝ.ｽﾐｽ"],
    ["ヤマダ【カトウ】", "ﾔﾏﾀﾞ(ｶﾄｳ)"],
    ["ヤマダ［カトウ］", "ﾔﾏﾀﾞ(ｶﾄｳ)"],
    ["『ミライ』", "｢ﾐﾗｲ｣"],
    ["「ミライ」", "｢ﾐﾗｲ｣"],
    ["ミライ、ケン。", "ﾐﾗｲ.ｹﾝ."],
    ["￥ショップ", "\\ｼﾖﾂﾌﾟ"],
    ["ａｂｃ　ショウジ", "ABC ｼﾖｳｼﾞ"],
    ["abc-1/2", "ABC-1/2"],
    ["  ヤマダ   タロウ ", "ﾔﾏﾀﾞ ﾀﾛｳ"]
  ])("%s is written %s", (written, bank) => {
    expect(toBankText(written)).toBe(bank)
    expect(isBankText(bank)).toBe(true)
    expect(holderNameKey(written)).toBe(holderNameKey(bank))
  })

  it.each(["山田太郎", "ヤマダ&タロウ", "ヤマダ！", "ヤマダ@", "", "　"])("%j cannot be written in the bank set", (name) => {
    expect(bankHolderName(name)).toBeUndefined()
  })

  it("refuses small kana, ｦ and a long-vowel mark as bank text", () => {
    for (const text of ["ｷｮｳｺ", "ｦｶﾀﾞ", "ｼﾞﾖｰｼﾞ", "ﾔﾏﾀﾞ・ﾀﾛｳ", "yamada"]) expect(isBankText(text), text).toBe(false)
  })

  it("keeps different names different", () => {
    for (const [a, b] of [["ﾌｼﾞﾀ", "フヂタ"], ["ﾔﾏﾀﾞ", "ﾔﾏﾀ"], ["ﾎﾟﾁ", "ﾎﾞﾁ"], ["ジョージ", "ジョジ"], ["ｵｶﾀﾞ", "ｵｶﾀ"]] as const) {
      expect(holderNameKey(a), `${a} ${b}`).not.toBe(holderNameKey(b))
    }
  })
})
