// The spool between the reader ahead and the COPY: bytes come out in the order they went
// in, whether they waited in memory or in the spill file; memory stays under its limit;
// the spill file is owner-only and never has a name while it holds bytes; a writer's
// failure reaches the reader after the bytes before it; closing stops the writer.
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { makeSpillFolder, Spool, SpoolClosed } from "../../src/Ingest/Spool.ts"

const parents: Array<string> = []
const freshParent = () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-spool-test-"))
  parents.push(parent)
  return parent
}
afterEach(() => {
  for (const parent of parents.splice(0)) fs.rmSync(parent, { recursive: true, force: true })
})

// Seeded pieces of varied sizes, each one distinct.
const pieces = (count: number, seed = 7) => {
  let state = seed
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648)
  return Array.from({ length: count }, (_, i) => Buffer.from(`${i}:`.padEnd(1 + (next() % 3000), String.fromCharCode(97 + (i % 26)))))
}

const readAll = async (spool: Spool, marks: Array<number> = []) => {
  const out: Array<Buffer> = []
  for await (const bytes of spool.read((mark) => marks.push(mark))) out.push(bytes)
  return Buffer.concat(out)
}

describe("the spool of COPY text", () => {
  it("gives back every byte in order when the reader lags far behind, holding no more than its limit in memory", async () => {
    const parent = freshParent()
    const folder = makeSpillFolder(parent)
    const spool = new Spool(folder, 10_000)
    const written = pieces(400)
    let peak = 0
    for (const [i, piece] of written.entries()) {
      await spool.write(piece, i)
      peak = Math.max(peak, spool.bytesInMemory)
    }
    spool.end()
    expect(peak).toBeLessThanOrEqual(10_000)
    expect(spool.bytesSpilled).toBeGreaterThan(0)
    // The spill folder is owner-only and lists no file: the spill file was unlinked once open.
    const [spillFolder] = fs.readdirSync(parent)
    expect(fs.statSync(path.join(parent, spillFolder!)).mode & 0o777).toBe(0o700)
    expect(fs.readdirSync(path.join(parent, spillFolder!))).toEqual([])
    const marks: Array<number> = []
    expect((await readAll(spool, marks)).equals(Buffer.concat(written))).toBe(true)
    expect(marks).toEqual(written.map((_, i) => i))
    spool.close()
    folder.remove()
    expect(fs.readdirSync(parent)).toEqual([])
  })

  it("hands bytes straight on when the reader keeps up, and waits for the writer when it is ahead", async () => {
    const folder = makeSpillFolder(freshParent())
    const spool = new Spool(folder, 1 << 20)
    const written = pieces(200, 11)
    const reading = readAll(spool)
    for (const piece of written) {
      await spool.write(piece)
      await new Promise((resolve) => setImmediate(resolve))
    }
    spool.end()
    expect((await reading).equals(Buffer.concat(written))).toBe(true)
    expect(spool.bytesSpilled).toBe(0)
    folder.remove()
  })

  it("throws the writer's failure to the reader after the bytes written before it", async () => {
    const folder = makeSpillFolder(freshParent())
    const spool = new Spool(folder, 100)
    const failure = new Error("line 3: bad row")
    await spool.write(Buffer.from("line 1\n"))
    await spool.write(Buffer.from("line 2 is longer than the memory limit of this spool, so it waits on disk\n".repeat(3)))
    spool.fail(failure)
    const got: Array<string> = []
    await expect((async () => {
      for await (const bytes of spool.read()) got.push(bytes.toString())
    })()).rejects.toBe(failure)
    expect(got.join("")).toBe("line 1\n" + "line 2 is longer than the memory limit of this spool, so it waits on disk\n".repeat(3))
    spool.close()
    folder.remove()
  })

  it("refuses further writes once closed, so that a skipped file is read no further", async () => {
    const folder = makeSpillFolder(freshParent())
    const spool = new Spool(folder, 10)
    await spool.write(Buffer.from("spilled bytes"))
    spool.close()
    await expect(spool.write(Buffer.from("more"))).rejects.toBeInstanceOf(SpoolClosed)
    expect(spool.bytesInMemory).toBe(0)
    folder.remove()
  })
})
