// What the last committed run published per seller list (migrations 0021, 0023), so that
// a night rewrites only the lists whose content changed (src/Report/Reports.ts).
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** The published file as the file system described it when it was written or last checked. */
export interface SellerListFileStat {
  readonly size: string
  readonly mtime_ns: string
  readonly ino: string
  readonly dev: string
}

export interface PublishedSellerList {
  readonly seller_id: string
  readonly content_sha256: string
  /** The as-of of the run that wrote the file: the date in its heading. */
  readonly written_as_of: string
  readonly written_run: number
  readonly published_path: string
  readonly file_sha256: string
  /** Undefined for a list recorded before the stat was kept (it is hashed once). */
  readonly file_stat: SellerListFileStat | undefined
}

interface PublishedRow extends Omit<PublishedSellerList, "file_stat"> {
  readonly file_size: string | null
  readonly file_mtime_ns: string | null
  readonly file_ino: string | null
  readonly file_dev: string | null
}

const chunkSize = 5_000

export const sellerListsStore = (sql: SqlClient.SqlClient) => ({
  /** Every seller list the last committed run published, by seller id. */
  published: sql<PublishedRow>`
    SELECT seller_id, encode(content_sha256, 'hex') AS content_sha256, to_char(written_as_of, 'YYYY-MM-DD') AS written_as_of,
           written_run::int AS written_run, published_path, encode(file_sha256, 'hex') AS file_sha256,
           file_size::text AS file_size, file_mtime_ns::text AS file_mtime_ns, file_ino, file_dev
    FROM seller_lists`.pipe(
    Effect.map((rows) =>
      new Map(rows.map(({ file_dev, file_ino, file_mtime_ns, file_size, ...r }): [string, PublishedSellerList] => [r.seller_id, {
        ...r,
        file_stat: file_size === null || file_mtime_ns === null || file_ino === null || file_dev === null
          ? undefined
          : { size: file_size, mtime_ns: file_mtime_ns, ino: file_ino, dev: file_dev }
      }]))
    ),
    Effect.orDie
  ),
  /** Replaces the record with this run's lists: a seller without a list has no row. */
  replace: (lists: ReadonlyArray<PublishedSellerList>) =>
    Effect.gen(function*() {
      yield* sql`DELETE FROM seller_lists`
      for (let start = 0; start < lists.length; start += chunkSize) {
        yield* sql`INSERT INTO seller_lists ${sql.insert(lists.slice(start, start + chunkSize).map(({ file_stat, ...l }) => ({
          ...l,
          content_sha256: Buffer.from(l.content_sha256, "hex"),
          file_sha256: Buffer.from(l.file_sha256, "hex"),
          file_size: file_stat?.size ?? null,
          file_mtime_ns: file_stat?.mtime_ns ?? null,
          file_ino: file_stat?.ino ?? null,
          file_dev: file_stat?.dev ?? null
        })))}`
      }
    }).pipe(Effect.orDie)
})
