// Probe: shipping or payout matching in full on a kept database (`npm run bench -- --keep`),
// in a transaction rolled back (bench/keptDatabase.ts), with the seconds of every SQL
// statement it ran (from the spans @effect/sql makes, "sql.execute"), the slowest first:
// a before/after of a change to the matching SQL on the same rows, without a whole run.
//
//   npx tsx bench/match-probe.ts --db /tmp/kk-bench-db-XXXX [--side payouts|shipping|merge] [--first-run] [--top 12]
//
// --side merge matches both sides untimed, then times the findings merge (as the next
// run); --first-run empties the findings table first, as before a first run's merge.
import { SqlClient } from "@effect/sql"
import { Effect, Tracer } from "effect"
import { PayoutMatch, PayoutMatchLive } from "../src/Match/Payouts.ts"
import { ShippingMatch, ShippingMatchLive } from "../src/Match/Shipping.ts"
import { FindingsStore } from "../src/Store/FindingsStore.ts"
import { latestRun, probeKeptDatabase } from "./keptDatabase.ts"

const arg = (name: string) => process.argv.flatMap((a, i) => (process.argv[i - 1] === name ? [a] : []))[0]
const db = arg("--db")
if (db === undefined) throw new Error("usage: npx tsx bench/match-probe.ts --db DIR [--side payouts|shipping|merge] [--first-run] [--top N]")
const side = arg("--side") ?? "payouts"
const top = Number(arg("--top") ?? 12)

const statements: Array<{ readonly text: string; readonly seconds: number }> = []
/** The tracer in use, with each sql.execute span's query text and time noted at its end. */
const timingStatements = Effect.map(Effect.tracer, (native) =>
  Tracer.make({
    context: (f, fiber) => native.context(f, fiber),
    span: (name, parent, context, links, startTime, kind, options) => {
      const span = native.span(name, parent, context, links, startTime, kind, options)
      if (name !== "sql.execute") return span
      const end = span.end.bind(span)
      span.end = (endTime, exit) => {
        const text = String(span.attributes.get("db.query.text") ?? "?").replace(/\s+/g, " ").trim()
        statements.push({ text, seconds: Number(endTime - startTime) / 1e9 })
        end(endTime, exit)
      }
      return span
    }
  }))

await probeKeptDatabase(db, Effect.gen(function*() {
  const { asOf } = yield* latestRun
  const findings = yield* FindingsStore
  yield* findings.begin
  const tracer = yield* timingStatements
  let started = performance.now()
  const shipping = Effect.flatMap(ShippingMatch, (m) => m.raise(asOf)).pipe(Effect.provide(ShippingMatchLive))
  const payouts = Effect.flatMap(PayoutMatch, (m) => m.raise(asOf)).pipe(Effect.provide(PayoutMatchLive))
  if (side === "merge") {
    yield* shipping
    yield* payouts
    const sql = yield* SqlClient.SqlClient
    if (process.argv.includes("--first-run")) yield* sql`TRUNCATE findings CASCADE`
    const { runId } = yield* latestRun
    started = performance.now()
    yield* Effect.withTracer(findings.merge(runId + 1, asOf), tracer)
  } else {
    yield* Effect.withTracer(side === "shipping" ? shipping : payouts, tracer)
  }
  const total = (performance.now() - started) / 1000
  const sum = statements.reduce((s, x) => s + x.seconds, 0)
  console.log(`${side === "merge" ? "merge" : `${side} matching`} ${total.toFixed(1)} s (as of ${asOf}), ${statements.length} statements, ${sum.toFixed(1)} s in them`)
  for (const s of [...statements].sort((a, b) => b.seconds - a.seconds).slice(0, top)) {
    console.log(`${s.seconds.toFixed(2).padStart(7)} s  ${s.text.slice(0, 160)}`)
  }
}))
