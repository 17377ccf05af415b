// The findings CSVs as the run writes them (the fields copied out, the lines made from their bytes) must be
// the very file the papaparse writer makes from the same rows: compared byte for byte on
// seeded random findings full of what CSV and spreadsheets treat specially, and parsed
// back by papaparse and by an independent reader (Python's csv module).
import { SqlClient } from "@effect/sql"
import { Effect, Exit, Fiber, Layer, Option, Stream } from "effect"
import Papa from "papaparse"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { PassThrough, Writable } from "node:stream"
import { beforeAll, describe, expect, it } from "vitest"
import { allFindingCodes, findingCodes } from "../../src/Domain/Finding.ts"
import { findingsSheet } from "../../src/Report/FindingsSheet.ts"
import { columnShape, copyFindingsCsv, writeCsvField, writeFindingsCsv } from "../../src/Report/FindingsCsv.ts"
import { formulaLike, sheetColumns } from "../../src/Report/Sheet.ts"
import { copyOut, inlineParameters, makeRowFormatter, makeUnframer } from "../../src/Store/CopyOut.ts"
import { type FindingRow, FindingsStore, FindingsStoreLive } from "../../src/Store/FindingsStore.ts"
import { tempDir } from "../support/inbox.ts"
import { type Random, seededRandom } from "../support/randomShipping.ts"
import { createTestDatabase, databaseLayer, query } from "../support/testDatabase.ts"

// Pieces that CSV, spreadsheets or the SQL formatting treat specially, and plain text.
const pieces = [
  "\"", ",", "\r", "\n", "\r\n", " ", "  ", "=", "+", "-", "@", "\t", "'", "\\", "\\N", ";", "|",
  "日本語", "ｶﾅ", "ﾞ", "注文 PS-00000001", "\uFEFF", "😀", "\u0001", "\u3000", "$1", "''", "\"\"",
  "a", "Z", "0", "-5", "1e3", "0012", "2023-09-05", "=HYPERLINK(\"http://x\",\"y\")", "NULL", "E'x'"
]
const text = (random: Random, most = 6) => {
  let s = ""
  for (let n = random.int(0, most); n > 0; n--) s += random.pick(pieces)
  return s
}
// A long detail now and then, so that one line spans several of the socket's chunks.
const detail = (random: Random) => (random.chance(0.01) ? text(random).repeat(random.int(2_000, 20_000)) : text(random, 10))
const day = (random: Random) => `2023-${String(random.int(1, 12)).padStart(2, "0")}-${String(random.int(1, 28)).padStart(2, "0")}`

interface Stored {
  readonly code: string
  readonly subject_id: string
  readonly related_id: string
  readonly severity: string
  readonly side: string
  readonly detail: string
  readonly first_run: number
  readonly first_seen: string
  readonly last_run: number
  readonly resolved_at: string | null
  readonly resolved_by: string | null
  readonly resolution_note: string | null
}

const randomFindings = (seed: number, count: number, runIds: ReadonlyArray<number>): Array<Stored> => {
  const random = seededRandom(seed)
  const seen = new Set<string>()
  const rows: Array<Stored> = []
  while (rows.length < count) {
    const code = random.pick(allFindingCodes)
    const subject_id = random.chance(0.05) ? "" : text(random, 4) + (random.chance(0.5) ? String(random.int(0, 99_999)) : "")
    const related_id = random.chance(0.3) ? "" : text(random, 3)
    const key = JSON.stringify([code, subject_id, related_id])
    if (seen.has(key)) continue
    seen.add(key)
    const resolved = random.chance(0.2)
    rows.push({
      code,
      subject_id,
      related_id,
      severity: findingCodes[code].severity,
      side: random.pick(["shipping", "payout", "input"]),
      detail: detail(random),
      first_run: random.pick(runIds),
      first_seen: day(random),
      last_run: runIds[runIds.length - 1]!,
      resolved_at: resolved ? `${day(random)}T${String(random.int(0, 23)).padStart(2, "0")}:${String(random.int(0, 59)).padStart(2, "0")}:00Z` : null,
      resolved_by: resolved ? (random.chance(0.2) ? "" : text(random, 3)) : random.chance(0.1) ? "" : null,
      resolution_note: resolved ? (random.chance(0.3) ? null : text(random, 8)) : null
    })
  }
  return rows
}

