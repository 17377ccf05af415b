// What the last committed run published per seller list (migrations 0021, 0023), so that
// a night rewrites only the lists whose content changed (src/Report/Reports.ts).
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { sellerOpenOrderKeys } from "./ShippingQueries.ts"

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

const toPublished = ({ file_dev, file_ino, file_mtime_ns, file_size, ...r }: PublishedRow): PublishedSellerList => ({
  ...r,
  file_stat: file_size === null || file_mtime_ns === null || file_ino === null || file_dev === null
    ? undefined
    : { size: file_size, mtime_ns: file_mtime_ns, ino: file_ino, dev: file_dev }
})

/**
 * Published lists by seller id, each kept as one flat JSON string until asked for (as
 * objects they cost some 1.3 KB of heap each: SellerListRecords).
 */
export class PublishedLists {
  private readonly packed = new Map<string, string>()
  get size() {
    return this.packed.size
  }
  add(list: PublishedSellerList) {
    this.packed.set(list.seller_id, JSON.stringify(list))
  }
  get(sellerId: string): PublishedSellerList | undefined {
    const text = this.packed.get(sellerId)
    return text === undefined ? undefined : JSON.parse(text) as PublishedSellerList
  }
}

/** The sellers whose lists a night reads again (dropped at commit). */
export const sellerListScope = "seller_list_scope"

const publishedPageSize = 2_000

