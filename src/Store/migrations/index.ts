import _0001_records from "./0001_records.ts"
import _0002_shipping from "./0002_shipping.ts"
import _0003_payouts from "./0003_payouts.ts"
import _0004_nightly from "./0004_nightly.ts"
import _0005_sealed from "./0005_sealed.ts"
import _0008_zengin from "./0008_zengin.ts"
import _0010_changed_run from "./0010_changed_run.ts"
import _0012_incremental from "./0012_incremental.ts"
import _0013_match_state from "./0013_match_state.ts"
import _0016_desk from "./0016_desk.ts"
import _0020_sealed_rows from "./0020_sealed_rows.ts"
import _0021_seller_lists from "./0021_seller_lists.ts"
import _0022_payout_scope from "./0022_payout_scope.ts"
import _0023_seller_list_stat from "./0023_seller_list_stat.ts"
import _0026_orders_by_seller from "./0026_orders_by_seller.ts"
import _0027_findings_run_checks from "./0027_findings_run_checks.ts"
import _0028_seller_list_orders from "./0028_seller_list_orders.ts"
import _0029_seller_list_stat_numbers from "./0029_seller_list_stat_numbers.ts"

// Keys are "<id>_<name>"; a new migration always takes a higher id than every applied one.
export const migrations = {
  "0001_records": _0001_records,
  "0002_shipping": _0002_shipping,
  "0003_payouts": _0003_payouts,
  "0004_nightly": _0004_nightly,
  "0005_sealed": _0005_sealed,
  "0008_zengin": _0008_zengin,
  "0010_changed_run": _0010_changed_run,
  "0012_incremental": _0012_incremental,
  "0013_match_state": _0013_match_state,
  "0016_desk": _0016_desk,
  "0020_sealed_rows": _0020_sealed_rows,
  "0021_seller_lists": _0021_seller_lists,
  "0022_payout_scope": _0022_payout_scope,
  "0023_seller_list_stat": _0023_seller_list_stat,
  "0026_orders_by_seller": _0026_orders_by_seller,
  "0027_findings_run_checks": _0027_findings_run_checks,
  "0028_seller_list_orders": _0028_seller_list_orders,
  "0029_seller_list_stat_numbers": _0029_seller_list_stat_numbers
}
