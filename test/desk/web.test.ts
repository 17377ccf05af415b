// The desk's web front at the HTTP level, on an in-memory Desk: loopback works without a
// password; beyond loopback nothing works without logging in; every POST needs this
// desk's origin and the session's CSRF token; bodies follow the parcels export's rules;
// errors are one Japanese sentence; nothing personal or secret reaches the log.
import { Option, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { csrfTokenOf, type RunningDesk, send, sessionCookieOf, startDesk } from "./support/deskServer.ts"
import { memoryDesk } from "./support/memoryDesk.ts"
import { makeLoginLimiter, makeSessionStore, sameSecret } from "../../src/Desk/WebSessions.ts"

const parcel = {
  配送業者: "日本郵便",
  伝票番号: "１２３４-5678-9012",
  頒布者ID: "",
  状態: "良好",
  備考: "",
  担当者: "yamada",
  注文: [{ 注文ID: " ps00000001 ", 点数: "1" }, { 注文ID: "PS-00000002", 点数: "１" }]
}

/** Opens the page as a browser would: the session cookie and the page's CSRF token. */
const openPage = async (desk: RunningDesk, extraHeaders: Record<string, string> = {}) => {
  const page = await send(desk.port, "/", { headers: extraHeaders })
  return { page, cookie: sessionCookieOf(page)!, token: csrfTokenOf(page.body)! }
}

const postJson = (desk: RunningDesk, path: string, body: unknown, headers: Record<string, string>) =>
  send(desk.port, path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) })

