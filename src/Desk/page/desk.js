// The intake desk page (docs/desk-page.md). A keyboard-wedge scanner types characters and
// then Enter: every Enter moves the focus to where the next scan goes. Plain script, no
// framework, nothing loaded from outside.
"use strict"
;(() => {
  const $ = (id) => document.getElementById(id)
  const csrfToken = document.querySelector('meta[name="csrf-token"]').content
  const endCodes = new Set(["END", "ＥＮＤ", "*END*"])
  const conditions = ["良好", "破損", "開封"]
  const checkReasons = {
    SHIP_METHOD_NOT_ANONYMOUS: "配送方法",
    SHIP_ALREADY_SHIPPED: "発送済み",
    SHIP_SELLER_MISMATCH: "頒布者ちがい",
    SHIP_COUNT_OVER: "点数超過"
  }
  const prompts = {
    tracking: "伝票番号をスキャンしてください",
    order: "注文IDをスキャンしてください（終わったら空のまま Enter）",
    count: "点数を入力して Enter（そのまま Enter で 1）",
    seller: "頒布者ID を入力して Enter（なければそのまま Enter）",
    condition: "状態を 1 良好・2 破損・3 開封 で選んで Enter",
    note: "備考を入力して Enter で送信",
    sending: "送信中…",
    pick: "候補の番号を入力して Enter（選ばないときは 0 か空のまま Enter）"
  }

  const fieldSteps = { 伝票番号: "tracking", 頒布者ID: "seller", 状態: "condition", 備考: "note", 注文: "order", 注文ID: "order", 点数: "order" }

  const fields = {
    tracking: $("tracking"),
    order: $("orderId"),
    count: $("count"),
    seller: $("seller"),
    condition: $("condition"),
    note: $("note")
  }

  let lines = []
  let condition = "良好"
  let busy = false
  let pending = [] // NotFound decisions still waiting for a pick: { parcelId, decision, card }

  // ---- settings kept on this PC

  const remembered = (input, key, fallback) => {
    input.value = localStorage.getItem(key) || fallback
    input.addEventListener("change", () => localStorage.setItem(key, input.value.trim()))
  }
  remembered($("staff"), "keshikomi.desk.staff", "受付")
  remembered($("carrier"), "keshikomi.desk.carrier", "日本郵便")

  // ---- messages

  const showError = (message) => {
    const box = $("error")
    box.textContent = message
    box.hidden = false
  }
  const clearError = () => {
    $("error").hidden = true
    $("error").textContent = ""
  }

  const step = (name) => {
    $("next").textContent = prompts[name]
    document.querySelectorAll(".field").forEach((el) => el.classList.toggle("current", el.dataset.step === name))
    if (name === "pick") $("pick").focus({ preventScroll: true })
    else if (fields[name]) {
      fields[name].focus()
      if (fields[name].select) fields[name].select()
    }
  }

  const post = async (path, body) => {
    let response
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrfToken },
        body: JSON.stringify(body),
        credentials: "same-origin"
      })
    } catch {
      throw new Error("受付デスクのサーバーにつながりません。サーバーが動いているか確かめてください。")
    }
    let json = null
    try {
      json = await response.json()
    } catch {
      json = null
    }
    if (!response.ok) {
      // A session that ran out (12 hours, or the desk restarted): the page must be opened again.
      const message = response.status === 401
        ? "ログインの期限が切れました。ページを開き直してください（F5）。"
        : (json && json.error) || "処理できませんでした。もう一度試してください。"
      const error = new Error(message)
      error.field = json && json.field
      throw error
    }
    return json
  }

  // ---- the parcel being entered

  const renderLines = () => {
    const body = $("lines")
    body.replaceChildren()
    if (lines.length === 0) {
      const row = body.insertRow()
      row.className = "empty"
      const cell = row.insertCell()
      cell.colSpan = 3
      cell.textContent = "まだ注文はありません"
      return
    }
    lines.forEach((line, i) => {
      const row = body.insertRow()
      row.insertCell().textContent = String(i + 1)
      row.insertCell().textContent = line.注文ID
      row.insertCell().textContent = line.点数
    })
  }

  const setCondition = (value) => {
    condition = value
    fields.condition.querySelectorAll("[role=radio]").forEach((el) => el.setAttribute("aria-checked", String(el.dataset.value === value)))
  }

  const resetParcel = () => {
    lines = []
    fields.tracking.value = ""
    fields.order.value = ""
    fields.count.value = ""
    fields.seller.value = ""
    fields.note.value = ""
    setCondition("良好")
    renderLines()
  }

  const onEnter = (input, handler) =>
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault()
        if (!busy) handler()
      }
    })

  onEnter(fields.tracking, () => {
    const value = fields.tracking.value.trim()
    if (value === "") return showError("伝票番号をスキャンしてください。")
    clearError()
    pending = []
    $("pickBox").hidden = true
    $("decisions").classList.add("previous")
    step("order")
  })

  onEnter(fields.order, () => {
    const value = fields.order.value.trim()
    if (value === "" || endCodes.has(value.toUpperCase())) {
      fields.order.value = ""
      if (lines.length === 0) return showError("注文IDを 1 件以上スキャンしてください。")
      clearError()
      return step("seller")
    }
    clearError()
    fields.count.value = "1"
    step("count")
  })

  onEnter(fields.count, () => {
    const value = fields.count.value.trim() === "" ? "1" : fields.count.value.trim()
    if (!/^[0-9０-９]+$/.test(value)) return showError("点数は 0 以上の整数で入力してください。")
    clearError()
    lines.push({ 注文ID: fields.order.value.trim(), 点数: value })
    renderLines()
    fields.order.value = ""
    fields.count.value = ""
    step("order")
  })

  onEnter(fields.seller, () => {
    clearError()
    step("condition")
  })

  fields.condition.addEventListener("keydown", (event) => {
    const index = ["1", "2", "3"].indexOf(event.key)
    if (index >= 0) {
      event.preventDefault()
      setCondition(conditions[index])
    } else if (event.key === "ArrowRight" || event.key === "ArrowDown") {
      event.preventDefault()
      setCondition(conditions[(conditions.indexOf(condition) + 1) % 3])
    } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
      event.preventDefault()
      setCondition(conditions[(conditions.indexOf(condition) + 2) % 3])
    } else if (event.key === "Enter") {
      event.preventDefault()
      step("note")
    }
  })
  fields.condition.querySelectorAll("[role=radio]").forEach((el) =>
    el.addEventListener("click", () => {
      setCondition(el.dataset.value)
      fields.condition.focus()
    }))

  onEnter(fields.note, () => submit())

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || $("editDialog").open || busy) return
    event.preventDefault()
    resetParcel()
    clearError()
    $("pickBox").hidden = true
    pending = []
    step("tracking")
  })

  const submit = async () => {
    busy = true
    $("next").textContent = prompts.sending
    try {
      const result = await post("/api/intake", {
        配送業者: $("carrier").value.trim(),
        伝票番号: fields.tracking.value,
        頒布者ID: fields.seller.value,
        状態: condition,
        備考: fields.note.value,
        担当者: staff(),
        注文: lines
      })
      clearError()
      showResult(result)
      resetParcel()
      refreshToday()
      nextAfterResult()
    } catch (error) {
      showError(error.message)
      // Back to the field the sentence names, so that it can be fixed and sent again.
      step(fieldSteps[error.field] || "note")
    } finally {
      busy = false
    }
  }

  const staff = () => $("staff").value.trim() || "受付"

  // ---- decisions

  const headline = (d) => {
    switch (d._tag) {
      case "Reship": return { text: "再発送へ", tone: "ready" }
      case "Hold": return { text: `保留（あと ${d.remaining} 点）`, tone: "hold" }
      case "Return": return { text: `返送（${d.reason}）`, tone: "return" }
      case "Check": {
        const reasons = d.codes.map((code) => checkReasons[code] || code)
        return { text: `確認（${reasons.join("・")}）`, tone: "check" }
      }
      case "DoubleScan": return { text: "二重スキャン", tone: "double" }
      case "NotFound": return { text: "見つかりません", tone: "notfound" }
      default: return { text: "判定できません", tone: "check" }
    }
  }

  const element = (tag, className, text) => {
    const el = document.createElement(tag)
    if (className) el.className = className
    if (text !== undefined) el.textContent = text
    return el
  }

  const decisionCard = (line, decision) => {
    const card = element("article", "decision")
    const { text, tone } = headline(decision)
    card.classList.add(tone)
    card.dataset.tag = decision._tag
    card.dataset.order = decision.orderId || decision.orderIdTyped
    const top = element("div", "top")
    top.append(element("span", "order", `${line.orderIdTyped}${line.orderId && line.orderId !== line.orderIdTyped ? `（${line.orderId}）` : ""}`))
    top.append(element("span", "count", `${line.itemCount} 点`))
    card.append(top)
    card.append(element("p", "verdict", text))
    if (decision.message) card.append(element("p", "message", decision.message))
    if (decision._tag === "DoubleScan") card.append(element("p", "message", `最初の受付: ${decision.firstParcelId}`))
    if (decision._tag === "Reship" && decision.label) {
      const label = decision.label
      const box = element("div", "label")
      box.append(element("p", "", `〒${label.postalCode} ${label.prefecture}${label.city}${label.addressLine}`))
      box.append(element("p", "name", `${label.recipientName} 様`))
      if (label.phone) box.append(element("p", "", `電話 ${label.phone}`))
      card.append(box)
    }
    if (decision._tag === "NotFound") {
      if (decision.candidates.length === 0) {
        card.append(element("p", "message", "近い注文IDの候補はありません。伝票の注文IDを確かめてください。"))
      } else {
        const list = element("ol", "candidates")
        decision.candidates.forEach((c) => {
          const item = element("li")
          item.append(element("strong", "", c.orderId))
          item.append(element("span", "", ` ${c.circleName}（${c.sellerId}）注文 ${c.orderedQty} 点`))
          item.append(element("span", c.sellerMatches ? "match" : "nomatch", c.sellerMatches ? " 頒布者一致" : " 頒布者ちがい"))
          item.append(element("span", c.countMatches ? "match" : "nomatch", c.countMatches ? " 点数一致" : " 点数ちがい"))
          list.append(item)
        })
        card.append(list)
      }
    }
    return card
  }

  const showResult = (result) => {
    $("resultTitle").textContent = `判定 ${result.parcelId}`
    const box = $("decisions")
    parkPickBox()
    box.replaceChildren()
    box.classList.remove("previous")
    pending = []
    result.decisions.forEach(({ line, decision }) => {
      const card = decisionCard(line, decision)
      box.append(card)
      if (decision._tag === "NotFound" && decision.candidates.length > 0) pending.push({ parcelId: result.parcelId, line, decision, card })
    })
  }

  // The pick field sits in the card being picked for: out of it before a card is replaced.
  const parkPickBox = () => {
    $("pickBox").hidden = true
    $("decisions").after($("pickBox"))
  }

  const nextAfterResult = () => {
    document.querySelectorAll(".decision.picking").forEach((el) => el.classList.remove("picking"))
    if (pending.length > 0) {
      const card = pending[0].card
      card.classList.add("picking")
      // The number is typed right under the candidates it picks from.
      card.append($("pickBox"))
      $("pickBox").hidden = false
      $("pick").value = ""
      step("pick")
      card.scrollIntoView({ block: "nearest" })
    } else {
      $("pickBox").hidden = true
      step("tracking")
    }
  }

  onEnter($("pick"), async () => {
    const current = pending[0]
    if (!current) return nextAfterResult()
    const value = $("pick").value.trim()
    const candidates = current.decision.candidates
    if (value === "" || value === "0") {
      clearError()
      pending.shift()
      return nextAfterResult()
    }
    const byNumber = /^[1-9]$/.test(value) ? candidates[Number(value) - 1] : undefined
    const chosen = byNumber || candidates.find((c) => c.orderId === value.toUpperCase())
    if (!chosen) {
      $("pick").value = ""
      return showError(`候補の番号（1〜${candidates.length}）か 0 を入力してください。`)
    }
    busy = true
    try {
      const result = await post("/api/correct", {
        受付番号: current.parcelId,
        注文ID: current.line.orderIdTyped,
        新しい注文ID: chosen.orderId,
        理由: "候補から選択",
        担当者: staff()
      })
      clearError()
      const updated = result.decisions.find(({ line }) => line.orderId === chosen.orderId) || result.decisions[0]
      parkPickBox()
      if (updated) current.card.replaceWith(decisionCard(updated.line, updated.decision))
      pending.shift()
      refreshToday()
    } catch (error) {
      showError(error.message)
    } finally {
      busy = false
    }
    nextAfterResult()
  })

  // ---- today's intake, with 訂正 / 取消

  const refreshToday = async () => {
    let data
    try {
      const response = await fetch("/api/day", { credentials: "same-origin" })
      data = await response.json()
      if (!response.ok) throw new Error(data.error)
    } catch (error) {
      return showError((error && error.message) || "本日の受付を読めませんでした。")
    }
    $("todayDate").textContent = data.date
    $("csv").href = `/day.csv?date=${data.date}`
    const body = $("today")
    body.replaceChildren()
    data.lines.slice().reverse().forEach((line) => {
      const row = body.insertRow()
      if (line.withdrawn) row.className = "withdrawn"
      row.insertCell().textContent = line.parcelId
      row.insertCell().textContent = line.receivedAt.slice(11, 16)
      row.insertCell().textContent = line.orderIdTyped
      row.insertCell().textContent = String(line.itemCount)
      const actions = row.insertCell()
      if (line.withdrawn) actions.textContent = "取消済"
      else {
        const fix = element("button", "small", "訂正")
        fix.type = "button"
        fix.addEventListener("click", () => openEdit("correct", line))
        const cancel = element("button", "small", "取消")
        cancel.type = "button"
        cancel.addEventListener("click", () => openEdit("withdraw", line))
        actions.append(fix, cancel)
      }
    })
  }

  let editing = null
  const openEdit = (mode, line) => {
    editing = { mode, line }
    const dialog = $("editDialog")
    dialog.classList.toggle("withdraw", mode === "withdraw")
    $("editTitle").textContent = mode === "correct" ? "訂正" : "取消"
    $("editSubmit").textContent = mode === "correct" ? "訂正する" : "取り消す"
    $("editLine").textContent = `${line.parcelId}　${line.orderIdTyped}　${line.itemCount} 点`
    $("editOrderId").value = line.orderIdTyped
    $("editCount").value = String(line.itemCount)
    $("editReason").value = ""
    $("editError").hidden = true
    dialog.showModal()
    ;(mode === "correct" ? $("editOrderId") : $("editReason")).focus()
  }
  const closeEdit = () => {
    $("editDialog").close()
  }
  $("editDialog").addEventListener("close", () => {
    editing = null
    nextAfterResult()
  })
  $("editCancel").addEventListener("click", closeEdit)
  $("editForm").addEventListener("submit", async (event) => {
    event.preventDefault()
    if (!editing) return
    const { mode, line } = editing
    const reason = $("editReason").value.trim()
    const fail = (message) => {
      $("editError").textContent = message
      $("editError").hidden = false
    }
    if (reason === "") return fail("理由を入力してください。")
    try {
      if (mode === "correct") {
        const newOrderId = $("editOrderId").value.trim()
        const newCount = $("editCount").value.trim()
        const body = { 受付番号: line.parcelId, 注文ID: line.orderIdTyped, 理由: reason, 担当者: staff() }
        if (newOrderId !== "" && newOrderId !== line.orderIdTyped) body.新しい注文ID = newOrderId
        if (newCount !== "" && newCount !== String(line.itemCount)) body.新しい点数 = newCount
        const result = await post("/api/correct", body)
        showResult(result)
      } else {
        await post("/api/withdraw", { 受付番号: line.parcelId, 注文ID: line.orderIdTyped, 理由: reason, 担当者: staff() })
      }
      clearError()
      closeEdit()
      refreshToday()
    } catch (error) {
      fail(error.message)
    }
  })

  resetParcel()
  refreshToday()
  step("tracking")
})()
