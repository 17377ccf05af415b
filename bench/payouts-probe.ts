// Probe: payout matching in full on a kept database (`npm run bench -- --keep`), each part
// timed, in a transaction rolled back (bench/keptDatabase.ts): a before/after of a change
// to the payout SQL on the same rows, without a whole run. Each part's seconds are its
// debug log lines ("payout part finished").
//
//   npx tsx bench/payouts-probe.ts --db /tmp/kk-bench-db-XXXX [--rounds 2]
import { Effect, Logger, LogLevel } from "effect"
import { PayoutMatch, PayoutMatchLive } from "../src/Match/Payouts.ts"
import { FindingsStore } from "../src/Store/FindingsStore.ts"
import { latestRun, probeKeptDatabase } from "./keptDatabase.ts"

const arg = (name: string) => process.argv.flatMap((a, i) => (process.argv[i - 1] === name ? [a] : []))[0]
const db = arg("--db")
if (db === undefined) throw new Error("usage: npx tsx bench/payouts-probe.ts --db DIR [--rounds N]")
const rounds = Number(arg("--rounds") ?? 1)

for (let round = 1; round <= rounds; round++) {
  await probeKeptDatabase(db, Effect.gen(function*() {
    const { asOf } = yield* latestRun
    const findings = yield* FindingsStore
    yield* findings.begin
    const payouts = yield* PayoutMatch
    const started = performance.now()
    yield* payouts.raise(asOf)
    console.log(`round ${round}: payout matching ${((performance.now() - started) / 1000).toFixed(1)} s (as of ${asOf})`)
  }).pipe(Effect.provide(PayoutMatchLive), Logger.withMinimumLogLevel(LogLevel.Debug)))
}
