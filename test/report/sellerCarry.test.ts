// Seller lists on quiet nights: a list whose content did not change since the last
// committed run is a hard link to the file published then (same inode, same heading
// date); a changed, new or tampered list is written anew; and the folder holds exactly
// the files, with the rows, that writing every list anew gives. A carried file is read
// only when its stat (size, mtime, inode, device) is no longer the one recorded.
import ExcelJS from "exceljs"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { orderItemsCsv, ordersCsv, parcelsCsv, tempDir, writeInbox } from "../support/inbox.ts"
import { sellerListRows } from "../support/sellerList.ts"

type Cell = ExcelJS.CellValue
import { createTestDatabase, query, runPipeline } from "../support/testDatabase.ts"

const order = (id: string, seller: string, circle: string) =>
  `${id},2023-08-10T21:14:03+09:00,${seller},${circle},B2023311,pictspace_anonymous,awaiting_shipment,1500`
const parcel = (no: string, day: string, seller: string, orderId: string, count: number) =>
  `${no},${day} 10:00,日本郵便,${no.replace(/\D/g, "")}1,${seller},${orderId},${count},良好,`

const headingOf = async (file: string) => {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(file)
  return String(workbook.worksheets[0]!.getRow(2).getCell(1).value)
}

const listsIn = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [])
const inode = (file: string) => fs.statSync(file).ino

let url: string
let out: string
beforeAll(async () => {
  url = await createTestDatabase()
  out = tempDir()
})
afterEach(() => {
  delete process.env.KESHIKOMI_RETAIN_REPORT_DAYS
})

/**
 * The same as-of run again as a trial with no record of published lists: every list is
 * written anew. Its folder must hold the same files and rows as the night's.
 */
const expectSameAsFullRewrite = async (inbox: string, asOf: string) => {
  await query(url, "CREATE TABLE kept_seller_lists AS SELECT * FROM seller_lists")
  await query(url, "DELETE FROM seller_lists")
  try {
    const trial = await runPipeline(url, { inbox, outDir: out, asOf, dryRun: true })
    expect(trial.sellerLists).toEqual({ written: trial.sellerFiles, carried: 0 })
    const night = path.join(out, asOf, "sellers")
    const rewritten = path.join(out, asOf, "dry-run", "sellers")
    expect(listsIn(night)).toEqual(listsIn(rewritten))
    for (const name of listsIn(night)) {
      expect(await sellerListRows(path.join(night, name))).toEqual(await sellerListRows(path.join(rewritten, name)))
    }
  } finally {
    await query(url, "INSERT INTO seller_lists SELECT * FROM kept_seller_lists")
    await query(url, "DROP TABLE kept_seller_lists")
  }
}

