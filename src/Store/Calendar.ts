import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { calendar, HOLIDAY_DATA_YEARS } from "../Domain/BusinessDay.ts"

/**
 * Brings jp_calendar in line with the holiday library, so that SQL can count bank
 * business days. The stored calendar is compared by a digest first: it is written only
 * on the first run and when the holiday data changed (a library update), not every run.
 */
/** The digest of the stored calendar (empty when it is empty); compared with the holiday data here, with the last run's in the night scope. */
export const storedCalendarDigest = (sql: SqlClient.SqlClient) =>
  sql<{ digest: string | null }>`
    SELECT md5(string_agg(day::text || is_business_day::text, ',' ORDER BY day)) AS digest FROM jp_calendar`.pipe(
    Effect.map((rows) => rows[0]?.digest ?? "")
  )

export const refreshCalendar = (sql: SqlClient.SqlClient) =>
  Effect.gen(function*() {
    const days = calendar(HOLIDAY_DATA_YEARS.first, HOLIDAY_DATA_YEARS.last)
    // The same text on both sides: "2023-09-04true,2023-09-05true,…" (boolean::text).
    const expected = createHash("md5").update(days.map((d) => `${d.day}${d.isBusinessDay}`).join(",")).digest("hex")
    if ((yield* storedCalendarDigest(sql)) === expected) return
    yield* sql`DELETE FROM jp_calendar`
    for (let start = 0; start < days.length; start += 10_000) {
      const rows = days.slice(start, start + 10_000).map((d) => ({ day: d.day, is_business_day: d.isBusinessDay }))
      yield* sql`INSERT INTO jp_calendar ${sql.insert(rows)}`
    }
  }).pipe(Effect.orDie, Effect.withSpan("Calendar.refresh"))
