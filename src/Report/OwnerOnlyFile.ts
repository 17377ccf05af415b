// Files that hold account details (the 総合振込 file, the approver workbook) are written
// owner-only: created exclusively under an unpredictable partial name with mode 0600,
// then renamed into place. One helper, so the stricter writer of issue 8 (SERVER) can
// replace it at one place.
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"

/** A partial file beside `target`, created exclusively (never following a link) with mode 0600. */
export const ownerOnlyPartial = (target: string): string => {
  const partial = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(8).toString("hex")}.partial`)
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
