// The matching order of findings.md: reference first, then account (or LINE Pay user)
// and amount in date-then-id order, earliest request first with ties by request_id,
// surplus transfers to the earliest request. Requests here are mostly made outside every
// window (8/20), so that no due date gets in the way of what is being shown.
import { describe, expect, it } from "vitest"
import { tempDir } from "../support/inbox.ts"
import { createTestDatabase, query, raisedFindings, runPipeline } from "../support/testDatabase.ts"
import {
  accountA,
  accountB,
  accountC,
  type Account,
  bankRequest,
  bankTransfer,
  linePayRequest,
  linePayTransfer,
  payoutFindings,
  writePayoutInbox
} from "./payoutInbox.ts"
import { assignSequentially, type ModelRequest, type ModelTransfer } from "./sequentialModel.ts"

// Each test makes its own database, so the tests of a describe run concurrently.
const assignments = async (url: string) =>
  (await query<{ a: string }>(
    url,
    `SELECT channel || ':' || transfer_id || ' → ' || request_id || ' (' || matched_by || ')' AS a
     FROM payout_assignments ORDER BY channel, transfer_id COLLATE "C"`
  )).map((r) => r.a)

describe.concurrent("step 1: by reference", () => {
  it("beats account and amount: a referenced transfer belongs to the request it names", async () => {
    const url = await createTestDatabase()
    await runPipeline(url, {
      inbox: writePayoutInbox({
        requests: [
          bankRequest("2308200001", { amount: 5000, at: "2023-08-20 09:00" }),
          bankRequest("2308200002", { amount: 7000, at: "2023-08-20 10:00" })
        ],
        // Same account and amount as 2308200001, but 顧客コード names 2308200002.
        bank: [bankTransfer("20230901-000001", { date: "2023/09/01", amount: 5000, code: "2308200002" })]
      }),
      outDir: tempDir(),
      asOf: "2023-09-05"
    })
    expect(await assignments(url)).toEqual(["bank:20230901-000001 → 2308200002 (reference)"])
    expect(await raisedFindings(url, "PAY_")).toEqual([
      "PAY_AMOUNT_MISMATCH 2308200002 20230901-000001",
      "PAY_PENDING 2308200001"
    ])
  })

  it("is applied before step 2 whatever the dates: a request paid by reference later is not open to an earlier hand-keyed transfer", async () => {
    expect(await payoutFindings({
      requests: [
        bankRequest("2308200001", { amount: 5000, at: "2023-08-20 09:00" }),
        bankRequest("2308200002", { amount: 5000, at: "2023-08-20 10:00" })
      ],
      bank: [
        bankTransfer("20230901-000001", { date: "2023/09/01", amount: 5000 }),
        bankTransfer("20230904-000002", { date: "2023/09/04", amount: 5000, code: "2308200001" })
      ]
    })).toEqual(["PAY_MATCHED 2308200001 20230904-000002", "PAY_MATCHED 2308200002 20230901-000001"])
  })

  it("treats a 顧客コード that names no request as no reference", async () => {
    expect(await payoutFindings({
      requests: [bankRequest("2308200001", { amount: 5000, at: "2023-08-20 09:00" })],
      bank: [bankTransfer("20230901-000001", { date: "2023/09/01", amount: 5000, code: "2399999999" })]
    })).toEqual(["PAY_MATCHED 2308200001 20230901-000001"])
  })
})

