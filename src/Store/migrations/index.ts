import _0001_records from "./0001_records.ts"

// Keys are "<id>_<name>"; a new migration always takes a higher id than every applied one.
export const migrations = {
  "0001_records": _0001_records
}
