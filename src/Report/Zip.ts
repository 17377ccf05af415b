// A small zip writer and reader for the seller lists (SellerListWriter.ts): thousands
// of workbooks of a few KB each, where exceljs's writer (archiver, a zlib stream per
// part) costs milliseconds a file. Only what an .xlsx needs: stored or deflated entries
// with names in ASCII, no zip64 (an entry or a file of 4 GB or more is refused), no
// encryption, no comments (APPNOTE.TXT, sections 4.3 and 4.4).
import * as zlib from "node:zlib"

/** One entry as it is stored: its bytes as compressed, with the CRC-32 and size of the uncompressed bytes. */
export interface ZipEntry {
  readonly name: string
  /** 0 stored, 8 deflated. */
  readonly method: 0 | 8
  readonly crc32: number
  readonly size: number
  readonly data: Uint8Array
}

const localHeaderSignature = 0x04034b50
const centralHeaderSignature = 0x02014b50
const endSignature = 0x06054b50
const zip64Limit = 0xffffffff

/** An entry deflated in one call, at `level` (the workbooks' level, Sheet.workbookZipLevel). */
export const deflatedEntry = (name: string, content: Uint8Array, level: number): ZipEntry => ({
  name,
  method: 8,
  crc32: zlib.crc32(content),
  size: content.length,
  data: zlib.deflateRawSync(content, { level })
})

// MS-DOS date and time (local time, two-second steps), as zip tools write them.
const dosTime = (date: Date) => (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1)
const dosDate = (date: Date) => ((Math.max(1980, date.getFullYear()) - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate()

/** A zip file holding `entries` in that order, each dated `modified`. */
export const zipFile = (entries: ReadonlyArray<ZipEntry>, modified: Date): Buffer => {
  const time = dosTime(modified)
  const date = dosDate(modified)
  const names = entries.map((entry) => {
    if (!/^[\x20-\x7e]+$/.test(entry.name)) throw new Error(`zip entry name not plain ASCII: ${entry.name}`)
    return Buffer.from(entry.name, "latin1")
  })
  let localBytes = 0
  for (let i = 0; i < entries.length; i++) localBytes += 30 + names[i]!.length + entries[i]!.data.length
  const centralBytes = names.reduce((n, name) => n + 46 + name.length, 0)
  const total = localBytes + centralBytes + 22
  if (total >= zip64Limit || entries.length > 0xffff) throw new Error("zip too large without zip64")
  const out = Buffer.alloc(total)
  const offsets: Array<number> = []
  // The 24 bytes the local header (at 4) and the central header (at 6) share: version
  // needed 2.0 (deflate); flags 0 (sizes and CRC in the header, no data descriptor);
  // method, time, date, CRC-32, sizes, name length.
  const writeEntryFields = (from: number, entry: ZipEntry, name: Buffer) => {
    out.writeUInt16LE(20, from)
    out.writeUInt16LE(0, from + 2)
    out.writeUInt16LE(entry.method, from + 4)
    out.writeUInt16LE(time, from + 6)
    out.writeUInt16LE(date, from + 8)
    out.writeUInt32LE(entry.crc32 >>> 0, from + 10)
    out.writeUInt32LE(entry.data.length, from + 14)
    out.writeUInt32LE(entry.size, from + 18)
    out.writeUInt16LE(name.length, from + 22)
  }
  let at = 0
  entries.forEach((entry, i) => {
    const name = names[i]!
    offsets.push(at)
    out.writeUInt32LE(localHeaderSignature, at)
    writeEntryFields(at + 4, entry, name)
    out.writeUInt16LE(0, at + 28) // extra field: none
    name.copy(out, at + 30)
    out.set(entry.data, at + 30 + name.length)
    at += 30 + name.length + entry.data.length
  })
  const centralStart = at
  entries.forEach((entry, i) => {
    const name = names[i]!
    out.writeUInt32LE(centralHeaderSignature, at)
    out.writeUInt16LE(20, at + 4) // made by: MS-DOS attributes, version 2.0
    writeEntryFields(at + 6, entry, name)
    // Extra field, comment, disk number, internal and external attributes: none.
    out.writeUInt32LE(offsets[i]!, at + 42)
    name.copy(out, at + 46)
    at += 46 + name.length
  })
  out.writeUInt32LE(endSignature, at)
  out.writeUInt16LE(entries.length, at + 8)
  out.writeUInt16LE(entries.length, at + 10)
  out.writeUInt32LE(at - centralStart, at + 12)
  out.writeUInt32LE(centralStart, at + 16)
  return out
}

/**
 * The entries of a zip file, in the central directory's order, compressed bytes as they
 * are (sizes and CRCs from the central directory, so entries written with a data
 * descriptor, as archiver writes them, read the same). Throws on anything else.
 */
export const readZipEntries = (zip: Buffer): ReadonlyArray<ZipEntry> => {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (end < 0 || end + 22 > zip.length) throw new Error("not a zip file: no end of central directory")
  const count = zip.readUInt16LE(end + 10)
  let at = zip.readUInt32LE(end + 16)
  const entries: Array<ZipEntry> = []
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== centralHeaderSignature) throw new Error("broken central directory")
    const method = zip.readUInt16LE(at + 10)
    if (method !== 0 && method !== 8) throw new Error(`unsupported zip method ${method}`)
    const crc32 = zip.readUInt32LE(at + 16)
    const compressed = zip.readUInt32LE(at + 20)
    const size = zip.readUInt32LE(at + 24)
    const nameLength = zip.readUInt16LE(at + 28)
    const extraLength = zip.readUInt16LE(at + 30)
    const commentLength = zip.readUInt16LE(at + 32)
    const local = zip.readUInt32LE(at + 42)
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength)
    if (zip.readUInt32LE(local) !== localHeaderSignature) throw new Error(`broken local header: ${name}`)
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
    entries.push({ name, method, crc32, size, data: zip.subarray(dataStart, dataStart + compressed) })
    at += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

/** An entry's uncompressed bytes, checked against its size and CRC-32. */
export const entryContent = (entry: ZipEntry): Buffer => {
  const content = entry.method === 8 ? zlib.inflateRawSync(entry.data) : Buffer.from(entry.data)
  if (content.length !== entry.size || zlib.crc32(content) !== entry.crc32) throw new Error(`zip entry damaged: ${entry.name}`)
  return content
}
