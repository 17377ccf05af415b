// The desk's clock readings in Japan time (UTC+9, no daylight saving): the 受付番号's
// date, the 受付日時 cell as the parcels export writes it, and ISO 8601 with +09:00.
const japanOffsetMs = 9 * 3_600_000

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

export interface JapanTime {
  /** The instant, whole seconds (the export's 受付日時 has no finer unit). */
  readonly instant: Date
  /** `2023-09-04` */
  readonly date: string
  /** `20230904`, as in 受付番号. */
  readonly compactDate: string
  /** `2023/09/04 10:05:12`, the parcels export's 受付日時. */
  readonly cell: string
  /** `2023-09-04T10:05:12+09:00` */
  readonly iso: string
}

export const japanTime = (instant: Date | number): JapanTime => {
  const ms = Math.floor((typeof instant === "number" ? instant : instant.getTime()) / 1000) * 1000
  const j = new Date(ms + japanOffsetMs)
  const date = `${j.getUTCFullYear()}-${pad(j.getUTCMonth() + 1)}-${pad(j.getUTCDate())}`
  const time = `${pad(j.getUTCHours())}:${pad(j.getUTCMinutes())}:${pad(j.getUTCSeconds())}`
  return {
    instant: new Date(ms),
    date,
    compactDate: date.replaceAll("-", ""),
    cell: `${date.replaceAll("-", "/")} ${time}`,
    iso: `${date}T${time}+09:00`
  }
}

/** A Japan date `YYYY-MM-DD` that exists, or undefined. */
export const japanDate = (text: string): string | undefined => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (m === null) return undefined
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
    ? text
    : undefined
}

/** The instants [from, to) of a Japan date. */
export const japanDayRange = (date: string): { readonly from: Date; readonly to: Date } => {
  const from = new Date(`${date}T00:00:00+09:00`)
  return { from, to: new Date(from.getTime() + 86_400_000) }
}