const insertFindings = async (url: string, rows: ReadonlyArray<Stored>) => {
  const columns = Object.keys(rows[0]!) as Array<keyof Stored>
  for (let start = 0; start < rows.length; start += 500) {
    const chunk = rows.slice(start, start + 500)
    const values = chunk.flatMap((row) => columns.map((c) => row[c]))
    const tuples = chunk.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(", ")})`)
    await query(url, `INSERT INTO findings (${columns.join(", ")}) VALUES ${tuples.join(", ")}`, values)
  }
}

/** Everything a Writable is given, as one buffer, once it ends. */
const collect = () => {
  const stream = new PassThrough()
  const chunks: Array<Buffer> = []
  stream.on("data", (chunk: Buffer) => chunks.push(chunk))
  return { stream, bytes: () => Buffer.concat(chunks) }
}

const parseWithPapa = (bytes: Buffer) => {
  expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true)
  const parsed = Papa.parse<Array<string>>(bytes.subarray(3).toString("utf8"), { newline: "\r\n" })
  expect(parsed.errors).toEqual([])
  // The file ends with CRLF: papaparse reads an empty last line after it.
  expect(parsed.data.at(-1)).toEqual([""])
  return parsed.data.slice(0, -1)
}

const python = (() => {
  try {
    execFileSync("python3", ["-c", "import csv, json"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})()
const parseWithPython = (file: string): Array<Array<string>> =>
  JSON.parse(execFileSync("python3", ["-c", [
    "import csv, json, sys",
    "csv.field_size_limit(sys.maxsize)",
    "with open(sys.argv[1], newline='', encoding='utf-8-sig') as f: print(json.dumps(list(csv.reader(f))))"
  ].join("\n"), file], { encoding: "utf8", maxBuffer: 1 << 30 }))

/** What a row must read back as: the Findings sheet's value, `'` before formula-like text, null as empty. */
const expectedFields = (row: FindingRow) =>
  sheetColumns(findingsSheet).map((column) => {
    const value = column.value(row)
    if (value === null || value === undefined) return ""
    return typeof value === "string" && formulaLike.test(value) ? `'${value}` : String(value)
  })

/** In one transaction, as a run writes its reports (COPY runs on the transaction's connection). */
const inTransaction = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.withTransaction(effect)).pipe(Effect.orDie)

describe("the findings CSVs written from the copied-out fields", () => {
  let url: string
  let layer: Layer.Layer<FindingsStore | SqlClient.SqlClient, unknown>
  const run = <A, E>(effect: Effect.Effect<A, E, FindingsStore | SqlClient.SqlClient>) =>
    Effect.runPromise(effect.pipe(Effect.provide(layer)))
  const latestRun = 3

  beforeAll(async () => {
    url = await createTestDatabase()
    layer = FindingsStoreLive.pipe(Layer.provideMerge(databaseLayer(url)))
    // Migrates the database.
    await run(Effect.void)
    await query(url, "INSERT INTO runs (as_of) VALUES ('2023-09-03'), ('2023-09-04'), ('2023-09-05')")
    await insertFindings(url, randomFindings(20261201, 3_000, [1, 2, latestRun]))
  })

  // Both writers on one side's findings, in one transaction, as a run writes them.
  const bothWriters = (side: "shipping" | "payout") =>
    run(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const findings = yield* FindingsStore
      const server = collect()
      const node = collect()
      const rows: Array<FindingRow> = []
      const copied = yield* copyFindingsCsv(sql, server.stream, findings.raisedByQuery(latestRun, side))
      const written = yield* writeFindingsCsv(node.stream, findings.raisedBy(latestRun, side).pipe(Stream.tap((row) => Effect.sync(() => rows.push(row)))))
      return { copied, written, server: server.bytes(), node: node.bytes(), rows }
    }).pipe(inTransaction))

  for (const side of ["shipping", "payout"] as const) {
    it(`writes the ${side} side byte for byte as the papaparse writer does`, async () => {
      const { copied, written, server, node, rows } = await bothWriters(side)
      expect(rows.length).toBeGreaterThan(1_000)
      expect(copied).toBe(rows.length)
      expect(written).toBe(rows.length)
      expect(server.length).toBe(node.length)
      expect(server.equals(node)).toBe(true)
      // Every line ends with CRLF, the header's too.
      expect(server.subarray(-2).toString("latin1")).toBe("\r\n")
    })

    it(`reads back (${side}) to the Findings sheet's values, through papaparse`, async () => {
      const { server, rows } = await bothWriters(side)
      const parsed = parseWithPapa(server)
      expect(parsed[0]).toEqual(sheetColumns(findingsSheet).map((c) => c.header))
      expect(parsed.slice(1)).toEqual(rows.map(expectedFields))
      // The data has what the rules are about.
      const fields = parsed.slice(1).flat()
      for (const special of ["\r\n", "\"", ",", "\uFEFF", "😀"]) expect(fields.some((f) => f.includes(special)), JSON.stringify(special)).toBe(true)
      for (const first of ["'=", "'+", "'-", "'@", "'\t", "'\r", " "]) expect(fields.some((f) => f.startsWith(first)), JSON.stringify(first)).toBe(true)
    })

    it.skipIf(!python)(`reads back (${side}) to the same rows through Python's csv module`, async () => {
      const { server, node } = await bothWriters(side)
      const dir = tempDir()
      const file = path.join(dir, "findings.csv")
      fs.writeFileSync(file, server)
      expect(parseWithPython(file)).toEqual(parseWithPapa(node))
      fs.rmSync(dir, { recursive: true, force: true })
    })
  }

  it("formats every character, first, last or inside a field, as papaparse does", () => {
    const wrong: Array<string> = []
    let checked = 0
    const out = Buffer.alloc(64)
    for (let n = 1; n <= 0xffff; n++) {
      if (n >= 0xd800 && n <= 0xdfff) continue
      for (const detail of [String.fromCharCode(n) + "x", "x" + String.fromCharCode(n), "x" + String.fromCharCode(n) + "x"]) {
        const bytes = Buffer.from(detail, "utf8")
        // The field inside other bytes, as it sits in a chunk of COPY's output.
        const framed = Buffer.concat([Buffer.from("\"\uFEFF,"), bytes, Buffer.from(", \"")])
        const field = out.toString("utf8", 0, writeCsvField(framed, 5, 5 + bytes.length, out, 0))
        if (field !== Papa.unparse([[detail]], { escapeFormulae: formulaLike })) wrong.push(JSON.stringify([detail, field]))
        checked++
      }
    }
    expect(checked).toBe((65535 - 2048) * 3)
    expect(wrong.slice(0, 5)).toEqual([])
  })

  it("stops a copy whose file fails, and leaves the transaction's connection usable", async () => {
    const result = await run(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const findings = yield* FindingsStore
      let taken = 0
      const failing = new Writable({
        write(chunk: Buffer, _, done) {
          taken += chunk.length
          done(taken > 100_000 ? new Error("disk full") : null)
        }
      })
      failing.on("error", () => {})
      const exit = yield* Effect.exit(copyFindingsCsv(sql, failing, findings.raisedByQuery(latestRun, "shipping")))
      const after = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM findings`
      return { exit, after: after[0]!.n }
    }).pipe(inTransaction))
    expect(Exit.isFailure(result.exit)).toBe(true)
    expect(result.after).toBe(3_000)
  })

  it("when interrupted while the file is full, reads the rest of the copy away so the transaction can go on", async () => {
    const after = await run(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      // A file that takes a little and then never drains.
      const stuck = new Writable({ highWaterMark: 1024, write() {} })
      const fiber = yield* Effect.fork(copyOut(sql`SELECT detail || ${"\r\n"}::text FROM findings`, stuck))
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
      const stillCopying = Option.isNone(yield* Fiber.poll(fiber))
      yield* Fiber.interrupt(fiber)
      return { stillCopying, n: (yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM findings`)[0]!.n }
    }).pipe(inTransaction))
    expect(after).toEqual({ stillCopying: true, n: 3_000 })
  })
})

