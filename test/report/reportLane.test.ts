// The reports' lane: jobs run one at a time in the order they were put on it, whichever
// fiber put them there and however long each takes; a spooled query's rows come back
// exactly as the driver reads them (bytes, dates, nulls), in order, after spilling to
// disk, and are opened only as the reader takes them, so a spool holds rows as the
// database holds them (sealed); the next job runs while they wait; a failing query
// reaches the reader after the rows before it; a closed lane interrupts what waits.
import { SqlClient, type Statement } from "@effect/sql"
import { Chunk, Effect, Exit, Fiber, Layer, Redacted, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { makeReportLane } from "../../src/Report/ReportLane.ts"
import { makeSpillFolder } from "../../src/Spool.ts"
import { clientFromUrl } from "../../src/Store/Database.ts"
import { plainQuery } from "../../src/Store/SheetQuery.ts"
import { createTestDatabase } from "../support/testDatabase.ts"

let layer: Layer.Layer<SqlClient.SqlClient>

beforeAll(async () => {
  layer = Layer.orDie(clientFromUrl(Redacted.make(await createTestDatabase())))
})

// In a transaction, as the reports run, with a private spill folder; `memoryBytes` small
// enough that most batches go to the spill file.
const inLane = <A>(memoryBytes: number, body: (lane: Effect.Effect.Success<ReturnType<typeof makeReportLane>>, sql: SqlClient.SqlClient) => Effect.Effect<A, unknown, SqlClient.SqlClient>) =>
  Effect.runPromise(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* Effect.scoped(Effect.gen(function*() {
      const parent = yield* Effect.acquireRelease(
        Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-lane-test-"))),
        (folder) => Effect.sync(() => fs.rmSync(folder, { recursive: true, force: true }))
      )
      const folder = makeSpillFolder(parent)
      yield* Effect.addFinalizer(() => Effect.sync(() => folder.remove()))
      const lane = yield* makeReportLane(folder, memoryBytes)
      return yield* body(lane, sql)
    })).pipe(sql.withTransaction)
  }).pipe(Effect.provide(layer)) as Effect.Effect<A>)

interface StoredRow {
  readonly id: number
  readonly sealed: Buffer
  readonly seen_at: Date
  readonly note: string | null
}

// Rows shaped like a sheet's: bytes (a sealed value), a timestamp, a null now and then, Japanese text.
const storedRows = (sql: SqlClient.SqlClient, count: number): Statement.Statement<StoredRow> => sql<StoredRow>`
  SELECT i AS id, convert_to(repeat('sealed-' || i || '-', 1 + i % 7), 'UTF8') AS sealed,
         (timestamptz '2023-09-01 09:00+09' + (i % 28) * interval '1 day') AS seen_at,
         CASE WHEN i % 3 = 0 THEN NULL ELSE 'メモ' || i END AS note
  FROM generate_series(0, ${count - 1}) i ORDER BY i`

