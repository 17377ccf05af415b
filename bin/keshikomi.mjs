#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=50
// Runs the command's precompiled bundle, dist/keshikomi.mjs (bin/bundle.mjs: built at
// `npm ci`, rebuilt here when a source changed since), or the TypeScript sources through
// tsx when there is none: `npm ci` is the only install step either way. The bundle spares
// the process tsx's loader thread, some 90 MB of RSS for the life of the run.
//
// The first line is read when the file runs as a command (npx keshikomi, npm's bin link,
// cron or systemd calling it by path). It gives V8 a young generation of 3 × 4 MB instead
// of Node's 3 × 16 MB: the job makes short-lived objects row by row, and a smaller
// nursery is collected sooner. Measured at --scale 100000 on a shared 2-core machine
// (bench/run.ts, which runs under this line's flags; --node-defaults without): peak RSS
// 343 MB against 356 with Node's defaults, run time within the noise (328 s against 308).
// The second flag lets V8's old generation grow to 1.5× what survived its last full
// collection before the next one, where V8 would let it grow up to about 3–4× while
// collecting is cheap: during ingest some 35 MB survive, but the heap filled with up to
// 180 MB of garbage first. Measured at --scale 100000 (bench/run.ts from the bundle, the
// two runs side by side): ingest peak RSS 136 MB (heap 28 / 52) against 206 (116 / 129),
// the run's peak 165 MB against 247, run time 312 s against 299 (ingest 97 against 94).
// `node bin/keshikomi.mjs` skips the line and runs the same job with Node's defaults.
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { bundleUrl, commandBundle, isFresh } from "./bundle.mjs"

// A stale bundle is rebuilt in a child process (a fraction of a second), so this one loads no compiler.
const fresh = isFresh(commandBundle) ||
  (spawnSync(process.execPath, [fileURLToPath(new URL("bundle.mjs", import.meta.url))], { stdio: "ignore" }).status === 0 &&
    isFresh(commandBundle))

if (fresh) {
  await import(bundleUrl(commandBundle))
} else {
  const { register } = await import("tsx/esm/api")
  register()
  await import("../src/bin.ts")
}
