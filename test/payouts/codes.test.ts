// Each PAY_ code on the smallest inbox that raises it, and the look-alikes that must
// not raise anything but PAY_MATCHED. Every test asserts the exact set of PAY_ findings.
// Schedule of inputs.md: requested 8/7–8/13 → bank due 8/21 (Mon), LINE Pay 9/1 (Fri);
// 8/14–8/16 → bank 9/1, LINE Pay 9/3 (Sun) → 9/4. as_of 2023-09-05 unless said.
import { describe, expect, it } from "vitest"
import { tempDir } from "../support/inbox.ts"
import { createTestDatabase, query, runPipeline } from "../support/testDatabase.ts"
import {
  accountA,
  accountB,
  amazonRequest,
  bankRequest,
  bankTransfer,
  linePayRequest,
  linePayTransfer,
  type PayoutInbox,
  payoutFindings,
  writePayoutInbox
} from "./payoutInbox.ts"

// Each test makes its own database, so the tests of a describe run concurrently.
/** The findings with their detail, for the tests that read what staff read. */
const findingsWithDetail = async (inbox: PayoutInbox, asOf = "2023-09-05") => {
  const url = await createTestDatabase()
  await runPipeline(url, { inbox: writePayoutInbox(inbox), outDir: tempDir(), asOf })
  return await query<{ code: string; subject_id: string; related_id: string; detail: string }>(
    url,
    "SELECT code, subject_id, related_id, detail FROM findings WHERE code LIKE 'PAY_%' ORDER BY 1, 2, 3"
  )
}

const window1Bank = (id: string, amount = 12300, extra: Partial<Parameters<typeof bankRequest>[1]> = {}) =>
  bankRequest(id, { amount, at: "2023-08-07 11:02", ...extra })

describe.concurrent("PAY_MATCHED", () => {
  it("is raised for one completed transfer by reference, same amount, account and name, on time", async () => {
    expect(await payoutFindings({
      requests: [window1Bank("2308070001")],
      bank: [bankTransfer("20230821-000101", { date: "2023/08/21", amount: 12300, code: "2308070001" })]
    })).toEqual(["PAY_MATCHED 2308070001 20230821-000101"])
  })

  it("is raised for a LINE Pay payout matched on its reference, keeping the 19-digit id as text", async () => {
    expect(await payoutFindings({
      requests: [linePayRequest("2308070003", { amount: 3300, at: "2023-08-07 22:18" })],
      linePay: [linePayTransfer("9999999999999999999", { at: "2023-09-01 14:03", amount: 3300, reference: "2308070003" })]
    })).toEqual(["PAY_MATCHED 2308070003 9999999999999999999"])
  })
})

describe.concurrent("PAY_PENDING", () => {
  it("is raised while as_of is not past the due date, the due date itself included", async () => {
    const inbox = { requests: [bankRequest("2308140001", { amount: 9900, at: "2023-08-14 17:30" })] }
    expect(await payoutFindings(inbox, "2023-08-31")).toEqual(["PAY_PENDING 2308140001"])
    expect(await payoutFindings(inbox, "2023-09-01")).toEqual(["PAY_PENDING 2308140001"])
  })

  it("is raised for an unpaid request that no window covers, however late it is", async () => {
    expect(await payoutFindings({
      requests: [
        bankRequest("2308200001", { amount: 10000, at: "2023-08-20 15:00" }),
        linePayRequest("2308180001", { amount: 1800, at: "2023-08-18 12:40" })
      ]
    }, "2024-03-01")).toEqual(["PAY_PENDING 2308180001", "PAY_PENDING 2308200001"])
  })
})

describe.concurrent("PAY_DEFERRED", () => {
  it("is raised for an unpaid request of a deferred method, inside or outside a window", async () => {
    expect(await payoutFindings({
      requests: [
        amazonRequest("2308080005", { amount: 3000, at: "2023-08-08 10:10" }),
        amazonRequest("2308200002", { amount: 5000, at: "2023-08-20 21:30" })
      ]
    })).toEqual(["PAY_DEFERRED 2308080005", "PAY_DEFERRED 2308200002"])
  })
})

