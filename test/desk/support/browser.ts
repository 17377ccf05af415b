/// <reference lib="dom" />
// Debian's headless Chromium (the `chromium` package; never a downloaded browser), driven
// by playwright-core. Without it the browser tests are skipped on a developer's machine;
// under CI (CI=true) they run, and fail if the browser is missing.
import * as fs from "node:fs"
import { chromium, type Browser, type Page } from "playwright-core"

export const chromiumPath = process.env.KESHIKOMI_CHROMIUM ?? "/usr/bin/chromium"
export const haveChromium = fs.existsSync(chromiumPath)
export const runBrowserTests = haveChromium || process.env.CI === "true"

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath,
    // Chromium refuses its sandbox to root (CI runs as root); the page is our own.
    args: process.getuid?.() === 0 ? ["--no-sandbox"] : [],
    timeout: 60_000
  })

/** Types like a keyboard-wedge scanner: the characters, then Enter. */
export const scan = async (page: Page, text: string) => {
  if (text !== "") await page.keyboard.type(text)
  await page.keyboard.press("Enter")
}

/** The id of the element that has the focus. */
export const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "")
