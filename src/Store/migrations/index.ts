import _0001_records from "./0001_records.ts"
import _0004_nightly from "./0004_nightly.ts"

// Keys are "<id>_<name>"; a new migration always takes a higher id than every applied one.
export const migrations = {
  "0001_records": _0001_records,
  "0004_nightly": _0004_nightly
}
