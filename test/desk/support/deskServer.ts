// Starts the desk's web front on a free port for a test, on any `Desk` layer, and sends
// raw HTTP requests to it (node:http, so that Host, Origin and Cookie are as written).
import { HttpServer } from "@effect/platform"
import { Context, Effect, Exit, Layer, Logger, LogLevel, Scope } from "effect"
import * as http from "node:http"
import type { Desk } from "../../../src/Desk/Desk.ts"
import { DeskServerLive, type DeskServerOptions } from "../../../src/Desk/Server.ts"

export interface RunningDesk {
  readonly port: number
  /** Loopback URL of the desk, without a trailing slash. */
  readonly url: string
  /** Every log line the desk wrote (message and annotations). */
  readonly logs: Array<string>
  readonly close: () => Promise<void>
}

export const startDesk = async <E>(options: DeskServerOptions, desk: Layer.Layer<Desk, E>): Promise<RunningDesk> => {
  const logs: Array<string> = []
  const capture = Logger.make(({ annotations, message }) => {
    logs.push(`${String(message)} ${JSON.stringify(Object.fromEntries(annotations))}`)
  })
  const scope = Effect.runSync(Scope.make())
  const layer = DeskServerLive(options).pipe(
    Layer.provide(desk),
    Layer.provide(Logger.replace(Logger.defaultLogger, capture)),
    Layer.provide(Logger.minimumLogLevel(LogLevel.Info))
  )
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  const address = Context.get(context, HttpServer.HttpServer).address
  if (address._tag !== "TcpAddress") throw new Error("the desk should listen on TCP")
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    logs,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

export interface RawResponse {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
  readonly json: () => any
}

export const send = (
  port: number,
  path: string,
  options: { readonly method?: string; readonly headers?: Record<string, string>; readonly body?: string } = {}
) =>
  new Promise<RawResponse>((resolve, reject) => {
    const request = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? "GET",
        // As a browser sends a body: with its length (a test may ask for chunks instead).
        headers: {
          host: `127.0.0.1:${port}`,
          ...(options.body === undefined || options.headers?.["transfer-encoding"] !== undefined ? {} : { "content-length": String(Buffer.byteLength(options.body)) }),
          ...options.headers
        }
      },
      (response) => {
        let body = ""
        response.setEncoding("utf8")
        response.on("data", (chunk) => (body += chunk))
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body, json: () => JSON.parse(body) }))
      }
    )
    request.on("error", reject)
    if (options.body !== undefined) request.write(options.body)
    request.end()
  })

/** The session cookie (name=value) a response sets, if any. */
export const sessionCookieOf = (response: RawResponse) => {
  const cookie = (response.headers["set-cookie"] ?? []).find((c) => c.startsWith("keshikomi_desk="))
  return cookie?.split(";")[0]
}

export const csrfTokenOf = (html: string) => /<meta name="csrf-token" content="([^"]+)">/.exec(html)?.[1]
