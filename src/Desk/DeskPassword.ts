// The desk password (README, "The intake desk"): read from a file, never from the command
// line (where `ps` and the shell history would show it) nor from an environment value.
// Which file: KESHIKOMI_DESK_PASSWORD_FILE, else systemd's
// $CREDENTIALS_DIRECTORY/keshikomi-desk-password (LoadCredential=) when it exists.
import { Config, Data, Effect, Option, Redacted } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

export class DeskPasswordUnavailable extends Data.TaggedError("DeskPasswordUnavailable")<{ readonly message: string }> {}

export const credentialName = "keshikomi-desk-password"
export const minimumPasswordLength = 8

/** The password's file from the environment; undefined when none is configured. */
export const passwordFile = (env: { readonly passwordFile: string | undefined; readonly credentialsDirectory: string | undefined }) => {
  if (env.passwordFile !== undefined && env.passwordFile !== "") return path.resolve(env.passwordFile)
  if (env.credentialsDirectory !== undefined && env.credentialsDirectory !== "") {
    const credential = path.join(env.credentialsDirectory, credentialName)
    if (fs.existsSync(credential)) return credential
  }
  return undefined
}

/** The password in `file`: its first line, without the line ending. */
export const readPasswordFile = (file: string): Effect.Effect<Redacted.Redacted<string>, DeskPasswordUnavailable> =>
  Effect.try({
    try: () => fs.readFileSync(file, "utf8"),
    catch: () => new DeskPasswordUnavailable({ message: `受付デスクのパスワードファイル ${file} を読めません` })
  }).pipe(
    Effect.flatMap((text) => {
      const password = text.split(/\r?\n/)[0]!
      return [...password].length >= minimumPasswordLength
        ? Effect.succeed(Redacted.make(password))
        : Effect.fail(new DeskPasswordUnavailable({ message: `受付デスクのパスワードファイル ${file} の 1 行目を ${minimumPasswordLength} 文字以上のパスワードにしてください` }))
    })
  )

/** The configured password, if any: a file that is named but unreadable is an error. */
export const configuredPassword: Effect.Effect<Option.Option<Redacted.Redacted<string>>, DeskPasswordUnavailable> = Effect.gen(function*() {
  const file = passwordFile({
    passwordFile: yield* Config.option(Config.string("KESHIKOMI_DESK_PASSWORD_FILE")).pipe(Effect.map(Option.getOrUndefined), Effect.orDie),
    credentialsDirectory: yield* Config.option(Config.string("CREDENTIALS_DIRECTORY")).pipe(Effect.map(Option.getOrUndefined), Effect.orDie)
  })
  if (file === undefined) return Option.none()
  return Option.some(yield* readPasswordFile(file))
})

const loopbackNames = new Set(["localhost", "::1", "[::1]"])

/** Whether a host name or address reaches only this machine. */
export const isLoopback = (host: string): boolean => loopbackNames.has(host.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(host)
