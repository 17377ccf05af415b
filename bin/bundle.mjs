// The command as one precompiled file, dist/keshikomi.mjs, built from src/bin.ts by
// esbuild (tsx's own dependency) at `npm ci` (the `prepare` script) or `npm run build`.
//
// Why: under tsx, Node 20 runs the loader hooks that compile the .ts files on a thread of
// their own, a second V8 heap kept for the life of the process; loading the command that
// way took 252 MB of RSS, against ~120 MB for this bundle (`keshikomi --help`: 239 MB
// against 122-126 MB). bin/keshikomi.mjs runs the bundle while it is newer than every
// source it was built from, and tsx otherwise.
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

export const root = path.resolve(import.meta.dirname, "..")
export const commandBundle = path.join(root, "dist", "keshikomi.mjs")
// Ingest's worker thread, bundled beside each bundle that starts it (src/Ingest/StagePool.ts).
const stageWorkerEntry = path.join(root, "src", "Ingest", "StageWorker.ts")
const stageWorkerBundleName = "stage-worker.mjs"

/** The sources a bundle was built from, written beside it. */
const inputsFile = (outfile) => `${outfile}.inputs.json`

// A bundled source still finds the files beside it (the desk page reads desk.js next to
// Page.ts; createRequire resolves from the source's folder): import.meta.url, dirname and
// filename are rewritten to the source's own place, relative to wherever the bundle is.
const sourcePlaces = (outdir) => ({
  name: "source-places",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined
      const relative = JSON.stringify(path.relative(outdir, args.path).split(path.sep).join("/"))
      const text = (await fs.promises.readFile(args.path, "utf8"))
        .replaceAll("import.meta.dirname", `__keshikomiDirname(${relative})`)
        .replaceAll("import.meta.filename", `__keshikomiFilename(${relative})`)
        .replaceAll("import.meta.url", `__keshikomiUrl(${relative})`)
      return { contents: text, loader: "ts" }
    })
  }
})

// Effect's packages are ES modules without side effects: bundled, only what the command
// uses is kept (the `@effect/platform` index alone brings some 20 MB of API-docs pages,
// HttpApiScalar and HttpApiSwagger). Every other package (CommonJS, native binaries,
// data files) is imported from node_modules as it is.
const bundledPackage = /^(effect|@effect\/[^/]+)(\/|$)/
const otherPackagesExternal = {
  name: "other-packages-external",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("node:") || bundledPackage.test(args.path) ? undefined : { path: args.path, external: true })
  }
}

const banner = [
  `const __keshikomiBundleUrl = import.meta.url;`,
  `import { fileURLToPath as __keshikomiToPath } from "node:url";`,
  `import { dirname as __keshikomiParent } from "node:path";`,
  `const __keshikomiUrl = (relative) => new URL(relative, import.meta.url).href;`,
  `const __keshikomiFilename = (relative) => __keshikomiToPath(__keshikomiUrl(relative));`,
  `const __keshikomiDirname = (relative) => __keshikomiParent(__keshikomiFilename(relative));`
].join("\n")

/**
 * Bundles `entry` (a .ts file) into `outfile`, ESM for Node 20, with Effect's packages;
 * the others stay in node_modules.
 * Written under temporary names and renamed: a run starting meanwhile sees the old bundle
 * or the new one, never half of one.
 */
export const buildBundle = async (entry, outfile) => {
  const esbuild = await import("esbuild")
  const startedAt = Date.now()
  fs.mkdirSync(path.dirname(outfile), { recursive: true })
  const temporary = `${outfile}.${process.pid}.tmp`
  try {
    await writeBundle(esbuild, entry, outfile, temporary, startedAt)
  } finally {
    fs.rmSync(temporary, { force: true })
    fs.rmSync(`${temporary}.json`, { force: true })
  }
  return outfile
}

const writeBundle = async (esbuild, entry, outfile, temporary, startedAt) => {
  const outdir = path.dirname(outfile)
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: temporary,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    banner: { js: banner },
    // Where the bundle itself is, for a source that starts a worker thread from the bundle
    // built beside it (src/Ingest/StagePool.ts); from source the name is undeclared.
    define: { __KESHIKOMI_BUNDLE_URL__: "__keshikomiBundleUrl" },
    metafile: true,
    logLevel: "warning",
    plugins: [otherPackagesExternal, sourcePlaces(outdir)]
  })
  // Each package the bundle imports must be found from where the bundle is (none nested
  // under another package's node_modules), or the bundle is not used.
  const externals = new Set(Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external && !i.path.startsWith("node:")).map((i) => i.path)))
  for (const specifier of externals) import.meta.resolve(specifier)
  // Our sources, and npm's record of the installed packages (rewritten by every install).
  const sources = Object.keys(result.metafile.inputs).map((input) => path.relative(root, path.resolve(root, input))).filter((input) => !input.split(path.sep).includes("node_modules"))
  // A bundle that starts ingest's worker threads gets the worker's bundle beside it, built
  // first (so a fresh bundle never finds an older worker), and stale when any of its sources changes.
  const workerSources = sources.includes(path.join("src", "Ingest", "StagePool.ts"))
    ? await buildBundle(stageWorkerEntry, path.join(outdir, stageWorkerBundleName)).then((worker) => JSON.parse(fs.readFileSync(inputsFile(worker), "utf8")).inputs)
    : []
  const installed = path.join("node_modules", ".package-lock.json")
  const ours = [...new Set([...sources, ...workerSources])].filter((input) => input !== installed)
  const inputs = fs.existsSync(path.join(root, installed)) ? [...ours, installed] : ours
  fs.writeFileSync(`${temporary}.json`, JSON.stringify({ builtFrom: startedAt, inputs }))
  fs.renameSync(`${temporary}.json`, inputsFile(outfile))
  fs.renameSync(temporary, outfile)
}

/** Whether `outfile` exists and none of the sources it was built from changed (or went) since. */
export const isFresh = (outfile) => {
  try {
    const { builtFrom, inputs } = JSON.parse(fs.readFileSync(inputsFile(outfile), "utf8"))
    if (fs.statSync(outfile).mtimeMs < builtFrom) return false
    return inputs.every((input) => fs.statSync(path.resolve(root, input)).mtimeMs <= builtFrom)
  } catch {
    return false
  }
}

export const bundleUrl = (outfile) => pathToFileURL(outfile).href

// `node bin/bundle.mjs`: build the command's bundle (npm's prepare and build scripts);
// `node bin/bundle.mjs ENTRY OUTFILE` another one (the bench's, the tests').
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [entry, outfile] = process.argv.length >= 4 ? [path.resolve(process.argv[2]), path.resolve(process.argv[3])] : [path.join(root, "src", "bin.ts"), commandBundle]
  try {
    await buildBundle(entry, outfile)
  } catch (error) {
    // Without a bundle the command still runs, through tsx: an install is not failed for it.
    console.error(`keshikomi: ${path.relative(root, outfile)} was not built (${error instanceof Error ? error.message : String(error)}); the command runs through tsx`)
  }
}
