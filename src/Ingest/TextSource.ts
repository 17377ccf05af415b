// Reading an export's bytes: the file is opened once (never through a link, never a
// FIFO or a device), hashed and its encoding decided in a first pass, looked at again
// only when it is not UTF-8, then decoded as a stream. Every pass holds one chunk at a
// time, whatever the file size.
import { Effect } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { ByteProfile, type EncodingVerdict, judgeEncoding, sniffOpening, textDecoder, type Encoding } from "./Encoding.ts"

export type { Encoding } from "./Encoding.ts"

export interface FileFacts {
  readonly sha256: string
  readonly size: number
  readonly verdict: EncodingVerdict
}

/** An export opened for reading; all passes read this one open file by position. */
export interface OpenExport {
  readonly handle: fs.promises.FileHandle
  readonly size: number
}

/** Why a path is not an export we may open (it is reported, never followed). */
export class NotRegularFile extends Error {}

const describeType = (stat: fs.Stats) =>
  stat.isSymbolicLink() ? "シンボリックリンク" : stat.isDirectory() ? "フォルダ" : stat.isFIFO() ? "FIFO（名前付きパイプ）"
  : stat.isSocket() ? "ソケット" : stat.isBlockDevice() || stat.isCharacterDevice() ? "デバイス" : "通常のファイルではないもの"

/** Opens `filePath` without following a symlink or blocking on a FIFO; must be a regular file. */
export const openExport = (filePath: string | Buffer) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async (): Promise<OpenExport> => {
        const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants
        const handle = await fs.promises.open(filePath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
        const stat = await handle.stat()
        if (!stat.isFile()) {
          await handle.close()
          throw new NotRegularFile(`${describeType(stat)}です（通常のファイルだけを読みます）`)
        }
        return { handle, size: stat.size }
      },
      catch: (cause) =>
        cause instanceof NotRegularFile ? cause.message
        : (cause as NodeJS.ErrnoException).code === "ELOOP" ? "シンボリックリンクです（リンク先は読みません）"
        : (cause as NodeJS.ErrnoException).code ?? String(cause)
    }),
    (file) => Effect.promise(() => file.handle.close().catch(() => undefined))
  )

// Smaller reads than the 64 KiB default: the CSV reader works on small chunks faster.
const readChunkBytes = 16 << 10

/**
 * What reading an export by position needs: the handle of an OpenExport, or, in an ingest
 * worker thread (StagePool.ts), the same open file's descriptor (`readsAtDescriptor`).
 */
export interface ReadsAt {
  readonly handle: {
    readonly read: (buffer: Buffer, offset: number, length: number, position: number) => Promise<{ readonly bytesRead: number }>
  }
}

/** Reads by position through a descriptor opened elsewhere in this process (never closed here). */
export const readsAtDescriptor = (fd: number): ReadsAt => ({
  handle: {
    read: (buffer, offset, length, position) =>
      new Promise((resolve, reject) =>
        fs.read(fd, buffer, offset, length, position, (error, bytesRead) => (error === null ? resolve({ bytesRead }) : reject(error))))
  }
})

async function* chunks(file: ReadsAt, chunkBytes: number): AsyncGenerator<Uint8Array> {
  let position = 0
  for (;;) {
    const buffer = Buffer.allocUnsafe(chunkBytes)
    const { bytesRead } = await file.handle.read(buffer, 0, chunkBytes, position)
    if (bytesRead === 0) return
    position += bytesRead
    yield buffer.subarray(0, bytesRead)
  }
}

/**
 * Hashes the file and decides its encoding (Encoding.ts): valid UTF-8 is UTF-8, valid
 * CP932 that is not another encoding's signature is CP932, anything else is rejected.
 */
export const inspectFile = (file: OpenExport) =>
  Effect.tryPromise({
    try: async (): Promise<FileFacts> => {
      const hash = createHash("sha256")
      const utf8 = new TextDecoder("utf-8", { fatal: true })
      let utf8Valid = true
      let size = 0
      let opening: ReturnType<typeof sniffOpening> | undefined
      for await (const bytes of chunks(file, 1 << 16)) {
        if (opening === undefined && size === 0) opening = sniffOpening(bytes.subarray(0, 4096))
        hash.update(bytes)
        size += bytes.length
        if (utf8Valid) {
          try {
            utf8.decode(bytes, { stream: true })
          } catch {
            utf8Valid = false
          }
        }
      }
      if (utf8Valid) {
        try {
          utf8.decode()
        } catch {
          utf8Valid = false
        }
      }
      let profile: ByteProfile | undefined
      if (!utf8Valid) {
        profile = new ByteProfile()
        for await (const bytes of chunks(file, 1 << 16)) profile.push(bytes)
        profile.finish()
      }
      return { sha256: hash.digest("hex"), size, verdict: judgeEncoding(opening, utf8Valid, profile) }
    },
    catch: (cause) => (cause instanceof Error ? cause.message : String(cause))
  })

/** The file as text chunks, decoded statefully (a character split across reads stays whole). */
export async function* decodedText(file: ReadsAt, encoding: Encoding, chunkBytes = readChunkBytes): AsyncGenerator<string> {
  const decoder = textDecoder(encoding)
  for await (const bytes of chunks(file, chunkBytes)) {
    const text = decoder.write(bytes)
    if (text.length > 0) yield text
  }
  const rest = decoder.end()
  if (rest.length > 0) yield rest
}
