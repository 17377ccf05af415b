/// <reference lib="dom" />
// The desk page in a real headless Chromium, typed into like a keyboard-wedge scanner
// (characters, then Enter; no mouse): the focus goes where the next scan goes, each order
// gets its decision at once, an unknown id offers its candidates to pick by number, and
// the lines are saved as scanned. Screenshots land in the temp folder for a person to look at.
import { Option } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import type { Browser, Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { focused, launchChromium, runBrowserTests, scan } from "./support/browser.ts"
import { type RunningDesk, startDesk } from "./support/deskServer.ts"
import { memoryDesk } from "./support/memoryDesk.ts"
import { todayInJapan } from "../../src/Domain/BusinessDay.ts"

const shot = (name: string) => path.join(os.tmpdir(), `desk-${name}.png`)

const verdicts = (page: Page) => page.$$eval("#decisions .decision .verdict", (els) => els.map((e) => e.textContent))

/** Waits for the decisions of the parcel just sent (the title names its 受付番号). */
const decisionsAfter = async (page: Page, previousTitle: string) => {
  await page.waitForFunction((before) => {
    const title = document.getElementById("resultTitle")?.textContent ?? ""
    return title !== before && title.startsWith("判定 IN-")
  }, previousTitle)
  return verdicts(page)
}

const title = (page: Page) => page.$eval("#resultTitle", (el) => el.textContent ?? "")

describe.skipIf(!runBrowserTests)("the desk page in headless Chromium, typed into like a scanner", () => {
  // The page asks for today's lines (Japan time).
  const today = todayInJapan(new Date())
  const stamp = today.replaceAll("-", "")
  const memory = memoryDesk({ date: today })
  let desk: RunningDesk
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    desk = await startDesk({ host: "127.0.0.1", port: 0, password: Option.none() }, memory.layer)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: "ja-JP" })
    await page.goto(`${desk.url}/`)
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.close()
  })

  it("starts on 伝票番号 and walks the fields with Enter, then shows each order's decision and returns to 伝票番号", async () => {
    expect(await focused(page)).toBe("tracking")
    await scan(page, "1234-5678-9012")
    expect(await focused(page)).toBe("orderId")
    await scan(page, "ps00000001")
    expect(await focused(page)).toBe("count")
    expect(await page.inputValue("#count")).toBe("1")
    await scan(page, "") // the default: 1
    expect(await focused(page)).toBe("orderId")
    await scan(page, "PS-00000002")
    await scan(page, "1")
    expect(await page.$$eval("#lines tr", (rows) => rows.map((r) => r.textContent))).toEqual(["1ps000000011", "2PS-000000021"])
    await scan(page, "") // no more orders in this parcel
    expect(await focused(page)).toBe("seller")
    await scan(page, "S000001")
    expect(await focused(page)).toBe("condition")
    await page.keyboard.press("2")
    expect(await page.$eval("#condition [aria-checked=true]", (el) => el.textContent)).toBe("2 破損")
    await page.keyboard.press("Enter")
    expect(await focused(page)).toBe("note")
    const before = await title(page)
    await scan(page, "角がへこみ")
    expect(await decisionsAfter(page, before)).toEqual(["再発送へ", "保留（あと 2 点）"])
    // The label fields only on the ready order.
    expect(await page.$$eval("#decisions .decision", (cards) => cards.map((c) => c.querySelector(".label") !== null))).toEqual([true, false])
    expect(await page.textContent("#decisions .decision.ready .label")).toContain("山田花子 様")
    expect(await focused(page)).toBe("tracking")
    await page.screenshot({ path: shot("1-decisions"), fullPage: true })
    expect(memory.state.intakes.at(-1)).toMatchObject({
      trackingNo: "1234-5678-9012",
      sellerId: "S000001",
      condition: "破損",
      note: "角がへこみ",
      orders: [{ orderIdTyped: "ps00000001", itemCount: 1 }, { orderIdTyped: "PS-00000002", itemCount: 1 }]
    })
  })

  it("answers return, check and double scan, with the END code ending the orders", async () => {
    await scan(page, "2222-0000-0001")
    for (const id of ["PS-00000003", "PS-00000004", "PS-00000001"]) {
      await scan(page, id)
      await scan(page, "")
    }
    await scan(page, "END")
    expect(await focused(page)).toBe("seller")
    await scan(page, "")
    await page.keyboard.press("Enter") // 状態: 良好
    const before = await title(page)
    await scan(page, "")
    expect(await decisionsAfter(page, before)).toEqual(["返送（キャンセル済み）", "確認（配送方法）", "二重スキャン"])
    expect(await page.$$eval("#decisions .label", (labels) => labels.length)).toBe(0)
    expect(await page.textContent("#decisions .decision.double")).toContain(`最初の受付: IN-${stamp}-0001`)
    expect(await focused(page)).toBe("tracking")
  })

  it("lists an unknown id's candidates, picks one by its number, and corrects the saved line", async () => {
    await scan(page, "3333-0000-0001")
    await scan(page, "PS-00000016")
    await scan(page, "2")
    await scan(page, "")
    await scan(page, "S000003")
    await page.keyboard.press("Enter")
    const before = await title(page)
    await scan(page, "")
    expect(await decisionsAfter(page, before)).toEqual(["見つかりません"])
    expect(await page.textContent("#decisions .candidates li")).toContain("PS-00000015")
    expect(await page.textContent("#decisions .candidates li")).toContain("頒布者一致")
    expect(await focused(page)).toBe("pick")
    await page.screenshot({ path: shot("2-candidates"), fullPage: true })
    // A scan that is not a candidate's number picks nothing.
    await scan(page, "4444-0000-0001")
    expect(await page.textContent("#error")).toBe("候補の番号（1〜1）か 0 を入力してください。")
    expect(await focused(page)).toBe("pick")
    await scan(page, "1")
    await page.waitForFunction(() => document.querySelector("#decisions .verdict")?.textContent === "再発送へ")
    expect(await focused(page)).toBe("tracking")
    expect(memory.state.audit.at(-1)).toMatch(new RegExp(`^訂正 IN-${stamp}-0003 PS-00000016 → PS-00000015 候補から選択 `))
  })

  it("shows a refused parcel's reason as one sentence on the page", async () => {
    await scan(page, "0000")
    await scan(page, "PS-00000015")
    await scan(page, "")
    await scan(page, "")
    await scan(page, "")
    await page.keyboard.press("Enter")
    await scan(page, "")
    await page.waitForSelector("#error:not([hidden])")
    expect(await page.textContent("#error")).toBe("伝票番号 0000 は使えません")
    // The focus goes back to the field the sentence names.
    expect(await focused(page)).toBe("tracking")
    await page.screenshot({ path: shot("3-error"), fullPage: true })
    await page.keyboard.press("Escape")
    expect(await focused(page)).toBe("tracking")
    expect(await page.$$eval("#lines tr", (rows) => rows.map((r) => r.textContent))).toEqual(["まだ注文はありません"])
  })

  it("lists today's lines, withdraws one from the keyboard, and offers the day's CSV", async () => {
    await page.waitForFunction(() => document.querySelectorAll("#today tr").length === 6)
    // The newest first: the corrected line of the third parcel.
    expect(await page.$eval("#today tr", (row) => row.textContent)).toContain("PS-00000015")
    await page.focus("#today tr:nth-child(1) button:nth-of-type(2)")
    await page.keyboard.press("Enter")
    expect(await focused(page)).toBe("editReason")
    await scan(page, "伝票の読み違い")
    await page.waitForFunction(() => document.querySelector("#today tr")?.classList.contains("withdrawn") === true)
    expect(await focused(page)).toBe("tracking")
    expect(memory.state.audit.at(-1)).toMatch(new RegExp(`^取消 IN-${stamp}-0003 PS-00000015 伝票の読み違い `))
    expect(await page.getAttribute("#csv", "href")).toBe(`/day.csv?date=${today}`)
    const csv = await page.evaluate(async (href) => [...new Uint8Array(await (await fetch(href)).arrayBuffer())], `/day.csv?date=${today}`)
    expect(Buffer.from(csv).toString("utf8").startsWith("\uFEFF受付番号,受付日時,配送業者,伝票番号")).toBe(true)
    await page.screenshot({ path: shot("4-today"), fullPage: true })
  })
})
