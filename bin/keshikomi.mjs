#!/usr/bin/env -S node --max-semi-space-size=4
// Runs the TypeScript sources directly through tsx: `npm ci` is the only install step.
//
// The first line is read when the file runs as a command (npx keshikomi, npm's bin link,
// cron or systemd calling it by path). It gives V8 a young generation of 3 × 4 MB instead
// of Node's 3 × 16 MB: the job makes short-lived objects row by row, and a smaller
// nursery is collected sooner, for a lower peak RSS at no loss of speed measured
// (bench/run.ts and bench/sheet.ts run under the flags of this line; --node-defaults without).
// `node bin/keshikomi.mjs` skips the line and runs the same job with Node's defaults.
import { register } from "tsx/esm/api"

register()
await import("../src/bin.ts")