describe.concurrent("step 2: by account and amount", () => {
  it("gives a transfer to the earliest-requested request, not the smallest id", async () => {
    expect(await payoutFindings({
      requests: [
        bankRequest("2308200001", { amount: 5000, at: "2023-08-20 11:00" }),
        bankRequest("2308200002", { amount: 5000, at: "2023-08-20 09:00" })
      ],
      bank: [bankTransfer("20230901-000001", { date: "2023/09/01", amount: 5000 })]
    })).toEqual(["PAY_MATCHED 2308200002 20230901-000001", "PAY_PENDING 2308200001"])
  })

  it("breaks a tie in requested_at by the smaller request_id", async () => {
    expect(await payoutFindings({
      requests: [
        bankRequest("2308200009", { amount: 5000, at: "2023-08-20 09:00" }),
        bankRequest("2308200003", { amount: 5000, at: "2023-08-20 09:00" })
      ],
      bank: [bankTransfer("20230901-000001", { date: "2023/09/01", amount: 5000 })]
    })).toEqual(["PAY_MATCHED 2308200003 20230901-000001", "PAY_PENDING 2308200009"])
  })

  it("takes transfers in order of date, then 受付番号", async () => {
    const url = await createTestDatabase()
    await runPipeline(url, {
      inbox: writePayoutInbox({
        requests: [
          bankRequest("2308200001", { amount: 5000, at: "2023-08-20 09:00" }),
          bankRequest("2308200002", { amount: 5000, at: "2023-08-20 10:00" }),
          bankRequest("2308200003", { amount: 5000, at: "2023-08-20 11:00" })
        ],
        bank: [
          bankTransfer("20230901-000009", { date: "2023/09/01", amount: 5000 }),
          bankTransfer("20230904-000001", { date: "2023/09/04", amount: 5000 }),
          bankTransfer("20230901-000002", { date: "2023/09/01", amount: 5000 })
        ]
      }),
      outDir: tempDir(),
      asOf: "2023-09-05"
    })
    expect(await assignments(url)).toEqual([
      "bank:20230901-000002 → 2308200001 (destination)",
      "bank:20230901-000009 → 2308200002 (destination)",
      "bank:20230904-000001 → 2308200003 (destination)"
    ])
  })

  it("gives a surplus transfer to the earliest request, which makes it a duplicate", async () => {
    expect(await payoutFindings({
      requests: [
        bankRequest("2308200001", { amount: 5000, at: "2023-08-20 09:00" }),
        bankRequest("2308200002", { amount: 5000, at: "2023-08-20 10:00" })
      ],
      bank: [
        bankTransfer("20230901-000001", { date: "2023/09/01", amount: 5000 }),
        bankTransfer("20230901-000002", { date: "2023/09/01", amount: 5000 }),
        bankTransfer("20230904-000003", { date: "2023/09/04", amount: 5000 })
      ]
    })).toEqual([
      "PAY_DUPLICATE 2308200001 20230901-000001, 20230904-000003",
      "PAY_MATCHED 2308200002 20230901-000002"
    ])
  })

  it("compares the whole account: bank code, branch code, account type and number", async () => {
    const variants: ReadonlyArray<Account> = [
      { ...accountA, bank: "0010" },
      { ...accountA, branch: "124" },
      { ...accountA, type: "4" },
      { ...accountA, number: "1234568" }
    ]
    expect(await payoutFindings({
      requests: [bankRequest("2308200001", { amount: 5000, at: "2023-08-20 09:00" })],
      bank: variants.map((account, i) => bankTransfer(`20230901-00000${i}`, { date: "2023/09/01", amount: 5000, account }))
    })).toEqual([
      "PAY_ORPHAN_TRANSFER 20230901-000000",
      "PAY_ORPHAN_TRANSFER 20230901-000001",
      "PAY_ORPHAN_TRANSFER 20230901-000002",
      "PAY_ORPHAN_TRANSFER 20230901-000003",
      "PAY_PENDING 2308200001"
    ])
  })

  it("does not match a hand-keyed transfer of another amount: it is an orphan", async () => {
    expect(await payoutFindings({
      requests: [bankRequest("2308200001", { amount: 5000, at: "2023-08-20 09:00" })],
      bank: [bankTransfer("20230901-000001", { date: "2023/09/01", amount: 4855 })]
    })).toEqual(["PAY_ORPHAN_TRANSFER 20230901-000001", "PAY_PENDING 2308200001"])
  })

  it("matches LINE Pay payouts without a reference on linepay_user_ref and amount", async () => {
    expect(await payoutFindings({
      requests: [
        linePayRequest("2308200001", { amount: 2100, at: "2023-08-20 09:00", userRef: "LP0000000a" }),
        linePayRequest("2308200002", { amount: 2100, at: "2023-08-20 10:00", userRef: "LP0000000b" })
      ],
      linePay: [linePayTransfer("2023090114050000001", { at: "2023-09-01 14:05", amount: 2100, userRef: "LP0000000b" })]
    })).toEqual(["PAY_MATCHED 2308200002 2023090114050000001", "PAY_PENDING 2308200001"])
  })

  it("never matches across channels without a reference", async () => {
    expect(await payoutFindings({
      requests: [bankRequest("2308200001", { amount: 5000, at: "2023-08-20 09:00" })],
      linePay: [linePayTransfer("2023090114050000002", { at: "2023-09-01 14:05", amount: 5000 })]
    })).toEqual(["PAY_ORPHAN_TRANSFER 2023090114050000002", "PAY_PENDING 2308200001"])
  })
})

describe.concurrent("failed transfers in step 2", () => {
  it("belong to the request they were aimed at without using it up", async () => {
    const url = await createTestDatabase()
    await runPipeline(url, {
      inbox: writePayoutInbox({
        requests: [
          bankRequest("2308200001", { amount: 5000, at: "2023-08-20 09:00" }),
          bankRequest("2308200002", { amount: 5000, at: "2023-08-20 10:00" })
        ],
        bank: [
          bankTransfer("20230901-000001", { date: "2023/09/01", amount: 5000, result: "不能" }),
          bankTransfer("20230904-000002", { date: "2023/09/04", amount: 5000 })
        ]
      }),
      outDir: tempDir(),
      asOf: "2023-09-05"
    })
    expect(await assignments(url)).toEqual([
      "bank:20230901-000001 → 2308200001 (destination)",
      "bank:20230904-000002 → 2308200001 (destination)"
    ])
    expect(await raisedFindings(url, "PAY_")).toEqual(["PAY_MATCHED 2308200001 20230904-000002", "PAY_PENDING 2308200002"])
  })

  it("aim at the request the next completed transfer would take", async () => {
    expect(await payoutFindings({
      requests: [
        bankRequest("2308200001", { amount: 5000, at: "2023-08-20 09:00" }),
        bankRequest("2308200002", { amount: 5000, at: "2023-08-20 10:00" })
      ],
      bank: [
        bankTransfer("20230901-000001", { date: "2023/09/01", amount: 5000 }),
        bankTransfer("20230901-000002", { date: "2023/09/01", amount: 5000, result: "不能" })
      ]
    })).toEqual(["PAY_MATCHED 2308200001 20230901-000001", "PAY_TRANSFER_FAILED 2308200002 20230901-000002"])
  })

  it("go to the earliest request when all are paid, where they raise nothing", async () => {
    expect(await payoutFindings({
      requests: [bankRequest("2308200001", { amount: 5000, at: "2023-08-20 09:00" })],
      bank: [
        bankTransfer("20230901-000001", { date: "2023/09/01", amount: 5000 }),
        bankTransfer("20230904-000002", { date: "2023/09/04", amount: 5000, result: "不能" })
      ]
    })).toEqual(["PAY_MATCHED 2308200001 20230901-000001"])
  })
})

