import { describe, expect, it } from "vitest"
import { isOneTypoApart, isOrderId, normaliseOrderId, typoNeighbours } from "../../src/Domain/OrderId.ts"

// Small seeded generator so the property checks are repeatable.
const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

describe("normaliseOrderId", () => {
  it.each([
    ["PS-00412345"],
    ["ＰＳ－００４１２３４５"],
    ["ps-00412345"],
    ["PS00412345"],
    ["PSー00412345"],
    ["PS−00412345"],
    [" PS-00412345 "],
    ["ｐｓ００４１２３４５"],
    ["\u3000PS-00412345\u3000"],
    ["PS - 0041 2345"],
    ["Ps‐00412345"],
    ["PS‑00412345"],
    ["PS‒00412345"],
    ["PS–00412345"],
    ["PS—00412345"],
    ["PS―00412345"],
    ["PSｰ00412345"],
    ["PS﹣00412345"],
    ["PS⁃00412345"],
    ["PS-00412345\t"],
    ["\uFEFFPS-00412345"]
  ])("reads %j as PS-00412345", (typed) => {
    expect(normaliseOrderId(typed)).toBe("PS-00412345")
  })

  it("restores the hyphen only before exactly 8 characters", () => {
    expect(normaliseOrderId("PS0041234")).toBe("PS0041234")
    expect(normaliseOrderId("PS004123456")).toBe("PS004123456")
    expect(normaliseOrderId("PS0041234S")).toBe("PS-0041234S")
  })

  it("leaves what it cannot read normalised as far as it goes", () => {
    expect(normaliseOrderId(" ｐｓ－００４１２３４ ")).toBe("PS-0041234")
    expect(normaliseOrderId("p5-00412345")).toBe("P5-00412345")
    expect(normaliseOrderId("IN-20230901-0007")).toBe("IN-20230901-0007")
    expect(normaliseOrderId("")).toBe("")
    expect(normaliseOrderId("注文なし")).toBe("注文なし")
  })

  it("does not collapse a doubled hyphen into a valid id", () => {
    expect(isOrderId(normaliseOrderId("PS--00412345"))).toBe(false)
  })

  it("is idempotent", () => {
    for (const typed of ["ＰＳ－００４１２３４５", "ps00412345", "PSー0041234S", "xyz", " p s 1 "]) {
      const once = normaliseOrderId(typed)
      expect(normaliseOrderId(once)).toBe(once)
    }
  })
})

describe("isOrderId", () => {
  it("accepts PS- and 8 digits", () => {
    expect(isOrderId("PS-00412345")).toBe(true)
    expect(isOrderId("PS-99999999")).toBe(true)
  })

  it.each(["PS-0041234", "PS-004123456", "ps-00412345", "PS00412345", "PS-0041234S", "PS-００４１２３４５", " PS-00412345", "PS-00412345\n", ""])(
    "rejects %j",
    (s) => {
      expect(isOrderId(s)).toBe(false)
    }
  )
})

