// Random sequences of nightly drops for the tests that hold incremental nights against
// full recomputation (test/nightly/incremental.test.ts, sellerListsScoped.test.ts): each
// night's export files, and what staff do between nights, seeded.
import { crlf, type FileContent } from "./inbox.ts"
import { type Random } from "./randomShipping.ts"
import { query } from "./testDatabase.ts"

const threeSellers = ["S100101", "S100102", "S100103"] as const
const statuses = ["awaiting_shipment", "awaiting_shipment", "awaiting_shipment", "shipped", "cancelled", "refunded"] as const
const methods = ["pictspace_anonymous", "pictspace_anonymous", "pictspace_anonymous", "yamato_anonymous", "direct"] as const
const orderIdOf = (n: number) => `PS-${String(10_000 + n).padStart(8, "0")}`

// Windows whose due dates fall among the nights, over weekends and holidays (9/18
// 敬老の日, 9/23 秋分の日): a night that passes one makes requests overdue with no record changed.
export const schedule = {
  timezone: "Asia/Tokyo",
  windows: [
    { requested_from: "2023-09-01", requested_to: "2023-09-12", due: { bank: "2023-09-15", linepay: "2023-09-19" } },
    { requested_from: "2023-09-13", requested_to: "2023-09-15", due: { bank: "2023-09-16", linepay: "2023-09-18" } },
    { requested_from: "2023-09-16", requested_to: "2023-09-30", due: { bank: "2023-09-23", linepay: "2023-09-21" } }
  ],
  deferred_methods: ["amazon_gift"]
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
const stampOf = (day: string) => day.replaceAll("-", "")

// The last account and wallet no request names.
const bankAccounts = ["1234567", "7654321", "5550001"] as const
const wallets = ["LP77", "LP78", "LP79"] as const

interface RequestRow {
  readonly id: string
  readonly method: "bank" | "linepay"
  readonly at: string
  amount: number
  status: "requested" | "withdrawn"
  account: string
}

interface TransferRow {
  readonly id: string
  readonly method: "bank" | "linepay"
  readonly day: string
  readonly amount: number
  readonly account: string
  readonly reference: string
  completed: boolean
}

interface OrderRow {
  readonly id: string
  seller: string
  status: string
  method: string
}

/**
 * The nightly drops of one seed: each night's files, as the exports would deliver them;
 * orders and slips name `sellers` (by default three).
 */
export const nights = (random: Random, count: number, sellers: ReadonlyArray<string> = threeSellers) => {
  const orders: Array<OrderRow> = []
  const quantities = new Map<string, number>()
  let nextOrder = 1
  let nextParcel = 1
  let nextRequest = 1
  let nextTransfer = 1
  const requests: Array<RequestRow> = []
  const transfers: Array<TransferRow> = []
  const reshipTracking = ["Y900001", "Y900002", "Y900003", "Y900004"]
  let asOf = "2023-09-13"
  return Array.from({ length: count }, () => {
    asOf = addDays(asOf, random.int(0, 3))
    const at = (dayOffset: number) => `${addDays(asOf, -dayOffset)}T${String(random.int(10, 18))}:${String(random.int(10, 59))}:00+09:00`
    // 受付日時 as the intake sheet writes it.
    const receivedAt = (dayOffset: number) => `${addDays(asOf, -dayOffset).replaceAll("-", "/")} ${String(random.int(10, 18))}:${String(random.int(10, 59))}`
    // Orders: new ones, some changed (status, method), some sent again unchanged.
    const orderLines: Array<OrderRow> = []
    for (let i = random.int(2, 5); i > 0; i--) {
      const o = { id: orderIdOf(nextOrder++), seller: random.pick(sellers), status: random.pick(statuses), method: random.pick(methods) }
      orders.push(o)
      orderLines.push(o)
    }
    if (orders.length > 4) {
      const changed = random.pick(orders)
      changed.status = random.pick(statuses)
      if (random.chance(0.3)) changed.seller = random.pick(sellers)
      orderLines.push(changed, random.pick(orders))
    }
    const itemLines: Array<string> = []
    for (const o of orderLines) {
      if (!quantities.has(o.id) || random.chance(0.2)) {
        const quantity = random.chance(0.7) ? 1 : random.int(2, 3)
        quantities.set(o.id, quantity)
        if (random.chance(0.9)) itemLines.push(`${o.id},I1,新刊,${quantity},500`)
      }
    }
    // Parcels: mostly known orders; some ids of orders that only come later, some typos.
    const parcelLines: Array<string> = []
    const parcelRefs: Array<string> = []
    for (let i = random.int(3, 7); i > 0; i--) {
      const ref = random.chance(0.15)
        ? orderIdOf(nextOrder + random.int(0, 3))
        : random.chance(0.15)
        // One typo off an order that exists, or that a later night brings.
        ? orderIdOf(random.chance(0.5) ? random.int(1, nextOrder) : nextOrder + random.int(0, 3)).slice(0, 10) + String(random.int(0, 9))
        : random.pick(orders).id
      parcelRefs.push(ref)
      const known = orders.find((o) => o.id === ref)
      const slip = known === undefined
        ? random.pick([...sellers, ""])
        : random.chance(0.15) ? random.pick(sellers) : known.seller
      const tracking = String(400000000000 + random.int(0, 30))
      const line = (parcelId: string, when: string, count: number, slipNo: string) =>
        `${parcelId},${when},日本郵便,${slipNo},${slip},${random.chance(0.2) ? ref.toLowerCase() : ref},${count},良好,`
      const parcelId = `IN-${nextParcel++}`
      parcelLines.push(line(parcelId, receivedAt(random.int(0, 1)), random.chance(0.75) ? 1 : random.int(2, 3), tracking))
      // The same parcel scanned again, its slip number written with hyphens.
      if (random.chance(0.15)) {
        parcelLines.push(line(`IN-${nextParcel++}`, receivedAt(0), random.int(1, 3), `${tracking.slice(0, 4)}-${tracking.slice(4, 8)}-${tracking.slice(8)}`))
      }
    }
    const reshipLines: Array<string> = []
    for (let i = random.int(0, 2); i > 0; i--) {
      reshipLines.push(`,${random.chance(0.4) && parcelRefs.length > 0 ? random.pick(parcelRefs) : random.pick(orders).id},ヤマト運輸,${random.pick(reshipTracking)},${at(0)}`)
    }
    // Payouts: new requests; now and then one withdrawn, or its amount or account changed
    // (it leaves its group); transfers by reference or not, failed, to no request's
    // account, and sent again later with another result.
    const requestLine = (r: RequestRow) =>
      r.method === "bank"
        ? `${r.id},pictSPACE,sales_settlement,U1,${r.amount},bank,${r.at},${r.status},0009,123,1,${r.account},ヤマダ　タロウ,`
        : `${r.id},pictSPACE,sales_settlement,U2,${r.amount},linepay,${r.at},${r.status},,,,,,${r.account}`
    const requestLines: Array<string> = []
    for (let i = random.int(1, 3); i > 0; i--) {
      const method = random.pick(["bank", "linepay"] as const)
      const r: RequestRow = {
        id: String(2_000_000_000 + nextRequest++), amount: random.pick([1000, 2500, 2500]), method, at: at(1), status: "requested",
        account: method === "bank" ? random.pick(bankAccounts.slice(0, 2)) : random.pick(wallets.slice(0, 2))
      }
      requests.push(r)
      requestLines.push(requestLine(r))
    }
    if (requests.length > 3 && random.chance(0.6)) {
      const r = random.pick(requests)
      const change = random.int(0, 2)
      if (change === 0) r.status = "withdrawn"
      else if (change === 1) r.amount = random.pick([1000, 2500, 4000])
      else r.account = random.pick(r.method === "bank" ? bankAccounts.slice(0, 2) : wallets.slice(0, 2))
      requestLines.push(requestLine(r), requestLine(random.pick(requests)))
    }
    const bankLine = (t: TransferRow) =>
      `B${t.id},${t.day.replaceAll("-", "/")},0009,ﾐﾂｲｽﾐﾄﾓ,123,ﾄｳｷﾖｳ,普通,${t.account},ﾔﾏﾀﾞ ﾀﾛｳ,"${t.amount.toLocaleString("en-US")}",145,${t.reference},${t.completed ? "完了" : "不能"},${t.completed ? "" : "口座なし"}`
    const linePayLine = (t: TransferRow) =>
      `${9_000_000_000_000_000_000n + BigInt(t.id)},${t.reference},${t.account},${t.amount},${t.completed ? "COMPLETE" : "FAILED"},${t.day}T12:00:00+09:00`
    const newTransfers: Array<TransferRow> = []
    for (const r of requests) {
      if (!random.chance(0.25)) continue
      const t: TransferRow = {
        id: String(nextTransfer++), method: r.method, day: asOf, amount: random.chance(0.9) ? r.amount : 2500,
        // Now and then to an account no request names: an orphan.
        account: random.chance(0.1) ? (r.method === "bank" ? bankAccounts[2]! : wallets[2]!) : r.account,
        reference: random.chance(r.method === "bank" ? 0.8 : 0.5) ? r.id : "",
        completed: random.chance(0.8)
      }
      transfers.push(t)
      newTransfers.push(t)
    }
    // A failed transfer sent again completed (the bank's corrected result), or the reverse.
    if (transfers.length > 2 && random.chance(0.4)) {
      const t = random.pick(transfers)
      t.completed = !t.completed
      if (!newTransfers.includes(t)) newTransfers.push(t)
    }
    const bankLines = newTransfers.filter((t) => t.method === "bank").map(bankLine)
    const linePayLines = newTransfers.filter((t) => t.method === "linepay").map(linePayLine)
    const stamp = stampOf(asOf)
    const files: Record<string, FileContent> = { "payout_schedule.json": JSON.stringify(schedule) }
    const put = (name: string, header: string, lines: ReadonlyArray<string>) => {
      if (lines.length > 0) files[`${name}_${stamp}.csv`] = crlf(header, ...lines)
    }
    put("orders", "order_id,ordered_at,seller_id,circle_name,buyer_id,shipping_method,status,total_amount",
      orderLines.map((o) => `${o.id},2023-09-01T10:00:00+09:00,${o.seller},サークル${o.seller},B2023311,${o.method},${o.status},1500`))
    put("order_items", "order_id,item_id,item_name,quantity,unit_price", itemLines)
    put("shipping_addresses", "order_id,postal_code,prefecture,city,address_line,recipient_name,phone",
      orderLines.slice(0, 2).map((o) => `${o.id},150-0001,東京都,渋谷区,神宮前1-1-1,山田太郎,090-0000-1234`))
    put("parcels", "受付番号,受付日時,配送業者,伝票番号,頒布者ID,注文ID,点数,状態,備考", parcelLines)
    put("reshipments", "parcel_id,order_id,carrier,tracking_no,shipped_at", reshipLines)
    put("payout_requests",
      "request_id,service,kind,user_id,amount,method,requested_at,status,bank_code,branch_code,account_type,account_number,account_holder,linepay_user_ref",
      requestLines)
    if (bankLines.length > 0) {
      files[`bank_transfers_${stamp}.csv`] = {
        text: crlf("受付番号,振込指定日,金融機関コード,金融機関名,支店コード,支店名,預金種目,口座番号,受取人名,振込金額,手数料,顧客コード,結果,不能事由", ...bankLines),
        encoding: "cp932"
      }
    }
    put("linepay_transfers", "transaction_id,reference,linepay_user_ref,amount,status,executed_at", linePayLines)
    return { asOf, files }
  })
}

// Between nights, what staff do outside a run, done alike on both databases: a decision
// on one open finding, a parcel line corrected at the intake desk (announced in
// shipping_pending, as the desk does), a transfer file written for an unpaid bank
// request or a file voided (as keshikomi zengin records them).
export const staffBetweenNights = async (url: string, random: Random) => {
  const pick = String(random.int(0, 1_000_000))
  if (random.chance(0.5)) {
    const [request] = await query<{ request_id: string; amount: string }>(
      url,
      `SELECT r.request_id, r.amount FROM payout_requests r JOIN payout_request_state s USING (request_id)
       WHERE r.method = 'bank' AND r.status = 'requested' AND s.completed_count = 0
       ORDER BY md5(r.request_id || $1) LIMIT 1`,
      [pick]
    )
    if (request !== undefined) {
      const [file] = await query<{ file_id: string }>(
        url,
        `INSERT INTO zengin_files (file_name, as_of, transfer_date, written_by, record_count, total_amount, sha256)
         VALUES ('zengin_' || $1 || '.txt', '2023-09-13', ('2023-09-' || (14 + $2::int % 14))::date, 'sato', 1, $3, md5($1))
         RETURNING file_id`,
        [pick, random.int(0, 13), request.amount]
      )
      await query(url, `INSERT INTO zengin_file_requests (file_id, request_id, amount) VALUES ($1, $2, $3)`, [file!.file_id, request.request_id, request.amount])
    }
  } else {
    await query(
      url,
      `UPDATE zengin_files SET voided_at = now(), voided_by = 'sato', void_note = '取消'
       WHERE file_id = (SELECT file_id FROM zengin_files WHERE voided_at IS NULL ORDER BY md5(file_id::text || $1) LIMIT 1)`,
      [pick]
    )
  }
  await query(
    url,
    `UPDATE findings SET resolved_at = '2023-09-30T12:00:00+09:00', resolved_by = 'sato', resolution_note = '確認済み'
     WHERE (code, subject_id, related_id) = (
       SELECT code, subject_id, related_id FROM findings WHERE closed_on IS NULL AND resolved_at IS NULL
       ORDER BY md5(code || subject_id || related_id || $1) LIMIT 1)`,
    [String(random.int(0, 1_000_000))]
  )
  const [line] = await query<{ parcel_id: string; order_ref: string }>(
    url,
    `SELECT parcel_id, order_ref FROM parcel_lines ORDER BY md5(parcel_id || $1) LIMIT 1`,
    [String(random.int(0, 1_000_000))]
  )
  if (line !== undefined) {
    await query(url, `UPDATE parcel_lines SET item_count = item_count + 1 WHERE parcel_id = $1 AND order_ref = $2`, [line.parcel_id, line.order_ref])
    await query(url, `INSERT INTO shipping_pending (order_ref) VALUES ($1)`, [line.order_ref])
  }
}
