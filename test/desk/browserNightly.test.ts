/// <reference lib="dom" />
// The desk page on the real Desk (DeskLive, the nightly run's shipping rules) in headless
// Chromium, typed into like a scanner: the decisions the page shows for a scenario's
// parcels, and the findings the next nightly run raises for the same lines, both equal
// what the spec says for each case (docs/findings.md).
import { Option } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { deskLayer } from "../../src/App.ts"
import { todayInJapan } from "../../src/Domain/BusinessDay.ts"
import { address, item, order, outDir, writeInbox } from "../shipping/inbox.ts"
import { createTestDatabase, databaseLayer, query, raisedFindings, runPipeline } from "../support/testDatabase.ts"
import { focused, launchChromium, runBrowserTests, scan } from "./support/browser.ts"
import { type RunningDesk, startDesk } from "./support/deskServer.ts"

const today = todayInJapan(new Date())

const scenario = {
  orders: [
    order("PS-00000001", "S000001", "サークル青空"),
    order("PS-00000002", "S000001", "サークル青空"),
    order("PS-00000003", "S000002", "月光堂", "cancelled"),
    order("PS-00000004", "S000002", "月光堂", "awaiting_shipment", "direct"),
    order("PS-00000015", "S000003", "星見書房")
  ],
  items: [
    item("PS-00000001", "I1", "新刊", 1),
    item("PS-00000002", "I1", "缶バッジ", 3),
    item("PS-00000003", "I1", "新刊", 1),
    item("PS-00000004", "I1", "新刊", 1),
    item("PS-00000015", "I1", "コピー本", 2)
  ],
  addresses: [address("PS-00000001", "山田 花子", "神南1-2-3"), address("PS-00000015", "鈴木 一郎", "宇田川町4-5")]
}

/** One parcel through the page, as a scanner types it; the verdicts it shows. */
const scanParcel = async (page: Page, parcel: { tracking: string; orders: ReadonlyArray<readonly [string, number]>; seller: string }) => {
  expect(await focused(page)).toBe("tracking")
  const before = await page.$eval("#resultTitle", (el) => el.textContent ?? "")
  await scan(page, parcel.tracking)
  for (const [orderId, count] of parcel.orders) {
    await scan(page, orderId)
    await page.keyboard.press("Control+A")
    await scan(page, String(count))
  }
  await scan(page, "END")
  await scan(page, parcel.seller)
  await page.keyboard.press("Enter") // 状態: 良好
  await scan(page, "")
  await page.waitForFunction((previous) => {
    const title = document.getElementById("resultTitle")?.textContent ?? ""
    return title !== previous && title.startsWith("判定 IN-")
  }, before)
  const parcelId = (await page.$eval("#resultTitle", (el) => el.textContent ?? "")).replace("判定 ", "")
  const verdicts = await page.$$eval("#decisions .decision .verdict", (els) => els.map((e) => e.textContent))
  return { parcelId, verdicts }
}

describe.skipIf(!runBrowserTests)("the desk page on the real Desk, and the next nightly run", () => {
  let url: string
  let desk: RunningDesk
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    url = await createTestDatabase()
    await runPipeline(url, { inbox: writeInbox(scenario, "20230901"), outDir: outDir(), asOf: today })
    desk = await startDesk({ host: "127.0.0.1", port: 0, password: Option.none() }, deskLayer(databaseLayer(url)))
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "ja-JP" })
    await page.goto(`${desk.url}/`)
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.close()
  })

  it("shows each order's decision at once, and the next run raises the findings those decisions stand for", async () => {
    const a = await scanParcel(page, { tracking: "1111-0000-0001", seller: "S000001", orders: [["ps00000001", 1], ["PS-00000002", 1]] })
    expect(a.verdicts).toEqual(["再発送へ", "保留（あと 2 点）"])
    expect(await page.textContent("#decisions .decision.ready .label")).toContain("山田 花子 様")
    const b = await scanParcel(page, { tracking: "1111-0000-0002", seller: "S000002", orders: [["PS-00000003", 1], ["PS-00000004", 1]] })
    expect(b.verdicts).toEqual(["返送（キャンセル済み）", "確認（配送方法）"])
    expect(await page.$$eval("#decisions .label", (labels) => labels.length)).toBe(0)
    // The same slip scanned again.
    const c = await scanParcel(page, { tracking: "1111-0000-0001", seller: "S000001", orders: [["PS-00000001", 1]] })
    expect(c.verdicts).toEqual(["二重スキャン"])
    const d = await scanParcel(page, { tracking: "1111-0000-0003", seller: "S000003", orders: [["PS-00000016", 2]] })
    expect(d.verdicts).toEqual(["見つかりません"])
    expect(await page.textContent("#decisions .candidates li")).toContain("PS-00000015")
    expect(await focused(page)).toBe("pick")
    await page.screenshot({ path: path.join(os.tmpdir(), "desk-live-candidates.png") })
    await scan(page, "1")
    await page.waitForFunction(() => document.querySelector("#decisions .verdict")?.textContent === "再発送へ")
    expect(await focused(page)).toBe("tracking")
    await page.screenshot({ path: path.join(os.tmpdir(), "desk-live-picked.png") })

    // Saved as parcel lines, with distinct 受付番号 of today.
    const ids = [a.parcelId, b.parcelId, c.parcelId, d.parcelId]
    expect(new Set(ids).size).toBe(4)
    for (const id of ids) expect(id).toMatch(new RegExp(`^IN-${today.replaceAll("-", "")}-\\d{4}$`))
    const lines = await query<{ parcel_id: string; order_ref: string; item_count: number }>(
      url,
      "SELECT parcel_id, order_ref, item_count FROM parcel_lines ORDER BY parcel_id, order_ref"
    )
    expect(lines.filter((l) => ids.includes(l.parcel_id)).map((l) => `${l.parcel_id} ${l.order_ref} ${l.item_count}`)).toEqual([
      `${a.parcelId} PS-00000001 1`,
      `${a.parcelId} PS-00000002 1`,
      `${b.parcelId} PS-00000003 1`,
      `${b.parcelId} PS-00000004 1`,
      `${c.parcelId} PS-00000001 1`,
      `${d.parcelId} PS-00000015 2`
    ])

    // The next night, from an empty inbox: the same answers as findings.
    await runPipeline(url, { inbox: writeInbox({}, "20230902"), outDir: outDir(), asOf: today })
    const findings = await raisedFindings(url, "SHIP_")
    expect(findings).toEqual(expect.arrayContaining([
      `SHIP_READY PS-00000001 ${a.parcelId}`,
      `SHIP_COUNT_SHORT PS-00000002 ${a.parcelId}`,
      `SHIP_ORDER_CANCELLED PS-00000003 ${b.parcelId}`,
      `SHIP_METHOD_NOT_ANONYMOUS PS-00000004 ${b.parcelId}`,
      `SHIP_DUPLICATE_SCAN ${c.parcelId} PS-00000001`,
      `SHIP_READY PS-00000015 ${d.parcelId}`
    ]))
    expect(findings.filter((f) => f.startsWith("SHIP_UNKNOWN_ORDER"))).toEqual([])
  })
})
