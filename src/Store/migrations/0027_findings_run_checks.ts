import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// findings.first_run, last_run and closed_run referenced runs (run_id) by foreign keys,
// which PostgreSQL checks one row at a time: two lookups of runs for every finding the
// merge inserts and one for every finding it closes (at 300k, 644,000 findings inserted
// by one statement spent about as long in those checks as in the insert itself). The
// values are only ever the id of the run doing the merge, whose runs row the same
// transaction wrote first (src/Store/RunLog.ts), and no runs row is ever deleted, so the
// checks could not fail: they go. The columns and their meaning stay.
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    DO $$ DECLARE c record; BEGIN
      FOR c IN SELECT conname FROM pg_constraint
               WHERE conrelid = 'findings'::regclass AND contype = 'f' AND confrelid = 'runs'::regclass
      LOOP
        EXECUTE format('ALTER TABLE findings DROP CONSTRAINT %I', c.conname);
      END LOOP;
    END $$`
})