describe("the desk on loopback, without a password", () => {
  const memory = memoryDesk({ date: "2023-09-01" })
  let desk: RunningDesk
  beforeAll(async () => {
    desk = await startDesk({ host: "127.0.0.1", port: 0, password: Option.none() }, memory.layer)
  })
  afterAll(() => desk.close())

  const fromPage = async () => {
    const { cookie, token } = await openPage(desk)
    return { cookie, "x-csrf-token": token, origin: desk.url }
  }

  it("serves the page with a session cookie that is HttpOnly and SameSite=Strict, and a CSRF token in the page", async () => {
    const { page, cookie, token } = await openPage(desk)
    expect(page.status).toBe(200)
    expect(page.headers["content-type"]).toContain("text/html")
    expect(page.body).toContain("伝票番号")
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(cookie).toMatch(/^keshikomi_desk=[A-Za-z0-9_-]{43}$/)
    const flags = page.headers["set-cookie"]![0]!.split(";").map((part) => part.trim().toLowerCase())
    expect(flags).toEqual(expect.arrayContaining(["httponly", "samesite=strict", "path=/", "max-age=43200"]))
    // Plain HTTP: a Secure cookie would never come back.
    expect(flags).not.toContain("secure")
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'")
    expect(page.headers["x-frame-options"]).toBe("DENY")
  })

  it("receives a parcel posted from the page and answers each order", async () => {
    const response = await postJson(desk, "/api/intake", parcel, await fromPage())
    expect(response.status).toBe(200)
    const result = response.json()
    expect(result.parcelId).toBe("IN-20230901-0001")
    expect(result.decisions.map((d: any) => d.decision._tag)).toEqual(["Reship", "Hold"])
    // What reached the Desk: the export's cell rules applied, the order id as typed (trimmed).
    expect(memory.state.intakes.at(-1)).toEqual({
      carrier: "日本郵便",
      trackingNo: "1234-5678-9012",
      sellerId: undefined,
      condition: "良好",
      note: "",
      orders: [{ orderIdTyped: "ps00000001", itemCount: 1 }, { orderIdTyped: "PS-00000002", itemCount: 1 }],
      by: "yamada"
    })
  })

  it("refuses a POST without this desk's origin, without a session, or without the right CSRF token", async () => {
    const headers = await fromPage()
    const before = memory.state.intakes.length
    const refused = [
      await postJson(desk, "/api/intake", parcel, { cookie: headers.cookie, "x-csrf-token": headers["x-csrf-token"] }),
      await postJson(desk, "/api/intake", parcel, { ...headers, origin: "http://evil.example" }),
      await postJson(desk, "/api/intake", parcel, { ...headers, origin: "null" }),
      await postJson(desk, "/api/intake", parcel, { cookie: headers.cookie, "x-csrf-token": headers["x-csrf-token"], referer: "http://127.0.0.1:1/" }),
      await postJson(desk, "/api/intake", parcel, { cookie: headers.cookie, origin: desk.url }),
      await postJson(desk, "/api/intake", parcel, { ...headers, "x-csrf-token": "A".repeat(43) }),
      await postJson(desk, "/api/intake", parcel, { origin: desk.url, "x-csrf-token": headers["x-csrf-token"] })
    ]
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403, 403])
    for (const r of refused) expect(r.json().error).toMatch(/[ぁ-んァ-ヶ一-龠]/)
    expect(memory.state.intakes.length).toBe(before)
    // A token from another session is no better.
    const other = await fromPage()
    const crossed = await postJson(desk, "/api/intake", parcel, { ...headers, "x-csrf-token": other["x-csrf-token"] })
    expect(crossed.status).toBe(403)
    // The Referer stands in for a missing Origin when it names this desk.
    const byReferer = await postJson(desk, "/api/intake", parcel, { cookie: headers.cookie, "x-csrf-token": headers["x-csrf-token"], referer: `${desk.url}/` })
    expect(byReferer.status).toBe(200)
  })

  it("serves loopback names only, so that another site's name pointed at this machine gets nothing", async () => {
    const response = await send(desk.port, "/", { headers: { host: `evil.example:${desk.port}` } })
    expect(response.status).toBe(421)
    expect(response.headers["set-cookie"]).toBeUndefined()
    expect((await send(desk.port, "/", { headers: { host: `localhost:${desk.port}` } })).status).toBe(200)
  })

  it("reads the day's lines and its CSV only with a session", async () => {
    const headers = await fromPage()
    expect((await send(desk.port, "/api/day?date=2023-09-01")).status).toBe(401)
    const day = await send(desk.port, "/api/day?date=2023-09-01", { headers: { cookie: headers.cookie } })
    expect(day.status).toBe(200)
    expect(day.json().lines.map((l: any) => l.orderIdTyped)).toEqual(expect.arrayContaining(["ps00000001", "PS-00000002"]))
    const csv = await send(desk.port, "/day.csv?date=2023-09-01", { headers: { cookie: headers.cookie } })
    expect(csv.status).toBe(200)
    expect(csv.headers["content-disposition"]).toBe("attachment; filename=\"parcels_desk_20230901.csv\"")
    expect(csv.body.startsWith("\uFEFF受付番号,受付日時")).toBe(true)
    const badDate = await send(desk.port, "/api/day?date=2023-9-1", { headers: { cookie: headers.cookie } })
    expect(badDate.status).toBe(400)
    expect(badDate.json().error).toBe("日付は YYYY-MM-DD で指定してください。")
  })

  it("answers a body that breaks the parcels export's rules with one sentence naming the field", async () => {
    const headers = await fromPage()
    const cases: Array<[unknown, string]> = [
      [{ ...parcel, 伝票番号: "ABC" }, "伝票番号が正しくありません: 数字とハイフン（例: 1234-5678-9012）。"],
      [{ ...parcel, 状態: "普通" }, "状態が正しくありません: 良好 / 破損 / 開封 のいずれか。"],
      [{ ...parcel, 注文: [parcel.注文[0], { 注文ID: "PS-00000002", 点数: "-1" }] }, "2 件目の点数が正しくありません: 0以上の整数。"],
      [{ ...parcel, 注文: [] }, "注文が正しくありません: 注文IDを 1 件以上入力してください。"],
      [{ ...parcel, 備考: "あ".repeat(501) }, "備考が正しくありません: 500 文字以内にしてください。"],
      [{ ...parcel, 担当者: undefined }, "担当者がありません。"]
    ]
    for (const [body, sentence] of cases) {
      const response = await postJson(desk, "/api/intake", body, headers)
      expect(response.status).toBe(400)
      expect(response.json().error).toBe(sentence)
    }
    expect((await postJson(desk, "/api/intake", { ...parcel, 伝票番号: "ABC" }, headers)).json().field).toBe("伝票番号")
    const notJson = await send(desk.port, "/api/intake", { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: "{" })
    expect(notJson.status).toBe(400)
    expect(notJson.json().error).toBe("送信内容を読めませんでした。ページを開き直してください。")
  })

  it("refuses a body over the size limit", async () => {
    const headers = await fromPage()
    const response = await postJson(desk, "/api/intake", { ...parcel, 備考: "x".repeat(70_000) }, headers)
    expect(response.status).toBe(413)
    expect(response.json().error).toBe("送信内容が大きすぎます。")
    const body = JSON.stringify({ ...parcel, 備考: "x".repeat(70_000) })
    const chunked = await send(desk.port, "/api/intake", {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "transfer-encoding": "chunked" },
      body
    })
    expect(chunked.status).toBe(413)
  })

  it("passes the Desk's own refusal on as its sentence", async () => {
    const response = await postJson(desk, "/api/intake", { ...parcel, 伝票番号: "0000" }, await fromPage())
    expect(response.status).toBe(400)
    expect(response.json()).toEqual({ error: "伝票番号 0000 は使えません", field: "伝票番号" })
  })

  it("corrects and withdraws a line, with the reason and who did it", async () => {
    const headers = await fromPage()
    const received = (await postJson(desk, "/api/intake", { ...parcel, 注文: [{ 注文ID: "PS-00000016", 点数: "2" }] }, headers)).json()
    expect(received.decisions[0].decision).toMatchObject({ _tag: "NotFound", candidates: [{ orderId: "PS-00000015", countMatches: true }] })
    const corrected = await postJson(desk, "/api/correct", { 受付番号: received.parcelId, 注文ID: "PS-00000016", 新しい注文ID: "PS-00000015", 理由: "候補から選択", 担当者: "yamada" }, headers)
    expect(corrected.status).toBe(200)
    expect(corrected.json().decisions[0].decision._tag).toBe("Reship")
    const nothingNew = await postJson(desk, "/api/correct", { 受付番号: received.parcelId, 注文ID: "PS-00000015", 理由: "x", 担当者: "yamada" }, headers)
    expect(nothingNew.json()).toEqual({ error: "新しい注文IDか点数を入力してください。" })
    const withdrawn = await postJson(desk, "/api/withdraw", { 受付番号: received.parcelId, 注文ID: "PS-00000015", 理由: "別の荷物の伝票", 担当者: "sato" }, headers)
    expect(withdrawn.status).toBe(200)
    const again = await postJson(desk, "/api/withdraw", { 受付番号: received.parcelId, 注文ID: "PS-00000015", 理由: "二度目", 担当者: "sato" }, headers)
    expect(again.status).toBe(404)
    expect(again.json().error).toContain("行はありません")
    expect(memory.state.audit.slice(-2)).toEqual([
      `訂正 ${received.parcelId} PS-00000016 → PS-00000015 候補から選択 yamada`,
      `取消 ${received.parcelId} PS-00000015 別の荷物の伝票 sato`
    ])
  })

  it("says a missing page in Japanese", async () => {
    const { cookie } = await openPage(desk)
    const response = await send(desk.port, "/nothing", { headers: { cookie } })
    expect(response.status).toBe(404)
    expect(response.json().error).toBe("そのページはありません。")
  })
})