describe.concurrent("PAY_UNPAID_OVERDUE", () => {
  it("is raised the day after the due date with nothing paid", async () => {
    const inbox = { requests: [window1Bank("2308120003", 11000)] }
    expect(await payoutFindings(inbox, "2023-08-21")).toEqual(["PAY_PENDING 2308120003"])
    expect(await payoutFindings(inbox, "2023-08-22")).toEqual(["PAY_UNPAID_OVERDUE 2308120003"])
  })

  it("is raised when the only transfer was cancelled (取消 is no failure and moved no money)", async () => {
    expect(await payoutFindings({
      requests: [window1Bank("2308130002", 7200)],
      bank: [bankTransfer("20230821-000119", { date: "2023/08/21", amount: 7200, code: "2308130002", result: "取消" })]
    })).toEqual(["PAY_UNPAID_OVERDUE 2308130002"])
  })
})

describe.concurrent("PAY_TRANSFER_FAILED", () => {
  it("is raised, naming the failed transfer, when the request's only transfer failed", async () => {
    const found = await findingsWithDetail({
      requests: [window1Bank("2308130001", 4400)],
      bank: [bankTransfer("20230821-000118", { date: "2023/08/21", amount: 4400, code: "2308130001", result: "不能", reason: "解約済" })]
    })
    expect(found.map((f) => `${f.code} ${f.subject_id} ${f.related_id}`)).toEqual(["PAY_TRANSFER_FAILED 2308130001 20230821-000118"])
    expect(found[0]!.detail).toContain("解約済")
    expect(found[0]!.detail).toContain("利用者へ連絡")
  })

  it("names every failed transfer, sorted and comma-separated, and ignores a cancelled one", async () => {
    expect(await payoutFindings({
      requests: [window1Bank("2308130001", 4400)],
      bank: [
        bankTransfer("20230828-000201", { date: "2023/08/28", amount: 4400, code: "2308130001", result: "不能" }),
        bankTransfer("20230821-000118", { date: "2023/08/21", amount: 4400, code: "2308130001", result: "不能" }),
        bankTransfer("20230825-000150", { date: "2023/08/25", amount: 4400, code: "2308130001", result: "取消" })
      ]
    })).toEqual(["PAY_TRANSFER_FAILED 2308130001 20230821-000118, 20230828-000201"])
  })

  it("is raised for a failed LINE Pay payout, and for a failed hand-keyed transfer aimed at the request", async () => {
    expect(await payoutFindings({
      requests: [
        linePayRequest("2308110004", { amount: 2700, at: "2023-08-11 16:36" }),
        window1Bank("2308110005", 5100)
      ],
      linePay: [linePayTransfer("2023090110000000001", { at: "2023-09-01 14:10", amount: 2700, reference: "2308110004", status: "FAILED" })],
      bank: [bankTransfer("20230821-000130", { date: "2023/08/21", amount: 5100, result: "不能" })]
    })).toEqual([
      "PAY_TRANSFER_FAILED 2308110004 2023090110000000001",
      "PAY_TRANSFER_FAILED 2308110005 20230821-000130"
    ])
  })
})

describe.concurrent("PAY_AMOUNT_MISMATCH", () => {
  it("says under by how much, and that the shortfall equals the transfer's fee", async () => {
    const found = await findingsWithDetail({
      requests: [window1Bank("2308100002", 12300)],
      bank: [bankTransfer("20230821-000107", { date: "2023/08/21", amount: 12155, fee: 145, code: "2308100002" })]
    })
    expect(found.map((f) => `${f.code} ${f.subject_id} ${f.related_id}`)).toEqual(["PAY_AMOUNT_MISMATCH 2308100002 20230821-000107"])
    expect(found[0]!.detail).toContain("145円不足（振込手数料と同額：手数料を差し引いて振り込んだ可能性）")
  })

  it("says under without the fee remark when the shortfall is not the fee", async () => {
    const found = await findingsWithDetail({
      requests: [window1Bank("2308100002", 12300)],
      bank: [bankTransfer("20230821-000107", { date: "2023/08/21", amount: 12000, fee: 145, code: "2308100002" })]
    })
    expect(found.map((f) => f.code)).toEqual(["PAY_AMOUNT_MISMATCH"])
    expect(found[0]!.detail).toContain("300円不足")
    expect(found[0]!.detail).not.toContain("手数料と同額")
  })

  it("says over by how much", async () => {
    const found = await findingsWithDetail({
      requests: [window1Bank("2308100003", 5000)],
      bank: [bankTransfer("20230821-000108", { date: "2023/08/21", amount: 5500, code: "2308100003" })]
    })
    expect(found.map((f) => `${f.code} ${f.subject_id} ${f.related_id}`)).toEqual(["PAY_AMOUNT_MISMATCH 2308100003 20230821-000108"])
    expect(found[0]!.detail).toContain("500円超過")
  })
})

