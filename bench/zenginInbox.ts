// A payout inbox of N bank requests, all in schedule window 1 (due 2023-08-21) and none
// paid, for timing `keshikomi zengin` on a file of N payouts:
//   npx tsx bench/zenginInbox.ts 100000 /tmp/zengin-inbox
import * as fs from "node:fs"
import * as path from "node:path"
import { banks } from "../fixtures/lib/vocabulary.ts"

const count = Number(process.argv[2] ?? "100000")
const dir = process.argv[3] ?? "zengin-inbox"
fs.mkdirSync(dir, { recursive: true })
fs.writeFileSync(path.join(dir, "payout_schedule.json"), JSON.stringify({
  timezone: "Asia/Tokyo",
  windows: [{ requested_from: "2023-08-07", requested_to: "2023-08-13", due: { bank: "2023-08-21", linepay: "2023-09-01" } }],
  deferred_methods: ["amazon_gift"]
}))
const names = ["ヤマダ　タロウ", "すずき　はなこ", "カ)アオゾラシヨウジ", "ｻﾄｳ ｲﾁﾛｳ", "株式会社ホシゾラ", "ツキミソウ有限会社"]
const lines = ["request_id,service,kind,user_id,amount,method,requested_at,status,bank_code,branch_code,account_type,account_number,account_holder,linepay_user_ref"]
for (let i = 0; i < count; i++) {
  const bank = banks[i % banks.length]!
  const branch = bank.branches[i % bank.branches.length]!
  const day = 7 + (i % 7)
  lines.push([
    String(2300000000 + i), "pictSPACE", i % 3 === 0 ? "refund" : "sales_settlement", `U${String(i).padStart(7, "0")}`,
    String(1000 + (i % 50_000)), "bank", `2023-08-${String(day).padStart(2, "0")}T12:00:00+09:00`, "requested",
    bank.code, branch.code, "1", String(1_000_000 + i).slice(-7), names[i % names.length], ""
  ].join(","))
}
fs.writeFileSync(path.join(dir, "payout_requests_20230905.csv"), lines.join("\r\n") + "\r\n")
