// Reading ahead: each file is opened, hashed, decoded and sealed while the file before it
// is still being stored. What the inbox yields must be what reading one file at a time
// gave: a second copy skipped, rows set aside with their lines, a money file that fails
// deep inside (while it was read ahead) rejected whole at its line with nothing of it
// stored, and the file read ahead after a rejected one applied.
import { beforeAll, describe, expect, it } from "vitest"
import { bankTransferRow, bankTransfersCsv, orderItemsCsv, ordersCsv, parcelsCsv, tempDir, writeInbox } from "../support/inbox.ts"
import { createTestDatabase, query, raisedFindings, runPipeline } from "../support/testDatabase.ts"

const asOf = "2023-09-05"
const orderId = (i: number) => `PS-${String(i).padStart(8, "0")}`
const order = (i: number) => `${orderId(i)},2023-08-10T21:14:03+09:00,S104233,サークル青空,B2023311,pictspace_anonymous,awaiting_shipment,1500`

const orders = ordersCsv(...Array.from({ length: 3_000 }, (_, i) => order(i + 1)))

let url: string
let result: Awaited<ReturnType<typeof runPipeline>>
beforeAll(async () => {
  url = await createTestDatabase()
  result = await runPipeline(url, {
    inbox: writeInbox({
      "orders_20230901.csv": orders,
      // The same bytes again: read ahead while the first copy is stored, then skipped.
      "orders_20230902.csv": orders,
      "order_items_20230901.csv": orderItemsCsv(
        ...Array.from({ length: 2_000 }, (_, i) => `${orderId(i + 1)},I1,新刊,1,500`),
        "PS-09999999,I1,新刊,1,500",
        "PS-00000001,I2,\"閉じない引用符,1,500"
      ),
      "parcels_20230901.csv": parcelsCsv(
        "IN-20230901-0001,2023/09/01 10:12,日本郵便,1111-2222-3333,S104233,PS-00000001,1,良好,",
        "IN-20230901-0002,2023/09/01 10:15,日本郵便,1111-2222-4444,S104233,PS-00000002,-1,良好,"
      ),
      // Rejected at its last line, long after its COPY began.
      "bank_transfers_20230901.csv": bankTransfersCsv(
        ...Array.from({ length: 4_000 }, (_, i) => bankTransferRow(`B${String(i).padStart(6, "0")}`, "1,000")),
        bankTransferRow("B999999", "千円")
      ),
      "bank_transfers_20230902.csv": bankTransfersCsv(...Array.from({ length: 10 }, (_, i) => bankTransferRow(`C${String(i).padStart(6, "0")}`, "2,000")))
    }),
    outDir: tempDir(),
    asOf
  })
})

describe("reading the next file while the last one is stored", () => {
  it("gives every file the outcome it had when files were read one at a time", () => {
    expect(result.ingest.files.map((f) => [f.fileName, f.outcome, f.rowsApplied, f.rowsRejected])).toEqual([
      ["orders_20230901.csv", "applied", 3_000, 0],
      ["orders_20230902.csv", "already_applied", 0, 0],
      ["order_items_20230901.csv", "applied", 2_000, 2],
      ["parcels_20230901.csv", "applied", 1, 1],
      ["bank_transfers_20230901.csv", "rejected", 0, 0],
      ["bank_transfers_20230902.csv", "applied", 10, 0]
    ])
  })

  it("names the file, line and reason of every row set aside and of the file rejected while it was read ahead", async () => {
    expect(await raisedFindings(url, "INPUT_")).toEqual([
      "INPUT_FILE_REJECTED bank_transfers_20230901.csv",
      "INPUT_ROW_REJECTED order_items_20230901.csv 2002",
      "INPUT_ROW_REJECTED order_items_20230901.csv 2003",
      "INPUT_ROW_REJECTED parcels_20230901.csv 3"
    ])
    expect(await query(url, "SELECT detail FROM findings WHERE code = 'INPUT_FILE_REJECTED'")).toEqual([
      { detail: expect.stringMatching(/^ファイル全体を読み込みませんでした: 4002行目 列「振込金額」/) }
    ])
  })

  it("stores nothing of the rejected money file and all of the file read ahead after it", async () => {
    expect(await query(url, "SELECT left(transfer_id, 1) AS file, count(*)::int AS n FROM transfers GROUP BY 1")).toEqual([
      { file: "C", n: 10 }
    ])
    expect(await query(url, "SELECT file_name FROM input_files ORDER BY file_name")).toEqual([
      { file_name: "bank_transfers_20230902.csv" },
      { file_name: "order_items_20230901.csv" },
      { file_name: "orders_20230901.csv" },
      { file_name: "parcels_20230901.csv" }
    ])
  })
})
