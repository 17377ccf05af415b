import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// Bank-ready payouts (docs/zengin.md): the bank master (zengin-code), whether each
// request's holder name can be written in the bank character set, and the 総合振込
// files written, with the requests in each, so that no request goes into two files.
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // The bank master as the file writer needs it: codes and half-width kana names only,
  // rewritten when the zengin-code version changes (src/Store/BankMaster.ts).
  yield* sql`CREATE TABLE bank_master_version (version text NOT NULL)`
  yield* sql`
    CREATE TABLE bank_banks (
      bank_code text PRIMARY KEY,
      bank_kana text NOT NULL
    )`
  yield* sql`
    CREATE TABLE bank_branches (
      bank_code   text NOT NULL,
      branch_code text NOT NULL,
      branch_kana text NOT NULL,
      PRIMARY KEY (bank_code, branch_code)
    )`
  // Computed at ingest in Node from the clear holder name (the name itself may be
  // stored sealed); NULL for a request stored before this migration and not read since.
  yield* sql`ALTER TABLE payout_requests ADD COLUMN holder_writable boolean`
  yield* sql`
    CREATE TABLE zengin_files (
      file_id       bigserial PRIMARY KEY,
      file_name     text NOT NULL,
      as_of         date NOT NULL,
      transfer_date date NOT NULL,
      written_at    timestamptz NOT NULL DEFAULT now(),
      written_by    text NOT NULL,
      record_count  integer NOT NULL,
      total_amount  bigint NOT NULL,
      sha256        text NOT NULL,
      voided_at     timestamptz,
      voided_by     text,
      void_note     text
    )`
  // A voided file written again for the same requests has the same content.
  yield* sql`CREATE INDEX zengin_files_sha256_idx ON zengin_files (sha256)`
  yield* sql`
    CREATE TABLE zengin_file_requests (
      file_id    bigint NOT NULL REFERENCES zengin_files (file_id),
      request_id text NOT NULL,
      amount     bigint NOT NULL,
      PRIMARY KEY (file_id, request_id)
    )`
  yield* sql`CREATE INDEX zengin_file_requests_request_idx ON zengin_file_requests (request_id)`
  // Every write and every void, also the refused ones, in the order taken.
  yield* sql`
    CREATE TABLE zengin_audit (
      event_id  bigserial PRIMARY KEY,
      at        timestamptz NOT NULL DEFAULT now(),
      file_id   bigint,
      file_name text NOT NULL,
      action    text NOT NULL,
      by_whom   text NOT NULL,
      note      text NOT NULL,
      outcome   text NOT NULL
    )`
})
