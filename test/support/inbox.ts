// Small readable inboxes for tests: CSV text in, files on disk out.
import iconv from "iconv-lite"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export type FileContent = string | { readonly text: string; readonly encoding: "cp932" | "utf-8-bom" }

/** Lines joined with CRLF, as Excel and web banking write them. */
export const crlf = (...lines: ReadonlyArray<string>) => lines.join("\r\n") + "\r\n"

export const tempDir = (prefix = "keshikomi-test-") => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

/** Writes `files` into a new temporary inbox and returns its path. */
export const writeInbox = (files: Readonly<Record<string, FileContent>>, dir = tempDir()) => {
  for (const [name, content] of Object.entries(files)) {
    const bytes = typeof content === "string"
      ? Buffer.from(content, "utf8")
      : content.encoding === "cp932"
      ? iconv.encode(content.text, "cp932")
      : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(content.text, "utf8")])
    fs.writeFileSync(path.join(dir, name), bytes)
  }
  return dir
}

export const ordersCsv = (...rows: ReadonlyArray<string>) =>
  crlf("order_id,ordered_at,seller_id,circle_name,buyer_id,shipping_method,status,total_amount", ...rows)

export const orderItemsCsv = (...rows: ReadonlyArray<string>) =>
  crlf("order_id,item_id,item_name,quantity,unit_price", ...rows)

export const parcelsCsv = (...rows: ReadonlyArray<string>) =>
  crlf("受付番号,受付日時,配送業者,伝票番号,頒布者ID,注文ID,点数,状態,備考", ...rows)

export const bankTransfersCsv = (...rows: ReadonlyArray<string>) =>
  crlf("受付番号,振込指定日,金融機関コード,金融機関名,支店コード,支店名,預金種目,口座番号,受取人名,振込金額,手数料,顧客コード,結果,不能事由", ...rows)
/** A completed bank transfer to one fixed account: the ingest tests vary its id, amount and customer code. */
export const bankTransferRow = (id: string, amount: string, code = "2308070001") =>
  `${id},2023/08/21,0009,ﾐﾂｲｽﾐﾄﾓ,123,ﾄｳｷﾖｳ,普通,1234567,ﾔﾏﾀﾞ ﾀﾛｳ,"${amount}",145,${code},完了,`
