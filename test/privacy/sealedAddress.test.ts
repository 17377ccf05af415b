// An address is sealed as one value (migration 0020): it opens to the six fields it was
// given, and only for its column: another context, another key or a changed byte is refused.
import { describe, expect, it } from "vitest"
import { randomKeyMaterial } from "../../src/Seal/KeyFile.ts"
import { openAddress, sealAddress, sealedDigest, sealedTables } from "../../src/Seal/SealedColumns.ts"
import { makeSealer } from "../../src/Seal/Sealer.ts"

const sealer = makeSealer(randomKeyMaterial())
const address = {
  order_id: "O-1",
  postal_code: "150-0001",
  prefecture: "東京都",
  city: "渋谷区神宮前",
  address_line: "1-2-3 \"メゾン\",\\ 101号\n（奥）",
  recipient_name: "山田 太郎",
  phone: "090-1234-5678"
}

describe("a sealed address", () => {
  it("opens to the fields it was given, quotes, backslashes and line breaks included", () => {
    const { order_id: _, ...fields } = address
    expect(openAddress(sealer, sealAddress(sealer, address))).toEqual(fields)
  })

  it("is one value that holds no field in clear, with a fresh nonce each time", () => {
    const stored = sealedTables.shipping_addresses!.toStored(sealer, address)
    expect(Object.keys(stored)).toEqual(["order_id", "address_sealed"])
    const bytes = stored.address_sealed as Buffer
    for (const value of ["東京都", "山田", "090-1234-5678", "150-0001"]) {
      expect(bytes.includes(Buffer.from(value, "utf8"))).toBe(false)
    }
    expect(sealAddress(sealer, address).equals(sealAddress(sealer, address))).toBe(false)
  })

  it("does not open as a value of another column, under another key, or with a byte changed", () => {
    const sealed = sealAddress(sealer, address)
    expect(() => sealer.open(sealed)).toThrow(/does not open/)
    expect(() => sealer.open(sealed, "payout_requests.account_holder_sealed")).toThrow(/does not open/)
    expect(() => openAddress(makeSealer(randomKeyMaterial()), sealed)).toThrow(/does not open/)
    const tampered = Buffer.from(sealed)
    tampered[20] = tampered[20]! ^ 1
    expect(() => openAddress(sealer, tampered)).toThrow(/does not open/)
  })

  it("keeps the digest of the six clear fields, so a re-export of the same address is no change", () => {
    const spec = sealedTables.shipping_addresses!
    expect(sealedDigest(sealer, spec, address)).toEqual(sealedDigest(sealer, spec, { ...address }))
    expect(sealedDigest(sealer, spec, address)).not.toEqual(sealedDigest(sealer, spec, { ...address, phone: "090-1234-5679" }))
    expect(sealedDigest(sealer, spec, address)).not.toEqual(sealedDigest(sealer, spec, { ...address, city: "渋谷区", address_line: `神宮前${address.address_line}` }))
  })
})
