// Imported first by a bench: runs the bench again in a child process as the command itself
// runs, under the V8 flags of the first line of bin/keshikomi.mjs and from a precompiled
// bundle (bin/bundle.mjs, here dist/bench/<name>.mjs) rather than through tsx, whose loader
// thread would add some 90 MB to the memory figures. `--node-defaults` measures with Node's
// own flags instead, `--tsx` through tsx, for a before/after in one session.
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.join(import.meta.dirname, "..")
const firstLine = fs.readFileSync(path.join(root, "bin/keshikomi.mjs"), "utf8").split("\n")[0]!
export const commandNodeFlags = firstLine.split(" ").filter((word) => word.startsWith("--"))

/** How this process loaded the bench: "bundle" or "tsx". */
export const loadedAs = process.env.KESHIKOMI_BENCH_BUNDLE === "1" ? "bundle" : "tsx"

// tsx's own loader flags (`--import tsx`, or the pair npx tsx adds) are not for a bundle.
const withoutTsx = (flags: ReadonlyArray<string>) => {
  const kept: Array<string> = []
  for (let i = 0; i < flags.length; i++) {
    if (/^(--import|--require|-r)$/.test(flags[i]!) && /tsx/.test(flags[i + 1] ?? "")) i++
    else if (!/^(--import|--require)=.*tsx/.test(flags[i]!)) kept.push(flags[i]!)
  }
  return kept
}

const rerun = (flags: ReadonlyArray<string>, script: string, env: NodeJS.ProcessEnv) => {
  const child = spawnSync(process.execPath, [...flags, script, ...process.argv.slice(2)], { stdio: "inherit", env })
  process.exit(child.status ?? 1)
}

const wantedFlags = process.argv.includes("--node-defaults") ? [] : commandNodeFlags
if (loadedAs === "tsx" && !process.argv.includes("--tsx")) {
  const script = path.resolve(process.argv[1]!)
  const bundle = path.join(root, "dist", "bench", `${path.basename(script, ".ts")}.mjs`)
  const built = spawnSync(process.execPath, [path.join(root, "bin", "bundle.mjs"), script, bundle], { encoding: "utf8" })
  if (built.status === 0 && built.stderr === "") {
    rerun([...wantedFlags, ...withoutTsx(process.execArgv)], bundle, { ...process.env, KESHIKOMI_BENCH_BUNDLE: "1" })
  }
  console.error(`(the bench runs through tsx: ${built.stderr.trim()})`)
}
if (!wantedFlags.every((flag) => process.execArgv.includes(flag))) {
  rerun([...wantedFlags, ...process.execArgv], process.argv[1]!, process.env)
}
