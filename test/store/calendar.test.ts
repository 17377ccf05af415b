// jp_calendar follows the holiday library: filled on first use, repaired when the data
// differs, left alone otherwise.
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { calendar, HOLIDAY_DATA_YEARS } from "../../src/Domain/BusinessDay.ts"
import { refreshCalendar } from "../../src/Store/Calendar.ts"
import { createTestDatabase, databaseLayer, query } from "../support/testDatabase.ts"

const refresh = (url: string) =>
  Effect.runPromise(Effect.flatMap(SqlClient.SqlClient, refreshCalendar).pipe(Effect.provide(databaseLayer(url))))

describe("the bank calendar table", () => {
  it("is filled on first use, repaired when a day differs from the holiday data, and not rewritten when equal", async () => {
    const url = await createTestDatabase()
    await refresh(url)
    const expectedDays = calendar(HOLIDAY_DATA_YEARS.first, HOLIDAY_DATA_YEARS.last).length
    expect(await query(url, "SELECT count(*)::int AS n FROM jp_calendar")).toEqual([{ n: expectedDays }])
    expect(await query(url, "SELECT is_business_day FROM jp_calendar WHERE day IN ('2023-09-18', '2023-09-19') ORDER BY day")).toEqual([
      { is_business_day: false },
      { is_business_day: true }
    ])

    // Unchanged data: nothing is written (xmin of a row stays the same).
    const [before] = await query<{ xmin: string }>(url, "SELECT xmin::text FROM jp_calendar WHERE day = '2023-09-19'")
    await refresh(url)
    expect(await query(url, "SELECT xmin::text FROM jp_calendar WHERE day = '2023-09-19'")).toEqual([before])

    // A stale day (as after a holiday-library update) is put right.
    await query(url, "UPDATE jp_calendar SET is_business_day = true WHERE day = '2023-09-18'")
    await refresh(url)
    expect(await query(url, "SELECT is_business_day FROM jp_calendar WHERE day = '2023-09-18'")).toEqual([{ is_business_day: false }])
  })
})