describe("the Findings columns, derived for the CSV", () => {
  const shapes = sheetColumns(findingsSheet).map(columnShape)

  it("shows the fields as they are, maps 重要度 to its words and writes the constant columns as literals", () => {
    expect(shapes.map((s) => (s._tag === "Constant" ? s.field : s.name))).toEqual([
      "code", "severity", "subject_id", "related_id", "detail", "first_seen", "status", "resolved_by", "resolved_on", "resolution_note"
    ])
    const severity = shapes[1]!
    expect(severity._tag === "Mapped" && Object.fromEntries(severity.fields)).toEqual({ error: "エラー", warning: "警告", info: "情報" })
  })

  it("refuses a column it cannot write from the fields, instead of writing something else", () => {
    expect(() => columnShape({ header: "x", width: 1, kind: "text", value: (f) => f.detail.slice(0, 3) })).toThrow(/内容|x/)
    expect(() => columnShape({ header: "x", width: 1, kind: "text", value: (f) => f.subject_id + f.related_id })).toThrow(/reads/)
    expect(columnShape({ header: "x", width: 1, kind: "text", value: () => "=1" })).toEqual({ _tag: "Constant", field: "\"'=1\"" })
  })
})

describe("COPY's binary output, unframed", () => {
  const framed = (values: ReadonlyArray<Buffer>) =>
    Buffer.concat([
      Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(4), Buffer.from([0, 0, 0, 3, 1, 2, 3]),
      ...values.flatMap((value) => {
        const head = Buffer.alloc(6)
        head.writeInt16BE(1, 0)
        head.writeInt32BE(value.length, 2)
        return [head, value]
      }),
      Buffer.from([0xff, 0xff])
    ])

  it("gives back the values alone, however the bytes are cut into chunks", () => {
    const random = seededRandom(7)
    const values = Array.from({ length: 50 }, () => Buffer.from(text(random, 12), "utf8"))
    const bytes = framed(values)
    for (let trial = 0; trial < 200; trial++) {
      const unframer = makeUnframer()
      const out: Array<Buffer> = []
      for (let at = 0; at < bytes.length;) {
        const size = trial === 0 ? 1 : random.int(1, 64)
        out.push(unframer.feed(bytes.subarray(at, at + size)))
        at += size
      }
      expect(Buffer.concat(out).equals(Buffer.concat(values))).toBe(true)
      expect(unframer.rows()).toBe(50)
      expect(unframer.complete()).toBe(true)
    }
  })

  it("knows a copy that ended inside a row", () => {
    const unframer = makeUnframer()
    const bytes = framed([Buffer.from("abc")])
    unframer.feed(bytes.subarray(0, bytes.length - 4))
    expect(unframer.complete()).toBe(false)
  })
})

