// Files that hold account details (the 総合振込 file, the approver workbook) are written
// owner-only whatever KESHIKOMI_REPORT_GROUP says: created exclusively under the report
// writer's unpredictable partial name (so a dead run's leftovers are removed like any
// other, AtomicFile.removeLeftoverPartials) with mode 0600, then linked into place —
// never replacing a transfer file already there.
import * as fs from "node:fs"
import { partialName } from "./AtomicFile.ts"

/** A partial file beside `target`, created exclusively (never following a link) with mode 0600. */
export const ownerOnlyPartial = (target: string): string => {
  const partial = partialName(target)
  fs.closeSync(fs.openSync(partial, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW, 0o600))
  return partial
}

/** Writes `bytes` to a new owner-only partial file beside `target`; returns its path. */
export const stageOwnerOnly = (target: string, bytes: Uint8Array): string => {
  const partial = ownerOnlyPartial(target)
  fs.writeFileSync(partial, bytes)
  return partial
}

/** Moves a staged partial into place; refuses to replace an existing file. */
export const publishOwnerOnly = (partial: string, target: string): void => {
  fs.linkSync(partial, target) // fails with EEXIST instead of replacing
  fs.rmSync(partial)
}
