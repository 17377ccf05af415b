// The PAY_ codes (findings.md, Payouts), each raised by one INSERT into the run's
// current_findings from the snapshot and the assignments. Which combinations are
// raised together is written down in docs/payouts.md.
//
// Channel-blind: a request's method is paid by the channel payout_methods names; its
// destination (bank account, or wallet user) and holder name are compared only when
// the transfer came by that channel, and only where both sides carry them.
//
// A stored detail never holds a personal value (docs/privacy.md): account numbers
// appear masked, holder names only on the workbook's own columns, opened there.
import type { SqlClient, Statement } from "@effect/sql"
import { Effect } from "effect"
import { bankMasterDate } from "../../Store/BankMaster.ts"
import { inFileWithoutResult } from "../../Store/ZenginStore.ts"

const day = (sql: SqlClient.SqlClient, column: string) => sql.unsafe(`to_char(${column}, 'YYYY/MM/DD')`)

export const raiseFindings = (sql: SqlClient.SqlClient, asOf: string) =>
  Effect.gen(function*() {
    // A due date as staff read it: the effective one, and why it moved.
    const dueText = sql.unsafe(`
      CASE WHEN r.due_date IS NULL THEN NULL
           WHEN r.due_date <> r.nominal_due
             THEN to_char(r.due_date, 'YYYY/MM/DD') || '（' || to_char(r.nominal_due, 'YYYY/MM/DD') || ' が休業日のため繰り下げ）'
           ELSE to_char(r.due_date, 'YYYY/MM/DD') END`)

    // The per-transfer codes read a completed transfer (p), its request (r), the
    // transfer (t) and the label of its channel (cm).
    const paidTransfers = sql`
      FROM payout_run_paid p
      JOIN payout_run_request r ON r.request_id = p.request_id
      JOIN payout_run_transfer t ON t.channel = p.channel AND t.transfer_id = p.transfer_id
      LEFT JOIN payout_methods cm ON cm.channel = t.channel`

    // Every completed transfer of a live request, with what sets it apart from the
    // request. A failed or cancelled transfer moved no money: it is checked for nothing.
    yield* sql`
      CREATE TEMP TABLE payout_run_paid ON COMMIT DROP AS
      SELECT r.request_id, t.channel, t.transfer_id,
             coalesce(t.amount <> r.amount, false) AS amount_differs,
             r.method_channel IS DISTINCT FROM t.channel AS method_differs,
             coalesce(r.method_channel = t.channel AND r.destination IS DISTINCT FROM t.destination, false) AS destination_differs,
             coalesce(r.method_channel = t.channel AND r.destination = t.destination AND r.holder_key <> t.holder_key, false)
               AS name_differs,
             coalesce(t.transfer_date > r.due_date, false) AS late
      FROM payout_run_request r
      JOIN payout_assignments a ON a.request_id = r.request_id
      JOIN payout_run_transfer t ON t.channel = a.channel AND t.transfer_id = a.transfer_id
      WHERE r.status = 'requested' AND t.outcome = 'completed'`
    // Temporary tables are never analysed automatically; the rules filter it by its flags.
    yield* sql`ANALYZE payout_run_paid`

    // Requests in a transfer file (keshikomi zengin) with no result yet: the newest file names them.
    yield* sql`
      CREATE TEMP TABLE payout_run_scheduled ON COMMIT DROP AS
      SELECT DISTINCT ON (s.request_id) s.request_id, s.file_name, s.transfer_date
      FROM (${inFileWithoutResult(sql, "payout_run_transfer")}) s
      WHERE s.request_id IN (SELECT request_id FROM payout_run_request)
      ORDER BY s.request_id, s.file_id DESC`
    yield* sql`ANALYZE payout_run_scheduled`
    // The live requests not settled by exactly one completed transfer, with their totals:
    // every rule below but the per-transfer ones reads only these (a fifth of the
    // requests at scale), instead of joining all requests with all totals again. Live
    // (status requested) by construction, so the rules need not say it again.
    yield* sql`
      CREATE TEMP TABLE payout_run_unsettled ON COMMIT DROP AS
      SELECT r.*, s.completed_count, s.paid_amount, s.completed_ids, s.failed_count, s.failed_ids, s.failed_desc
      FROM payout_run_request r
      JOIN payout_run_state s ON s.request_id = r.request_id
      WHERE r.status = 'requested' AND s.completed_count <> 1`
    yield* sql`ANALYZE payout_run_unsettled`
    const scheduled = sql`EXISTS (SELECT 1 FROM payout_run_scheduled x WHERE x.request_id = r.request_id)`
    const notYetDue = sql`(r.due_date IS NULL OR ${asOf}::date <= r.due_date)`

    const insert = (select: Statement.Fragment) =>
      sql`INSERT INTO current_findings (code, subject_id, related_id, detail) ${select}`

    // Paid although withdrawn: the whole transfer is to be recovered, so it is checked
    // for nothing else.
    yield* insert(sql`
      SELECT 'PAY_WITHDRAWN_BUT_PAID', r.request_id, t.transfer_id,
             format('取り下げ済みの依頼に %s が支払われています（%s %s、%s）。組戻しを依頼してください。',
                    payout_yen(t.amount), coalesce(cm.label, t.channel), t.transfer_id, ${day(sql, "t.transfer_date")})
      FROM payout_run_request r
      JOIN payout_assignments a ON a.request_id = r.request_id
      JOIN payout_run_transfer t ON t.channel = a.channel AND t.transfer_id = a.transfer_id
      LEFT JOIN payout_methods cm ON cm.channel = t.channel
      WHERE r.status = 'withdrawn' AND t.outcome = 'completed'`)

    // Not paid at all. Deferred first; then a failed attempt (contact the user) stands
    // in for pending and overdue alike; then overdue or pending by the due date.
    yield* insert(sql`
      SELECT 'PAY_DEFERRED', r.request_id, '',
             format('%sでの支払いはサービス再開まで保留です（%s）。', coalesce(m.label, r.method), payout_yen(r.amount))
      FROM payout_run_unsettled r
      LEFT JOIN payout_methods m ON m.method = r.method
      WHERE r.deferred AND r.completed_count = 0`)
    yield* insert(sql`
      SELECT 'PAY_TRANSFER_FAILED', r.request_id, r.failed_ids,
             format('振込が不能でした：%s。利用者へ連絡して振込先を確かめ、再度支払ってください（%s）。',
                    r.failed_desc, payout_yen(r.amount))
      FROM payout_run_unsettled r
      WHERE NOT r.deferred AND r.completed_count = 0 AND r.failed_count > 0
        -- paid again by a later transfer file: scheduled until it is due
        AND NOT (${scheduled} AND ${notYetDue})`)
    yield* insert(sql`
      SELECT 'PAY_UNPAID_OVERDUE', r.request_id, '',
             format('支払期日 %s を過ぎても支払われていません（%s、%s）。至急支払ってください。',
                    ${dueText}, coalesce(m.label, r.method), payout_yen(r.amount))
      FROM payout_run_unsettled r
      LEFT JOIN payout_methods m ON m.method = r.method
      WHERE NOT r.deferred AND r.completed_count = 0 AND r.failed_count = 0
        AND ${asOf}::date > r.due_date`)
    yield* insert(sql`
      SELECT 'PAY_PENDING', r.request_id, '',
             CASE WHEN r.due_date IS NULL
               THEN format('どの支払期間にも入らないため支払期日がありません（%s、%s）。', coalesce(m.label, r.method), payout_yen(r.amount))
               ELSE format('支払期日 %s までに支払う依頼です（%s、%s）。', ${dueText}, coalesce(m.label, r.method), payout_yen(r.amount))
             END
      FROM payout_run_unsettled r
      LEFT JOIN payout_methods m ON m.method = r.method
      WHERE NOT r.deferred AND r.completed_count = 0 AND r.failed_count = 0
        AND (r.due_date IS NULL OR ${asOf}::date <= r.due_date)
        AND NOT ${scheduled}`)
    // In a transfer file and not yet due: PAY_SCHEDULED stands in for PAY_PENDING (and
    // for PAY_TRANSFER_FAILED when the file pays a failed request again).
    yield* insert(sql`
      SELECT 'PAY_SCHEDULED', r.request_id, x.file_name,
             format('総合振込ファイル %s（振込指定日 %s）に入っています。振込結果の取込待ちです（%s%s、%s）。',
                    x.file_name, ${day(sql, "x.transfer_date")},
                    coalesce('支払期日 ' || ${dueText} || '、', ''), coalesce(m.label, r.method), payout_yen(r.amount))
      FROM payout_run_unsettled r
      JOIN payout_run_scheduled x ON x.request_id = r.request_id
      LEFT JOIN payout_methods m ON m.method = r.method
      WHERE NOT r.deferred AND r.completed_count = 0 AND ${notYetDue}`)

    // An open bank request the bank would refuse: a bank or branch code the master does
    // not know, or a holder name outside the bank character set (decided at ingest).
    yield* insert(sql`
      SELECT 'PAY_BANK_UNKNOWN', r.request_id, '',
             CASE WHEN b.bank_code IS NULL
               THEN format('金融機関コード %s は金融機関マスタ（zengin-code %s 版）にありません。', r.bank_code, ${bankMasterDate}::text)
               ELSE format('支店コード %s は金融機関 %s（%s）の支店にありません（金融機関マスタ zengin-code %s 版）。',
                           r.branch_code, r.bank_code, b.bank_kana, ${bankMasterDate}::text)
             END || format('振込先を利用者に確かめてください（%s）。', payout_yen(r.amount))
      FROM payout_run_unsettled r
      LEFT JOIN bank_banks b ON b.bank_code = r.bank_code
      LEFT JOIN bank_branches br ON br.bank_code = r.bank_code AND br.branch_code = r.branch_code
      WHERE r.method = 'bank' AND r.completed_count = 0
        AND (b.bank_code IS NULL OR br.branch_code IS NULL)`)
    yield* insert(sql`
      SELECT 'PAY_HOLDER_NAME_INVALID', r.request_id, '',
             format('口座名義に銀行の文字（半角カナ・英大文字・数字・スペースと ().-/\「」）で書けない文字があります（漢字など）。'
                    || '口座名義のカナを利用者に確かめてください（%s）。', payout_yen(r.amount))
      FROM payout_run_unsettled r
      WHERE r.method = 'bank' AND r.completed_count = 0 AND r.holder_writable = false`)

    // Paid: one finding per fact. More than one completed transfer is a duplicate; each
    // transfer is then checked on its own, whatever the others are.
    yield* insert(sql`
      SELECT 'PAY_DUPLICATE', r.request_id, r.completed_ids,
             format('完了した支払いが%s件あります（%s：計 %s、依頼額 %s）。%s',
                    r.completed_count, r.completed_ids, payout_yen(r.paid_amount), payout_yen(r.amount),
                    CASE WHEN r.paid_amount > r.amount
                      THEN '重複分 ' || payout_yen(r.paid_amount - r.amount) || ' の組戻しを依頼してください。'
                      ELSE '合計は依頼額を超えていません：分けて支払ったものか確かめてください。' END)
      FROM payout_run_unsettled r
      WHERE r.completed_count > 1`)
    yield* insert(sql`
      SELECT 'PAY_AMOUNT_MISMATCH', r.request_id, t.transfer_id,
             format('依頼額 %s に対し %s %s の支払額は %s：%s', payout_yen(r.amount), coalesce(cm.label, t.channel), t.transfer_id,
                    payout_yen(t.amount),
                    CASE WHEN t.amount > r.amount
                      THEN payout_yen(t.amount - r.amount) || '超過。超過分の返金（組戻し）を依頼してください。'
                      ELSE payout_yen(r.amount - t.amount) || '不足'
                        || CASE WHEN t.fee = r.amount - t.amount
                             THEN '（振込手数料と同額：手数料を差し引いて振り込んだ可能性）' ELSE '' END
                        || '。不足分を追加で支払ってください。' END)
      ${paidTransfers}
      WHERE p.amount_differs`)
    yield* insert(sql`
      SELECT 'PAY_ACCOUNT_MISMATCH', r.request_id, t.transfer_id,
             CASE WHEN r.account_masked IS NOT NULL AND t.account_masked IS NOT NULL
               THEN format('依頼の口座（%s）と異なる口座（%s）に振り込まれました%s。組戻しを依頼し、依頼の口座へ支払い直してください。',
                           payout_account_label(r.bank_code, r.branch_code, r.account_type, r.account_masked),
                           payout_account_label(t.bank_code, t.branch_code, t.account_type, t.account_masked),
                           CASE WHEN r.account_masked = t.account_masked AND r.account_number_key <> t.account_number_key
                             THEN '（口座番号は下3桁より前が異なります）' ELSE '' END)
               ELSE format('%s %s の送金先が依頼の利用者と異なります。組戻しを依頼し、依頼の送金先へ支払い直してください。',
                           coalesce(cm.label, t.channel), t.transfer_id)
             END
      ${paidTransfers}
      WHERE p.destination_differs`)
    yield* insert(sql`
      SELECT 'PAY_NAME_MISMATCH', r.request_id, t.transfer_id,
             '口座は依頼と同じですが受取人名が異なります（依頼と振込の名義は 要対応 シートの「口座名義（依頼）」「受取人名」）。名義を確認してください。'
      ${paidTransfers}
      WHERE p.name_differs`)
    yield* insert(sql`
      SELECT 'PAY_METHOD_MISMATCH', r.request_id, t.transfer_id,
             format('%sの依頼を%sで支払いました（%s、%s）。%s', coalesce(m.label, r.method), coalesce(cm.label, t.channel), t.transfer_id,
                    ${day(sql, "t.transfer_date")},
                    CASE WHEN r.deferred
                      THEN coalesce(m.label, r.method) || 'の支払い再開時に二重に支払わないよう、保留分から外してください。'
                      ELSE '利用者へ連絡してください。' END)
      ${paidTransfers}
      LEFT JOIN payout_methods m ON m.method = r.method
      WHERE p.method_differs`)
    yield* insert(sql`
      SELECT 'PAY_LATE', r.request_id, t.transfer_id,
             format('支払期日 %s より後の %s に支払いました（%s日遅れ、%s）。',
                    ${dueText}, ${day(sql, "t.transfer_date")}, t.transfer_date - r.due_date, t.transfer_id)
      ${paidTransfers}
      WHERE p.late`)
    // Matched: the request's one completed transfer, and nothing sets it apart.
    yield* insert(sql`
      SELECT 'PAY_MATCHED', r.request_id, t.transfer_id,
             format('%s %s（%s、%s）で支払済みです。', coalesce(cm.label, t.channel), t.transfer_id,
                    ${day(sql, "t.transfer_date")}, payout_yen(t.amount))
      ${paidTransfers}
      JOIN payout_run_state s ON s.request_id = r.request_id
      WHERE s.completed_count = 1
        AND NOT (p.amount_differs OR p.method_differs OR p.destination_differs OR p.name_differs OR p.late)`)

    // 3. A completed transfer that belongs to no request.
    yield* insert(sql`
      SELECT 'PAY_ORPHAN_TRANSFER', t.transfer_id, '',
             format('どの依頼にも当たらない%sの支払いです（%s、%s%s%s）。振込先と依頼を確かめ、誤りなら組戻しを依頼してください。',
                    coalesce(cm.label, t.channel), ${day(sql, "t.transfer_date")}, payout_yen(t.amount),
                    '、' || payout_account_label(t.bank_code, t.branch_code, t.account_type, t.account_masked),
                    '、参照 ' || t.reference || ' に当たる依頼なし')
      FROM payout_run_transfer t
      LEFT JOIN payout_methods cm ON cm.channel = t.channel
      WHERE t.outcome = 'completed'
        AND NOT EXISTS (
          SELECT 1 FROM payout_assignments a WHERE a.channel = t.channel AND a.transfer_id = t.transfer_id
        )`)
  })
