import type { Locator } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startConsole, type ConsoleHarness } from '../helpers/browser.js'

let h: ConsoleHarness

beforeAll(async () => {
  h = await startConsole()
})
afterAll(() => h?.close())

/** What the server holds, read straight through the API as alice: the page's claims are checked there. */
async function api<T>(url: string): Promise<T> {
  const res = await h.t.app.inject({ method: 'GET', url, headers: h.t.auth() })
  expect(res.statusCode).toBe(200)
  return res.json() as T
}

const text = (l: Locator) => l.textContent().then((t) => t ?? '')

it('creates, versions and diffs a prompt; creates a tool and a config; shows client and server errors', async () => {
  const { page } = h
  await h.signIn()
  await h.goTo('EVI')
  const tab = (name: string) => page.getByRole('tab', { name, exact: true })
  expect(await tab('Configs').getAttribute('aria-selected')).toBe('true')

  // A prompt, from the form.
  await tab('Prompts').click()
  await page.getByRole('button', { name: 'New prompt' }).click()
  const create = page.getByRole('form', { name: 'New prompt' })
  await create.getByLabel('Name', { exact: true }).fill('Support')
  await create.getByLabel('Text', { exact: true }).fill('You are kind.')
  await create.getByRole('button', { name: 'Create prompt' }).click()
  await expect.poll(() => page.getByRole('heading', { level: 2, name: 'Support' }).isVisible()).toBe(true)
  await expect.poll(() => page.getByRole('button', { name: 'View version 0' }).isVisible()).toBe(true)
  expect(await text(page.getByRole('table', { name: 'Prompts' }))).toContain('v0')

  // Edited into version 1.
  await page.getByRole('button', { name: 'Edit as new version' }).click()
  const edit = page.getByRole('form', { name: 'New version of Support' })
  expect(await edit.getByLabel('Text', { exact: true }).inputValue()).toBe('You are kind.')
  await edit.getByLabel('Text', { exact: true }).fill('You are kind and brief.')
  await edit.getByLabel('Version description').fill('shorter answers')
  await edit.getByRole('button', { name: 'Save as new version' }).click()
  await expect.poll(() => page.getByRole('button', { name: 'View version 1' }).isVisible()).toBe(true)
  await expect.poll(() => text(page.getByRole('table', { name: 'Prompts' }))).toContain('v1')
  const [prompt] = (await api<{ prompts_page: { id: string; version: number; text: string }[] }>('/v0/evi/prompts'))
    .prompts_page
  expect(prompt).toMatchObject({ version: 1, text: 'You are kind and brief.' })

  // The version's JSON view, and the diff v0 ↔ v1 naming the changed lines in words.
  await page.getByRole('button', { name: 'JSON view' }).click()
  expect(JSON.parse(await text(page.getByLabel('Version 1 as JSON')))).toMatchObject({
    version: 1,
    text: 'You are kind and brief.',
    version_description: 'shorter answers',
  })
  const diff = page.getByRole('table', { name: 'Changes from v0 to v1' })
  await expect.poll(() => diff.isVisible()).toBe(true)
  const rows = async (kind: string) =>
    (await diff.getByRole('row').filter({ hasText: kind }).allTextContents()).map((r) => r.replace(/\s+/g, ' '))
  expect(await rows('removed')).toEqual(
    expect.arrayContaining([
      expect.stringContaining('"text": "You are kind."'),
      expect.stringContaining('"version": 0'),
    ]),
  )
  expect(await rows('added')).toEqual(
    expect.arrayContaining([expect.stringContaining('"text": "You are kind and brief."')]),
  )
  expect((await rows('added')).join()).not.toContain('"name"')
  await h.screenshot('evi')

  // A tool: parameters that are not JSON are refused before anything is sent.
  await tab('Tools').click()
  await page.getByRole('button', { name: 'New tool' }).click()
  const tool = page.getByRole('form', { name: 'New tool' })
  await tool.getByLabel('Name', { exact: true }).fill('get_weather')
  await tool.getByLabel('Description', { exact: true }).fill('The weather in a city')
  await tool.getByLabel('Parameters (JSON Schema)').fill('{"type": "object", "properties": ')
  await tool.getByRole('button', { name: 'Create tool' }).click()
  await expect.poll(() => text(tool.getByRole('alert'))).toContain('Parameters is not valid JSON')
  expect((await api<{ tools_page: unknown[] }>('/v0/evi/tools')).tools_page).toEqual([])
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }
  await tool.getByLabel('Parameters (JSON Schema)').fill(JSON.stringify(schema, null, 2))
  await tool.getByLabel('Fallback content').fill('The weather service is down.')
  await tool.getByRole('button', { name: 'Create tool' }).click()
  await expect.poll(() => page.getByRole('heading', { level: 2, name: 'get_weather' }).isVisible()).toBe(true)
  const [saved] = (await api<{ tools_page: { parameters: string; fallback_content: string }[] }>('/v0/evi/tools'))
    .tools_page
  expect(JSON.parse(saved?.parameters ?? '')).toEqual(schema)
  expect(saved?.fallback_content).toBe('The weather service is down.')

  // A config using that prompt and a preset voice; first a body the server refuses (400, quoted in the alert).
  await tab('Configs').click()
  await page.getByRole('button', { name: 'New config' }).click()
  const config = page.getByRole('form', { name: 'New config' })
  await config.getByLabel('Name', { exact: true }).fill('Support line')
  await expect.poll(() => config.getByLabel('Voice').isEnabled()).toBe(true)
  await config.getByLabel('Prompt', { exact: true }).selectOption({ label: 'Support (latest v1)' })
  await config.getByLabel('Voice').selectOption({ label: 'Male English Actor' })
  await config.getByRole('button', { name: 'Edit as JSON' }).click()
  const body = config.getByLabel('Request body (JSON)')
  const json = JSON.parse(await body.inputValue()) as Record<string, unknown>
  expect(json).toEqual({
    name: 'Support line',
    evi_version: '3',
    prompt: { id: prompt?.id },
    voice: { name: 'Male English Actor', provider: 'HUME_AI' },
  })
  await body.fill(JSON.stringify({ ...json, evi_version: 'three' }))
  await config.getByRole('button', { name: 'Create config' }).click()
  await expect.poll(() => text(config.getByRole('alert'))).toMatch(/body\.evi_version: must match pattern.*\(400\)/)
  // Back to the form (the JSON edit carried over), fixed there, and saved.
  await config.getByRole('button', { name: 'Edit as JSON' }).click()
  await config.getByLabel('EVI version').selectOption('3')
  await config.getByRole('button', { name: 'Create config' }).click()
  await expect.poll(() => page.getByRole('heading', { level: 2, name: 'Support line' }).isVisible()).toBe(true)
  const [created] = (
    await api<{ configs_page: { id: string; prompt: { id: string; version: number }; voice: { name: string } }[] }>(
      '/v0/evi/configs',
    )
  ).configs_page
  expect(created?.prompt).toMatchObject({ id: prompt?.id, version: 1 })
  expect(created?.voice.name).toBe('Male English Actor')
  // A returned config turns back into a request unchanged: saved as version 1, it keeps its references.
  await page.getByRole('button', { name: 'Edit as new version' }).click()
  const again = page.getByRole('form', { name: 'New version of Support line' })
  await expect.poll(() => again.getByLabel('Voice').inputValue()).toBe('HUME_AI:Male English Actor')
  await again.getByRole('button', { name: 'Save as new version' }).click()
  await expect.poll(() => page.getByRole('button', { name: 'View version 1' }).isVisible()).toBe(true)
  const v1 = await api<{ version: number; prompt: { id: string }; voice: { name: string } }>(
    `/v0/evi/configs/${created?.id}/version/1`,
  )
  expect(v1).toMatchObject({ version: 1, prompt: { id: prompt?.id }, voice: { name: 'Male English Actor' } })
  await h.screenshot('evi-config')

  // Delete asks first; "Keep it" keeps it, "Yes, delete" deletes it.
  await tab('Tools').click()
  await page.getByRole('button', { name: 'get_weather' }).click()
  await page.getByRole('button', { name: 'Delete tool' }).click()
  await page.getByRole('group', { name: 'Confirm deletion' }).getByRole('button', { name: 'Keep it' }).click()
  expect((await api<{ tools_page: unknown[] }>('/v0/evi/tools')).tools_page).toHaveLength(1)
  await page.getByRole('button', { name: 'Delete tool' }).click()
  await page.getByRole('button', { name: 'Yes, delete' }).click()
  await expect.poll(() => page.getByText('No tools yet.').isVisible()).toBe(true)
  expect((await api<{ tools_page: unknown[] }>('/v0/evi/tools')).tools_page).toEqual([])

  // Lists come a page (10) at a time, with "Load more" while there are more.
  for (let i = 0; i < 11; i++) {
    const res = await h.t.app.inject({
      method: 'POST',
      url: '/v0/evi/tools',
      headers: h.t.auth(),
      payload: { name: `tool_${String(i).padStart(2, '0')}`, parameters: '{"type":"object"}' },
    })
    expect(res.statusCode).toBe(201)
  }
  await tab('Prompts').click()
  await tab('Tools').click()
  const toolRows = page.getByRole('table', { name: 'Tools' }).getByRole('row')
  await expect.poll(() => toolRows.count()).toBe(1 + 10)
  await page.getByRole('button', { name: 'Load more' }).click()
  await expect.poll(() => toolRows.count()).toBe(1 + 11)
  expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0)

  // The tabs follow the keyboard.
  await tab('Tools').focus()
  await page.keyboard.press('ArrowLeft')
  expect(await tab('Prompts').getAttribute('aria-selected')).toBe('true')
  expect(h.pageErrors).toEqual([])
})
