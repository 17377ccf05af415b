import { Data } from "effect"

/** The inbox folder itself cannot be read: the run cannot start. */
export class InboxUnreadable extends Data.TaggedError("InboxUnreadable")<{
  readonly inbox: string
  readonly reason: string
}> {
  override get message() {
    return `受信フォルダ ${this.inbox}: ${this.reason}`
  }
}

/** A whole file is set aside (INPUT_FILE_REJECTED); the run goes on without it. */
export class FileRejected extends Data.TaggedError("FileRejected")<{
  readonly fileName: string
  /** The line that broke the rule, when one did (money files are rejected for one bad row). */
  readonly line?: number | undefined
  readonly reason: string
}> {
  override get message() {
    return `${this.fileName}${this.line === undefined ? "" : ` line ${this.line}`}: ${this.reason}`
  }
}

/** The database could not be started or reached. */
export class DatabaseUnavailable extends Data.TaggedError("DatabaseUnavailable")<{
  readonly reason: string
}> {
  override get message() {
    return `データベースに接続できません: ${this.reason}`
  }
}

/** Workbooks could not be written. */
export class ReportWriteFailed extends Data.TaggedError("ReportWriteFailed")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return `${this.path} を書けません: ${this.reason}`
  }
}

/** Another run holds the database (cron and a manual run at once). */
export class RunInProgress extends Data.TaggedError("RunInProgress")<{}> {
  override get message() {
    return "別の keshikomi の実行がこのデータベースを使用中です。何も変更していません（終わってからもう一度実行してください）"
  }
}

/** The sealing key is missing, unreadable, or not the one the database was sealed with. */
export class KeyUnavailable extends Data.TaggedError("KeyUnavailable")<{
  readonly reason: string
}> {
  override get message() {
    return `鍵: ${this.reason}`
  }
}
