// Ingest's worker thread when the command runs from its sources (tsx, the tests): the
// loader is registered in the worker first, as bin/keshikomi.mjs does for the command. A
// bundle starts the worker's own bundle instead (src/Ingest/StagePool.ts).
import { register } from "tsx/esm/api"

register()
await import("./StageWorker.ts")