describe.concurrent("PAY_DUPLICATE", () => {
  it("is raised once, naming the completed transfers sorted, when a request was paid by reference and again by hand", async () => {
    expect(await payoutFindings({
      requests: [window1Bank("2308110001", 8000)],
      bank: [
        bankTransfer("20230821-000113", { date: "2023/08/21", amount: 8000 }),
        bankTransfer("20230821-000112", { date: "2023/08/21", amount: 8000, code: "2308110001" })
      ]
    })).toEqual(["PAY_DUPLICATE 2308110001 20230821-000112, 20230821-000113"])
  })
})

describe.concurrent("PAY_ACCOUNT_MISMATCH", () => {
  it("is raised when a referenced transfer went to another account, with both accounts masked", async () => {
    const found = await findingsWithDetail({
      requests: [window1Bank("2308110002", 18000)],
      bank: [bankTransfer("20230821-000114", { date: "2023/08/21", amount: 18000, code: "2308110002", account: accountB })]
    })
    expect(found.map((f) => `${f.code} ${f.subject_id} ${f.related_id}`)).toEqual(["PAY_ACCOUNT_MISMATCH 2308110002 20230821-000114"])
    expect(found[0]!.detail).toContain("0009-123 普通 ****567")
    expect(found[0]!.detail).toContain("0005-041 普通 ****321")
    expect(found[0]!.detail).not.toMatch(/\d{7}/)
  })

  it("says so when the accounts differ only before their last three digits", async () => {
    const found = await findingsWithDetail({
      requests: [window1Bank("2308110002", 18000)],
      bank: [bankTransfer("20230821-000114", {
        date: "2023/08/21", amount: 18000, code: "2308110002", account: { ...accountA, number: "7654567" }
      })]
    })
    expect(found[0]!.detail).toContain("下3桁より前が異なります")
  })

  it("is raised when a referenced LINE Pay payout went to another LINE Pay user", async () => {
    expect(await payoutFindings({
      requests: [linePayRequest("2308070003", { amount: 3300, at: "2023-08-07 22:18", userRef: "LP00000001" })],
      linePay: [linePayTransfer("2023090110000000002", { at: "2023-09-01 14:03", amount: 3300, reference: "2308070003", userRef: "LP00000002" })]
    })).toEqual(["PAY_ACCOUNT_MISMATCH 2308070003 2023090110000000002"])
  })
})

describe.concurrent("PAY_NAME_MISMATCH", () => {
  it("is raised for the same account under another holder name, by reference or keyed by hand", async () => {
    expect(await payoutFindings({
      requests: [
        window1Bank("2308110003", 9600, { holder: "タナカ　ユウキ" }),
        window1Bank("2308080004", 27000, { holder: "タカハシ　ユイ", account: accountB })
      ],
      bank: [
        bankTransfer("20230821-000115", { date: "2023/08/21", amount: 9600, code: "2308110003", holder: "ﾀﾅｶ ﾕｳｺ" }),
        bankTransfer("20230821-000116", { date: "2023/08/21", amount: 27000, account: accountB, holder: "ｻｻｷ ﾕｲ" })
      ]
    })).toEqual([
      "PAY_NAME_MISMATCH 2308080004 20230821-000116",
      "PAY_NAME_MISMATCH 2308110003 20230821-000115"
    ])
  })
})

describe.concurrent("PAY_METHOD_MISMATCH", () => {
  it("is raised for LINE Pay paid by bank and for bank paid by LINE Pay", async () => {
    expect(await payoutFindings({
      requests: [
        linePayRequest("2308100004", { amount: 4000, at: "2023-08-10 12:12" }),
        bankRequest("2308160001", { amount: 8800, at: "2023-08-16 08:20" })
      ],
      bank: [bankTransfer("20230821-000121", { date: "2023/08/21", amount: 4000, code: "2308100004", account: accountB, holder: "ｺﾊﾞﾔｼ ｻｷ" })],
      linePay: [linePayTransfer("2023090115000000003", { at: "2023-09-01 15:00", amount: 8800, reference: "2308160001" })]
    })).toEqual([
      "PAY_METHOD_MISMATCH 2308100004 20230821-000121",
      "PAY_METHOD_MISMATCH 2308160001 2023090115000000003"
    ])
  })
})

