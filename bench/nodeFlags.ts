// Imported first by a bench: runs the bench again in a child process under the V8 flags
// the command itself runs with (the first line of bin/keshikomi.mjs), so that its memory
// figures are the command's. `--node-defaults` measures with Node's own defaults instead,
// for a before/after in one session.
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const firstLine = fs.readFileSync(path.join(import.meta.dirname, "../bin/keshikomi.mjs"), "utf8").split("\n")[0]!
export const commandNodeFlags = firstLine.split(" ").filter((word) => word.startsWith("--"))

if (!process.argv.includes("--node-defaults") && !commandNodeFlags.every((flag) => process.execArgv.includes(flag))) {
  const child = spawnSync(process.execPath, [...commandNodeFlags, ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" })
  process.exit(child.status ?? 1)
}
