// A night reads again only the sellers whose list can have changed (docs/reports.md,
// carried lists), and its sellers/ folder is still the one a full run makes: the same
// random sequences of nightly drops as test/nightly/incremental.test.ts, with more
// sellers, run on one database as the nightly job runs and on another with --full, each
// into its own folder (with orders awaited from every seller, and an item of a listed
// order renamed each night), leave after
// every night the same lists (files, rows, heading date, which were written tonight and
// which carried) and the same seller-list record; a carried file is the very file
// published before (same bytes, same inode).
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { crlf, type FileContent, tempDir, writeInbox } from "../support/inbox.ts"
import { nights, staffBetweenNights } from "../support/nightlyDrops.ts"
import { seededRandom, type Random } from "../support/randomShipping.ts"
import { sellerListRows } from "../support/sellerList.ts"
import { createTestDatabase, query, runPipeline } from "../support/testDatabase.ts"

const sellers = Array.from({ length: 12 }, (_, i) => `S1002${String(i).padStart(2, "0")}`)

interface RecordedList {
  readonly seller_id: string
  readonly content: string
  readonly written_as_of: string
  readonly written_run: number
  readonly list_format: number
  readonly file: string
  readonly file_sha256: string
  readonly ino: string
}

/** The seller-list record, with the published path as <as_of>/sellers/<file> (each database has its own folder). */
const recordedLists = (url: string) =>
  query<RecordedList>(
    url,
    `SELECT seller_id, encode(content_sha256, 'hex') AS content, written_as_of::text, written_run::int, list_format,
            regexp_replace(published_path, '^.*/([^/]+/sellers/[^/]+)$', '\\1') AS file, encode(file_sha256, 'hex') AS file_sha256,
            file_ino AS ino
     FROM seller_lists ORDER BY seller_id`
  )

const listedOrders = (url: string) => query(url, "SELECT seller_id, order_id, short FROM seller_list_orders ORDER BY order_id, short")

const listsIn = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [])
const sha256Of = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex")

// Orders no parcel has come for yet, a few per seller, sent with the first night: lists
// that mostly stay as they are, so that a night has lists to carry unread.
const awaitedOrders = (files: Record<string, FileContent>, stamp: string) => {
  const ids = sellers.flatMap((seller, i) => [0, 1].map((k) => ({ id: `PS-0009${String(i * 2 + k).padStart(4, "0")}`, seller })))
  const add = (name: string, header: string, lines: ReadonlyArray<string>) => {
    const given = files[name]
    files[name] = typeof given === "string" ? given + crlf(...lines) : crlf(header, ...lines)
  }
  add(`orders_${stamp}.csv`, "order_id,ordered_at,seller_id,circle_name,buyer_id,shipping_method,status,total_amount",
    ids.map((o) => `${o.id},2023-09-01T10:00:00+09:00,${o.seller},サークル${o.seller},B2023311,pictspace_anonymous,awaiting_shipment,1500`))
  add(`order_items_${stamp}.csv`, "order_id,item_id,item_name,quantity,unit_price", ids.map((o) => `${o.id},I1,既刊,1,500`))
}

// An item of a listed order renamed in tonight's export: the order's findings stay as
// they are, only its list's rows change (the night's scope must bring its seller).
const renameListedItem = async (url: string, random: Random, files: Record<string, FileContent>, stamp: string) => {
  const [item] = await query<{ order_id: string; item_id: string; item_name: string; quantity: number; unit_price: string }>(
    url,
    `SELECT oi.order_id, oi.item_id, oi.item_name, oi.quantity, oi.unit_price
     FROM seller_list_orders k JOIN order_items oi ON oi.order_id = k.order_id
     ORDER BY md5(oi.order_id || oi.item_id || $1) LIMIT 1`,
    [String(random.int(0, 1_000_000))]
  )
  if (item === undefined) return
  const name = `order_items_${stamp}.csv`
  const line = `${item.order_id},${item.item_id},${item.item_name}・改,${item.quantity},${item.unit_price}`
  const given = files[name]
  files[name] = typeof given === "string" ? given + crlf(line) : crlf("order_id,item_id,item_name,quantity,unit_price", line)
}

