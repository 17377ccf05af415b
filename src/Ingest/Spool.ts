// A spool of COPY text between the reader ahead, which decodes and seals the next file
// while the server stores the last one, and the COPY that takes the text once the run's
// one connection is free. At most `memoryBytes` are held in memory; what comes beyond
// goes to a spill file and is read back in order. The spill file is created owner-only in
// the run's private folder and unlinked as soon as it is open: its bytes are gone when the
// spool closes, and also when the process dies. Only text ready for COPY goes in (sealed
// where the table seals, src/Store/Records.ts), never a clear personal value.
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** The spool was closed: its reader stopped taking bytes (the file is skipped or the run ended). */
export class SpoolClosed extends Error {}

/** The spill file could not be written or read back: a fault of the machine, never of the input. */
export class SpillFailed extends Error {}

/** The run's private folder for spill files: made (mode 0700) on first use, removed at the end. */
export interface SpillFolder {
  readonly path: () => string
  readonly remove: () => void
}

export const makeSpillFolder = (parent = os.tmpdir()): SpillFolder => {
  let folder: string | undefined
  return {
    path: () => (folder ??= fs.mkdtempSync(path.join(parent, "keshikomi-spill-"))),
    remove: () => {
      if (folder !== undefined) fs.rmSync(folder, { recursive: true, force: true })
      folder = undefined
    }
  }
}

type Chunk =
  | { readonly bytes: Buffer; readonly mark: number }
  | { readonly offset: number; readonly length: number; readonly mark: number }

let spillCount = 0

const openSpill = async (folder: string) => {
  const file = path.join(folder, `spill-${process.pid}-${++spillCount}`)
  const handle = await fs.promises.open(file, "wx+", 0o600)
  await fs.promises.unlink(file)
  return handle
}

export class Spool {
  private readonly chunks: Array<Chunk | undefined> = []
  private head = 0
  private memoryHeld = 0
  private spill: fs.promises.FileHandle | undefined
  private spillEnd = 0
  private ended = false
  private failure: { readonly cause: unknown } | undefined
  private closed = false
  private wake: (() => void) | undefined

  constructor(private readonly folder: SpillFolder, private readonly memoryBytes: number) {}

  /** Bytes in memory now (for tests and figures). */
  get bytesInMemory() {
    return this.memoryHeld
  }

  /** Bytes written to the spill file so far. */
  get bytesSpilled() {
    return this.spillEnd
  }

  /**
   * Appends `bytes`, with `mark` (told to the reader when it takes them); resolves once
   * they are held. Throws SpoolClosed once the spool is closed, SpillFailed when the
   * spill file fails.
   */
  async write(bytes: Buffer, mark = 0): Promise<void> {
    if (this.closed) throw new SpoolClosed()
    if (this.memoryHeld + bytes.length <= this.memoryBytes) {
      this.memoryHeld += bytes.length
      this.chunks.push({ bytes, mark })
    } else {
      const offset = this.spillEnd
      try {
        if (this.spill === undefined) {
          const opened = await openSpill(this.folder.path())
          if (this.closed) {
            await opened.close()
            throw new SpoolClosed()
          }
          this.spill = opened
        }
        let written = 0
        while (written < bytes.length) {
          written += (await this.spill.write(bytes, written, bytes.length - written, offset + written)).bytesWritten
        }
      } catch (cause) {
        if (this.closed || cause instanceof SpoolClosed) throw new SpoolClosed()
        throw new SpillFailed(`一時ファイルに書けません: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`)
      }
      this.spillEnd = offset + bytes.length
      this.chunks.push({ offset, length: bytes.length, mark })
    }
    this.notify()
  }

  /** No more bytes: the reader ends after the last. */
  end() {
    this.ended = true
    this.notify()
  }

  /** The writer failed: the reader throws `cause` after the bytes written before it. */
  fail(cause: unknown) {
    this.failure ??= { cause }
    this.notify()
  }

  /** Drops what is held (memory and spill file); later writes throw SpoolClosed. */
  close() {
    if (this.closed) return
    this.closed = true
    this.chunks.length = 0
    this.head = 0
    this.memoryHeld = 0
    const spill = this.spill
    this.spill = undefined
    void spill?.close().catch(() => undefined)
    this.notify()
  }

  /** The bytes in the order written, as they become available; each chunk's mark to `onMark`. */
  async *read(onMark: (mark: number) => void = () => undefined): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.closed) throw new SpoolClosed()
      if (this.head < this.chunks.length) {
        const chunk = this.chunks[this.head]!
        this.chunks[this.head++] = undefined
        if (this.head > 1024 && this.head * 2 > this.chunks.length) {
          this.chunks.splice(0, this.head)
          this.head = 0
        }
        if ("bytes" in chunk) {
          this.memoryHeld -= chunk.bytes.length
          yield chunk.bytes
        } else {
          yield await this.readBack(chunk.offset, chunk.length)
        }
        onMark(chunk.mark)
        continue
      }
      if (this.failure !== undefined) throw this.failure.cause
      if (this.ended) return
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
  }

  private async readBack(offset: number, length: number): Promise<Buffer> {
    const bytes = Buffer.allocUnsafe(length)
    try {
      let read = 0
      while (read < length) {
        const got = (await this.spill!.read(bytes, read, length - read, offset + read)).bytesRead
        if (got === 0) throw new Error("short read")
        read += got
      }
    } catch (cause) {
      if (this.closed) throw new SpoolClosed()
      throw new SpillFailed(`一時ファイルを読めません: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`)
    }
    return bytes
  }

  private notify() {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }
}
