import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// What the file system said of each published seller list when it was written (or last
// checked): its size, modification time in nanoseconds, inode and device. A carried list
// whose file still has this stat is trusted without reading it; only one whose stat
// differs is hashed again (src/Report/Reports.ts). NULL for lists recorded before this
// migration: those are hashed once and their stat recorded. Inode and device numbers are
// ids of the file system (up to 64 bits, unsigned): kept as text.
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE seller_lists ADD COLUMN file_size bigint`
  yield* sql`ALTER TABLE seller_lists ADD COLUMN file_mtime_ns bigint`
  yield* sql`ALTER TABLE seller_lists ADD COLUMN file_ino text`
  yield* sql`ALTER TABLE seller_lists ADD COLUMN file_dev text`
})
