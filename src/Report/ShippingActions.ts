// What shipping staff do about each error or warning, for the 要対応 sheet: the action
// (a word to sort and filter by) and what to check. Ranked so that one person can
// work down the list: return what must go back, check, then hold. Overdue re-shipping
// (SHIP_NOT_RESHIPPED) is worked on 再発送リスト, where those rows are marked 至急,
// and is not repeated here.
import type { FindingCode } from "../Domain/Finding.ts"

export type ShippingAction = "返送" | "確認" | "保留"

export interface ActionGuide {
  readonly action: ShippingAction
  readonly rank: number
  readonly guidance: string
}

export const actionRank: Record<ShippingAction, number> = { 返送: 1, 確認: 2, 保留: 3 }

const guide = (action: ShippingAction, guidance: string): ActionGuide => ({ action, rank: actionRank[action], guidance })

/** Every shipping code of severity error or warning but SHIP_NOT_RESHIPPED; info codes have their own worklists. */
export const shippingActions = {
  SHIP_ORDER_CANCELLED: guide("返送", "発送せず、荷物を頒布者へ返送する"),
  SHIP_METHOD_NOT_ANONYMOUS: guide("返送", "事務局からは発送できない配送方法: 荷物を頒布者へ返送する"),
  SHIP_COUNT_OVER: guide("確認", "中身を注文明細と照合し、余った品を頒布者へ返送する"),
  SHIP_ALREADY_SHIPPED: guide("確認", "発送せず保管し、二重発送でないか頒布者に確かめる"),
  SHIP_SELLER_MISMATCH: guide("確認", "伝票の頒布者IDと注文ID・差出人を確かめる"),
  SHIP_UNKNOWN_ORDER: guide("確認", "伝票と同梱物で注文IDを確かめ、受付記録を直す"),
  SHIP_DUPLICATE_SCAN: guide("確認", "同じ荷物の二重受付か確かめ、重複なら受付記録を取り消す"),
  SHIP_RESHIP_WITHOUT_INTAKE: guide("確認", "受付記録の漏れか、再発送記録の注文IDの誤りかを確かめる"),
  SHIP_RESHIP_DUPLICATE: guide("確認", "二重発送か記録の誤りかを運送会社の追跡と再発送記録で確かめる"),
  SHIP_COUNT_SHORT: guide("保留", "残りが届くまで保管する（届いたら再発送リストに載る）")
} as const satisfies Partial<Record<FindingCode, ActionGuide>>

export type ShippingActionCode = keyof typeof shippingActions