export const sellerListsStore = (sql: SqlClient.SqlClient) => {
  const publishedColumns = sql`
    seller_id, encode(content_sha256, 'hex') AS content_sha256, to_char(written_as_of, 'YYYY-MM-DD') AS written_as_of,
    written_run::int AS written_run, published_path, encode(file_sha256, 'hex') AS file_sha256,
    file_size::text AS file_size, file_mtime_ns::text AS file_mtime_ns, file_ino::text AS file_ino, file_dev::text AS file_dev`
  const inScope = (negate: boolean) =>
    sql`${negate ? sql`NOT ` : sql``}EXISTS (SELECT 1 FROM ${sql(sellerListScope)} s WHERE s.seller_id = seller_lists.seller_id)`

  // Published lists in pages by seller id (a page at a time in memory): all of them, or
  // only those of sellers in (or not in) the scope table.
  const eachPublished = <E>(which: "all" | "inScope" | "outOfScope", use: (page: ReadonlyArray<PublishedSellerList>) => Effect.Effect<void, E>) =>
    Effect.gen(function*() {
      let after: string | undefined
      while (true) {
        const page = yield* sql<PublishedRow>`
          SELECT ${publishedColumns} FROM seller_lists
          WHERE true
            ${after === undefined ? sql`` : sql`AND seller_id > ${after}`}
            ${which === "all" ? sql`` : sql`AND ${inScope(which === "outOfScope")}`}
          ORDER BY seller_id
          LIMIT ${publishedPageSize}`
        yield* use(page.map(toPublished))
        if (page.length < publishedPageSize) return
        after = page[page.length - 1]!.seller_id
      }
    }).pipe(Effect.catchTag("SqlError", Effect.die))

  const collect = (which: "all" | "inScope") =>
    Effect.suspend(() => {
      const lists = new PublishedLists()
      return Effect.as(eachPublished(which, (page) => Effect.sync(() => page.forEach((list) => lists.add(list)))), lists)
    })

  return {
    /** How many lists the last committed run recorded, and how many not in `format` (or from before formats were kept). */
    recorded: (format: number) =>
      sql<{ lists: number; other_format: number }>`
        SELECT count(*)::int AS lists, count(*) FILTER (WHERE list_format IS DISTINCT FROM ${format})::int AS other_format
        FROM seller_lists`.pipe(Effect.map((rows) => ({ lists: rows[0]!.lists, otherFormat: rows[0]!.other_format })), Effect.orDie),
    /** Every seller list the last committed run published, by seller id. */
    published: collect("all"),
    /**
     * Fills the scope table with the sellers whose list can have changed since the last
     * committed run, given the night's scope (`orderRefs`, a table of order refs): whose
     * set of open orders differs from the one recorded (a finding raised, closed, resolved
     * or reopened; an order moved to another seller: both sellers), and the sellers of
     * open orders in the night's scope (an order's items, parcels, circle name or date may
     * have changed), and sellers with open orders but no published list on record. Nothing else goes into a list: its date is the one it was written on.
     * Yields how many sellers.
     */
    scopeToChanged: (orderRefs: string) =>
      Effect.gen(function*() {
        yield* sql`DROP TABLE IF EXISTS ${sql(sellerListScope)}`
        yield* sql`CREATE TEMP TABLE ${sql(sellerListScope)} (seller_id text PRIMARY KEY) ON COMMIT DROP`
        yield* sql`
          WITH open_now AS MATERIALIZED (${sellerOpenOrderKeys(sql)})
          INSERT INTO ${sql(sellerListScope)} (seller_id)
          SELECT DISTINCT seller_id FROM (
            (SELECT seller_id, order_id, short FROM open_now
             EXCEPT SELECT seller_id, order_id, short FROM seller_list_orders)
            UNION ALL
            (SELECT seller_id, order_id, short FROM seller_list_orders
             EXCEPT SELECT seller_id, order_id, short FROM open_now)
            UNION ALL
            SELECT n.seller_id, n.order_id, n.short FROM open_now n
            WHERE EXISTS (SELECT 1 FROM ${sql(orderRefs)} s WHERE s.order_ref = n.order_id)
            UNION ALL
            SELECT n.seller_id, n.order_id, n.short FROM open_now n
            WHERE NOT EXISTS (SELECT 1 FROM seller_lists l WHERE l.seller_id = n.seller_id)
          ) moved (seller_id, order_id, short)`
        yield* sql`ANALYZE ${sql(sellerListScope)}`
        return (yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(sellerListScope)}`)[0]!.n
      }).pipe(Effect.orDie),
    /** Adds sellers to the scope table (their published list could not be carried). */
    addToScope: (sellerIds: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        for (let start = 0; start < sellerIds.length; start += chunkSize) {
          const rows = sellerIds.slice(start, start + chunkSize).map((seller_id) => ({ seller_id }))
          yield* sql`INSERT INTO ${sql(sellerListScope)} ${sql.insert(rows)} ON CONFLICT DO NOTHING`
        }
      }).pipe(Effect.orDie),
    /** The published lists of the sellers in the scope table. */
    publishedInScope: collect("inScope"),
    /** Calls `use` with the published lists of sellers not in the scope table, a page at a time. */
    eachPublishedOutOfScope: <E>(use: (page: ReadonlyArray<PublishedSellerList>) => Effect.Effect<void, E>) => eachPublished("outOfScope", use),
    /**
     * Records carried lists where they are now (their path and stat), the rest of their
     * record as it stands: a night's lists of sellers not read again, recorded as they go
     * rather than held for the step.
     */
    recordCarried: (lists: ReadonlyArray<PublishedSellerList>) =>
      lists.length === 0 ? Effect.void : sql`
        UPDATE seller_lists l
        SET published_path = v.published_path, file_size = v.file_size::bigint, file_mtime_ns = v.file_mtime_ns::bigint,
            file_ino = v.file_ino::numeric, file_dev = v.file_dev::numeric
        FROM jsonb_to_recordset(${JSON.stringify(lists.map((list) => ({
          seller_id: list.seller_id, published_path: list.published_path, file_size: list.file_stat?.size ?? null,
          file_mtime_ns: list.file_stat?.mtime_ns ?? null, file_ino: list.file_stat?.ino ?? null, file_dev: list.file_stat?.dev ?? null
        })))}::jsonb) AS v (seller_id text, published_path text, file_size text, file_mtime_ns text, file_ino text, file_dev text)
        WHERE l.seller_id = v.seller_id`.pipe(Effect.asVoid, Effect.orDie),
    /**
     * Replaces the record with this run's lists (a seller without a list has no row), all
     * in `format`, and the orders they show: every seller's, or (`scoped`) only those of
     * the sellers in the scope table, the others' being as recorded (and carried).
     */
    replace: (lists: SellerListRecords, format: number, scoped: boolean) =>
      Effect.gen(function*() {
        // Scoped: every seller out of the scope table is carried and recorded (recordCarried).
        yield* scoped
          ? sql`DELETE FROM seller_lists WHERE seller_id IN (SELECT seller_id FROM ${sql(sellerListScope)})`
          : sql`DELETE FROM seller_lists`
        for (let start = 0; start < lists.size; start += chunkSize) {
          const rows = lists.rows(start, chunkSize).map((row) => ({ ...row, list_format: format }))
          yield* sql`INSERT INTO seller_lists ${sql.insert(rows)}`
        }
        const sellers = scoped ? sql`WHERE k.seller_id IN (SELECT seller_id FROM ${sql(sellerListScope)})` : sql``
        yield* scoped
          ? sql`DELETE FROM seller_list_orders WHERE seller_id IN (SELECT seller_id FROM ${sql(sellerListScope)})`
          : sql`DELETE FROM seller_list_orders`
        yield* sql`
          INSERT INTO seller_list_orders (seller_id, order_id, short)
          SELECT k.seller_id, k.order_id, k.short FROM (${sellerOpenOrderKeys(sql)}) k ${sellers}`
      }).pipe(Effect.orDie)
  }
}