describe("the desk when the Desk fails unexpectedly", () => {
  it("answers one sentence, shows no stack, and logs no personal data", async () => {
    const desk = await startDesk({ host: "127.0.0.1", port: 0, password: Option.none() }, memoryDesk({ date: "2023-09-01", fail: true }).layer)
    try {
      const { cookie, token } = await openPage(desk)
      const response = await postJson(desk, "/api/intake", parcel, { cookie, "x-csrf-token": token, origin: desk.url })
      expect(response.status).toBe(500)
      expect(response.json()).toEqual({ error: "処理できませんでした。もう一度試し、続くときは管理者に連絡してください。" })
      expect(desk.logs.join("\n")).toContain("受付デスク: 要求を処理できませんでした")
      expect(desk.logs.join("\n")).not.toMatch(/PS-00000001|山田花子|database gone|at /)
    } finally {
      await desk.close()
    }
  })
})

describe("the desk beyond loopback, with a password", () => {
  const password = "correct horse battery"
  const memory = memoryDesk({ date: "2023-09-01" })
  let desk: RunningDesk
  beforeAll(async () => {
    desk = await startDesk({ host: "0.0.0.0", port: 0, password: Option.some(Redacted.make(password)) }, memory.layer)
  })
  afterAll(() => desk.close())

  const login = (cookie: string, token: string, given: string, headers: Record<string, string> = {}) =>
    send(desk.port, "/login", {
      method: "POST",
      headers: { cookie, origin: desk.url, "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ csrf: token, password: given }).toString()
    })

  const loginPage = async (headers: Record<string, string> = {}) => {
    const first = await send(desk.port, "/", { headers })
    expect(first.status).toBe(303)
    expect(first.headers.location).toBe("/login")
    const cookie = sessionCookieOf(first)!
    const form = await send(desk.port, "/login", { headers: { cookie, ...headers } })
    expect(form.status).toBe(200)
    expect(form.body).toContain("パスワード")
    return { cookie, token: csrfTokenOf(form.body)!, first }
  }

  it("refuses every call before login", async () => {
    const { cookie, token } = await loginPage()
    const before = memory.state.intakes.length
    const intake = await postJson(desk, "/api/intake", parcel, { cookie, "x-csrf-token": token, origin: desk.url })
    expect(intake.status).toBe(401)
    expect(intake.json().error).toBe("ログインしてください。")
    expect((await send(desk.port, "/api/day", { headers: { cookie } })).status).toBe(401)
    expect((await send(desk.port, "/day.csv", { headers: { cookie } })).status).toBe(401)
    expect((await send(desk.port, "/api/day")).status).toBe(401)
    expect(memory.state.intakes.length).toBe(before)
  })

  it("logs in with the password, on a new session id, and then receives parcels", async () => {
    const { cookie, token } = await loginPage()
    const wrong = await login(cookie, token, "wrong password")
    expect(wrong.status).toBe(401)
    expect(wrong.body).toContain("パスワードが違います。")
    const right = await login(cookie, token, password)
    expect(right.status).toBe(303)
    expect(right.headers.location).toBe("/")
    const fresh = sessionCookieOf(right)!
    expect(fresh).not.toBe(cookie)
    const flags = right.headers["set-cookie"]![0]!.split(";").map((part) => part.trim().toLowerCase())
    expect(flags).toEqual(expect.arrayContaining(["httponly", "samesite=strict"]))
    // The session from before login is gone.
    expect((await send(desk.port, "/api/day", { headers: { cookie } })).status).toBe(401)
    const page = await send(desk.port, "/", { headers: { cookie: fresh } })
    expect(page.status).toBe(200)
    expect(page.body).toContain("ログアウト")
    const intake = await postJson(desk, "/api/intake", parcel, { cookie: fresh, "x-csrf-token": csrfTokenOf(page.body)!, origin: desk.url })
    expect(intake.status).toBe(200)
    // Neither password reached the log.
    expect(desk.logs.join("\n")).not.toContain(password)
    expect(desk.logs.join("\n")).not.toContain("wrong password")
  })

  it("refuses a login posted from another site or without the form's token", async () => {
    const { cookie, token } = await loginPage()
    expect((await login(cookie, token, password, { origin: "http://evil.example" })).status).toBe(403)
    expect((await login(cookie, "", password)).status).toBe(403)
  })

  it("marks the cookie Secure behind a TLS proxy", async () => {
    const { cookie, token } = await loginPage({ "x-forwarded-proto": "https" })
    const right = await login(cookie, token, password, { "x-forwarded-proto": "https" })
    expect(right.headers["set-cookie"]![0]!.toLowerCase()).toContain("; secure")
  })

  it("stops checking passwords after five wrong ones from an address", async () => {
    const { cookie, token } = await loginPage()
    // (A successful login, as in the tests above, clears an address's failures.)
    const statuses: Array<number> = []
    for (let i = 0; i < 5; i++) statuses.push((await login(cookie, token, `guess ${i}`)).status)
    expect(statuses).toEqual([401, 401, 401, 401, 401])
    const limited = await login(cookie, token, password)
    expect(limited.status).toBe(429)
    expect(limited.body).toMatch(/ログインの試行が多すぎます。\d+ 分後にもう一度試してください。/)
    expect(sessionCookieOf(limited)).toBeUndefined()
  })
})

describe("the desk's sessions and login limit", () => {
  it("forgets a session when it expires, and keeps at most the newest ones", () => {
    const store = makeSessionStore({ ttlMs: 1000, maxSessions: 2 })
    const first = store.create(true, 0)
    expect(store.find(first.cookieValue, 999)?.csrfToken).toBe(first.session.csrfToken)
    expect(store.find(first.cookieValue, 1000)).toBeUndefined()
    const a = store.create(false, 2000)
    const b = store.create(false, 2001)
    const c = store.create(false, 2002)
    expect([a, b, c].map((s) => store.find(s.cookieValue, 2003) !== undefined)).toEqual([false, true, true])
    expect(store.find("x".repeat(200), 2003)).toBeUndefined()
  })

  it("lets an address try again once its failures leave the window", () => {
    const limiter = makeLoginLimiter({ perAddress: 2, overall: 10, windowMs: 1000 })
    limiter.failed("10.0.0.1", 0)
    expect(limiter.waitMs("10.0.0.1", 10)).toBe(0)
    limiter.failed("10.0.0.1", 100)
    expect(limiter.waitMs("10.0.0.1", 500)).toBe(500)
    expect(limiter.waitMs("10.0.0.2", 500)).toBe(0)
    expect(limiter.waitMs("10.0.0.1", 999)).toBe(1)
    expect(limiter.waitMs("10.0.0.1", 1000)).toBe(0)
    limiter.failed("10.0.0.1", 1000)
    expect(limiter.waitMs("10.0.0.1", 1050)).toBe(50)
  })

  it("compares secrets whatever their lengths", () => {
    expect(sameSecret("abc", "abc")).toBe(true)
    expect(sameSecret("abc", "abcd")).toBe(false)
    expect(sameSecret("", "abc")).toBe(false)
  })
})
