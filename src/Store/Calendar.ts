import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { calendar, HOLIDAY_DATA_YEARS } from "../Domain/BusinessDay.ts"

/**
 * Brings jp_calendar in line with the holiday library, so that SQL can count bank
 * business days. Only days whose status changed are written (none, usually).
 */
export const refreshCalendar = (sql: SqlClient.SqlClient) =>
  Effect.gen(function*() {
    const days = calendar(HOLIDAY_DATA_YEARS.first, HOLIDAY_DATA_YEARS.last)
    for (let start = 0; start < days.length; start += 10_000) {
      const rows = days.slice(start, start + 10_000).map((d) => ({ day: d.day, is_business_day: d.isBusinessDay }))
      yield* sql`
        INSERT INTO jp_calendar ${sql.insert(rows)}
        ON CONFLICT (day) DO UPDATE SET is_business_day = EXCLUDED.is_business_day
        WHERE jp_calendar.is_business_day IS DISTINCT FROM EXCLUDED.is_business_day`
    }
  }).pipe(Effect.orDie, Effect.withSpan("Calendar.refresh"))
