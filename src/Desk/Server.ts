// The intake desk's web front (issue 13; docs/desk-page.md): the page, its JSON calls and
// the day's CSV, served by @effect/platform's HttpServer on Node. It talks only to the
// `Desk` service. Safe by default: bound to 127.0.0.1 unless told otherwise, and beyond
// loopback only with a desk password; every POST is checked for its origin and the
// session's CSRF token; bodies are small and decoded with the parcels export's own cell
// schemas. Nothing a request carries is logged, and a client never sees a stack trace.
import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { HttpApp } from "@effect/platform"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import { NodeHttpServer } from "@effect/platform-node"
import { Cause, Clock, Context, Effect, Layer, Option, ParseResult, Redacted, Schema } from "effect"
import * as http from "node:http"
import { isPlainDate, todayInJapan } from "../Domain/BusinessDay.ts"
import { ParcelCondition, SlipSellerId, TrackingNo, TypedOrderId } from "../Ingest/Exports.ts"
import { FreeText, RequiredText, wholeNumber } from "../Ingest/Fields.ts"
import { Desk, type IntakeRejected, type IntakeNotFound } from "./Desk.ts"
import { isLoopback } from "./DeskPassword.ts"
import { deskPage, deskScript, deskStyles, loginPage } from "./page/Page.ts"
import { makeLoginLimiter, makeSessionStore, sameSecret, type Session } from "./WebSessions.ts"

export interface DeskServerOptions {
  readonly host: string
  readonly port: number
  /** Required beyond loopback; when given, asked for on loopback too. */
  readonly password: Option.Option<Redacted.Redacted<string>>
  /** A working day and a little; then the desk asks for the password again. */
  readonly sessionTtlMs?: number
}

export const maxBodyBytes = 64 * 1024
const sessionCookie = "keshikomi_desk"
const defaultSessionTtlMs = 12 * 60 * 60 * 1000

// ---------------------------------------------------------------------------------------
// Request bodies: the parcels export's columns and cell rules, with lengths bounded.

const bounded = (max: number) =>
  Schema.String.pipe(Schema.maxLength(max, { message: () => `${max} 文字以内にしてください` }))
// The parcels export's cells (src/Ingest/Exports.ts), by their headers.
const column = {
  配送業者: FreeText,
  伝票番号: TrackingNo,
  頒布者ID: SlipSellerId,
  注文ID: TypedOrderId,
  点数: wholeNumber(0),
  状態: ParcelCondition
} as const

const OrderLineBody = Schema.Struct({
  注文ID: Schema.compose(bounded(40), column.注文ID),
  点数: Schema.compose(bounded(6), column.点数)
})

export const IntakeBody = Schema.Struct({
  配送業者: Schema.compose(bounded(40), column.配送業者),
  伝票番号: Schema.compose(bounded(40), column.伝票番号),
  頒布者ID: Schema.compose(bounded(20), column.頒布者ID),
  状態: Schema.compose(bounded(4), column.状態),
  備考: Schema.compose(bounded(500), FreeText),
  担当者: Schema.compose(bounded(40), RequiredText),
  注文: Schema.Array(OrderLineBody).pipe(
    Schema.minItems(1, { message: () => "注文IDを 1 件以上入力してください" }),
    Schema.maxItems(50, { message: () => "1 つの荷物の注文は 50 件までです" })
  )
})

const LineRef = {
  受付番号: Schema.compose(bounded(30), RequiredText),
  // The line's 注文ID exactly as the desk stored it (as the list shows it).
  注文ID: bounded(40).pipe(Schema.minLength(1, { message: () => "空欄にできません" })),
  理由: Schema.compose(bounded(200), RequiredText),
  担当者: Schema.compose(bounded(40), RequiredText)
}

export const CorrectionBody = Schema.Struct({
  ...LineRef,
  新しい注文ID: Schema.optional(Schema.compose(bounded(40), column.注文ID)),
  新しい点数: Schema.optional(Schema.compose(bounded(6), column.点数))
})

export const WithdrawalBody = Schema.Struct(LineRef)

/** The login form (its csrf field is checked before, with every POST). */
const LoginForm = Schema.Struct({ password: Schema.String.pipe(Schema.maxLength(1000)) })

/** One sentence for the first problem of a body: which field, and what it should hold. */
export const describeBodyError = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return "送信内容が正しくありません。"
  const [first, index, field] = issue.path
  const label = first === "注文" && typeof index === "number"
    ? field === undefined ? "注文" : `${index + 1} 件目の${String(field)}`
    : String(first ?? "送信内容")
  if (issue._tag === "Missing") return `${label}がありません。`
  return `${label}が正しくありません: ${issue.message}。`.replace(/。。$/, "。")
}

