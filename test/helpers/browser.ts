import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { expect } from 'vitest'
import type { Dialect } from '../../src/shared/storage/db.js'
import { createTestApp, listen, type TestApp, type TestAppOptions } from './app.js'
import { buildConsole } from './client-build.js'

/** Debian's Chromium (CI installs it); Playwright's own browser download cannot run here. */
export const CHROMIUM = process.env.PROSODIA_CHROMIUM ?? '/usr/bin/chromium'
const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/console')

export interface ConsoleHarness {
  t: TestApp
  baseUrl: string
  browser: Browser
  context: BrowserContext
  page: Page
  /** Uncaught exceptions and console errors of the page, for the test to assert on (usually: none). */
  pageErrors: string[]
  /** Opens the console and signs in as alice (or with any key). */
  signIn: (key?: string) => Promise<void>
  /** Opens a page by its navigation link. */
  goTo: (name: string) => Promise<void>
  /** A full-page screenshot under test-results/console/, for a person to look at. */
  screenshot: (name: string) => Promise<void>
  close: () => Promise<void>
}

export interface ConsoleOptions extends TestAppOptions {
  dialect?: Dialect
  /** A WAV the fake microphone plays (looped). */
  fakeAudio?: string
}

export async function launchChromium(fakeAudio?: string): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(
      `The console's browser tests need Chromium at ${CHROMIUM}: apt-get install chromium (or set PROSODIA_CHROMIUM)`,
    )
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      ...(fakeAudio ? [`--use-file-for-fake-audio-capture=${fakeAudio}`] : []),
      '--autoplay-policy=no-user-gesture-required',
    ],
  })
}

/** The server (built console included) on an ephemeral port, and Chromium with one page. */
export async function startConsole(opts: ConsoleOptions = {}): Promise<ConsoleHarness> {
  await buildConsole()
  const t = await createTestApp(opts.dialect ?? 'sqlite', opts)
  const baseUrl = await listen(t.app)
  const browser = await launchChromium(opts.fakeAudio)
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`))
  page.on('console', (message) => {
    // A refused request is logged by Chromium itself; the console's own errors are what matter here.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      pageErrors.push(`console: ${message.text()}`)
  })
  const harness: ConsoleHarness = {
    t,
    baseUrl,
    browser,
    context,
    page,
    pageErrors,
    signIn: async (key = t.alice.api_key) => {
      await page.goto(`${baseUrl}/console/`)
      await page.getByLabel('API key').fill(key)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await expect.poll(() => page.getByRole('navigation', { name: 'Pages' }).isVisible()).toBe(true)
    },
    goTo: async (name) => {
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).click()
      await expect.poll(() => page.getByRole('heading', { level: 1, name }).isVisible()).toBe(true)
    },
    screenshot: async (name) => {
      fs.mkdirSync(SCREENSHOTS, { recursive: true })
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })
    },
    close: async () => {
      await browser.close()
      const closing = t.close()
      t.app.server.closeAllConnections()
      await closing
    },
  }
  return harness
}
