// Storing decoded export rows. A file's rows are first copied into a staging table (a
// temporary one: never WAL-logged, gone with the session), then stored with one
// set-based statement: a record whose key arrives again replaces the stored one (a later
// export carries the newer status), and within a file the last line with a key wins.
// Rows of a table that holds personal values are sealed here, in Node, before any byte
// goes to the server, staging included (src/Seal/SealedColumns.ts).
//
// `changed_run` says which run last inserted the row or changed what it holds, so that
// matching can look again only at what changed; a row written again with the same
// values keeps it. For a sealed table "the same" is judged by the other columns and
// the digest of the clear values (sealed_digest), never by the sealed bytes.
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import type { Fragment } from "@effect/sql/Statement"
import { Context, Effect, Layer } from "effect"
import { type SealedTable, sealedDigest, sealedTables } from "../Seal/SealedColumns.ts"
import { Sealer, type SealerShape } from "../Seal/Sealer.ts"
import { makeFirstLoads, withIndexesBuiltAfter } from "./BulkLoad.ts"
import { copyLine, copyValue } from "./CopyIn.ts"

export interface TableSpec<Row> {
  readonly table: string
  readonly key: ReadonlyArray<keyof Row & string>
  readonly columns: ReadonlyArray<keyof Row & string>
}

/**
 * The COPY text of a file's staging table: pure, so that a file can be decoded and sealed
 * ahead, before its staging table exists (the connection is busy with the file before).
 */
export interface StageLines {
  /** `COPY … FROM STDIN` for lines made by `rowLine` and `rejectionLine`. */
  readonly copyStatement: string
  /** A decoded row (clear values) as a line of COPY text, sealed where the table seals. */
  readonly rowLine: (line: number, clear: Readonly<Record<string, unknown>>) => string
  /** A line set aside, with its reason: staged too, so that nothing is held in memory. */
  readonly rejectionLine: (line: number, reason: string) => string
}

/** A file's staging table, ready for COPY. */
export interface Stage extends StageLines {
  readonly table: string
}

export interface StageOutcome {
  readonly applied: number
  readonly rejected: number
}

export class Records extends Context.Tag("keshikomi/Records")<Records, {
  /** The COPY text of `spec`'s staging table, without touching the database. */
  readonly stageLines: <Row extends Record<string, unknown>>(spec: TableSpec<Row>) => StageLines
  /** Creates the staging table of one file (inside the file's savepoint). */
  readonly stage: <Row extends Record<string, unknown>>(spec: TableSpec<Row>) => Effect.Effect<Stage>
  /** Sets aside staged order items whose order is not stored (inputs.md). */
  readonly setAsideItemsWithoutOrder: (stage: Stage) => Effect.Effect<void>
  /**
   * Stores the staged rows into their table, marked with `runId` where they are new or
   * changed, and the staged rejections under the file's `sha256`; drops the stage.
   */
  readonly storeStage: <Row extends Record<string, unknown>>(
    spec: TableSpec<Row>,
    stage: Stage,
    sha256: string,
    runId: number
  ) => Effect.Effect<StageOutcome>
}>() {}

/**
 * `compute` remembered for up to `limit` distinct keys; past that, computed each time, so
 * that memory stays bounded whatever the file. For values that repeat (a file of 100k
 * payouts names some 1,500 holders), not for ones that are mostly unique.
 */
export const boundedMemo = <A>(compute: (key: string) => A, limit = 4_096): ((key: string) => A) => {
  const known = new Map<string, A>()
  return (key) => {
    const found = known.get(key)
    if (found !== undefined) return found
    const value = compute(key)
    if (known.size < limit) known.set(key, value)
    return value
  }
}

const stageTable = "ingest_stage"
// How holderKey (src/Seal/SealedColumns.ts) prefixes the normalised name it hashes.
const holderKeyPrefix = "holder:"
const lineColumn = "stage_line"
const reasonColumn = "stage_reason"

/** The columns as stored: for a sealed table its own columns and the digest. */
const storedColumns = (spec: TableSpec<Record<string, unknown>>, sealing: SealedTable | undefined): ReadonlyArray<string> =>
  sealing === undefined ? spec.columns : [...sealing.columns, "sealed_digest"]

const quoted = (name: string) => `"${name.replaceAll("\"", "\"\"")}"`

/**
 * The COPY text of `spec`'s staging table under `sealer`: pure, so that it runs wherever a
 * file is decoded (the reader ahead on the main thread, or an ingest worker, StagePool.ts).
 */
export const makeStageLines = <Row extends Record<string, unknown>>(sealer: SealerShape, spec: TableSpec<Row>): StageLines => {
  const sealing = sealedTables[spec.table]
  const columns = storedColumns(spec as TableSpec<Record<string, unknown>>, sealing)
  const empty = columns.map(() => null)
  // One file's text: the holder keys it has made, kept only while it is read. Of the
  // keyed hashes a row needs only the holder's repeats (some 1,500 names in 100k payouts);
  // account numbers, destinations and row digests are nearly all distinct.
  const holderKeys = boundedMemo(sealer.equalityKey)
  const fileSealer: SealerShape = {
    ...sealer,
    equalityKey: (value) => (value.startsWith(holderKeyPrefix) ? holderKeys(value) : sealer.equalityKey(value))
  }
  const toStored = sealing === undefined
    ? (clear: Readonly<Record<string, unknown>>) => clear
    : (clear: Readonly<Record<string, unknown>>) => {
      const stored = sealing.toStored(fileSealer, clear)
      stored.sealed_digest = sealedDigest(sealer, sealing, clear)
      return stored
    }
  return {
    copyStatement: `COPY ${stageTable} (${[lineColumn, reasonColumn, ...columns].map(quoted).join(", ")}) FROM STDIN`,
    // copyLine([line, null, ...values]), written without the arrays in between.
    rowLine: (line, clear) => {
      const stored = toStored(clear)
      let text = `${line}\t\\N`
      for (const column of columns) text += `\t${copyValue(stored[column])}`
      return text + "\n"
    },
    rejectionLine: (line, reason) => copyLine([line, reason, ...empty])
  }
}

