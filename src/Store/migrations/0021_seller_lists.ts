import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// The seller lists last published (OUT/<as_of>/sellers/), one row per seller with a
// list: a digest of the list's content (its rows and heading fields, with the sheet's
// format version; no buyer data), the as-of and run that wrote the file, where the last
// committed run published it and the digest of its bytes. A list whose content is
// unchanged is carried into the next folder as a hard link to that file, once its bytes
// are checked (staff may have opened and saved it). Digests are raw bytes, as the
// sealed columns are: their hex text would hold digit runs that look like data.
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE seller_lists (
      seller_id      text PRIMARY KEY,
      content_sha256 bytea NOT NULL,
      written_as_of  date NOT NULL,
      written_run    bigint NOT NULL REFERENCES runs (run_id),
      published_path text NOT NULL,
      file_sha256    bytea NOT NULL
    )`
})