describe.concurrent("PAY_LATE", () => {
  it("is raised for a transfer completed after the due date", async () => {
    expect(await payoutFindings({
      requests: [bankRequest("2308120001", { amount: 6500, at: "2023-08-12 09:30" })],
      bank: [bankTransfer("20230825-000031", { date: "2023/08/25", amount: 6500, code: "2308120001" })]
    })).toEqual(["PAY_LATE 2308120001 20230825-000031"])
  })

  it("reads the request's window in Japan time: 8/13 23:40 is window 1, so LINE Pay on 9/4 is late", async () => {
    expect(await payoutFindings({
      requests: [linePayRequest("2308130005", { amount: 5800, at: "2023-08-13 23:40" })],
      linePay: [linePayTransfer("2023090410000000004", { at: "2023-09-04 10:15", amount: 5800, reference: "2308130005" })]
    })).toEqual(["PAY_LATE 2308130005 2023090410000000004"])
  })
})

describe.concurrent("PAY_WITHDRAWN_BUT_PAID", () => {
  it("is raised per completed transfer of a withdrawn request, and nothing else is", async () => {
    expect(await payoutFindings({
      requests: [window1Bank("2308120002", 2000, { status: "withdrawn" })],
      bank: [
        bankTransfer("20230821-000117", { date: "2023/08/21", amount: 2000, code: "2308120002" }),
        bankTransfer("20230825-000140", { date: "2023/08/25", amount: 2100, code: "2308120002", account: accountB })
      ]
    })).toEqual([
      "PAY_WITHDRAWN_BUT_PAID 2308120002 20230821-000117",
      "PAY_WITHDRAWN_BUT_PAID 2308120002 20230825-000140"
    ])
  })
})

describe.concurrent("PAY_ORPHAN_TRANSFER", () => {
  it("is raised for completed transfers that belong to no request, by bank or LINE Pay", async () => {
    expect(await payoutFindings({
      requests: [window1Bank("2308070001", 12300)],
      bank: [
        bankTransfer("20230821-000101", { date: "2023/08/21", amount: 12300, code: "2308070001" }),
        bankTransfer("20230901-000045", { date: "2023/09/01", amount: 15000, account: accountB })
      ],
      linePay: [
        linePayTransfer("2023090411000000005", { at: "2023-09-04 11:00", amount: 4500, userRef: "LPffff0000" }),
        linePayTransfer("2023090116200000006", { at: "2023-09-01 16:20", amount: 2500, reference: "2308079999", userRef: "LPffff0001" })
      ]
    })).toEqual([
      "PAY_MATCHED 2308070001 20230821-000101",
      "PAY_ORPHAN_TRANSFER 20230901-000045",
      "PAY_ORPHAN_TRANSFER 2023090116200000006",
      "PAY_ORPHAN_TRANSFER 2023090411000000005"
    ])
  })

  it("is not raised for a failed or cancelled transfer that belongs to nobody", async () => {
    expect(await payoutFindings({
      bank: [
        bankTransfer("20230821-000123", { date: "2023/08/21", amount: 9100, result: "不能", reason: "口座なし" }),
        bankTransfer("20230821-000124", { date: "2023/08/21", amount: 9100, result: "取消" })
      ]
    })).toEqual([])
  })
})