// mulberry32: seeded, so a failing case can be replayed.
const seeded = (seed: number) => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const pick = <T>(items: ReadonlyArray<T>) => items[int(0, items.length - 1)]!
  return { next, int, pick }
}

const accountKey = (a: Account) => `account:${a.bank}-${a.branch}-${a.type}-${a.number}`

describe.concurrent("the set-based SQL against the loop findings.md describes", () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`assigns every transfer as the loop does (seed ${seed})`, async () => {
      const rng = seeded(seed)
      const accounts = [accountA, accountB]
      const wallets = ["LP000000aa", "LP000000bb"]
      const amounts = [1000, 2000]
      const times = ["2023-08-20 09:00", "2023-08-20 10:00", "2023-08-21 09:00"]
      const days = ["2023-09-01", "2023-09-04", "2023-09-05"]

      const modelRequests: Array<ModelRequest> = []
      const requestRows: Array<string> = []
      for (let i = 0; i < 24; i++) {
        const requestId = `23082${String(rng.int(0, 99999)).padStart(5, "0")}`
        if (modelRequests.some((r) => r.requestId === requestId)) continue
        const amount = rng.pick(amounts)
        const at = rng.pick(times)
        if (rng.next() < 0.6) {
          const account = rng.pick(accounts)
          requestRows.push(bankRequest(requestId, { amount, at, account }))
          modelRequests.push({ requestId, channel: "bank", destination: accountKey(account), amount, requestedAt: at })
        } else {
          const wallet = rng.pick(wallets)
          requestRows.push(linePayRequest(requestId, { amount, at, userRef: wallet }))
          modelRequests.push({ requestId, channel: "linepay", destination: `wallet:${wallet}`, amount, requestedAt: at })
        }
      }
      const reference = () => {
        const roll = rng.next()
        return roll < 0.2 ? rng.pick(modelRequests).requestId : roll < 0.25 ? "2399999999" : undefined
      }
      const modelTransfers: Array<ModelTransfer> = []
      const bankRows: Array<string> = []
      const linePayRows: Array<string> = []
      for (let i = 0; i < 40; i++) {
        const amount = rng.pick([...amounts, 3000])
        const date = rng.pick(days)
        const roll = rng.next()
        const completed = roll < 0.7
        const ref = reference()
        if (rng.next() < 0.6) {
          const account = rng.pick([...accounts, accountC])
          const transferId = `${date.replaceAll("-", "")}-${String(i).padStart(6, "0")}`
          bankRows.push(bankTransfer(transferId, {
            date: date.replaceAll("-", "/"), amount, account, code: ref ?? "",
            result: completed ? "完了" : roll < 0.9 ? "不能" : "取消"
          }))
          modelTransfers.push({ channel: "bank", transferId, reference: ref, destination: accountKey(account), amount, completed, date })
        } else {
          const wallet = rng.pick([...wallets, "LP000000cc"])
          const transferId = `${date.replaceAll("-", "")}${String(rng.int(0, 99999999999)).padStart(11, "0")}`
          linePayRows.push(linePayTransfer(transferId, {
            at: `${date} 12:00`, amount, userRef: wallet, reference: ref ?? "",
            status: completed ? "COMPLETE" : roll < 0.9 ? "FAILED" : "CANCELLED"
          }))
          modelTransfers.push({ channel: "linepay", transferId, reference: ref, destination: `wallet:${wallet}`, amount, completed, date })
        }
      }

      const url = await createTestDatabase()
      await runPipeline(url, {
        inbox: writePayoutInbox({ requests: requestRows, bank: bankRows, linePay: linePayRows }),
        outDir: tempDir(),
        asOf: "2023-09-05"
      })
      const stored = await query<{ k: string; request_id: string }>(
        url,
        "SELECT channel || ':' || transfer_id AS k, request_id FROM payout_assignments"
      )
      const expected = assignSequentially(modelRequests, modelTransfers)
      expect(new Map(stored.map((r) => [r.k, r.request_id]))).toEqual(expected)
      expect(expected.size).toBeGreaterThan(10)
    })
  }
})
