import { describe, expect, it } from "vitest"
import { displayFileName, escapeControls } from "../../src/Domain/Display.ts"

describe("names shown on a terminal", () => {
  it.each([
    ["orders_20230901.csv", "orders_20230901.csv"],
    ["注文_夏.csv", "注文_夏.csv"],
    ["orders_\u001b[2J.csv", "orders_\\x1b[2J.csv"],
    ["orders\n_x\r.csv", "orders\\x0a_x\\x0d.csv"],
    ["orders_\u007f\u009b.csv", "orders_\\x7f\\x9b.csv"],
    ["orders_\u202evsc.exe", "orders_\\u202evsc.exe"]
  ])("%j is shown as %j", (name, shown) => {
    expect(escapeControls(name)).toBe(shown)
  })

  it("shows the bytes of a name that is not UTF-8, and says so", () => {
    expect(displayFileName(Buffer.from([0x6f, 0x5f, 0xe9, 0x2e, 0x63, 0x73, 0x76]))).toEqual({ name: "o_\\xe9.csv", validUtf8: false })
    expect(displayFileName(Buffer.from("o_é.csv"))).toEqual({ name: "o_é.csv", validUtf8: true })
  })
})