/** The body's top-level field the first problem is in (for the page to put the focus there). */
const bodyErrorField = (error: ParseResult.ParseError) => String(ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.path[0] ?? "")

// ---------------------------------------------------------------------------------------
// Responses

const securityHeaders = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
  "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
} as const

/** One clear Japanese sentence, as the page shows it. */
const refusal = (status: number, message: string) => HttpServerResponse.unsafeJson({ error: message }, { status })

const rejected = (error: IntakeRejected | IntakeNotFound) =>
  error._tag === "IntakeRejected"
    ? HttpServerResponse.unsafeJson({ error: error.message, field: error.field }, { status: 400 })
    : refusal(404, error.message)

class CurrentSession extends Context.Tag("keshikomi/Desk/CurrentSession")<CurrentSession, Session>() {}

const requestUrl = (request: HttpServerRequest.HttpServerRequest) => new URL(request.url, "http://desk.invalid")

const readBody = <A, I>(schema: Schema.Schema<A, I>) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    request.text.pipe(
      Effect.mapError(() => refusal(400, "送信内容を読めませんでした。ページを開き直してください。")),
      Effect.filterOrFail((text) => Buffer.byteLength(text) <= maxBodyBytes, () => refusal(413, "送信内容が大きすぎます。")),
      Effect.flatMap((text) =>
        Effect.try({ try: () => JSON.parse(text) as unknown, catch: () => refusal(400, "送信内容を読めませんでした。ページを開き直してください。") })),
      Effect.flatMap((json) => Schema.decodeUnknown(schema, { errors: "first", onExcessProperty: "error" })(json)),
      Effect.mapError((error) =>
        ParseResult.isParseError(error)
          ? HttpServerResponse.unsafeJson({ error: describeBodyError(error), field: bodyErrorField(error) }, { status: 400 })
          : error
      )
    ))

const dateParam = (request: HttpServerRequest.HttpServerRequest, nowMs: number) => {
  const given = requestUrl(request).searchParams.get("date")
  if (given === null || given === "") return Effect.succeed(todayInJapan(new Date(nowMs)))
  return isPlainDate(given) ? Effect.succeed(given) : Effect.fail(refusal(400, "日付は YYYY-MM-DD で指定してください。"))
}

// ---------------------------------------------------------------------------------------
// The app

