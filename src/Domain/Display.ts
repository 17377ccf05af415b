// Text from outside (file names) shown on a terminal: control characters would move the
// cursor, clear the screen or reorder what follows, so they are written as escapes.

const controls = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** `text` with C0/C1 controls, DEL and bidirectional controls written as `\xNN` / `\uNNNN`. */
export const escapeControls = (text: string): string =>
  text.replace(controls, (c) => {
    const code = c.charCodeAt(0)
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`
  })

/** A file name as raw bytes: UTF-8 when it is, otherwise each byte that is not as `\xNN`. */
export const displayFileName = (raw: Uint8Array): { readonly name: string; readonly validUtf8: boolean } => {
  try {
    return { name: escapeControls(new TextDecoder("utf-8", { fatal: true }).decode(raw)), validUtf8: true }
  } catch {
    let name = ""
    for (const b of raw) name += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`
    return { name, validUtf8: false }
  }
}
