import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// What each published seller list shows, by order: the open orders (with whether the
// order is received short: a row per kind), and the seller whose list holds them. A night
// compares it with the orders open now, so it rereads only the sellers whose set of
// orders moved (a finding raised, closed or resolved, an order moved to another seller),
// not every seller's rows (src/Report/Reports.ts). And the list format each list was
// written in: NULL for lists recorded before this migration, which makes the next run
// read every seller once and fill both in.
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE seller_lists ADD COLUMN list_format integer`
  yield* sql`
    CREATE TABLE seller_list_orders (
      order_id  text NOT NULL,
      short     boolean NOT NULL,
      seller_id text NOT NULL,
      PRIMARY KEY (order_id, short)
    )`
  yield* sql`CREATE INDEX seller_list_orders_by_seller ON seller_list_orders (seller_id)`
})
