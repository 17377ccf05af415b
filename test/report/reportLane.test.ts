// The reports' lane: jobs run one at a time in the order they were put on it, whichever
// fiber put them there and however long each takes; a spooled query's rows come back
// exactly (bytes, dates, nulls), in order, after spilling to disk, and are opened only as
// the reader takes them, so a spool holds rows as the server sent them (sealed); a failing
// query reaches the reader after the rows before it; a closed lane interrupts what waits.
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { makeReportLane } from "../../src/Report/ReportLane.ts"
import { makeSpillFolder } from "../../src/Spool.ts"

const withSpillFolder = Effect.acquireRelease(
  Effect.sync(() => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-lane-test-"))
    return { parent, folder: makeSpillFolder(parent) }
  }),
  ({ parent, folder }) => Effect.sync(() => {
    folder.remove()
    fs.rmSync(parent, { recursive: true, force: true })
  })
)

interface SealedRow {
  readonly id: number
  readonly sealed: Buffer
  readonly on: Date
  readonly note: string | null
}

// Rows shaped like a query's: a sealed value (bytes), a date, a null now and then.
const sealedRows = (count: number): ReadonlyArray<SealedRow> =>
  Array.from({ length: count }, (_, i) => ({
    id: i,
    sealed: Buffer.from(`sealed-${i}-`.repeat(1 + (i % 7)), "utf8"),
    on: new Date(Date.UTC(2023, 8, 1 + (i % 28))),
    note: i % 3 === 0 ? null : `メモ${i}`
  }))

// As a cursor gives them: chunks of 128.
const asQuery = (rows: ReadonlyArray<SealedRow>) => Stream.fromIterable(rows).pipe(Stream.rechunk(128))

describe("the reports' lane", () => {
  it.scopedLive("runs its jobs one at a time, in the order they were put on it, however long each takes", () =>
    Effect.gen(function*() {
      const { folder } = yield* withSpillFolder
      const lane = yield* makeReportLane(folder, 1 << 20)
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
      expect(log).toEqual([
        "a start (1 running)", "a end",
        "b start (1 running)", "b end",
        "c start (1 running)", "c end",
        "d start (1 running)", "d end"
      ])
    }))

  it.scoped("gives a spooled query's rows back exactly and in order, spilled to disk, opening each only as it is read", () =>
    Effect.gen(function*() {
      const { folder } = yield* withSpillFolder
      // A small memory limit: most chunks go to the spill file.
      const lane = yield* makeReportLane(folder, 4_096)
      const rows = sealedRows(3_000)
      let opened = 0
      const stream = yield* lane.ahead({
        sealed: asQuery(rows),
        open: (row: SealedRow) => {
          opened++
          return { ...row, clear: row.sealed.toString("utf8") }
        }
      })
      // The whole query is read into the spool before the reader takes a row, and nothing was opened.
      yield* (yield* lane.later(Effect.void))
      expect(opened).toBe(0)
      const back = Chunk.toReadonlyArray(yield* Stream.runCollect(stream))
      expect(opened).toBe(rows.length)
      expect(back.map(({ clear: _, ...row }) => row)).toEqual(rows)
      expect(back.every((row) => Buffer.isBuffer(row.sealed) && row.on instanceof Date)).toBe(true)
      expect(back[7]!.clear).toBe(rows[7]!.sealed.toString("utf8"))
    }))

  it.scoped("lets the next job run while a spooled query's rows wait for their reader", () =>
    Effect.gen(function*() {
      const { folder } = yield* withSpillFolder
      const lane = yield* makeReportLane(folder, 1 << 20)
      const stream = yield* lane.aheadPlain(asQuery(sealedRows(500)))
      // Not a row read yet, and the job after the query is already done.
      const after = yield* lane.later(Effect.succeed("next job"))
      expect(yield* after).toBe("next job")
      expect(Chunk.size(yield* Stream.runCollect(stream))).toBe(500)
    }))

  it.scoped("gives the reader the rows before a failing query's defect, then the defect", () =>
    Effect.gen(function*() {
      const { folder } = yield* withSpillFolder
      const lane = yield* makeReportLane(folder, 1 << 20)
      const failing = Stream.concat(asQuery(sealedRows(300)), Stream.die(new Error("the server went away")))
      const stream = yield* lane.aheadPlain(failing)
      const seen: Array<number> = []
      const exit = yield* Effect.exit(Stream.runForEach(stream, (row) => Effect.sync(() => seen.push(row.id))))
      expect(seen).toEqual(sealedRows(300).map((row) => row.id))
      expect(Exit.isFailure(exit) && Exit.causeOption(exit).pipe((c) => c._tag === "Some" && String(c.value))).toMatch(/the server went away/)
      // The lane goes on with its next job.
      expect(yield* Effect.flatten(lane.later(Effect.succeed(1)))).toBe(1)
    }))

  it.effect("interrupts the jobs still waiting when its scope closes", () =>
    Effect.gen(function*() {
      const ran: Array<string> = []
      const waiting = yield* Effect.scoped(Effect.gen(function*() {
        const { folder } = yield* withSpillFolder
        const lane = yield* makeReportLane(folder, 1 << 20)
        yield* lane.later(Effect.never)
        return yield* lane.later(Effect.sync(() => ran.push("second")))
      }))
      expect(Exit.isInterrupted(yield* Effect.exit(waiting))).toBe(true)
      expect(ran).toEqual([])
    }))
})
