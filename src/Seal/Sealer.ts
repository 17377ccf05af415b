// The one place that holds the sealing keys. Personal values (account numbers, holder
// names, wallet user refs, every address field) are stored only as sealed bytes:
// AES-256-GCM with a random 96-bit nonce per value, stored nonce ‖ ciphertext ‖ tag.
// Matching compares keyed hashes (HMAC-SHA-256) instead of the values. Each purpose has
// its own key, derived from the one secret of the key file with HKDF-SHA-256; after a
// rekey the equality key is carried over in the key file (docs/privacy.md says why).
import { Config, Context, Effect, Layer, Option } from "effect"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { KeyUnavailable } from "../Domain/Errors.ts"
import {
  type KeyMaterial,
  type KeySource,
  keySource,
  parseKeyFile,
  randomKeyMaterial,
  writeNewKeyFile
} from "./KeyFile.ts"

const nonceBytes = 12
const tagBytes = 16
const derive = (secret: Buffer, purpose: string) =>
  Buffer.from(crypto.hkdfSync("sha256", secret, Buffer.from("keshikomi"), Buffer.from(purpose), 32))

export interface SealerShape {
  /**
   * nonce ‖ ciphertext ‖ tag of `plain` (UTF-8), under the sealing key. `context`, when
   * given, is bound as GCM additional data: the value opens only with the same context.
   */
  readonly seal: (plain: string, context?: string) => Buffer
  readonly sealOrNull: (plain: string | null | undefined) => Buffer | null
  /** The value sealed by `seal` (with the same context); a defect when it does not open with this key. */
  readonly open: (sealed: Uint8Array, context?: string) => string
  readonly openOrNull: (sealed: Uint8Array | null | undefined) => string | null
  /** The keyed hash that stands in for `value` wherever values are compared. */
  readonly equalityKey: (value: string) => Buffer
  /** Identifies the key material without revealing it (stored in the database). */
  readonly fingerprint: string
  /** A sealer with a new random secret and this one's equality key, and what to write to its key file. */
  readonly successor: () => { readonly sealer: SealerShape; readonly material: KeyMaterial }
}

// Nonces are cut from a block of random bytes drawn at once: one call to the system's
// random source per few thousand values instead of one per value (bulk ingest seals
// hundreds of thousands). Each nonce is used once; the block is never reused.
const noncesPerDraw = 4_096

// HMAC-SHA-256 (RFC 2104) as two one-shot SHA-256 calls on keys padded once:
// H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)). The same bytes as crypto.createHmac, at a fraction of
// its cost per value (each createHmac builds a stream object; bulk ingest makes some
// five keyed hashes per money row). Node before 20.12 has no crypto.hash: createHmac then.
const sha256Block = 64
const sha256Bytes = 32

export const makeEqualityKey = (hashKey: Buffer): ((value: string) => Buffer) => {
  const hashKeyObject = crypto.createSecretKey(hashKey)
  if (typeof crypto.hash !== "function") {
    return (value) => crypto.createHmac("sha256", hashKeyObject).update(value, "utf8").digest()
  }
  const blockKey = hashKey.length > sha256Block ? crypto.createHash("sha256").update(hashKey).digest() : hashKey
  const padded = (byte: number) => {
    const pad = Buffer.alloc(sha256Block, byte)
    for (let i = 0; i < blockKey.length; i++) pad[i]! ^= blockKey[i]!
    return pad
  }
  const innerPad = padded(0x36)
  // The outer input: its pad, then the inner digest written in place on each call.
  const outer = Buffer.concat([padded(0x5c), Buffer.alloc(sha256Bytes)])
  // The inner input: its pad, then the value; grown when a value does not fit.
  let inner = Buffer.alloc(sha256Block + 1024)
  innerPad.copy(inner)
  return (value) => {
    // A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair, two units, is 4).
    if (sha256Block + value.length * 3 > inner.length) {
      inner = Buffer.alloc(sha256Block + value.length * 3)
      innerPad.copy(inner)
    }
    const length = inner.write(value, sha256Block, "utf8")
    crypto.hash("sha256", inner.subarray(0, sha256Block + length), "buffer").copy(outer, sha256Block)
    return crypto.hash("sha256", outer, "buffer")
  }
}

// Each sealer's key material, for an ingest worker thread that seals with the same keys
// (src/Ingest/StagePool.ts). Kept here by the sealer's own `seal`, never as a property of
// the service, so that nothing that walks or prints the object meets the key.
const materials = new WeakMap<SealerShape["seal"], KeyMaterial>()

/** The key material `sealer` was made from (made by makeSealer, or a copy of one). */
export const keyMaterialOf = (sealer: SealerShape): KeyMaterial | undefined => materials.get(sealer.seal)

