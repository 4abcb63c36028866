import { afterAll, beforeAll, expect, it } from 'vitest'
import { startConsole, type ConsoleHarness } from '../helpers/browser.js'

let h: ConsoleHarness

beforeAll(async () => {
  h = await startConsole()
})
afterAll(() => h?.close())

it('is served at /console/ without credentials, and /console redirects there', async () => {
  const res = await fetch(`${h.baseUrl}/console`, { redirect: 'manual' })
  expect(res.status).toBe(301)
  expect(res.headers.get('location')).toBe('/console/')
  const page = await fetch(`${h.baseUrl}/console/`)
  expect(page.status).toBe(200)
  expect(await page.text()).toContain('<div id="app">')
  expect((await fetch(`${h.baseUrl}/console/../healthz`)).status).not.toBe(500)
  expect((await fetch(`${h.baseUrl}/console/nope.js`)).status).toBe(404)
  expect((await fetch(`${h.baseUrl}/console/.hidden`)).status).toBe(404)
  // The key lives in this page's storage: only its own scripts run, and no other site may frame it.
  for (const res of [page, await fetch(`${h.baseUrl}/console/app.js`)]) {
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('cache-control')).toBe('no-cache')
  }
})

it('a stored key the server refuses sends the user back to sign-in, saying so', async () => {
  const { page } = h
  await page.goto(`${h.baseUrl}/console/`)
  await page.evaluate(() => localStorage.setItem('prosodia.apiKey', 'revoked-key'))
  await page.goto(`${h.baseUrl}/console/#/evi`)
  await page.reload()
  await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('refused the stored API key (401)')
  expect(await page.getByLabel('API key').isVisible()).toBe(true)
  expect(await page.evaluate(() => localStorage.getItem('prosodia.apiKey'))).toBeNull()
  await h.signIn()
  await h.goTo('Voices')
  // Changing page moves the focus to the new page's heading.
  expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1')
  // A button that disables itself while it works gives the keyboard focus back when it is done.
  await h.goTo('Speech')
  await page.getByLabel('Text', { exact: true }).fill('Focus stays here.')
  await page.getByRole('button', { name: 'Synthesize' }).focus()
  await page.keyboard.press('Enter')
  await expect.poll(() => page.getByRole('region', { name: 'Generation 1' }).count(), { timeout: 30_000 }).toBe(1)
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Synthesize')
  await page.getByRole('button', { name: 'Sign out' }).click()
  expect(h.pageErrors).toEqual([])
})

it('refuses a wrong key with the API message, then signs in and remembers the key', async () => {
  const { page } = h
  await page.goto(`${h.baseUrl}/console/`)
  await page.getByLabel('API key').fill('not-a-key')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect.poll(() => page.getByRole('alert').textContent()).toContain('Invalid credentials (401)')
  await h.screenshot('sign-in-refused')

  await h.signIn()
  for (const name of ['Speech', 'Voices', 'EVI', 'Chat', 'Jobs', 'Chats'])
    expect(await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).count()).toBe(
      1,
    )
  await page.reload()
  await expect.poll(() => page.getByRole('navigation', { name: 'Pages' }).isVisible()).toBe(true)
  await h.goTo('Jobs')
  expect(page.url()).toMatch(/#\/jobs$/)

  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect.poll(() => page.getByLabel('API key').isVisible()).toBe(true)
  expect(h.pageErrors).toEqual([])
})