// Now and then a published list is gone before the next night (removed by hand), in both folders alike.
const removeOneList = (random: Random, folders: ReadonlyArray<string>) => {
  const names = listsIn(folders[0]!)
  if (names.length === 0 || !random.chance(0.3)) return
  const name = random.pick(names)
  for (const folder of folders) fs.rmSync(path.join(folder, name), { force: true })
}

describe("seller lists on incremental nights", () => {
  for (const seed of [11, 12]) {
    it(`are the lists a full run leaves, reading only the sellers whose list can have changed (seed ${seed})`, async () => {
      const random = seededRandom(seed)
      const sequence = nights(random, 5, sellers)
      const incremental = await createTestDatabase()
      const full = await createTestDatabase()
      const incrementalOut = tempDir()
      const fullOut = tempDir()
      const narrower: Array<string> = []
      for (const [night, { asOf, files }] of sequence.entries()) {
        const label = `night ${night + 1} (${asOf})`
        if (night === 0) awaitedOrders(files, asOf.replaceAll("-", ""))
        if (night > 0) await renameListedItem(incremental, seededRandom(seed * 1000 + night), files, asOf.replaceAll("-", ""))
        const inbox = writeInbox(files)
        // The record before tonight (none before the first run has made the tables).
        const before = new Map((night === 0 ? [] : await recordedLists(incremental)).map((l) => [l.seller_id, l]))
        const a = await runPipeline(incremental, { inbox, outDir: incrementalOut, asOf })
        const b = await runPipeline(full, { inbox, outDir: fullOut, asOf, full: true })
        expect([a.exitCode, b.exitCode], label).toEqual([0, 0])
        expect(b.sellersRead, label).toBe("all")
        if (night > 0) {
          expect(a.mode._tag, label).toBe("incremental")
          expect(a.sellersRead, label).not.toBe("all")
          narrower.push(`${a.sellersRead} read, ${a.sellerFiles} lists`)
        }
        expect(a.sellerLists, label).toEqual(b.sellerLists)
        expect(a.sellerFiles, label).toBe(b.sellerFiles)
        const lists = await recordedLists(incremental)
        const strip = (l: RecordedList) => ({ ...l, file_sha256: undefined, ino: undefined })
        expect(lists.map(strip), label).toEqual((await recordedLists(full)).map(strip))
        expect(await listedOrders(incremental), label).toEqual(await listedOrders(full))
        const incrementalFolder = path.join(incrementalOut, asOf, "sellers")
        const fullFolder = path.join(fullOut, asOf, "sellers")
        expect(listsIn(incrementalFolder), label).toEqual(listsIn(fullFolder))
        expect(listsIn(incrementalFolder), label).toEqual(lists.map((l) => path.basename(l.file)).sort())
        for (const list of lists) {
          const name = path.basename(list.file)
          const file = path.join(incrementalFolder, name)
          expect(await sellerListRows(file), `${label}: ${name}`).toEqual(await sellerListRows(path.join(fullFolder, name)))
          expect(sha256Of(file), `${label}: ${name} as recorded`).toBe(list.file_sha256)
          if (list.written_run !== a.runId) {
            // Carried: the file published before, not a copy of it.
            const previous = before.get(list.seller_id)
            expect(previous?.file_sha256, `${label}: ${name} carried`).toBe(list.file_sha256)
            expect(String(fs.statSync(file).ino), `${label}: ${name} carried`).toBe(previous?.ino)
          }
        }
        const staff = seededRandom(seed * 100 + night)
        await staffBetweenNights(incremental, staff)
        await staffBetweenNights(full, seededRandom(seed * 100 + night))
        removeOneList(staff, [incrementalFolder, fullFolder])
      }
      // The point of it: some night carried lists without reading their sellers' rows.
      expect(narrower.some((n) => Number(n.split(" ")[0]) < Number(n.split(" ")[2])), narrower.join("; ")).toBe(true)
    })
  }
})
