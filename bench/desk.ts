// Benchmark: how long the intake desk takes to save a parcel and decide its orders
// (Desk.receive: validation, 受付番号, insert, the scoped shipping rules, label or
// candidates, commit), on a database of N orders. Prints p50/p95/p99 in ms.
//
//   npx tsx bench/desk.ts                                  1M orders, 500 parcels
//   npx tsx bench/desk.ts --scale 300000 --calls 200
//   npx tsx bench/desk.ts --db DIR --key FILE              a kept database folder and its key
//
// The database is built once per folder (kept between invocations, default under the OS
// temp folder): the seeded fixture generator's shipping exports (orders, order_items,
// shipping_addresses, parcels, reshipments; payouts play no part at the desk) and one
// run as of 2023-09-05. At 1M that takes a long time on a small machine: build it first.
// The parcels are random but realistic: 1–2 orders each, drawn from the stored orders;
// mostly the whole order, some short, some typed in lower case or full width, some with
// a one-digit typo (unknown id → candidates), now and then a slip scanned twice. The
// first 20 calls warm the caches and are not counted. The bench's own lines are deleted
// afterwards, so the folder can be reused as it was.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Logger, LogLevel, ManagedRuntime } from "effect"
import { SqlClient } from "@effect/sql"
import { AppLive, deskLayer } from "../src/App.ts"
import { Desk, type ParcelIntake } from "../src/Desk/Desk.ts"
import { Run } from "../src/Run/Run.ts"
import { randomKeyMaterial, writeNewKeyFile } from "../src/Seal/KeyFile.ts"
import { DatabaseLive } from "../src/Store/Database.ts"

const flag = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name)
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback
}
const scale = Number(flag("--scale", "1000000"))
const calls = Number(flag("--calls", "500"))
const warmUp = 20
const root = path.join(os.tmpdir(), "keshikomi-desk-bench")
const dbDir = path.resolve(flag("--db", path.join(root, `db-${scale}`)))
const keyFile = path.resolve(flag("--key", path.join(root, "keshikomi.key")))
const by = "ベンチ"

fs.mkdirSync(path.dirname(dbDir), { recursive: true })
if (!fs.existsSync(keyFile)) writeNewKeyFile(keyFile, randomKeyMaterial())
process.env.KESHIKOMI_DATA_DIR = dbDir
process.env.KESHIKOMI_KEY_FILE = keyFile

const shippingFiles = ["orders_", "order_items_", "shipping_addresses_", "parcels_", "reshipments_"]

/** The fixture inbox's shipping files, hard-linked into a folder of their own. */
const shippingInbox = () => {
  const full = path.join(root, `inbox-${scale}`)
  if (!fs.existsSync(path.join(full, "payout_schedule.json"))) {
    execFileSync(process.execPath, ["--import", "tsx", "fixtures/generate.ts", "--scale", String(scale), "--out", full], { stdio: "inherit" })
  }
  const inbox = path.join(root, `inbox-ship-${scale}`)
  fs.mkdirSync(inbox, { recursive: true })
  for (const name of fs.readdirSync(full)) {
    if (shippingFiles.some((prefix) => name.startsWith(prefix)) && !fs.existsSync(path.join(inbox, name))) {
      fs.linkSync(path.join(full, name), path.join(inbox, name))
    }
  }
  return inbox
}

const quiet = <A, E, R>(effect: Effect.Effect<A, E, R>) => effect.pipe(Logger.withMinimumLogLevel(LogLevel.Warning))

