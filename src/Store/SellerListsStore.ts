// What the last committed run published per seller list (migration 0021), so that a
// night rewrites only the lists whose content changed (src/Report/Reports.ts).
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export interface PublishedSellerList {
  readonly seller_id: string
  readonly content_sha256: string
  /** The as-of of the run that wrote the file: the date in its heading. */
  readonly written_as_of: string
  readonly written_run: number
  readonly published_path: string
  readonly file_sha256: string
}

const chunkSize = 5_000

export const sellerListsStore = (sql: SqlClient.SqlClient) => ({
  /** Every seller list the last committed run published, by seller id. */
  published: sql<PublishedSellerList>`
    SELECT seller_id, encode(content_sha256, 'hex') AS content_sha256, to_char(written_as_of, 'YYYY-MM-DD') AS written_as_of,
           written_run::int AS written_run, published_path, encode(file_sha256, 'hex') AS file_sha256
    FROM seller_lists`.pipe(
    Effect.map((rows) => new Map(rows.map((r) => [r.seller_id, r]))),
    Effect.orDie
  ),
  /** Replaces the record with this run's lists: a seller without a list has no row. */
  replace: (lists: ReadonlyArray<PublishedSellerList>) =>
    Effect.gen(function*() {
      yield* sql`DELETE FROM seller_lists`
      for (let start = 0; start < lists.length; start += chunkSize) {
        yield* sql`INSERT INTO seller_lists ${sql.insert(lists.slice(start, start + chunkSize).map((l) => ({
          ...l,
          content_sha256: Buffer.from(l.content_sha256, "hex"),
          file_sha256: Buffer.from(l.file_sha256, "hex")
        })))}`
      }
    }).pipe(Effect.orDie)
})
