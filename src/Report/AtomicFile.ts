// Every file a run publishes (workbooks, transfer files) goes through here: written to a
// partial file beside its final place, then renamed into place, so that a reader never
// opens half a file and the report folder holds only finished files.
//
// - Owner-only: files 0600, folders 0700; with KESHIKOMI_REPORT_GROUP, that group may
//   read them (0640 / 0750, group set on the file itself, whatever the umask).
// - The partial file's name is unpredictable (`.<name>.<random>.partial`) and it is
//   opened with O_CREAT|O_EXCL|O_NOFOLLOW: nothing already there, not even a link, is
//   ever followed or overwritten.
// - A write that fails (disk full, folder removed) fails the effect at once with the
//   cause, and the partial file is removed.
import { Config, Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import type { Writable } from "node:stream"
import { ReportWriteFailed } from "../Domain/Errors.ts"

export interface FileAccess {
  readonly fileMode: number
  readonly dirMode: number
  /** The group that may read, when KESHIKOMI_REPORT_GROUP names one. */
  readonly gid: number | undefined
}

export const ownerOnly: FileAccess = { fileMode: 0o600, dirMode: 0o700, gid: undefined }

const describe = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause)).split("\n")[0]!

const groupId = (group: string): number | undefined => {
  if (/^\d+$/.test(group)) return Number(group)
  try {
    const entry = execFileSync("getent", ["group", group], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
    const gid = Number(entry.split(":")[2])
    return Number.isInteger(gid) ? gid : undefined
  } catch {
    try {
      const line = fs.readFileSync("/etc/group", "utf8").split("\n").find((l) => l.split(":")[0] === group)
      return line === undefined ? undefined : Number(line.split(":")[2])
    } catch {
      return undefined
    }
  }
}

/** The access for published files, from KESHIKOMI_REPORT_GROUP (unset: owner-only). */
export const reportAccess = Effect.gen(function*() {
  const group = yield* Config.string("KESHIKOMI_REPORT_GROUP").pipe(Config.withDefault(""), Effect.orElseSucceed(() => ""))
  if (group === "") return ownerOnly
  const gid = groupId(group)
  if (gid === undefined) {
    return yield* new ReportWriteFailed({ path: "KESHIKOMI_REPORT_GROUP", reason: `no such group: ${group}` })
  }
  return { fileMode: 0o640, dirMode: 0o750, gid } satisfies FileAccess
})

/**
 * Makes `dir` (and missing parents) with the access's folder mode. The folder itself is
 * set to that mode and group; existing parents are left as they are.
 */
export const ensureDirectory = (dir: string, access: FileAccess) =>
  Effect.try({
    try: () => {
      fs.mkdirSync(dir, { recursive: true, mode: access.dirMode })
      const stat = fs.lstatSync(dir)
      if (!stat.isDirectory()) throw new Error("not a folder")
      if (stat.uid === process.getuid?.()) {
        if (access.gid !== undefined) fs.chownSync(dir, -1, access.gid)
        fs.chmodSync(dir, access.dirMode)
      }
    },
    catch: (cause) => new ReportWriteFailed({ path: dir, reason: describe(cause) })
  })

export interface StagedFile {
  readonly target: string
  readonly partial: string
  /** Fails when the partial file is no longer there (its folder was removed): check before committing. */
  readonly check: Effect.Effect<void, ReportWriteFailed>
  /** Moves the finished file into place. */
  readonly publish: Effect.Effect<string, ReportWriteFailed>
  /** Removes the partial file (a failed or rolled-back run). */
  readonly discard: Effect.Effect<void>
}

const partialPattern = /^\..+\.[0-9a-f]{32}\.partial$|\.\d+\.partial$/

/** The partial file name for `target`: hidden, unpredictable, recognisable by its ending. */
export const partialName = (target: string) =>
  path.join(path.dirname(target), `.${path.basename(target)}.${crypto.randomBytes(16).toString("hex")}.partial`)

const openExclusive = (file: string, access: FileAccess) => {
  const fd = fs.openSync(
    file,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
    access.fileMode
  )
  try {
    if (access.gid !== undefined) fs.fchownSync(fd, -1, access.gid)
    // The umask may have taken bits the access grants (a report group under UMask=0077).
    fs.fchmodSync(fd, access.fileMode)
  } catch (error) {
    fs.closeSync(fd)
    fs.rmSync(file, { force: true })
    throw error
  }
  return fd
}

/**
 * Writes `target`'s content to a new partial file beside it: `write` gets the stream and
 * must end it (exceljs's commit does). Fails at once when the stream fails, whatever
 * `write` is waiting for. The file is flushed to disk before it can be published.
 */
export const stageFile = <E, R>(
  target: string,
  access: FileAccess,
  write: (stream: Writable) => Effect.Effect<void, E, R>
): Effect.Effect<StagedFile, E | ReportWriteFailed, R> => {
  const partial = partialName(target)
  const failed = (cause: unknown) => new ReportWriteFailed({ path: target, reason: describe(cause) })
  const discard = Effect.sync(() => fs.rmSync(partial, { force: true }))
  return Effect.gen(function*() {
    const fd = yield* Effect.try({ try: () => openExclusive(partial, access), catch: failed })
    // The stream owns the descriptor: it flushes it to disk and closes it when ended
    // (`flush`), and closes it when destroyed.
    const stream = fs.createWriteStream("", { fd, flush: true })
    let streamError: ((error: unknown) => void) | undefined
    let earlyError: unknown
    stream.on("error", (error) => (streamError === undefined ? (earlyError = error) : streamError(error)))
    const streamFailed = Effect.async<never, ReportWriteFailed>((resume) => {
      if (earlyError !== undefined) return resume(Effect.fail(failed(earlyError)))
      streamError = (error) => resume(Effect.fail(failed(error)))
    })
    const closed = Effect.async<void>((resume) => {
      if (stream.closed) return resume(Effect.void)
      stream.once("close", () => resume(Effect.void))
    })
    yield* Effect.raceFirst(Effect.zipRight(write(stream), closed), streamFailed).pipe(
      Effect.onExit((exit) => (exit._tag === "Success" ? Effect.void : Effect.sync(() => stream.destroy())))
    )
    return {
      target,
      partial,
      check: Effect.try({
        try: () => {
          if (!fs.lstatSync(partial).isFile()) throw new Error("書いたファイルが別のものに置き換えられました")
        },
        catch: (cause) => failed((cause as NodeJS.ErrnoException).code === "ENOENT" ? "実行中に出力フォルダが消されました" : cause)
      }),
      publish: Effect.try({
        try: () => {
          fs.renameSync(partial, target)
          return target
        },
        catch: failed
      }),
      discard
    } satisfies StagedFile
  }).pipe(Effect.onError(() => discard))
}

/** Writes `bytes` to `target` atomically (the one-shot form of stageFile + publish). */
export const writeFileAtomic = (target: string, access: FileAccess, bytes: Uint8Array | string) =>
  stageFile(target, access, (stream) =>
    Effect.async<void>((resume) => {
      stream.end(bytes, () => resume(Effect.void))
    })).pipe(Effect.flatMap((staged) => staged.publish))

/**
 * Removes partial files that runs which died left in `outDir` (up to three folder
 * levels: OUT/<as_of>/…/). Call it holding the run lock, so no other run's partial file
 * is removed. Links are never followed.
 */
export const removeLeftoverPartials = (outDir: string) =>
  Effect.sync(() => {
    let removed = 0
    const walk = (dir: string, depth: number) => {
      let entries: Array<fs.Dirent>
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true })
      } catch {
        return
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name)
        if (entry.isDirectory() && partialPattern.test(entry.name)) {
          // A folder staged whole (the per-seller lists).
          fs.rmSync(full, { recursive: true, force: true })
          removed++
        } else if (entry.isDirectory() && depth < 3) walk(full, depth + 1)
        else if ((entry.isFile() || entry.isSymbolicLink()) && partialPattern.test(entry.name)) {
          fs.rmSync(full, { force: true })
          removed++
        }
      }
    }
    walk(outDir, 0)
    return removed
  })