describe.concurrent("look-alikes that are matched", () => {
  it("matches holder names that differ only in width, spaces, kana, small kana, dashes or company abbreviation", async () => {
    const pairs: ReadonlyArray<readonly [string, string]> = [
      ["ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"],
      ["すずき　はなこ", "ｽｽﾞｷ ﾊﾅｺ"],
      ["キッカワ　ショウ", "ｷﾂｶﾜ ｼﾖｳ"],
      ["ローレンス　ミホ", "ﾛ-ﾚﾝｽ ﾐﾎ"],
      ["株式会社ホシゾラ", "ｶ)ﾎｼｿﾞﾗ"],
      ["ツキミソウ　カブシキガイシャ", "ﾂｷﾐｿｳ(ｶ"],
      ["ユウゲンガイシャ　アサヒ", "ﾕ)ｱｻﾋ"]
    ]
    const accounts = pairs.map((_, i) => ({ ...accountA, number: `100000${i}` }))
    expect(await payoutFindings({
      requests: pairs.map(([holder], i) => window1Bank(`230807010${i}`, 1000 + i, { holder, account: accounts[i]! })),
      bank: pairs.map(([, holder], i) =>
        bankTransfer(`20230821-00020${i}`, { date: "2023/08/21", amount: 1000 + i, holder, account: accounts[i]!, code: `230807010${i}` }))
    })).toEqual(pairs.map((_, i) => `PAY_MATCHED 230807010${i} 20230821-00020${i}`))
  })

  it("matches a request whose failed transfer was paid again on time (the failure to an old account raises nothing)", async () => {
    expect(await payoutFindings({
      requests: [bankRequest("2308140001", { amount: 14000, at: "2023-08-14 09:05" })],
      bank: [
        bankTransfer("20230825-000032", { date: "2023/08/25", amount: 14000, code: "2308140001", account: accountB, result: "不能" }),
        bankTransfer("20230901-000041", { date: "2023/09/01", amount: 14000, code: "2308140001" })
      ]
    })).toEqual(["PAY_MATCHED 2308140001 20230901-000041"])
  })

  it("matches two requests to one account for the same amount paid by two hand-keyed transfers: no duplicate", async () => {
    expect(await payoutFindings({
      requests: [
        bankRequest("2308090002", { amount: 3000, at: "2023-08-09 20:10", holder: "ﾏﾂﾓﾄ ｹﾝ" }),
        bankRequest("2308100001", { amount: 3000, at: "2023-08-10 08:55", holder: "ﾏﾂﾓﾄ ｹﾝ" })
      ],
      bank: [
        bankTransfer("20230821-000110", { date: "2023/08/21", amount: 3000, holder: "ﾏﾂﾓﾄｹﾝ" }),
        bankTransfer("20230821-000111", { date: "2023/08/21", amount: 3000, holder: "ﾏﾂﾓﾄｹﾝ" })
      ]
    })).toEqual(["PAY_MATCHED 2308090002 20230821-000110", "PAY_MATCHED 2308100001 20230821-000111"])
  })

  it("matches a LINE Pay payout due Sunday 9/3 and paid Monday 9/4, after a cancelled attempt", async () => {
    expect(await payoutFindings({
      requests: [linePayRequest("2308150001", { amount: 6000, at: "2023-08-15 11:45" })],
      linePay: [
        linePayTransfer("2023090310000000007", { at: "2023-09-03 10:00", amount: 6000, reference: "2308150001", status: "CANCELLED" }),
        linePayTransfer("2023090409300000008", { at: "2023-09-04 09:30", amount: 6000, reference: "2308150001" })
      ]
    })).toEqual(["PAY_MATCHED 2308150001 2023090409300000008"])
  })

  it("raises nothing for a withdrawn request that was not paid", async () => {
    expect(await payoutFindings({ requests: [window1Bank("2308130003", 1500, { status: "withdrawn" })] }, "2023-08-10"))
      .toEqual([])
    expect(await payoutFindings({ requests: [window1Bank("2308130003", 1500, { status: "withdrawn" })] })).toEqual([])
  })
})

