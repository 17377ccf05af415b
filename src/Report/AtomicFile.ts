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

/** A file to write into a folder staged whole, and what it holds. */
export interface StagedFolderFile {
  readonly file: string
  readonly bytes: Uint8Array
}

class FileFailed {
  constructor(readonly file: string, readonly cause: unknown) {}
}

/**
 * Writes a batch of new files into a folder that is staged whole (a partial folder,
 * published only by renaming it once every file in it is written and the folder flushed:
 * the per-seller lists). The folder is the partial, so a file gets no partial name and no
 * rename of its own. Each is created exclusively (nothing already there, not even a link,
 * is followed or overwritten) with the access's mode and group, written, and its stat
 * taken from the open file; then the batch is flushed to disk, `flushesInFlight` files at
 * a time on libuv's thread pool. Flushes waited for together, with no file being created
 * beside them, are committed together by the file system's journal: one at a time, right
 * after each write, most of a list's time was its own flush (bench/seller-probe.ts).
 * Yields the stats in the batch's order. Uninterruptible, so that a failed run removes
 * its folder only once no flush is in flight; on failure the batch's files are removed.
 */
export const writeIntoStagedFolder = (files: ReadonlyArray<StagedFolderFile>, access: FileAccess, flushesInFlight: number) =>
  Effect.tryPromise({
    try: async () => {
      const opened: Array<{ readonly file: string; readonly fd: number }> = []
      try {
        const stats: Array<fs.BigIntStats> = []
        for (const { bytes, file } of files) {
          try {
            const fd = openExclusive(file, access)
            opened.push({ file, fd })
            fs.writeFileSync(fd, bytes)
            stats.push(fs.fstatSync(fd, { bigint: true }))
          } catch (cause) {
            throw new FileFailed(file, cause)
          }
        }
        // Each flusher stops at its first failure; all are waited for before the files are closed.
        let next = 0
        const failures: Array<FileFailed> = []
        const flusher = async () => {
          while (next < opened.length && failures.length === 0) {
            const { fd, file } = opened[next++]!
            await new Promise<void>((resolve) =>
              fs.fsync(fd, (error) => {
                if (error !== null) failures.push(new FileFailed(file, error))
                resolve()
              })
            )
          }
        }
        await Promise.all(Array.from({ length: Math.max(1, Math.min(flushesInFlight, opened.length)) }, flusher))
        if (failures.length > 0) throw failures[0]!
        return stats
      } catch (error) {
        for (const { file } of opened) fs.rmSync(file, { force: true })
        throw error
      } finally {
        for (const { fd } of opened) fs.closeSync(fd)
      }
    },
    catch: (error) =>
      error instanceof FileFailed
        ? new ReportWriteFailed({ path: error.file, reason: describe(error.cause) })
        : new ReportWriteFailed({ path: path.dirname(files[0]?.file ?? "."), reason: describe(error) })
  }).pipe(Effect.uninterruptible)

/**
 * Flushes `dir`'s entries to disk (the names of the files written into it), so that a
 * folder published after it holds them after a crash. A file system that cannot flush a
 * folder (EINVAL) is let be: its files were each flushed.
 */
export const syncFolder = (dir: string) =>
  Effect.tryPromise({
    try: async () => {
      const handle = await fs.promises.open(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY)
      try {
        await handle.sync()
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EINVAL") throw error
      } finally {
        await handle.close()
      }
    },
    catch: (cause) => new ReportWriteFailed({ path: dir, reason: describe(cause) })
  })

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