/** The desk's HTTP app: routes behind the origin, session, CSRF and login checks. */
export const deskApp = (options: DeskServerOptions) =>
  Effect.gen(function*() {
    const desk = yield* Desk
    const authRequired = Option.isSome(options.password)
    const loopbackOnly = isLoopback(options.host)
    const sessions = makeSessionStore({ ttlMs: options.sessionTtlMs ?? defaultSessionTtlMs, maxSessions: 1000 })
    const logins = makeLoginLimiter({ perAddress: 5, overall: 30, windowMs: 5 * 60 * 1000 })

    const withSessionCookie = (response: HttpServerResponse.HttpServerResponse, cookieValue: string, secure: boolean) =>
      HttpServerResponse.unsafeSetCookie(response, sessionCookie, cookieValue, {
        httpOnly: true,
        sameSite: "strict",
        secure,
        path: "/",
        maxAge: `${Math.floor((options.sessionTtlMs ?? defaultSessionTtlMs) / 1000)} seconds`
      })

    const html = (body: string, status = 200) =>
      HttpServerResponse.text(body, { status, contentType: "text/html; charset=utf-8" })

    const router = HttpRouter.empty.pipe(
      HttpRouter.get("/", Effect.map(CurrentSession, (session) =>
        authRequired && !session.authenticated
          ? HttpServerResponse.redirect("/login", { status: 303 })
          : html(deskPage({ csrfToken: session.csrfToken, loginRequired: authRequired })))),
      HttpRouter.get("/login", Effect.map(CurrentSession, (session) =>
        !authRequired || session.authenticated
          ? HttpServerResponse.redirect("/", { status: 303 })
          : html(loginPage({ csrfToken: session.csrfToken })))),
      HttpRouter.post("/login", Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const session = yield* CurrentSession
        if (Option.isNone(options.password)) return HttpServerResponse.redirect("/", { status: 303 })
        const address = Option.getOrElse(request.remoteAddress, () => "unknown")
        const nowMs = yield* Clock.currentTimeMillis
        const waitMs = logins.waitMs(address, nowMs)
        if (waitMs > 0) {
          yield* Effect.logWarning("受付デスク: ログインの試行が多すぎるため断りました")
          return html(loginPage({ csrfToken: session.csrfToken, error: `ログインの試行が多すぎます。${Math.ceil(waitMs / 60_000)} 分後にもう一度試してください。` }), 429)
        }
        const given = yield* HttpServerRequest.schemaBodyUrlParams(LoginForm).pipe(
          Effect.map((form) => form.password),
          Effect.orElseSucceed(() => "")
        )
        if (!sameSecret(given, Redacted.value(options.password.value))) {
          logins.failed(address, nowMs)
          yield* Effect.logWarning("受付デスク: パスワードが違うログインがありました")
          return html(loginPage({ csrfToken: session.csrfToken, error: "パスワードが違います。" }), 401)
        }
        logins.succeeded(address)
        // A new session id after login: one planted before it is worth nothing.
        sessions.end(session)
        const fresh = sessions.create(true, nowMs)
        return withSessionCookie(HttpServerResponse.redirect("/", { status: 303 }), fresh.cookieValue, isSecure(request))
      })),
      HttpRouter.post("/logout", Effect.gen(function*() {
        sessions.end(yield* CurrentSession)
        return HttpServerResponse.redirect(authRequired ? "/login" : "/", { status: 303 }).pipe(
          HttpServerResponse.expireCookie(sessionCookie, { path: "/" })
        )
      })),
      HttpRouter.post("/api/intake", Effect.gen(function*() {
        const body = yield* readBody(IntakeBody)
        const result = yield* desk.receive({
          carrier: body.配送業者,
          trackingNo: body.伝票番号,
          sellerId: body.頒布者ID ?? undefined,
          condition: body.状態,
          note: body.備考,
          orders: body.注文.map((line) => ({ orderIdTyped: line.注文ID.typed, itemCount: line.点数 })),
          by: body.担当者
        }).pipe(Effect.mapError(rejected))
        return HttpServerResponse.unsafeJson(result)
      }).pipe(Effect.merge)),
      HttpRouter.post("/api/correct", Effect.gen(function*() {
        const body = yield* readBody(CorrectionBody)
        if (body.新しい注文ID === undefined && body.新しい点数 === undefined) {
          return refusal(400, "新しい注文IDか点数を入力してください。")
        }
        const result = yield* desk.correct({
          parcelId: body.受付番号,
          orderIdTyped: body.注文ID,
          newOrderIdTyped: body.新しい注文ID?.typed,
          newItemCount: body.新しい点数,
          by: body.担当者,
          reason: body.理由
        }).pipe(Effect.mapError(rejected))
        return HttpServerResponse.unsafeJson(result)
      }).pipe(Effect.merge)),
      HttpRouter.post("/api/withdraw", Effect.gen(function*() {
        const body = yield* readBody(WithdrawalBody)
        yield* desk.withdraw({ parcelId: body.受付番号, orderIdTyped: body.注文ID, by: body.担当者, reason: body.理由 }).pipe(
          Effect.mapError(rejected)
        )
        return HttpServerResponse.unsafeJson({ withdrawn: true })
      }).pipe(Effect.merge)),
      HttpRouter.get("/api/day", Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const date = yield* dateParam(request, yield* Clock.currentTimeMillis)
        return HttpServerResponse.unsafeJson({ date, lines: yield* desk.day(date) })
      }).pipe(Effect.merge)),
      HttpRouter.get("/day.csv", Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const date = yield* dateParam(request, yield* Clock.currentTimeMillis)
        return HttpServerResponse.stream(desk.dayCsv(date), {
          contentType: "text/csv; charset=utf-8",
          headers: { "content-disposition": `attachment; filename="parcels_desk_${date.replaceAll("-", "")}.csv"` }
        })
      }).pipe(Effect.merge))
    )

    // Files anyone may fetch: the script and styles hold nothing of the desk's.
    const assets = new Map([
      ["/desk.js", () => HttpServerResponse.text(deskScript, { contentType: "text/javascript; charset=utf-8" })],
      ["/desk.css", () => HttpServerResponse.text(deskStyles, { contentType: "text/css; charset=utf-8" })]
    ])
    // GETs that open a session when there is none (the page and the login form).
    const entryPaths = new Set(["/", "/login"])

    const guarded: HttpApp.Default<never, never> = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const url = requestUrl(request)
      const host = request.headers["host"] ?? ""
      // A page of another site that resolves its own name to this machine (DNS rebinding)
      // sends its own name as Host: on loopback, only loopback names are served.
      if (host === "" || (loopbackOnly && !isLoopback(hostName(host)))) {
        return refusal(421, "このアドレスでは受け付けていません。http://127.0.0.1 で開いてください。")
      }
      const asset = assets.get(url.pathname)
      if (asset !== undefined && request.method === "GET") return asset()
      const nowMs = yield* Clock.currentTimeMillis
      let session = sessions.find(request.cookies[sessionCookie], nowMs)
      let newCookie: string | undefined
      if (request.method === "GET" || request.method === "HEAD") {
        if (session === undefined) {
          if (!entryPaths.has(url.pathname)) return refusal(401, "ページを開き直してください（受付デスクの接続が切れました）。")
          const created = sessions.create(!authRequired, nowMs)
          session = created.session
          newCookie = created.cookieValue
        } else if (authRequired && !session.authenticated && !entryPaths.has(url.pathname)) {
          return refusal(401, "ログインしてください。")
        }
      } else if (request.method === "POST") {
        if (!sameOrigin(request, host)) return refusal(403, "別のページからの送信は受け付けません。受付デスクのページから操作してください。")
        const length = Number(request.headers["content-length"] ?? "0")
        if (!Number.isFinite(length) || length > maxBodyBytes) {
          // Read and drop the rest, so that the sender gets this answer rather than a cut connection.
          if (request.source instanceof http.IncomingMessage) request.source.resume()
          return refusal(413, "送信内容が大きすぎます。")
        }
        if (session === undefined) return refusal(403, "ページを開き直してください（受付デスクの接続が切れました）。")
        const token = request.headers["x-csrf-token"] ??
          (yield* request.urlParamsBody.pipe(Effect.map((form) => form.find(([name]) => name === "csrf")?.[1]), Effect.orElseSucceed(() => undefined)))
        if (token === undefined || !sameSecret(token, session.csrfToken)) {
          return refusal(403, "ページを開き直してください（確認用の合言葉が合いません）。")
        }
        if (authRequired && !session.authenticated && url.pathname !== "/login") return refusal(401, "ログインしてください。")
      } else {
        return refusal(405, "この操作は受け付けていません。")
      }
      const response = yield* router.pipe(Effect.provideService(CurrentSession, session))
      return newCookie === undefined ? response : withSessionCookie(response, newCookie, isSecure(request))
    }).pipe(
      // A body without Content-Length is read up to this much and then measured (readBody);
      // beyond it the connection is cut.
      HttpIncomingMessage.withMaxBodySize(Option.some(16 * maxBodyBytes)),
      Effect.catchTag("RouteNotFound", () => Effect.succeed(refusal(404, "そのページはありません。"))),
      Effect.catchAllCause((cause) =>
        Effect.as(
          // The cause may quote what was sent: only its kind is logged.
          Effect.logError("受付デスク: 要求を処理できませんでした").pipe(Effect.annotateLogs("kind", causeKind(cause))),
          refusal(500, "処理できませんでした。もう一度試し、続くときは管理者に連絡してください。")
        )),
      Effect.map(HttpServerResponse.setHeaders(securityHeaders))
    )
    return guarded
  })