describe("COPY's binary rows, each made into a line", () => {
  // Rows of three fields, null as undefined, framed as COPY's binary output.
  type Row = ReadonlyArray<Buffer | undefined>
  const framedRows = (rows: ReadonlyArray<Row>) =>
    Buffer.concat([
      Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"), Buffer.alloc(4), Buffer.from([0, 0, 0, 2, 9, 9]),
      ...rows.flatMap((row) => {
        const count = Buffer.alloc(2)
        count.writeInt16BE(row.length, 0)
        return [count, ...row.flatMap((field) => {
          const length = Buffer.alloc(4)
          length.writeInt32BE(field === undefined ? -1 : field.length, 0)
          return field === undefined ? [length] : [length, field]
        })]
      }),
      Buffer.from([0xff, 0xff])
    ])
  // A line: the fields in brackets, "-" for null; lengths cannot exceed the formatter's room.
  const lineOf = (row: Row) => row.map((field) => (field === undefined ? "-" : `[${field.toString("utf8")}]`)).join("|") + "\n"
  const formatter = () =>
    makeRowFormatter(3, 16, (bytes, starts, ends, out, at) => {
      for (let i = 0; i < 3; i++) {
        if (i > 0) out[at++] = 0x7c
        if (starts[i]! < 0) out[at++] = 0x2d
        else {
          out[at++] = 0x5b
          at += bytes.copy(out, at, starts[i]!, ends[i]!)
          out[at++] = 0x5d
        }
      }
      out[at++] = 0x0a
      return at
    })

  it("gives each row's line, however the bytes are cut into chunks, rows longer than a chunk included", () => {
    const random = seededRandom(11)
    const field = () => (random.chance(0.2) ? undefined : Buffer.from(random.chance(0.05) ? text(random).repeat(5_000) : text(random, 12), "utf8"))
    const rows = Array.from({ length: 120 }, (): Row => [field(), field(), field()])
    const bytes = framedRows(rows)
    const expected = rows.map(lineOf).join("")
    for (let trial = 0; trial < 60; trial++) {
      const decoder = formatter()
      const out: Array<Buffer> = []
      for (let at = 0; at < bytes.length;) {
        const size = trial === 0 ? bytes.length : trial === 1 ? 1 : random.int(1, trial < 30 ? 64 : 70_000)
        out.push(decoder.feed(bytes.subarray(at, at + size)))
        at += size
      }
      expect(Buffer.concat(out).toString("utf8")).toBe(expected)
      expect(decoder.rows()).toBe(120)
      expect(decoder.complete()).toBe(true)
    }
  })

  it("knows a copy that ended inside a row, and refuses a row of another width", () => {
    const decoder = formatter()
    const bytes = framedRows([[Buffer.from("a"), undefined, Buffer.from("bc")]])
    decoder.feed(bytes.subarray(0, bytes.length - 4))
    expect(decoder.complete()).toBe(false)
    expect(() => formatter().feed(framedRows([[Buffer.from("a")]]))).toThrow(/1 columns, expected 3/)
  })
})

describe("parameters inlined into a COPY statement", () => {
  it("become literals the server reads back exactly", async () => {
    const url = await createTestDatabase()
    const values = ["it's", "back\\slash", "\\N", "$1", "改行\r\n", "", "\"q\""]
    const text = inlineParameters(`SELECT ${values.map((_, i) => `$${i + 1}::text AS v${i}`).join(", ")}, $${values.length + 1}::int AS n`, [...values, 42])
    expect(text).not.toContain("$1::")
    const [row] = await query<Record<string, unknown>>(url, text)
    expect(Object.values(row!)).toEqual([...values, 42])
  })

  it("refuses a value it has no literal for, and a parameter left out", () => {
    expect(() => inlineParameters("SELECT $1", [new Date()])).toThrow(/no literal/)
    expect(() => inlineParameters("SELECT $1", [1, 2])).toThrow(/not referenced/)
    expect(() => inlineParameters("SELECT $2", [1])).toThrow(/no parameter/)
  })
})
