// A full disk for fault tests is a small tmpfs: mounting one needs root (and, in a
// container, the right to mount). Where that is not allowed, the cases that need it skip.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { tempDir } from "./inbox.ts"

export const canMountTmpfs = (() => {
  if (process.getuid?.() !== 0) return false
  const probe = tempDir("keshikomi-mount-probe-")
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4k", "tmpfs", probe], { stdio: "ignore" })
    execFileSync("umount", [probe], { stdio: "ignore" })
    return true
  } catch {
    return false
  } finally {
    fs.rmSync(probe, { recursive: true, force: true })
  }
})()
