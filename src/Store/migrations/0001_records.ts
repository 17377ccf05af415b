import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// The stored records of every export kind, the files already applied, and the run log.
// Ids are text everywhere; money is whole yen in bigint; instants are timestamptz and
// plain Japan dates are date.
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE runs (
      run_id      bigserial PRIMARY KEY,
      as_of       date NOT NULL,
      started_at  timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      outcome     text NOT NULL DEFAULT 'running',
      exit_code   integer
    )`
  yield* sql`
    CREATE TABLE input_files (
      sha256        text PRIMARY KEY,
      kind          text NOT NULL,
      file_name     text NOT NULL,
      applied_run   bigint NOT NULL REFERENCES runs (run_id),
      rows_applied  integer NOT NULL,
      rows_rejected integer NOT NULL
    )`
  // Rows set aside from files that were otherwise applied: reported whenever that file
  // is in the inbox again, because those rows are still not in the database.
  yield* sql`
    CREATE TABLE input_row_rejections (
      sha256    text NOT NULL REFERENCES input_files (sha256),
      line      integer NOT NULL,
      reason    text NOT NULL,
      PRIMARY KEY (sha256, line)
    )`
  yield* sql`
    CREATE TABLE orders (
      order_id        text PRIMARY KEY,
      ordered_at      timestamptz NOT NULL,
      seller_id       text NOT NULL,
      circle_name     text NOT NULL,
      buyer_id        text NOT NULL,
      shipping_method text NOT NULL,
      status          text NOT NULL,
      total_amount    bigint NOT NULL
    )`
  yield* sql`CREATE INDEX orders_seller_idx ON orders (seller_id)`
  yield* sql`
    CREATE TABLE order_items (
      order_id   text NOT NULL,
      item_id    text NOT NULL,
      item_name  text NOT NULL,
      quantity   integer NOT NULL,
      unit_price bigint NOT NULL,
      PRIMARY KEY (order_id, item_id)
    )`
  yield* sql`
    CREATE TABLE shipping_addresses (
      order_id       text PRIMARY KEY,
      postal_code    text NOT NULL,
      prefecture     text NOT NULL,
      city           text NOT NULL,
      address_line   text NOT NULL,
      recipient_name text NOT NULL,
      phone          text NOT NULL
    )`
  // One row per order declared in a parcel; order_ref is the normalised order id, which
  // may match no order (SHIP_UNKNOWN_ORDER), order_ref_typed what staff typed.
  yield* sql`
    CREATE TABLE parcel_lines (
      parcel_id       text NOT NULL,
      order_ref       text NOT NULL,
      order_ref_typed text NOT NULL,
      received_at     timestamptz NOT NULL,
      carrier         text NOT NULL,
      tracking_no     text NOT NULL,
      seller_id       text,
      item_count      integer NOT NULL,
      condition       text NOT NULL,
      note            text NOT NULL,
      PRIMARY KEY (parcel_id, order_ref)
    )`
  yield* sql`CREATE INDEX parcel_lines_order_idx ON parcel_lines (order_ref)`
  yield* sql`
    CREATE TABLE reshipments (
      order_id    text NOT NULL,
      tracking_no text NOT NULL,
      parcel_id   text,
      carrier     text NOT NULL,
      shipped_at  timestamptz NOT NULL,
      PRIMARY KEY (order_id, tracking_no)
    )`
  yield* sql`CREATE INDEX reshipments_tracking_idx ON reshipments (tracking_no)`
  yield* sql`
    CREATE TABLE payout_requests (
      request_id       text PRIMARY KEY,
      service          text NOT NULL,
      kind             text NOT NULL,
      user_id          text NOT NULL,
      amount           bigint NOT NULL,
      method           text NOT NULL,
      requested_at     timestamptz NOT NULL,
      status           text NOT NULL,
      bank_code        text,
      branch_code      text,
      account_type     text,
      account_number   text,
      account_holder   text,
      holder_key       text,
      linepay_user_ref text
    )`
  // Every channel's transfer results in one shape, so matching does not care whether a
  // payout went by bank, LINE Pay or a wallet added later. outcome: completed, failed,
  // cancelled. transfer_date is the Japan date the money moved (or was to move).
  yield* sql`
    CREATE TABLE transfers (
      channel         text NOT NULL,
      transfer_id     text NOT NULL,
      reference       text,
      amount          bigint NOT NULL,
      outcome         text NOT NULL,
      transfer_date   date NOT NULL,
      bank_code       text,
      branch_code     text,
      account_type    text,
      account_number  text,
      holder_name     text,
      holder_key      text,
      wallet_user_ref text,
      fee             bigint,
      failure_reason  text,
      PRIMARY KEY (channel, transfer_id)
    )`
  yield* sql`CREATE INDEX transfers_reference_idx ON transfers (reference)`
  yield* sql`
    CREATE TABLE payout_windows (
      window_no      integer NOT NULL,
      requested_from date NOT NULL,
      requested_to   date NOT NULL,
      method         text NOT NULL,
      due_date       date NOT NULL,
      PRIMARY KEY (window_no, method)
    )`
  yield* sql`CREATE TABLE payout_deferred_methods (method text PRIMARY KEY)`
  // Findings live across runs: identity is (code, subject, related). first_run and
  // first_seen say when it was first raised; closed_on is set when the data no longer
  // raises it (and cleared if it comes back).
  yield* sql`
    CREATE TABLE findings (
      code        text NOT NULL,
      subject_id  text NOT NULL,
      related_id  text NOT NULL DEFAULT '',
      severity    text NOT NULL,
      side        text NOT NULL,
      detail      text NOT NULL,
      first_run   bigint NOT NULL REFERENCES runs (run_id),
      first_seen  date NOT NULL,
      last_run    bigint NOT NULL REFERENCES runs (run_id),
      closed_on   date,
      PRIMARY KEY (code, subject_id, related_id)
    )`
  // Japanese bank business days, filled from the holiday library at each run.
  yield* sql`
    CREATE TABLE jp_calendar (
      day             date PRIMARY KEY,
      is_business_day boolean NOT NULL
    )`
})
