// zengin-code ships plain JavaScript: bank code → bank, each with its branches.
declare module "zengin-code" {
  interface ZenginBranch {
    readonly code: string
    readonly name: string
    readonly kana: string
  }
  interface ZenginBank {
    readonly code: string
    readonly name: string
    readonly kana: string
    readonly branches: Readonly<Record<string, ZenginBranch>>
  }
  const banks: Readonly<Record<string, ZenginBank>>
  export default banks
}