const countOrders = () => Effect.runPromise(quiet(Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM orders`
  return row!.n
}).pipe(Effect.provide(DatabaseLive), Effect.scoped)))

let built = await countOrders()
if (built === 0) {
  const inbox = shippingInbox()
  console.log(`building the database in ${dbDir} from ${inbox} (one run as of 2023-09-05)…`)
  const started = performance.now()
  await Effect.runPromise(quiet(Effect.flatMap(Run, (run) => run.run({ inbox, outDir: path.join(root, "out"), asOf: "2023-09-05" })).pipe(
    Effect.provide(AppLive),
    Effect.scoped
  )))
  console.log(`built in ${((performance.now() - started) / 1000).toFixed(0)} s`)
  built = await countOrders()
}

const runtime = ManagedRuntime.make(deskLayer(DatabaseLive))

// A seeded generator, so two invocations time the same parcels.
let seed = 20231201
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const chance = (p: number) => random() < p

const sample = await runtime.runPromise(quiet(Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // A fixed sample of the stored orders (the same one each time), with what each ordered:
  // mostly orders still awaiting their parcel (what arrives at the desk), some of any kind.
  const wanted = (calls + warmUp) * 3
  const percent = Math.min(100, (400 * wanted) / Math.max(1, built))
  const ofSample = (awaiting: boolean, limit: number) => sql<{ order_id: string; seller_id: string; ordered_qty: number }>`
    SELECT o.order_id, o.seller_id,
           coalesce((SELECT sum(quantity) FROM order_items i WHERE i.order_id = o.order_id), 0)::int AS ordered_qty
    FROM orders o TABLESAMPLE BERNOULLI (${percent}) REPEATABLE (42)
    WHERE ${awaiting ? sql`o.status = 'awaiting_shipment' AND o.shipping_method = 'pictspace_anonymous' AND NOT EXISTS (SELECT 1 FROM parcel_lines pl WHERE pl.order_ref = o.order_id)` : sql`true`}
    LIMIT ${limit}`
  return [...(yield* ofSample(true, Math.ceil(wanted * 0.8))), ...(yield* ofSample(false, Math.ceil(wanted * 0.2)))]
})))

const typed = (id: string) =>
  chance(0.1) ? id.toLowerCase() : chance(0.05) ? id.replace(/[0-9A-Z-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)) : id
const typo = (id: string) => {
  const at = 3 + Math.floor(random() * 8)
  return id.slice(0, at) + String((Number(id[at]) + 1 + Math.floor(random() * 9)) % 10) + id.slice(at + 1)
}

const trackings: Array<string> = []
const parcel = (n: number): ParcelIntake => {
  const first = sample[Math.floor(random() * sample.length)]!
  const orders = [first, ...(chance(0.2) ? [sample[Math.floor(random() * sample.length)]!] : [])]
    .filter((o, i, all) => all.findIndex((x) => x.order_id === o.order_id) === i)
  const trackingNo = chance(0.03) && trackings.length > 0
    ? trackings[Math.floor(random() * trackings.length)]!
    : `9${String(n).padStart(3, "0")}-${String(Math.floor(random() * 1e4)).padStart(4, "0")}-${String(Math.floor(random() * 1e4)).padStart(4, "0")}`
  trackings.push(trackingNo)
  return {
    carrier: "ヤマト運輸",
    trackingNo,
    sellerId: chance(0.1) ? undefined : first.seller_id,
    condition: chance(0.9) ? "良好" : "破損",
    note: "",
    by,
    orders: orders.map((o) => ({
      orderIdTyped: chance(0.08) ? typo(o.order_id) : typed(o.order_id),
      itemCount: chance(0.8) ? o.ordered_qty : Math.max(0, o.ordered_qty - 1)
    }))
  }
}

const timings: Array<number> = []
const tags = new Map<string, number>()
for (let n = 0; n < warmUp + calls; n++) {
  const intake = parcel(n)
  const started = performance.now()
  const result = await runtime.runPromise(quiet(Effect.flatMap(Desk, (desk) => desk.receive(intake))))
  const ms = performance.now() - started
  if (n >= warmUp) {
    timings.push(ms)
    for (const d of result.decisions) tags.set(d.decision._tag, (tags.get(d.decision._tag) ?? 0) + 1)
  }
}

// The bench's lines go again, so the folder stays as it was built.
await runtime.runPromise(quiet(Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const gone = yield* sql<{ order_ref: string }>`DELETE FROM parcel_lines WHERE source = 'desk' AND desk_by = ${by} RETURNING order_ref`
  yield* sql`DELETE FROM shipping_pending WHERE order_ref IN ${sql.in([...new Set(gone.map((g) => g.order_ref)), ""])}`
})))
await runtime.dispose()

timings.sort((a, b) => a - b)
const at = (p: number) => timings[Math.min(timings.length - 1, Math.ceil((p / 100) * timings.length) - 1)]!
console.log(
  `desk.receive on ${built.toLocaleString("en")} orders, ${calls} parcels (after ${warmUp} warm-up): ` +
    `p50 ${at(50).toFixed(1)} ms, p95 ${at(95).toFixed(1)} ms, p99 ${at(99).toFixed(1)} ms, max ${at(100).toFixed(1)} ms; ` +
    `decisions ${[...tags].map(([tag, n]) => `${tag} ${n}`).join(", ")}`
)
