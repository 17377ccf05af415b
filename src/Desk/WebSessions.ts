// The desk's browser sessions (docs/desk-page.md): a random 256-bit id in an HttpOnly,
// SameSite=Strict cookie, a CSRF token per session written into the page, a login rate
// limit per address. Kept in memory: a restarted desk asks staff to log in again, which
// is the safe side. Secrets are compared in constant time (through their SHA-256, so
// lengths never matter either).
import * as crypto from "node:crypto"

export interface Session {
  /** SHA-256 of the cookie value: the map never holds the cookie itself. */
  readonly key: string
  readonly csrfToken: string
  readonly authenticated: boolean
  readonly expiresAtMs: number
}

const digest = (text: string) => crypto.createHash("sha256").update(text, "utf8").digest()

/** Equal secrets, in time that does not depend on where they differ. */
export const sameSecret = (given: string, expected: string): boolean =>
  crypto.timingSafeEqual(digest(given), digest(expected))

const randomToken = () => crypto.randomBytes(32).toString("base64url")

export interface SessionStoreOptions {
  readonly ttlMs: number
  /** Sessions kept at most (oldest dropped first), so that a flood of visits cannot fill memory. */
  readonly maxSessions: number
}

export const makeSessionStore = (options: SessionStoreOptions) => {
  const sessions = new Map<string, Session>()

  const prune = (nowMs: number) => {
    for (const [key, session] of sessions) if (session.expiresAtMs <= nowMs) sessions.delete(key)
    // Map keeps insertion order: the first entries are the oldest.
    for (const key of sessions.keys()) {
      if (sessions.size < options.maxSessions) break
      sessions.delete(key)
    }
  }

  return {
    /** A new session and the cookie value that names it. */
    create: (authenticated: boolean, nowMs: number): { readonly cookieValue: string; readonly session: Session } => {
      prune(nowMs)
      const cookieValue = randomToken()
      const session: Session = { key: digest(cookieValue).toString("hex"), csrfToken: randomToken(), authenticated, expiresAtMs: nowMs + options.ttlMs }
      sessions.set(session.key, session)
      return { cookieValue, session }
    },
    /** The live session a cookie names, if any. */
    find: (cookieValue: string | undefined, nowMs: number): Session | undefined => {
      if (cookieValue === undefined || cookieValue.length > 100) return undefined
      const key = digest(cookieValue).toString("hex")
      const session = sessions.get(key)
      if (session === undefined) return undefined
      if (session.expiresAtMs <= nowMs) {
        sessions.delete(key)
        return undefined
      }
      return session
    },
    end: (session: Session) => {
      sessions.delete(session.key)
    },
    get size() {
      return sessions.size
    }
  }
}

export type SessionStore = ReturnType<typeof makeSessionStore>

export interface LoginLimitOptions {
  /** Failed logins allowed per address within the window. */
  readonly perAddress: number
  /** Failed logins allowed from all addresses together within the window. */
  readonly overall: number
  readonly windowMs: number
}

/** Failed logins in a sliding window; while over the limit, logins are refused without checking. */
export const makeLoginLimiter = (options: LoginLimitOptions) => {
  const failures = new Map<string, Array<number>>()
  const recent = (times: Array<number> | undefined, nowMs: number) => (times ?? []).filter((t) => t > nowMs - options.windowMs)
  const overallCount = (nowMs: number) => {
    let n = 0
    for (const [address, times] of failures) {
      const live = recent(times, nowMs)
      if (live.length === 0) failures.delete(address)
      else failures.set(address, live)
      n += live.length
    }
    return n
  }
  return {
    /** Milliseconds to wait before the next try from `address`; 0 when a try is allowed. */
    waitMs: (address: string, nowMs: number): number => {
      const own = recent(failures.get(address), nowMs)
      const all = overallCount(nowMs)
      if (own.length < options.perAddress && all < options.overall) return 0
      const oldest = own.length >= options.perAddress ? own[0]! : Math.min(...[...failures.values()].flat())
      return Math.max(1, oldest + options.windowMs - nowMs)
    },
    failed: (address: string, nowMs: number) => {
      failures.set(address, [...recent(failures.get(address), nowMs), nowMs])
    },
    succeeded: (address: string) => {
      failures.delete(address)
    }
  }
}

export type LoginLimiter = ReturnType<typeof makeLoginLimiter>