describe("typoNeighbours", () => {
  it("finds the id behind one wrong character in a digit position", () => {
    expect(typoNeighbours("PS-0041234S")).toEqual([
      "PS-00412340",
      "PS-00412341",
      "PS-00412342",
      "PS-00412343",
      "PS-00412344",
      "PS-00412345",
      "PS-00412346",
      "PS-00412347",
      "PS-00412348",
      "PS-00412349"
    ])
  })

  it("finds the id behind one wrong character in the prefix", () => {
    expect(typoNeighbours("P5-00412345")).toEqual(["PS-00412345"])
    expect(typoNeighbours("PS_00412345")).toEqual(["PS-00412345"])
    expect(typoNeighbours("RS-00412345")).toEqual(["PS-00412345"])
  })

  it("finds the id behind two swapped neighbours", () => {
    expect(typoNeighbours("PS-00412354")).toContain("PS-00412345")
    expect(typoNeighbours("SP-00412345")).toEqual(["PS-00412345"])
    expect(typoNeighbours("PS0-0412345")).toEqual(["PS-00412345"])
  })

  it("lists every substitution and swap of a well-formed id, without the id itself", () => {
    const neighbours = typoNeighbours("PS-00412345")
    // 8 digit positions × 9 other digits, plus swaps of the 6 unequal neighbour pairs.
    expect(neighbours).toHaveLength(72 + 6)
    expect(neighbours).not.toContain("PS-00412345")
    expect(neighbours).toContain("PS-00412346")
    expect(neighbours).toContain("PS-40412345")
    expect(neighbours).toContain("PS-04012345")
    expect(neighbours).toContain("PS-00412354")
    expect(new Set(neighbours).size).toBe(neighbours.length)
  })

  it("returns only well-formed ids, one typo away, sorted", () => {
    for (const input of ["PS-00412345", "PS-0041234S", "P5-00412345", "PS-00412354", "SP-00412345"]) {
      const neighbours = typoNeighbours(input)
      expect(neighbours.every(isOrderId)).toBe(true)
      expect(neighbours.every((id) => isOneTypoApart(input, id))).toBe(true)
      expect([...neighbours].sort()).toEqual(neighbours)
    }
  })

  it("gives nothing when two characters are wrong and not a swap", () => {
    expect(typoNeighbours("PS-0O41234S")).toEqual([])
    expect(typoNeighbours("P5_00412345")).toEqual([])
    expect(typoNeighbours("PS-OO412345")).toEqual([])
  })

  it("gives nothing for another length: one typo is never a missing or extra character", () => {
    expect(typoNeighbours("PS-0041234")).toEqual([])
    expect(typoNeighbours("PS-004123456")).toEqual([])
    expect(typoNeighbours("")).toEqual([])
  })

  it("agrees with a brute force over every substitution and swap (seeded)", () => {
    const idChars = ["P", "S", "-", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
    const noise = [...idChars, "O", "I", "s", "_", "ー", "X"]
    const random = mulberry32(20230901)
    const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(random() * xs.length)]!
    const randomId = () => "PS-" + Array.from({ length: 8 }, () => pick(idChars.slice(3))).join("")

    for (let round = 0; round < 300; round++) {
      // Mostly near-ids, so that there is something to find.
      const chars = Array.from(randomId())
      const edits = Math.floor(random() * 3)
      for (let e = 0; e < edits; e++) chars[Math.floor(random() * chars.length)] = pick(noise)
      if (random() < 0.3) {
        const i = Math.floor(random() * (chars.length - 1))
        ;[chars[i], chars[i + 1]] = [chars[i + 1]!, chars[i]!]
      }
      const input = chars.join("")

      const expected = new Set<string>()
      for (let i = 0; i < chars.length; i++) {
        for (const c of idChars) {
          const candidate = chars.slice()
          candidate[i] = c
          expected.add(candidate.join(""))
        }
        if (i + 1 < chars.length) {
          const candidate = chars.slice()
          ;[candidate[i], candidate[i + 1]] = [candidate[i + 1]!, candidate[i]!]
          expected.add(candidate.join(""))
        }
      }
      const wellFormed = [...expected].filter((id) => isOrderId(id) && id !== input).sort()
      expect(typoNeighbours(input), input).toEqual(wellFormed)
    }
  })
})

describe("isOneTypoApart", () => {
  it("holds for one changed character", () => {
    expect(isOneTypoApart("PS-00412345", "PS-00412346")).toBe(true)
    expect(isOneTypoApart("PS-0041234S", "PS-00412345")).toBe(true)
    expect(isOneTypoApart("P5-00412345", "PS-00412345")).toBe(true)
  })

  it("holds for two swapped neighbours", () => {
    expect(isOneTypoApart("PS-00412354", "PS-00412345")).toBe(true)
    expect(isOneTypoApart("PS-00412345", "PS-00421345")).toBe(true)
  })

  it("is symmetric", () => {
    const pairs: Array<[string, string]> = [
      ["PS-00412345", "PS-00412354"],
      ["PS-00412345", "PS-00412346"],
      ["PS-00412345", "PS-00412435"],
      ["PS-00412345", "PS-00412345"]
    ]
    for (const [a, b] of pairs) expect(isOneTypoApart(a, b)).toBe(isOneTypoApart(b, a))
  })

  it("does not hold for equal strings", () => {
    expect(isOneTypoApart("PS-00412345", "PS-00412345")).toBe(false)
  })

  it("does not hold for two changes, a distant swap, or a swap that is not one", () => {
    expect(isOneTypoApart("PS-00412345", "PS-00412356")).toBe(false)
    expect(isOneTypoApart("PS-00412345", "PS-00452341")).toBe(false)
    // Neighbours changed, but not into each other.
    expect(isOneTypoApart("PS-00412345", "PS-00412367")).toBe(false)
    expect(isOneTypoApart("PS-00412345", "PS-00412364")).toBe(false)
  })

  it("does not hold across lengths", () => {
    expect(isOneTypoApart("PS-0041234", "PS-00412345")).toBe(false)
    expect(isOneTypoApart("", "P")).toBe(false)
  })

  it("counts characters, not UTF-16 units", () => {
    expect(isOneTypoApart("PS-0041234😀", "PS-00412345")).toBe(true)
    expect(typoNeighbours("PS-0041234😀")).toContain("PS-00412345")
  })

  it("matches typoNeighbours on well-formed ids (seeded)", () => {
    const random = mulberry32(42)
    const id = () => "PS-" + String(Math.floor(random() * 1e8)).padStart(8, "0")
    for (let round = 0; round < 200; round++) {
      const a = id()
      const neighbours = typoNeighbours(a)
      for (const b of neighbours) expect(isOneTypoApart(a, b)).toBe(true)
      const far = id()
      expect(neighbours.includes(far)).toBe(isOneTypoApart(a, far))
    }
  })
})
