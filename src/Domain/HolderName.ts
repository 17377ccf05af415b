/**
 * Account holder names (受取人名 / account_holder) in the one form they are compared
 * in: a request keyed in by a user in full-width kana or hiragana must equal the
 * bank's half-width kana for the same person or company. The rules are the banks'
 * (./BankName.ts), shared with the transfer file writer.
 */
export { holderNameKey as normaliseHolderName } from "./BankName.ts"
