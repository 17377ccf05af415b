import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// Payout reconciliation: which channel pays which request method, where each transfer
// was found to belong, and each request's due date and paid total as of the last run.
// The matching step (src/Match/Payouts.ts) rewrites the two result tables at every run,
// inside the run's transaction; the finance workbook reads them.
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // The one place where a request method meets a transfer channel. `channel` is the
  // channel whose transfer records pay the method; NULL for a method paid outside the
  // transfer exports (amazon_gift). Another wallet is one more row here, plus its export.
  yield* sql`
    CREATE TABLE payout_methods (
      method     text PRIMARY KEY,
      label      text NOT NULL,
      channel    text UNIQUE,
      sort_order integer NOT NULL
    )`
  yield* sql`
    INSERT INTO payout_methods (method, label, channel, sort_order) VALUES
      ('bank', '銀行振込', 'bank', 1),
      ('linepay', 'LINE Pay', 'linepay', 2),
      ('amazon_gift', 'Amazonギフト券', NULL, 3)`
  // Where money goes, in one comparable form: a bank account when the record names one
  // (bank code, branch code, account type, account number), else the wallet user.
  yield* sql.unsafe(`
    CREATE FUNCTION payout_destination(bank_code text, branch_code text, account_type text, account_number text, wallet_ref text)
    RETURNS text LANGUAGE sql IMMUTABLE AS $$
      SELECT CASE
        WHEN $4 IS NOT NULL THEN 'account:' || $1 || '-' || $2 || '-' || $3 || '-' || $4
        WHEN $5 IS NOT NULL THEN 'wallet:' || $5
      END
    $$`)
  // A bank account as finance may see it: codes in full, the number masked to its last
  // three digits (reports.md). NULL when the record names no account.
  yield* sql.unsafe(`
    CREATE FUNCTION payout_masked_account(account_number text)
    RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT '****' || right($1, 3) $$`)
  yield* sql.unsafe(`
    CREATE FUNCTION payout_account_label(bank_code text, branch_code text, account_type text, account_number text)
    RETURNS text LANGUAGE sql IMMUTABLE AS $$
      SELECT $1 || '-' || $2 || ' '
        || CASE $3 WHEN '1' THEN '普通' WHEN '2' THEN '当座' WHEN '4' THEN '貯蓄' ELSE $3 END
        || ' ' || payout_masked_account($4)
    $$`)
  yield* sql.unsafe(`
    CREATE FUNCTION payout_yen(amount bigint)
    RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT to_char($1, 'FM999,999,999,999,990') || '円' $$`)
  // A due date that falls on a day banks are closed moves to the next day they are open
  // (jp_calendar: weekends, national holidays, 12/31–1/3). Past the calendar's last
  // year the date is kept as it is.
  yield* sql.unsafe(`
    CREATE FUNCTION payout_business_day_on_or_after(due date)
    RETURNS date LANGUAGE sql STABLE AS $$
      SELECT coalesce((SELECT min(c.day) FROM jp_calendar c WHERE c.day >= $1 AND c.is_business_day), $1)
    $$`)
  // Which request each transfer belongs to (findings.md, matching steps 1 and 2); a
  // transfer without a row belongs to no request. matched_by: reference, destination.
  yield* sql`
    CREATE TABLE payout_assignments (
      channel     text NOT NULL,
      transfer_id text NOT NULL,
      request_id  text NOT NULL,
      matched_by  text NOT NULL,
      PRIMARY KEY (channel, transfer_id)
    )`
  yield* sql`CREATE INDEX payout_assignments_request_idx ON payout_assignments (request_id)`
  // Per request: the schedule window that covers it, its nominal and effective (rolled to
  // a bank business day) due dates, and what its completed and failed transfers add up to.
  yield* sql`
    CREATE TABLE payout_request_state (
      request_id      text PRIMARY KEY,
      window_no       integer,
      nominal_due     date,
      due_date        date,
      completed_count integer NOT NULL,
      paid_amount     bigint NOT NULL,
      failed_count    integer NOT NULL
    )`
})
