// The keyed hash that stands in for personal values (Sealer.equalityKey) is computed from
// padded keys with one-shot SHA-256 calls: it must be HMAC-SHA-256 byte for byte, or a
// value stored before would no longer equal the same value ingested now.
import * as crypto from "node:crypto"
import { describe, expect, it } from "vitest"
import { randomKeyMaterial } from "../../src/Seal/KeyFile.ts"
import { makeEqualityKey, makeSealer } from "../../src/Seal/Sealer.ts"

const hmac = (key: Buffer, value: string) => crypto.createHmac("sha256", key).update(value, "utf8").digest()

describe("the equality key", () => {
  it("is HMAC-SHA-256 of the value under the hash key, for any text", () => {
    const key = crypto.randomBytes(32)
    const equalityKey = makeEqualityKey(key)
    // Random UTF-16 text of 0–200 units, any code unit (lone surrogates included), seeded.
    let seed = 12
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31)
    for (let run = 0; run < 2_000; run++) {
      const units = Array.from({ length: next() % 201 }, () => (next() % 3 === 0 ? next() % 0x80 : next() % 0x10000))
      const value = String.fromCharCode(...units)
      expect(equalityKey(value).equals(hmac(key, value))).toBe(true)
    }
  })

  it("is HMAC-SHA-256 for values longer than its first buffer, lone surrogates and the empty string", () => {
    const key = crypto.randomBytes(32)
    const equalityKey = makeEqualityKey(key)
    const values = ["", "holder:ﾔﾏﾀﾞ ﾀﾛｳ", "a".repeat(5_000), "東京都".repeat(700), "\uD800", "x\uDC00y", "😀".repeat(600), "short again"]
    for (const value of values) expect(equalityKey(value).equals(hmac(key, value))).toBe(true)
  })

  it("returns a buffer of its own each time (a later call does not change an earlier key)", () => {
    const equalityKey = makeEqualityKey(crypto.randomBytes(32))
    const first = equalityKey("account:0001-001-1-1234567")
    const copy = Buffer.from(first)
    equalityKey("account:0001-001-1-7654321")
    expect(first.equals(copy)).toBe(true)
  })

  it("of a sealer is HMAC under the key file's hash key, carried over to its successor", () => {
    const material = randomKeyMaterial(crypto.randomBytes(32))
    const sealer = makeSealer(material)
    expect(sealer.equalityKey("holder:ﾔﾏﾀﾞﾀﾛｳ").equals(hmac(material.hashKey!, "holder:ﾔﾏﾀﾞﾀﾛｳ"))).toBe(true)
    expect(sealer.successor().sealer.equalityKey("wallet:U1").equals(sealer.equalityKey("wallet:U1"))).toBe(true)
  })
})
