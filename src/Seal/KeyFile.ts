// The one secret keshikomi seals personal data with, kept in a file outside the
// database (README, "The key"). The file is text so that it can be printed or copied
// for a backup:
//
//   secret: <64 hex digits>
//   hash-key: <64 hex digits>     (only after `keshikomi rekey`: the equality key, carried over)
//
// Which file: KESHIKOMI_KEY_FILE, else systemd's $CREDENTIALS_DIRECTORY/keshikomi.key,
// else — only for the embedded database — a sibling of the data folder
// (`.keshikomi.key` beside `.keshikomi/`), created with a random secret on first use.
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"

export interface KeyMaterial {
  readonly secret: Buffer
  /** The equality (HMAC) key when it was carried over by a rekey; else derived from the secret. */
  readonly hashKey: Buffer | undefined
}

export interface KeySource {
  readonly path: string
  /** How the file was chosen, for messages. */
  readonly via: "KESHIKOMI_KEY_FILE" | "CREDENTIALS_DIRECTORY" | "default"
}

export const secretBytes = 32

/** Where the key is, from the environment; undefined when there is none to use. */
export const keySource = (env: {
  readonly keyFile: string | undefined
  readonly credentialsDirectory: string | undefined
  readonly embeddedDataDir: string | undefined
}): KeySource | undefined => {
  if (env.keyFile !== undefined && env.keyFile !== "") return { path: path.resolve(env.keyFile), via: "KESHIKOMI_KEY_FILE" }
  if (env.credentialsDirectory !== undefined && env.credentialsDirectory !== "") {
    return { path: path.join(env.credentialsDirectory, "keshikomi.key"), via: "CREDENTIALS_DIRECTORY" }
  }
  if (env.embeddedDataDir !== undefined) {
    const dataDir = path.resolve(env.embeddedDataDir)
    return { path: path.join(path.dirname(dataDir), `${path.basename(dataDir)}.key`), via: "default" }
  }
  return undefined
}

const hex64 = /^[0-9a-f]{64}$/

/** Parses a key file's text; a reason when it is not one. */
export const parseKeyFile = (text: string): KeyMaterial | string => {
  const fields = new Map<string, string>()
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    const m = /^([a-z-]+):\s*(\S+)$/.exec(line)
    if (m === null) return "keshikomi の鍵ファイルではありません（`secret: <16進 64 桁>` の行が必要です）"
    fields.set(m[1]!, m[2]!.toLowerCase())
  }
  const secret = fields.get("secret")
  if (secret === undefined || !hex64.test(secret)) return "keshikomi の鍵ファイルではありません（`secret: <16進 64 桁>` の行が必要です）"
  const hashKey = fields.get("hash-key")
  if (hashKey !== undefined && !hex64.test(hashKey)) return "`hash-key:` の行は 16進 64 桁でなければなりません"
  return { secret: Buffer.from(secret, "hex"), hashKey: hashKey === undefined ? undefined : Buffer.from(hashKey, "hex") }
}

export const formatKeyFile = (material: KeyMaterial) =>
  [
    "# keshikomi sealing key. Back it up apart from the database: without it the sealed",
    "# account details, holder names and addresses cannot be read again (README, The key).",
    `secret: ${material.secret.toString("hex")}`,
    ...(material.hashKey === undefined ? [] : [`hash-key: ${material.hashKey.toString("hex")}`]),
    ""
  ].join("\n")

/** A new random secret. */
export const randomKeyMaterial = (hashKey?: Buffer): KeyMaterial => ({ secret: crypto.randomBytes(secretBytes), hashKey })

/**
 * Writes a key file that must not exist yet, owner-only (0600), flushed to disk with its
 * folder entry. Throws when the file exists (never overwrites a key).
 */
export const writeNewKeyFile = (file: string, material: KeyMaterial) => {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600)
  try {
    fs.fchmodSync(fd, 0o600)
    fs.writeSync(fd, formatKeyFile(material))
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  try {
    const dir = fs.openSync(path.dirname(file), "r")
    try {
      fs.fsyncSync(dir)
    } finally {
      fs.closeSync(dir)
    }
  } catch {
    // Not every filesystem lets a folder be opened for fsync; the file itself is flushed.
  }
}