export const RecordsLive = Layer.effect(Records, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const sealer = yield* Sealer

  const isFirstLoad = makeFirstLoads()

  const stageLines = <Row extends Record<string, unknown>>(spec: TableSpec<Row>) => makeStageLines(sealer, spec)

  const stage = <Row extends Record<string, unknown>>(spec: TableSpec<Row>) =>
    Effect.gen(function*() {
      const sealing = sealedTables[spec.table]
      const columns = storedColumns(spec as TableSpec<Record<string, unknown>>, sealing)
      // The table's own column types, without its constraints: a rejected line has no values.
      yield* sql`
        CREATE TEMP TABLE ${sql(stageTable)} ON COMMIT DROP AS
        SELECT ${sql.csv(columns.map((c) => sql`${sql(c)}`))} FROM ${sql(spec.table)} WITH NO DATA`
      yield* sql`ALTER TABLE ${sql(stageTable)} ADD COLUMN ${sql(lineColumn)} integer NOT NULL, ADD COLUMN ${sql(reasonColumn)} text`
      return { table: stageTable, ...stageLines(spec) } satisfies Stage
    }).pipe(Effect.orDie, Effect.withSpan("Records.stage", { attributes: { table: spec.table } }))

  const setAsideItemsWithoutOrder = (stage: Stage) =>
    sql`
      UPDATE ${sql(stage.table)} AS s SET ${sql(reasonColumn)} = '注文ID「' || s.order_id || '」の注文が orders にありません'
      WHERE s.${sql(reasonColumn)} IS NULL AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = s.order_id)`.pipe(
      Effect.asVoid,
      Effect.orDie
    )

  const storeStage = <Row extends Record<string, unknown>>(spec: TableSpec<Row>, stage: Stage, sha256: string, runId: number) =>
    Effect.gen(function*() {
      const sealing = sealedTables[spec.table]
      const columns = storedColumns(spec as TableSpec<Record<string, unknown>>, sealing)
      const key = spec.key as ReadonlyArray<string>
      const valueColumns = columns.filter((c) => !key.includes(c))
      // Sealed bytes differ on every seal: compared through sealed_digest instead.
      const comparedColumns = valueColumns.filter((c) => sealing?.sealed[c] === undefined)
      const list = (names: ReadonlyArray<string>, prefix?: string) =>
        sql.csv(names.map((c) => (prefix === undefined ? sql`${sql(c)}` : sql`${sql(prefix)}.${sql(c)}`)))
      const upsert = (rows: Fragment) =>
        sql`
          INSERT INTO ${sql(spec.table)} AS t (${list(columns)}, changed_run)
          ${rows}
          ON CONFLICT (${list(key)}) DO UPDATE SET
            ${sql.csv(valueColumns.map((c) => sql`${sql(c)} = EXCLUDED.${sql(c)}`))},
            changed_run = CASE WHEN (${list(comparedColumns, "t")}) IS DISTINCT FROM (${list(comparedColumns, "excluded")})
                               THEN EXCLUDED.changed_run ELSE t.changed_run END`
      const accepted = sql`${sql(reasonColumn)} IS NULL`
      const [counts] = yield* sql<{ applied: number; rejected: number }>`
        SELECT count(*) FILTER (WHERE ${accepted})::int AS applied, count(*) FILTER (WHERE NOT ${accepted})::int AS rejected
        FROM ${sql(stage.table)}`
      const firstLoad = yield* isFirstLoad(sql, spec.table, runId)
      // Most files repeat no key, and then one pass stores them. A key repeated within
      // the file makes that statement fail (a row may not be updated twice): then the
      // last line of each key is kept, at the cost of a sort.
      const store = upsert(sql`SELECT ${list(columns)}, ${runId}::bigint FROM ${sql(stage.table)} WHERE ${accepted}`).pipe(
        sql.withTransaction,
        Effect.catchIf(
          (error: SqlError) => (error.cause as { code?: string } | undefined)?.code === "21000",
          () =>
            upsert(sql`
              SELECT DISTINCT ON (${list(key)}) ${list(columns)}, ${runId}::bigint FROM ${sql(stage.table)}
              WHERE ${accepted} ORDER BY ${list(key)}, ${sql(lineColumn)} DESC`)
        )
      )
      yield* firstLoad ? withIndexesBuiltAfter(sql, spec.table, counts!.applied, store) : store
      if (counts!.rejected > 0) {
        yield* sql`
          INSERT INTO input_row_rejections (sha256, line, reason)
          SELECT ${sha256}, ${sql(lineColumn)}, ${sql(reasonColumn)} FROM ${sql(stage.table)} WHERE NOT ${accepted}
          ON CONFLICT (sha256, line) DO NOTHING`
      }
      yield* sql`DROP TABLE ${sql(stage.table)}`
      return counts!
    }).pipe(Effect.orDie, Effect.withSpan("Records.storeStage", { attributes: { table: spec.table } }))

  return { stageLines, stage, setAsideItemsWithoutOrder, storeStage }
}))
