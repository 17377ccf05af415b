// The COPY path: values that mean something in COPY's text format arrive as written, a
// key repeated within a file keeps its last line, and a money file rejected in the middle
// of its COPY leaves nothing behind while the other files of the inbox are stored.
import { beforeAll, describe, expect, it } from "vitest"
import { bankTransferRow, bankTransfersCsv, ordersCsv, tempDir, writeInbox } from "../support/inbox.ts"
import { createTestDatabase, query, runPipeline } from "../support/testDatabase.ts"

const asOf = "2023-09-05"
const order = (id: string, circle: string, status = "awaiting_shipment") =>
  `${id},2023-08-10T21:14:03+09:00,S104233,${circle},B2023311,pictspace_anonymous,${status},1500`

let url: string
let result: Awaited<ReturnType<typeof runPipeline>>
beforeAll(async () => {
  url = await createTestDatabase()
  result = await runPipeline(url, {
    inbox: writeInbox({
      "orders_20230901.csv": ordersCsv(
        order("PS-00000001", "\"tab\there, back\\slash\""),
        order("PS-00000002", "\"two\nlines\""),
        order("PS-00000003", "\\N"),
        order("PS-00000004", "first"),
        order("PS-00000004", "last", "shipped")
      ),
      // Many good rows, then a bad one: the COPY has begun when the file is rejected.
      "bank_transfers_20230901.csv": bankTransfersCsv(
        ...Array.from({ length: 5_000 }, (_, i) => bankTransferRow(`B${String(i).padStart(6, "0")}`, "1,000")),
        bankTransferRow("B999999", "千円")
      )
    }),
    outDir: tempDir(),
    asOf
  })
})

describe("ingest by COPY", () => {
  it("stores tabs, backslashes, line breaks and a literal \\N as written", async () => {
    expect(await query(url, "SELECT order_id, circle_name FROM orders WHERE order_id < 'PS-00000004' ORDER BY 1")).toEqual([
      { order_id: "PS-00000001", circle_name: "tab\there, back\\slash" },
      { order_id: "PS-00000002", circle_name: "two\nlines" },
      { order_id: "PS-00000003", circle_name: "\\N" }
    ])
  })

  it("keeps the last line of a key given twice in one file", async () => {
    expect(await query(url, "SELECT circle_name, status FROM orders WHERE order_id = 'PS-00000004'")).toEqual([
      { circle_name: "last", status: "shipped" }
    ])
  })

  it("rejects a money file whole at its bad line, after its COPY began, and stores the other files", async () => {
    expect(result.ingest.files.map((f) => [f.fileName, f.outcome, f.rowsApplied])).toEqual([
      ["orders_20230901.csv", "applied", 5],
      ["bank_transfers_20230901.csv", "rejected", 0]
    ])
    expect(await query(url, "SELECT count(*)::int AS n FROM transfers")).toEqual([{ n: 0 }])
    expect(await query(url, "SELECT kind FROM input_files ORDER BY kind")).toEqual([{ kind: "orders" }])
    expect(await query(url, "SELECT detail FROM findings WHERE code = 'INPUT_FILE_REJECTED'")).toEqual([
      { detail: expect.stringMatching(/^ファイル全体を読み込みませんでした: 5002行目 /) }
    ])
  })
})
