import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// A seller list's inode and device numbers as numbers (numeric holds any unsigned 64-bit
// value exactly), no longer as text. As text, every inode stood in the heap pages and
// the WAL as plain digits, 7 of them on a typical file system: the same shape as an
// account number, so the at-rest scan (test/privacy/atRest.test.ts) could not tell one
// from the other, and failed by chance when a file's inode equalled an account number
// of the inbox. numeric is stored in binary, as bigint already is for the size and mtime.
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE seller_lists ALTER COLUMN file_ino TYPE numeric USING file_ino::numeric`
  yield* sql`ALTER TABLE seller_lists ALTER COLUMN file_dev TYPE numeric USING file_dev::numeric`
})