export const makeSealer = (material: KeyMaterial): SealerShape => {
  // Key objects made once: a raw key would be imported again on every call.
  const sealKey = crypto.createSecretKey(derive(material.secret, "seal v1"))
  const hashKey = material.hashKey ?? derive(material.secret, "equality v1")
  const equalityKey = makeEqualityKey(hashKey)
  const fingerprint = crypto.createHmac("sha256", derive(material.secret, "fingerprint v1")).update(hashKey).digest("hex")
  let nonces = Buffer.alloc(0)
  let nextNonce = 0
  const freshNonce = () => {
    if (nextNonce + nonceBytes > nonces.length) {
      nonces = crypto.randomBytes(nonceBytes * noncesPerDraw)
      nextNonce = 0
    }
    const nonce = nonces.subarray(nextNonce, nextNonce + nonceBytes)
    nextNonce += nonceBytes
    return nonce
  }
  // A context's bytes, made once: a column seals every value with the same one (the
  // contexts are the columns' names, a handful; a bound all the same).
  const additionalData = new Map<string, Buffer>()
  const contextBytes = (context: string) => {
    let bytes = additionalData.get(context)
    if (bytes === undefined) {
      bytes = Buffer.from(context, "utf8")
      if (additionalData.size < 64) additionalData.set(context, bytes)
    }
    return bytes
  }
  const seal = (plain: string, context?: string) => {
    const nonce = freshNonce()
    const cipher = crypto.createCipheriv("aes-256-gcm", sealKey, nonce)
    if (context !== undefined) cipher.setAAD(contextBytes(context))
    // One copy: the elements are made in order, so the tag is taken after final().
    return Buffer.concat([nonce, cipher.update(plain, "utf8"), cipher.final(), cipher.getAuthTag()])
  }
  const open = (sealed: Uint8Array, context?: string) => {
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
    try {
      const decipher = crypto.createDecipheriv("aes-256-gcm", sealKey, bytes.subarray(0, nonceBytes))
      if (context !== undefined) decipher.setAAD(Buffer.from(context, "utf8"))
      decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes))
      return Buffer.concat([decipher.update(bytes.subarray(nonceBytes, bytes.length - tagBytes)), decipher.final()]).toString("utf8")
    } catch {
      throw new Error("a sealed value does not open with this key (was it sealed under another key, or for another column?)")
    }
  }
  materials.set(seal, material)
  return {
    seal,
    sealOrNull: (plain) => (plain === null || plain === undefined ? null : seal(plain)),
    open,
    openOrNull: (sealed) => (sealed === null || sealed === undefined ? null : open(sealed)),
    equalityKey,
    fingerprint,
    successor: () => {
      const next = randomKeyMaterial(hashKey)
      return { sealer: makeSealer(next), material: next }
    }
  }
}

export class Sealer extends Context.Tag("keshikomi/Sealer")<Sealer, SealerShape & {
  /** Where the key came from. */
  readonly source: KeySource
  /** True when this process created the key file (first run of the embedded default). */
  readonly created: boolean
}>() {}

/** A short form of a fingerprint for messages. */
export const shortFingerprint = (fingerprint: string) => fingerprint.slice(0, 12)

const readKey = (source: KeySource) =>
  Effect.gen(function*() {
    let text: string
    try {
      text = fs.readFileSync(source.path, "utf8")
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code
      return yield* new KeyUnavailable({
        reason: code === "ENOENT"
          ? `${source.path}（${source.via}）がありません。鍵ファイルをバックアップから戻してください（README の The key）`
          : `${source.path}（${source.via}）を読めません: ${code ?? String(cause)}`
      })
    }
    const parsed = parseKeyFile(text)
    if (typeof parsed === "string") return yield* new KeyUnavailable({ reason: `${source.path}: ${parsed}` })
    return parsed
  })

/**
 * The sealer from the environment: KESHIKOMI_KEY_FILE, else
 * $CREDENTIALS_DIRECTORY/keshikomi.key, else (embedded database only) the default key
 * file beside the data folder, created on first use. With an external database and no
 * key, nothing can be sealed: the run fails.
 */
export const SealerLive = Layer.effect(Sealer, Effect.gen(function*() {
  const keyFile = yield* Config.option(Config.string("KESHIKOMI_KEY_FILE"))
  const credentialsDirectory = yield* Config.option(Config.string("CREDENTIALS_DIRECTORY"))
  const databaseUrl = yield* Config.option(Config.redacted("DATABASE_URL"))
  const dataDir = yield* Config.string("KESHIKOMI_DATA_DIR").pipe(Config.withDefault(".keshikomi"))
  const source = keySource({
    keyFile: Option.getOrUndefined(keyFile),
    credentialsDirectory: Option.getOrUndefined(credentialsDirectory),
    embeddedDataDir: Option.isNone(databaseUrl) ? dataDir : undefined
  })
  if (source === undefined) {
    return yield* new KeyUnavailable({
      reason: "鍵がありません: KESHIKOMI_KEY_FILE に鍵ファイルを指定してください（または systemd の資格情報 keshikomi.key で渡してください）"
    })
  }
  let created = false
  if (source.via === "default" && !fs.existsSync(source.path)) {
    yield* Effect.try({
      // The data folder is created when the server first starts, after the key: a first run
      // into a new folder (KESHIKOMI_DATA_DIR=/srv/keshikomi/db) creates the folder the key
      // lives in too, owner-only as the data folder is.
      try: () => {
        fs.mkdirSync(path.dirname(source.path), { recursive: true, mode: 0o700 })
        writeNewKeyFile(source.path, randomKeyMaterial())
      },
      catch: (cause) => new KeyUnavailable({ reason: `${source.path} を作れません: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}` })
    })
    created = true
  }
  const material = yield* readKey(source)
  return { ...makeSealer(material), source, created }
}).pipe(Effect.catchTag("ConfigError", (e) => new KeyUnavailable({ reason: e.message }))))