describe("the reports' lane", () => {
  it("runs its jobs one at a time, in the order they were put on it, however long each takes", async () => {
    const log = await inLane(1 << 20, (lane) =>
      Effect.gen(function*() {
        const log: Array<string> = []
        let running = 0
        const job = (name: string, millis: number) =>
          Effect.gen(function*() {
            running++
            log.push(`${name} start (${running} running)`)
            yield* Effect.sleep(millis)
            log.push(`${name} end`)
            running--
            return name
          })
        // The first job is the slowest: the others must still wait for it.
        const first = yield* lane.later(job("a", 60))
        const second = yield* lane.later(job("b", 1))
        // Put on the lane from another fiber, after the first two.
        const third = yield* Fiber.join(yield* Effect.fork(lane.later(job("c", 20))))
        const fourth = yield* lane.later(job("d", 1))
        expect(yield* Effect.all([fourth, third, second, first])).toEqual(["d", "c", "b", "a"])
        return log
      }))
    expect(log).toEqual([
      "a start (1 running)", "a end",
      "b start (1 running)", "b end",
      "c start (1 running)", "c end",
      "d start (1 running)", "d end"
    ])
  })

  it("gives a spooled query's rows back exactly as the driver reads them, spilled to disk, opening each only as it is read", async () => {
    const { direct, back, openedBeforeReading } = await inLane(4_096, (lane, sql) =>
      Effect.gen(function*() {
        const direct = Chunk.toReadonlyArray(yield* Stream.runCollect(storedRows(sql, 10_000).stream))
        let opened = 0
        const stream = yield* lane.ahead({
          statement: Effect.succeed(storedRows(sql, 10_000)),
          open: (row: StoredRow) => {
            opened++
            return { ...row, clear: row.sealed.toString("utf8") }
          }
        })
        // The whole query is in the spool before the reader takes a row, and nothing was opened.
        yield* (yield* lane.later(Effect.void))
        const openedBeforeReading = opened
        const back = Chunk.toReadonlyArray(yield* Stream.runCollect(stream))
        expect(opened).toBe(10_000)
        return { direct, back, openedBeforeReading }
      }))
    expect(openedBeforeReading).toBe(0)
    expect(back.map(({ clear: _, ...row }) => row)).toEqual(direct)
    expect(back.every((row) => Buffer.isBuffer(row.sealed) && row.seen_at instanceof Date)).toBe(true)
    expect(back[7]!.clear).toBe("sealed-7-")
    expect(back.filter((row) => row.note === null)).toHaveLength(3_334)
  })

  it("runs the next job while a spooled query's rows wait for their reader", async () => {
    const { next, rows } = await inLane(1 << 20, (lane, sql) =>
      Effect.gen(function*() {
        const stream = yield* lane.ahead(plainQuery(storedRows(sql, 500)))
        // Not a row read yet, and the query after it already answered on the same connection.
        const next = yield* (yield* lane.later(sql<{ n: number }>`SELECT 41 + 1 AS n`))
        return { next, rows: Chunk.size(yield* Stream.runCollect(stream)) }
      }))
    expect(next).toEqual([{ n: 42 }])
    expect(rows).toBe(500)
  })

  it("gives the reader the rows before a failing query's error, as a defect, and goes on with its next job", async () => {
    const { seen, exit, after } = await inLane(1 << 20, (lane, sql) =>
      Effect.gen(function*() {
        // Fails at row 6,000, in the second batch the lane asks for (generate_series gives them in order).
        const failing = sql<{ id: number }>`SELECT CASE WHEN i = 6000 THEN 1 / (i - 6000) ELSE i END AS id FROM generate_series(1, 10000) i`
        const stream = yield* lane.ahead(plainQuery(failing))
        const seen: Array<number> = []
        const exit = yield* Effect.exit(Stream.runForEach(stream, (row) => Effect.sync(() => seen.push(row.id))))
        // The transaction is aborted after the error: a job that needs no query still runs.
        const after = yield* (yield* lane.later(Effect.succeed("next job")))
        return { seen, exit, after }
      })).catch((error) => ({ seen: [], exit: Exit.die(error), after: "" }))
    expect(seen.length).toBeGreaterThan(0)
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1))
    expect(Exit.isFailure(exit) && String(Exit.causeOption(exit).pipe((c) => (c._tag === "Some" ? c.value : "")))).toMatch(/division by zero/)
    expect(after).toBe("next job")
  })

  it("interrupts the jobs still waiting when its scope closes", async () => {
    const ran: Array<string> = []
    const waiting = await inLane(1 << 20, (lane) =>
      Effect.gen(function*() {
        yield* lane.later(Effect.never)
        return yield* lane.later(Effect.sync(() => ran.push("second")))
      }))
    const exit = await Effect.runPromise(Effect.exit(waiting))
    expect(Exit.isInterrupted(exit)).toBe(true)
    expect(ran).toEqual([])
  })
})
