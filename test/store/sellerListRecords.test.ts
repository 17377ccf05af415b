// The run's seller-list records, kept packed until stored: every field comes back as
// given, whatever a seller id holds, and a list recorded without a stat stores nulls.
import { describe, expect, it } from "vitest"
import { SellerListRecords } from "../../src/Store/SellerListsStore.ts"

const hex = (byte: string) => byte.repeat(32)

describe("seller list records", () => {
  it("give back each list's fields as seller_lists rows, in order and in chunks", () => {
    const records = new SellerListRecords()
    const ids = ["S001", "タブ\tと\"引用符\"", "改行\nの\\頒布者"]
    ids.forEach((seller_id, n) =>
      records.add({
        seller_id,
        content_sha256: hex(`a${n}`),
        written_as_of: "2023-09-05",
        written_run: 7 + n,
        published_path: `/out/2023-09-05/sellers/${seller_id}.xlsx`,
        file_sha256: hex(`b${n}`),
        file_stat: n === 2 ? undefined : { size: String(7000 + n), mtime_ns: "1701470000123456789", ino: String(50 + n), dev: "66306" }
      }))
    expect(records.size).toBe(3)
    const rows = [...records.rows(0, 2), ...records.rows(2, 2)]
    expect(rows.map((r) => r.seller_id)).toEqual(ids)
    expect(rows[1]).toEqual({
      seller_id: ids[1],
      written_as_of: "2023-09-05",
      written_run: 8,
      published_path: `/out/2023-09-05/sellers/${ids[1]}.xlsx`,
      content_sha256: Buffer.from(hex("a1"), "hex"),
      file_sha256: Buffer.from(hex("b1"), "hex"),
      file_size: "7001",
      file_mtime_ns: "1701470000123456789",
      file_ino: "51",
      file_dev: "66306"
    })
    expect(rows[2]).toMatchObject({ file_size: null, file_mtime_ns: null, file_ino: null, file_dev: null, written_run: 9 })
  })
})
