// The privacy scan: every personal value of an inbox, and a byte search for all of
// them at once in files and dumps.
import iconv from "iconv-lite"
import Papa from "papaparse"
import * as fs from "node:fs"
import * as path from "node:path"
import { normaliseHolderName } from "../../src/Domain/HolderName.ts"

/** The personal columns of each export kind (issue 8: what is sealed). */
const personalColumns: ReadonlyArray<readonly [prefix: string, columns: ReadonlyArray<string>]> = [
  ["shipping_addresses_", ["postal_code", "prefecture", "city", "address_line", "recipient_name", "phone"]],
  ["payout_requests_", ["account_number", "account_holder", "linepay_user_ref"]],
  ["bank_transfers_", ["口座番号", "受取人名"]],
  ["linepay_transfers_", ["linepay_user_ref"]]
]
const holderColumns = new Set(["account_holder", "受取人名"])

const decode = (bytes: Buffer) => {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "")
  } catch {
    return iconv.decode(bytes, "cp932")
  }
}

export interface InboxValues {
  /** Every personal value (and each holder name in its normalised form), once each. */
  readonly personal: ReadonlyArray<string>
  /** Personal values that also occur inside a non-personal cell: a hit could not be told apart. */
  readonly ambiguous: ReadonlyArray<string>
}

export const personalValuesOf = (inbox: string): InboxValues => {
  const personal = new Set<string>()
  const otherCells: Array<string> = []
  for (const name of fs.readdirSync(inbox).filter((n) => n.endsWith(".csv"))) {
    const parsed = Papa.parse<Record<string, string>>(decode(fs.readFileSync(path.join(inbox, name))), { header: true, skipEmptyLines: true })
    const columns = personalColumns.find(([prefix]) => name.startsWith(prefix))?.[1] ?? []
    for (const row of parsed.data) {
      for (const [column, value] of Object.entries(row)) {
        if (value === undefined || value.trim() === "") continue
        if (columns.includes(column)) {
          personal.add(value)
          if (holderColumns.has(column)) personal.add(normaliseHolderName(value))
        } else {
          otherCells.push(value)
        }
      }
    }
  }
  const others = otherCells.join("\n")
  const ambiguous = [...personal].filter((v) => others.includes(v))
  return { personal: [...personal].filter((v) => !others.includes(v)), ambiguous }
}

const prefixBytes = 6
const prefixOf = (b: Buffer, i: number) => b.readUInt32LE(i) * 65536 + b.readUInt16LE(i + 4)

/** A search for many byte strings at once: a 6-byte prefix table, then a full compare. */
export const makeScanner = (values: ReadonlyArray<string | Buffer>) => {
  const needles = values.map((v) => (typeof v === "string" ? Buffer.from(v, "utf8") : v))
  const short = needles.filter((n) => n.length < prefixBytes)
  const byPrefix = new Map<number, Array<Buffer>>()
  for (const n of needles.filter((n) => n.length >= prefixBytes)) {
    const key = prefixOf(n, 0)
    byPrefix.set(key, [...(byPrefix.get(key) ?? []), n])
  }
  /** The needles found in `haystack`. */
  return (haystack: Buffer): Set<string> => {
    const found = new Set<string>()
    for (let i = 0; i + prefixBytes <= haystack.length; i++) {
      const candidates = byPrefix.get(prefixOf(haystack, i))
      if (candidates === undefined) continue
      for (const c of candidates) {
        if (i + c.length <= haystack.length && haystack.compare(c, 0, c.length, i, i + c.length) === 0) found.add(c.toString("utf8"))
      }
    }
    for (const s of short) if (haystack.includes(s)) found.add(s.toString("utf8"))
    return found
  }
}

/** Every regular file under `dir`, recursively. */
export const filesUnder = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name)
    return e.isDirectory() ? filesUnder(full) : e.isFile() ? [full] : []
  })
