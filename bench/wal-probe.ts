// Probe: what the server's checkpointer and WAL did on a kept database (PostgreSQL's
// cumulative statistics survive a clean shutdown): checkpoints asked for by WAL volume
// (num_requested) against those on the timer, the WAL written and its full-page images.
//
//   npx tsx bench/wal-probe.ts --db /tmp/kk-bench-db-XXXX
//
// A database the bench made counts from its own creation, so no reset is needed.
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { probeKeptDatabase } from "./keptDatabase.ts"

const arg = (name: string) => process.argv.flatMap((a, i) => (process.argv[i - 1] === name ? [a] : []))[0]
const db = arg("--db")
if (db === undefined) throw new Error("usage: npx tsx bench/wal-probe.ts --db DIR")

await probeKeptDatabase(db, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const checkpointer = yield* sql`SELECT num_timed, num_requested, num_done, write_time, sync_time, buffers_written, stats_reset::text FROM pg_stat_checkpointer`
  const wal = yield* sql`SELECT wal_records, wal_fpi, pg_size_pretty(wal_bytes) AS wal_bytes, wal_buffers_full, stats_reset::text FROM pg_stat_wal`
  const settings = yield* sql`SELECT name, setting, unit FROM pg_settings WHERE name IN ('wal_level', 'max_wal_size', 'checkpoint_timeout', 'full_page_writes', 'wal_compression', 'synchronous_commit', 'max_wal_senders')`
  console.log(JSON.stringify({ checkpointer, wal, settings }, null, 1))
}))
