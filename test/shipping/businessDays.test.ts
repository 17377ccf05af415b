// SHIP_NOT_RESHIPPED: more than 2 bank business days after the Japan date the last
// parcel arrived, counting the days after that date up to and including as_of.
import { describe, expect, it } from "vitest"
import { detailOf, item, order, parcel, reship, runShipping } from "./inbox.ts"

const readyOrder = (receivedAt: ReadonlyArray<string>, asOf: string) =>
  runShipping({
    orders: [order("PS-00412388", "S104233", "サークル青空")],
    items: [item("PS-00412388", "I1", "夏の新刊セット", receivedAt.length)],
    parcels: receivedAt.map((at, i) => parcel(`IN-${i + 1}`, at, `4410-0000-000${i + 1}`, "S104233", "PS-00412388", 1))
  }, asOf)

const ready = (parcelId: string) => `SHIP_READY PS-00412388 ${parcelId}`
const overdue = (parcelId: string) => `SHIP_NOT_RESHIPPED PS-00412388 ${parcelId}`

describe("SHIP_NOT_RESHIPPED", () => {
  it("is not raised at 2 business days: arrived Fri 9/1, as of Tue 9/5", async () => {
    const { findings } = await readyOrder(["2023/09/01 10:12"], "2023-09-05")
    expect(findings).toEqual([ready("IN-1")])
  })

  it("is raised at 3 business days, and the order keeps SHIP_READY: arrived Thu 8/31, as of Tue 9/5", async () => {
    const { url, findings } = await readyOrder(["2023/08/31 14:05"], "2023-09-05")
    expect(findings).toEqual([overdue("IN-1"), ready("IN-1")])
    expect(await detailOf(url, "SHIP_NOT_RESHIPPED", "PS-00412388")).toEqual([
      "注文 PS-00412388 は 2023/08/31 に最後の荷物（受付 IN-1）が届いてから 2 営業日を過ぎても再発送されていないため、至急再発送してください"
    ])
  })

  it("skips a national holiday: arrived Fri 9/15, Mon 9/18 is 敬老の日, as of Wed 9/20 is 2", async () => {
    const { findings } = await readyOrder(["2023/09/15 16:00"], "2023-09-20")
    expect(findings).toEqual([ready("IN-1")])
  })

  it("counts past the holiday: arrived Fri 9/15, as of Thu 9/21 is 3", async () => {
    const { findings } = await readyOrder(["2023/09/15 16:00"], "2023-09-21")
    expect(findings).toEqual([overdue("IN-1"), ready("IN-1")])
  })

  it("skips the banks' year-end closure: arrived Thu 12/28, as of Thu 1/4 is 2 (12/29, 1/4)", async () => {
    const { findings } = await readyOrder(["2023/12/28 11:00"], "2024-01-04")
    expect(findings).toEqual([ready("IN-1")])
  })

  it("takes the arrival day in Japan time: Fri 00:10 JST is still Friday", async () => {
    const { findings } = await readyOrder(["2023/09/01 00:10"], "2023-09-05")
    expect(findings).toEqual([ready("IN-1")])
  })

  it("counts from the last parcel of a split order", async () => {
    const { findings } = await readyOrder(["2023/08/28 10:00", "2023/09/01 10:00"], "2023-09-05")
    expect(findings).toEqual([ready("IN-2")])
  })

  it("is not raised once the order is re-shipped", async () => {
    const { findings } = await runShipping({
      orders: [order("PS-00412388", "S104233", "サークル青空")],
      items: [item("PS-00412388", "I1", "夏の新刊セット", 1)],
      parcels: [parcel("IN-1", "2023/08/28 10:00", "4410-0000-0001", "S104233", "PS-00412388", 1)],
      reshipments: [reship("PS-00412388", "489000000001", "2023-09-04T10:00:00+09:00")]
    })
    expect(findings).toEqual(["SHIP_RESHIPPED PS-00412388 489000000001"])
  })
})