describe("seller lists across nights", () => {
  it("carries unchanged lists as hard links, rewrites changed, new and tampered ones, and equals a full rewrite", async () => {
    const day1 = writeInbox({
      "orders_20230905.csv": ordersCsv(
        order("PS-00000001", "S100001", "サークル一"),
        order("PS-00000002", "S100001", "サークル一"),
        order("PS-00000003", "S100002", "サークル二"),
        order("PS-00000004", "S100003", "サークル三"),
        order("PS-00000005", "S100005", "サークル五")
      ),
      "order_items_20230905.csv": orderItemsCsv(
        "PS-00000001,I1,新刊A,1,1500",
        "PS-00000002,I1,新刊B,2,1500",
        "PS-00000003,I1,新刊C,1,1500",
        "PS-00000004,I1,新刊D,1,1500",
        "PS-00000005,I1,新刊E,1,1500"
      )
    })
    const first = await runPipeline(url, { inbox: day1, outDir: out, asOf: "2023-09-05" })
    expect(first.sellerLists).toEqual({ written: 4, carried: 0 })
    const folder1 = path.join(out, "2023-09-05", "sellers")
    expect(listsIn(folder1)).toEqual(["S100001.xlsx", "S100002.xlsx", "S100003.xlsx", "S100005.xlsx"])

    // Night 2: one of S100001's orders arrives whole (S100001's list changes); S100004 is new; S100002, S100003, S100005 stand.
    const day2 = writeInbox({
      "orders_20230906.csv": ordersCsv(order("PS-00000006", "S100004", "サークル四")),
      "order_items_20230906.csv": orderItemsCsv("PS-00000006,I1,新刊F,1,1500"),
      "parcels_20230906.csv": parcelsCsv(parcel("IN-1", "2023/09/06", "S100001", "PS-00000001", 1))
    })
    const second = await runPipeline(url, { inbox: day2, outDir: out, asOf: "2023-09-06" })
    expect(second.sellerLists).toEqual({ written: 2, carried: 3 })
    const folder2 = path.join(out, "2023-09-06", "sellers")
    expect(listsIn(folder2)).toEqual(["S100001.xlsx", "S100002.xlsx", "S100003.xlsx", "S100004.xlsx", "S100005.xlsx"])
    for (const carried of ["S100002.xlsx", "S100003.xlsx", "S100005.xlsx"]) {
      expect(inode(path.join(folder2, carried))).toBe(inode(path.join(folder1, carried)))
    }
    expect(inode(path.join(folder2, "S100001.xlsx"))).not.toBe(inode(path.join(folder1, "S100001.xlsx")))
    expect(await headingOf(path.join(folder2, "S100002.xlsx"))).toContain("2023年9月5日 現在")
    expect(await headingOf(path.join(folder2, "S100001.xlsx"))).toContain("1 件あります（2023年9月6日 現在）")
    // What staff see: how many lists to send tonight, and how many stand as they were.
    const shipping = new ExcelJS.Workbook()
    await shipping.xlsx.readFile(path.join(out, "2023-09-06", "shipping.xlsx"))
    const summaryRow = (label: string) => {
      let found: Array<Cell> | undefined
      shipping.getWorksheet("サマリー")!.eachRow((row) => {
        const values = (row.values as Array<Cell>).slice(1)
        if (values[0] === label) found = values.slice(0, 2)
      })
      return found
    }
    expect(summaryRow("頒布者ごとの一覧（新規・変更）")).toEqual(["頒布者ごとの一覧（新規・変更）", 2])
    expect(summaryRow("頒布者ごとの一覧（引き継ぎ）")).toEqual(["頒布者ごとの一覧（引き継ぎ）", 3])
    await expectSameAsFullRewrite(day2, "2023-09-06")

    // Staff open S100003's list and save it (a new file in its place): it is written anew, not linked.
    const s3 = path.join(folder2, "S100003.xlsx")
    const saved = fs.readFileSync(s3)
    fs.rmSync(s3)
    fs.writeFileSync(s3, Buffer.concat([saved, Buffer.from([0])]))
    // Night 3: S100002's order arrives (S100002 has no list any more); retention removes the 09-05 folder.
    process.env.KESHIKOMI_RETAIN_REPORT_DAYS = "1"
    const day3 = writeInbox({ "parcels_20230907.csv": parcelsCsv(parcel("IN-2", "2023/09/07", "S100002", "PS-00000003", 1)) })
    const third = await runPipeline(url, { inbox: day3, outDir: out, asOf: "2023-09-07" })
    expect(third.sellerLists).toEqual({ written: 1, carried: 3 })
    const folder3 = path.join(out, "2023-09-07", "sellers")
    expect(listsIn(folder3)).toEqual(["S100001.xlsx", "S100003.xlsx", "S100004.xlsx", "S100005.xlsx"])
    expect(inode(path.join(folder3, "S100003.xlsx"))).not.toBe(inode(s3))
    expect(await headingOf(path.join(folder3, "S100003.xlsx"))).toContain("2023年9月7日 現在")
    expect(inode(path.join(folder3, "S100001.xlsx"))).toBe(inode(path.join(folder2, "S100001.xlsx")))
    // S100005's list was written on 09-05; that folder is gone, the linked file is not.
    expect(fs.existsSync(path.join(out, "2023-09-05"))).toBe(false)
    expect(inode(path.join(folder3, "S100005.xlsx"))).toBe(inode(path.join(folder2, "S100005.xlsx")))
    expect(await headingOf(path.join(folder3, "S100005.xlsx"))).toContain("2023年9月5日 現在")
    expect(await sellerListRows(path.join(folder3, "S100005.xlsx"))).toContainEqual(["PS-00000005", new Date("2023-08-10T00:00:00Z"), "未着", "I1", "新刊E", 1])
    delete process.env.KESHIKOMI_RETAIN_REPORT_DAYS
    await expectSameAsFullRewrite(day3, "2023-09-07")

    const recorded = await query<{ seller_id: string; written_as_of: string }>(
      url, "SELECT seller_id, written_as_of::text FROM seller_lists ORDER BY seller_id"
    )
    expect(recorded).toEqual([
      { seller_id: "S100001", written_as_of: "2023-09-06" },
      { seller_id: "S100003", written_as_of: "2023-09-07" },
      { seller_id: "S100004", written_as_of: "2023-09-06" },
      { seller_id: "S100005", written_as_of: "2023-09-05" }
    ])
  })

  it("trusts a carried file whose stat is as recorded, and hashes one whose stat differs: carried when its bytes are the same, written anew when not", async () => {
    // A database and folder of its own: no list of the test above carries into this one.
    url = await createTestDatabase()
    out = tempDir()
    const day1 = writeInbox({
      "orders_20231001.csv": ordersCsv(
        order("PS-00000101", "S200001", "サークル甲"),
        order("PS-00000102", "S200002", "サークル乙"),
        order("PS-00000103", "S200003", "サークル丙")
      ),
      "order_items_20231001.csv": orderItemsCsv("PS-00000101,I1,新刊G,1,1500", "PS-00000102,I1,新刊H,1,1500", "PS-00000103,I1,新刊I,1,1500")
    })
    await runPipeline(url, { inbox: day1, outDir: out, asOf: "2023-10-01" })
    const folder1 = path.join(out, "2023-10-01", "sellers")
    const [s1, s2] = [path.join(folder1, "S200001.xlsx"), path.join(folder1, "S200002.xlsx")]
    const statOf = (seller: string) =>
      query<{ file_size: string; file_mtime_ns: string; file_ino: string }>(
        url, `SELECT file_size::text, file_mtime_ns::text, file_ino FROM seller_lists WHERE seller_id = '${seller}'`
      ).then((rows) => rows[0])
    const written = fs.statSync(s1, { bigint: true })
    expect(await statOf("S200001")).toEqual({ file_size: String(written.size), file_mtime_ns: String(written.mtimeNs), file_ino: String(written.ino) })

    // S200001's file is touched (its mtime moves, its bytes stay); S200002's is changed in place (same inode, same size).
    const touched = new Date("2023-01-01T00:00:00Z")
    fs.utimesSync(s1, touched, touched)
    const bytes2 = fs.readFileSync(s2)
    const fd = fs.openSync(s2, "r+")
    fs.writeSync(fd, Buffer.from([bytes2[100]! ^ 0xff]), 0, 1, 100)
    fs.closeSync(fd)
    const day2 = writeInbox({ "parcels_20231002.csv": parcelsCsv(parcel("IN-101", "2023/10/02", "S200003", "PS-00000103", 1)) })
    const second = await runPipeline(url, { inbox: day2, outDir: out, asOf: "2023-10-02" })
    expect(second.sellerLists).toEqual({ written: 1, carried: 1 })
    const folder2 = path.join(out, "2023-10-02", "sellers")
    expect(listsIn(folder2)).toEqual(["S200001.xlsx", "S200002.xlsx"])
    expect(inode(path.join(folder2, "S200001.xlsx"))).toBe(inode(s1))
    // The touched file's new stat is recorded: the next night trusts it unread.
    expect((await statOf("S200001"))?.file_mtime_ns).toBe(String(BigInt(touched.getTime()) * 1_000_000n))
    expect(inode(path.join(folder2, "S200002.xlsx"))).not.toBe(inode(s2))
    expect(await headingOf(path.join(folder2, "S200002.xlsx"))).toContain("2023年10月2日 現在")
    expect(await sellerListRows(path.join(folder2, "S200002.xlsx"))).toContainEqual(["PS-00000102", new Date("2023-08-10T00:00:00Z"), "未着", "I1", "新刊H", 1])
    await expectSameAsFullRewrite(day2, "2023-10-02")

    // S200001's file is changed in place and its mtime set back: its stat is as recorded, so it is carried unread.
    const carried = path.join(folder2, "S200001.xlsx")
    const bytes1 = fs.readFileSync(carried)
    const fd1 = fs.openSync(carried, "r+")
    fs.writeSync(fd1, Buffer.from([bytes1[100]! ^ 0xff]), 0, 1, 100)
    fs.closeSync(fd1)
    fs.utimesSync(carried, touched, touched)
    const day3 = writeInbox({ "parcels_20231003.csv": parcelsCsv(parcel("IN-102", "2023/10/03", "S200002", "PS-00000102", 1)) })
    const third = await runPipeline(url, { inbox: day3, outDir: out, asOf: "2023-10-03" })
    expect(third.sellerLists).toEqual({ written: 0, carried: 1 })
    const kept = path.join(out, "2023-10-03", "sellers", "S200001.xlsx")
    expect(inode(kept)).toBe(inode(s1))
    expect(fs.readFileSync(kept)[100]).toBe(bytes1[100]! ^ 0xff)
  })
})
