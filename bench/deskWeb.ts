// What the desk's web front adds to a decision: POST /api/intake round trips on loopback
// (origin, session and CSRF checks, body decoding with the export's cell rules, JSON out)
// over a Desk that answers at once. The decision itself is measured by bench/desk.ts.
//   npx tsx bench/deskWeb.ts [--requests 2000]
import { HttpServer } from "@effect/platform"
import { Context, Effect, Exit, Layer, Logger, LogLevel, Option, Scope, Stream } from "effect"
import * as http from "node:http"
import { Desk } from "../src/Desk/Desk.ts"
import { DeskServerLive } from "../src/Desk/Server.ts"

const requests = Number(process.argv[process.argv.indexOf("--requests") + 1] ?? 2000) || 2000

const instantDesk = Layer.succeed(Desk, {
  receive: (intake) =>
    Effect.succeed({
      parcelId: "IN-20230901-0001",
      receivedAt: "2023-09-01T10:00:00+09:00",
      decisions: intake.orders.map((o) => ({
        line: { parcelId: "IN-20230901-0001", receivedAt: "2023-09-01T10:00:00+09:00", orderIdTyped: o.orderIdTyped, orderId: o.orderIdTyped, itemCount: o.itemCount, withdrawn: false },
        decision: { _tag: "Hold" as const, orderId: o.orderIdTyped, remaining: 1, message: "" }
      }))
    }),
  correct: () => Effect.die("unused"),
  withdraw: () => Effect.die("unused"),
  day: () => Effect.succeed([]),
  dayCsv: () => Stream.empty
})

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
const call = (port: number, path: string, method: string, headers: Record<string, string>, body?: string) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers }, agent }, (response) => {
      let text = ""
      response.on("data", (chunk) => (text += chunk))
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }))
    })
    request.on("error", reject)
    if (body !== undefined) request.end(body)
    else request.end()
  })

const main = async () => {
  const scope = Effect.runSync(Scope.make())
  const layer = DeskServerLive({ host: "127.0.0.1", port: 0, password: Option.none() }).pipe(
    Layer.provide(instantDesk),
    Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
  )
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  const address = Context.get(context, HttpServer.HttpServer).address
  const port = address._tag === "TcpAddress" ? address.port : 0
  const page = await call(port, "/", "GET", {})
  const cookie = page.headers["set-cookie"]![0]!.split(";")[0]!
  const token = /name="csrf-token" content="([^"]+)"/.exec(page.body)![1]!
  const body = JSON.stringify({
    配送業者: "日本郵便", 伝票番号: "1234-5678-9012", 頒布者ID: "S104233", 状態: "良好", 備考: "", 担当者: "bench",
    注文: [{ 注文ID: "ps00412345", 点数: "1" }, { 注文ID: "PS-00412417", 点数: "2" }]
  })
  const headers = { cookie, "x-csrf-token": token, origin: `http://127.0.0.1:${port}`, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) }
  const times: Array<number> = []
  for (let i = 0; i < requests + 100; i++) {
    const start = process.hrtime.bigint()
    const response = await call(port, "/api/intake", "POST", headers, body)
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (response.status !== 200) throw new Error(`status ${response.status}: ${response.body}`)
    if (i >= 100) times.push(ms) // the first 100 warm up
  }
  times.sort((a, b) => a - b)
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2)
  process.stdout.write(`desk web front, POST /api/intake (2 orders), ${requests} requests on loopback: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms, max ${times.at(-1)!.toFixed(2)} ms\n`)
  agent.destroy()
  await Effect.runPromise(Scope.close(scope, Exit.void))
}

void main()
