// The intake desk's page: plain HTML with a script and a style sheet served beside it (no
// bundler, nothing fetched from outside, so it works on an office PC without internet).
// The flow a scanner drives is described in docs/desk-page.md.
import * as fs from "node:fs"
import * as path from "node:path"

const here = import.meta.dirname

export const deskScript = fs.readFileSync(path.join(here, "desk.js"), "utf8")
export const deskStyles = fs.readFileSync(path.join(here, "desk.css"), "utf8")

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c]!)

const head = (title: string, csrfToken: string) => `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${escapeHtml(csrfToken)}">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/desk.css">
<link rel="icon" href="data:,">
</head>`

export const deskPage = (options: { readonly csrfToken: string; readonly loginRequired: boolean }) => `${head("受付デスク – keshikomi", options.csrfToken)}
<body>
<header class="bar">
  <h1>受付デスク</h1>
  <label>担当者 <input id="staff" autocomplete="off" maxlength="40"></label>
  <label>配送業者 <input id="carrier" autocomplete="off" maxlength="40" list="carriers"></label>
  <datalist id="carriers"><option value="日本郵便"><option value="ヤマト運輸"><option value="佐川急便"><option value="西濃運輸"></datalist>
  ${options.loginRequired ? `<form method="post" action="/logout" class="logout"><input type="hidden" name="csrf" value="${escapeHtml(options.csrfToken)}"><button type="submit">ログアウト</button></form>` : ""}
</header>
<main>
  <section class="scan" aria-label="荷物の受付">
    <p id="next" class="next" aria-live="polite">伝票番号をスキャンしてください</p>
    <p id="error" class="error" role="alert" hidden></p>
    <div class="fields">
      <label class="field" data-step="tracking">伝票番号<input id="tracking" autocomplete="off" maxlength="40" inputmode="numeric"></label>
      <label class="field" data-step="order">注文ID<input id="orderId" autocomplete="off" maxlength="40"></label>
      <label class="field short" data-step="count">点数<input id="count" autocomplete="off" maxlength="6" inputmode="numeric"></label>
    </div>
    <table class="lines" aria-label="この荷物の注文">
      <thead><tr><th>#</th><th>注文ID</th><th>点数</th></tr></thead>
      <tbody id="lines"><tr class="empty"><td colspan="3">まだ注文はありません</td></tr></tbody>
    </table>
    <div class="fields">
      <label class="field" data-step="seller">頒布者ID（空欄可）<input id="seller" autocomplete="off" maxlength="20"></label>
      <div class="field" data-step="condition">状態（1・2・3 キー）
        <div id="condition" class="condition" tabindex="0" role="radiogroup" aria-label="状態">
          <span role="radio" data-value="良好" aria-checked="true">1 良好</span>
          <span role="radio" data-value="破損" aria-checked="false">2 破損</span>
          <span role="radio" data-value="開封" aria-checked="false">3 開封</span>
        </div>
      </div>
      <label class="field wide" data-step="note">備考<input id="note" autocomplete="off" maxlength="500"></label>
    </div>
    <p class="keys">Enter: 次へ　注文IDで空のまま Enter（または END をスキャン）: 注文の入力を終える　Esc: この荷物をやめる</p>
  </section>
  <section class="result" aria-label="判定">
    <h2 id="resultTitle">判定</h2>
    <div id="decisions" aria-live="assertive"><p class="placeholder">荷物を送ると、注文ごとの判定がここに出ます。</p></div>
    <div id="pickBox" class="pick" hidden>
      <label>候補の番号を入力して Enter（0 か空のまま Enter: 選ばない）<input id="pick" autocomplete="off" maxlength="40"></label>
    </div>
  </section>
  <section class="today" aria-label="本日の受付">
    <h2>本日の受付 <span id="todayDate"></span> <a id="csv" href="/day.csv">CSV をダウンロード</a></h2>
    <table>
      <thead><tr><th>受付番号</th><th>時刻</th><th>注文ID</th><th>点数</th><th></th></tr></thead>
      <tbody id="today"></tbody>
    </table>
  </section>
</main>
<dialog id="editDialog">
  <form id="editForm" method="dialog">
    <h2 id="editTitle">訂正</h2>
    <p id="editLine"></p>
    <label class="edit-only">新しい注文ID<input id="editOrderId" autocomplete="off" maxlength="40"></label>
    <label class="edit-only">新しい点数<input id="editCount" autocomplete="off" maxlength="6" inputmode="numeric"></label>
    <label>理由（必須）<input id="editReason" autocomplete="off" maxlength="200"></label>
    <p id="editError" class="error" role="alert" hidden></p>
    <div class="buttons"><button type="submit" id="editSubmit">訂正する</button><button type="button" id="editCancel">やめる（Esc）</button></div>
  </form>
</dialog>
<script src="/desk.js" defer></script>
</body>
</html>
`

export const loginPage = (options: { readonly csrfToken: string; readonly error?: string | undefined }) => `${head("受付デスク ログイン – keshikomi", options.csrfToken)}
<body class="login">
<main>
  <h1>受付デスク</h1>
  <form method="post" action="/login">
    <input type="hidden" name="csrf" value="${escapeHtml(options.csrfToken)}">
    <label>パスワード<input type="password" name="password" id="password" autocomplete="current-password" autofocus required></label>
    ${options.error === undefined ? "" : `<p class="error" role="alert">${escapeHtml(options.error)}</p>`}
    <button type="submit">ログイン</button>
  </form>
</main>
</body>
</html>
`