const hostName = (host: string) => {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host)
  if (bracketed !== null) return bracketed[1]!
  return host.replace(/:\d+$/, "")
}

/** The request comes from a page of this desk: its Origin (or Referer) names this Host. */
const sameOrigin = (request: HttpServerRequest.HttpServerRequest, host: string) => {
  const source = request.headers["origin"] ?? request.headers["referer"]
  if (source === undefined || source === "null") return false
  try {
    const url = new URL(source)
    return (url.protocol === "http:" || url.protocol === "https:") && url.host === new URL(`http://${host}`).host
  } catch {
    return false
  }
}

/** Behind a TLS proxy (X-Forwarded-Proto: https) the cookie is Secure. */
const isSecure = (request: HttpServerRequest.HttpServerRequest) => request.headers["x-forwarded-proto"] === "https"

const causeKind = (cause: Cause.Cause<unknown>) => {
  const defect = Cause.squash(cause)
  return defect instanceof Error ? defect.name : typeof defect
}

/** The desk listening on `options.host:port` (port 0: any free one), until its scope closes. */
export const DeskServerLive = (options: DeskServerOptions) =>
  Layer.unwrapEffect(Effect.map(deskApp(options), (app) => HttpServer.serve(app))).pipe(
    Layer.provideMerge(NodeHttpServer.layer(() => http.createServer(), { host: options.host, port: options.port }))
  )

/** The address as staff type it into the browser. */
export const deskUrl = (address: HttpServer.Address) =>
  address._tag === "UnixAddress" ? address.path : `http://${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${address.port}/`