describe.concurrent("combinations findings.md leaves open (docs/payouts.md)", () => {
  it("a deferred request paid anyway is a method mismatch, no longer deferred", async () => {
    expect(await payoutFindings({
      requests: [amazonRequest("2308080005", { amount: 3000, at: "2023-08-08 10:10" })],
      bank: [bankTransfer("20230821-000150", { date: "2023/08/21", amount: 3000, code: "2308080005" })]
    })).toEqual(["PAY_METHOD_MISMATCH 2308080005 20230821-000150"])
  })

  it("a duplicate whose second transfer is also late carries both", async () => {
    expect(await payoutFindings({
      requests: [window1Bank("2308110001", 8000)],
      bank: [
        bankTransfer("20230821-000112", { date: "2023/08/21", amount: 8000, code: "2308110001" }),
        bankTransfer("20230828-000113", { date: "2023/08/28", amount: 8000, code: "2308110001" })
      ]
    })).toEqual([
      "PAY_DUPLICATE 2308110001 20230821-000112, 20230828-000113",
      "PAY_LATE 2308110001 20230828-000113"
    ])
  })

  it("a short and late transfer carries both, and no PAY_MATCHED", async () => {
    expect(await payoutFindings({
      requests: [window1Bank("2308100002", 12300)],
      bank: [bankTransfer("20230825-000107", { date: "2023/08/25", amount: 12155, code: "2308100002" })]
    })).toEqual(["PAY_AMOUNT_MISMATCH 2308100002 20230825-000107", "PAY_LATE 2308100002 20230825-000107"])
  })

  it("a failed transfer before the due date is PAY_TRANSFER_FAILED, not also pending", async () => {
    expect(await payoutFindings({
      requests: [bankRequest("2308140009", { amount: 4000, at: "2023-08-14 10:00" })],
      bank: [bankTransfer("20230825-000160", { date: "2023/08/25", amount: 4000, code: "2308140009", result: "不能" })]
    }, "2023-08-28")).toEqual(["PAY_TRANSFER_FAILED 2308140009 20230825-000160"])
  })

  it("a withdrawn request whose transfer failed raises nothing", async () => {
    expect(await payoutFindings({
      requests: [window1Bank("2308120002", 2000, { status: "withdrawn" })],
      bank: [bankTransfer("20230821-000117", { date: "2023/08/21", amount: 2000, code: "2308120002", result: "不能" })]
    })).toEqual([])
  })

  it("a bank request paid by LINE Pay to nobody's wallet is a method mismatch only (accounts compare within a channel)", async () => {
    expect(await payoutFindings({
      requests: [bankRequest("2308160001", { amount: 8800, at: "2023-08-16 08:20" })],
      linePay: [linePayTransfer("2023090115000000009", { at: "2023-09-01 15:00", amount: 8800, reference: "2308160001", userRef: "LPzzzz" })]
    })).toEqual(["PAY_METHOD_MISMATCH 2308160001 2023090115000000009"])
  })
})

describe.concurrent("across runs", () => {
  it("keeps a finding's identity and first-seen date while the facts stay, and closes it when they change", async () => {
    const url = await createTestDatabase()
    const outDir = tempDir()
    const requests = [window1Bank("2308110001", 8000), window1Bank("2308120003", 11000, { account: accountB })]
    await runPipeline(url, {
      inbox: writePayoutInbox({
        requests,
        bank: [
          bankTransfer("20230821-000112", { date: "2023/08/21", amount: 8000, code: "2308110001" }),
          bankTransfer("20230821-000113", { date: "2023/08/21", amount: 8000 })
        ],
        stamp: "20230822"
      }),
      outDir,
      asOf: "2023-08-22"
    })
    // The next day's inbox holds only the new transfers: the requests are remembered.
    await runPipeline(url, {
      inbox: writePayoutInbox({
        bank: [bankTransfer("20230823-000301", { date: "2023/08/23", amount: 11000, account: accountB })],
        stamp: "20230823"
      }),
      outDir,
      asOf: "2023-08-23"
    })
    const rows = await query<{ code: string; subject_id: string; related_id: string; first_seen: string; closed_on: string | null }>(
      url,
      `SELECT code, subject_id, related_id, to_char(first_seen, 'YYYY-MM-DD') AS first_seen, to_char(closed_on, 'YYYY-MM-DD') AS closed_on
       FROM findings WHERE code LIKE 'PAY_%' ORDER BY 1, 2, 3`
    )
    expect(rows).toEqual([
      { code: "PAY_DUPLICATE", subject_id: "2308110001", related_id: "20230821-000112, 20230821-000113", first_seen: "2023-08-22", closed_on: null },
      { code: "PAY_LATE", subject_id: "2308120003", related_id: "20230823-000301", first_seen: "2023-08-23", closed_on: null },
      { code: "PAY_UNPAID_OVERDUE", subject_id: "2308120003", related_id: "", first_seen: "2023-08-22", closed_on: "2023-08-23" }
    ])
  })
})
