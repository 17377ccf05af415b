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

type PackedList = [string, string, string, number, string, string, string | null, string | null, string | null, string | null]

/**
 * This run's seller lists, gathered one per seller until the step records them. Each is
 * kept as one flat JSON string: as an object it cost some 1.3 KB of heap (a hidden class,
 * a property array and a path made of string pieces each), about 48 MB at 37,772 sellers,
 * held while the lists are written (heap snapshots at --scale 300000).
 */
export class SellerListRecords {
  private readonly packed: Array<string> = []
  get size() {
    return this.packed.length
  }
  add(list: PublishedSellerList) {
    const stat = list.file_stat
    const fields: PackedList = [
      list.seller_id, list.content_sha256, list.written_as_of, list.written_run, list.published_path, list.file_sha256,
      stat?.size ?? null, stat?.mtime_ns ?? null, stat?.ino ?? null, stat?.dev ?? null
    ]
    this.packed.push(JSON.stringify(fields))
  }
  /** The rows of seller_lists for the lists from `start`, at most `count`. */
  rows(start: number, count: number) {
    return this.packed.slice(start, start + count).map((text) => {
      const [seller_id, content, written_as_of, written_run, published_path, file, size, mtime, ino, dev] = JSON.parse(text) as PackedList
      return {
        seller_id, written_as_of, written_run, published_path,
        content_sha256: Buffer.from(content, "hex"),
        file_sha256: Buffer.from(file, "hex"),
        file_size: size, file_mtime_ns: mtime, file_ino: ino, file_dev: dev
      }
    })
  }
}

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
  replace: (lists: SellerListRecords) =>
    Effect.gen(function*() {
      yield* sql`DELETE FROM seller_lists`
      for (let start = 0; start < lists.size; start += chunkSize) {
        yield* sql`INSERT INTO seller_lists ${sql.insert(lists.rows(start, chunkSize))}`
      }
    }).pipe(Effect.orDie)
})
