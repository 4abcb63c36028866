import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { presetVoiceId } from '../../src/domains/evi/voice-lookup.js'
import { findPreset } from '../../src/domains/tts/voice-presets.js'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import { client } from '../helpers/http.js'

const params = JSON.stringify({ type: 'object', properties: {} })
const missing = '00000000-0000-4000-8000-000000000000'

describe.each(dialects())('configs on %s', (dialect) => {
  let t: TestApp
  let api: ReturnType<typeof client>
  let prompt: { id: string }
  let tool: { id: string }
  beforeAll(async () => {
    t = await createTestApp(dialect, { domains: ['evi', 'tts'] })
    api = client(t)
    prompt = (await api.post('/v0/evi/prompts', { name: 'Agent', text: 'v0 text' })).body
    await api.post(`/v0/evi/prompts/${prompt.id}`, { text: 'v1 text' })
    tool = (await api.post('/v0/evi/tools', { name: 'lookup', parameters: params })).body
  })
  afterAll(() => t.close())

  it('expands prompt, tools and voice; pinned versions stay FIXED, unpinned follow LATEST', async () => {
    const r = await api.post('/v0/evi/configs', {
      name: 'Support',
      evi_version: '3',
      prompt: { id: prompt.id, version: 0 },
      tools: [{ id: tool.id }],
      voice: { name: 'KORA', provider: 'HUME_AI' },
    })
    expect(r.status).toBe(201)
    expect(r.body.prompt).toMatchObject({ id: prompt.id, version: 0, version_type: 'FIXED', text: 'v0 text' })
    expect(r.body.tools[0]).toMatchObject({ id: tool.id, version: 0, version_type: 'LATEST', name: 'lookup' })
    // "KORA" names the TTS library's Kora, which is speakable, before EVI's legacy base voice.
    expect(r.body.voice).toEqual({ id: findPreset({ name: 'Kora' })?.id, name: 'Kora', provider: 'HUME_AI' })

    await api.post(`/v0/evi/tools/${tool.id}`, { parameters: params, description: 'newer' })
    const again = await api.get(`/v0/evi/configs/${r.body.id}/version/0`)
    expect(again.body.tools[0]).toMatchObject({ version: 1, description: 'newer', version_type: 'LATEST' })
    expect(again.body.prompt.version).toBe(0)
  })

  it('names legacy base voices, TTS presets and saved TTS voices', async () => {
    const ito = await api.post('/v0/evi/configs', { name: 'Ito', evi_version: '3', voice: { name: 'ITO' } })
    expect(ito.body.voice).toEqual({ id: presetVoiceId('ITO'), name: 'ITO', provider: 'HUME_AI' })
    const actor = findPreset({ name: 'Male English Actor' })
    const byId = await api.post('/v0/evi/configs', {
      name: 'Actor',
      evi_version: '3',
      voice: { id: actor?.id, provider: 'HUME_AI' },
    })
    expect(byId.body.voice).toEqual({ id: actor?.id, name: 'Male English Actor', provider: 'HUME_AI' })

    const generation = await api.post('/v0/tts', {
      utterances: [{ text: 'Hello there.', description: 'a calm deep voice' }],
    })
    expect(generation.status).toBe(200)
    const saved = await api.post('/v0/tts/voices', {
      generation_id: generation.body.generations[0].generation_id,
      name: 'Calm Deep',
    })
    expect(saved.status).toBe(200)
    const custom = await api.post('/v0/evi/configs', {
      name: 'Mine',
      evi_version: '3',
      voice: { name: 'Calm Deep', provider: 'CUSTOM_VOICE' },
    })
    expect(custom.body.voice).toEqual({ id: saved.body.id, name: 'Calm Deep', provider: 'CUSTOM_VOICE' })
    // Another account's saved voice is not theirs to name.
    const bobs = await client(t, 'bob').post('/v0/evi/configs', {
      name: 'Theirs',
      evi_version: '3',
      voice: { name: 'Calm Deep', provider: 'CUSTOM_VOICE' },
    })
    expect(bobs.status).toBe(400)
  })

  it('a listed page follows every write: new versions of what it references, renames, deletes', async () => {
    const p = (await api.post('/v0/evi/prompts', { name: 'Cached prompt', text: 'first' })).body
    const c = (await api.post('/v0/evi/configs', { name: 'Cached', evi_version: '3', prompt: { id: p.id } })).body
    const list = async () => (await api.get('/v0/evi/configs?name=Cached')).body.configs_page
    expect((await list())[0].prompt.text).toBe('first')
    expect((await list())[0].prompt.text).toBe('first') // served again, unchanged
    await api.post(`/v0/evi/prompts/${p.id}`, { text: 'second' })
    expect((await list())[0].prompt.text).toBe('second')
    await api.patch(`/v0/evi/prompts/${p.id}`, { name: 'Renamed prompt' })
    expect((await list())[0].prompt.name).toBe('Renamed prompt')
    await api.patch(`/v0/evi/configs/${c.id}/version/0`, { version_description: 'described' })
    expect((await list())[0].version_description).toBe('described')
    expect(await client(t, 'bob').get('/v0/evi/configs?name=Cached')).toMatchObject({ body: { configs_page: [] } })
    await api.del(`/v0/evi/configs/${c.id}`)
    expect(await list()).toEqual([])
  })

  it('round-trips every other section', async () => {
    const sections = {
      language_model: { model_provider: 'ANTHROPIC', model_resource: 'claude-3-7-sonnet-latest', temperature: 0.4 },
      ellm_model: { allow_short_responses: false },
      builtin_tools: [{ name: 'web_search', fallback_content: 'Search is down.' }, { name: 'hang_up' }],
      event_messages: { on_new_chat: { enabled: true, text: 'Hello!' }, on_inactivity_timeout: { enabled: false } },
      timeouts: { inactivity: { enabled: true, duration_secs: 120 }, max_duration: { enabled: false } },
      nudges: { enabled: false, interval_secs: 7 },
      turn_detection: { end_of_turn_silence_ms: 800, prefix_padding_ms: 200, speech_detection_threshold: 0.6 },
      interruption: { min_interruption_ms: 250 },
      webhooks: [{ url: 'https://hooks.example.com/evi', events: ['chat_started', 'chat_ended'] }],
    }
    const r = await api.post('/v0/evi/configs', { name: 'Full', evi_version: '3', ...sections })
    expect(r.status).toBe(201)
    const got = (await api.get(`/v0/evi/configs/${r.body.id}/version/0`)).body
    expect(got).toMatchObject({
      language_model: sections.language_model,
      ellm_model: sections.ellm_model,
      builtin_tools: [
        { tool_type: 'BUILTIN', name: 'web_search', fallback_content: 'Search is down.' },
        { tool_type: 'BUILTIN', name: 'hang_up', fallback_content: null },
      ],
      event_messages: {
        on_new_chat: { enabled: true, text: 'Hello!' },
        on_inactivity_timeout: { enabled: false, text: null },
        on_max_duration_timeout: { enabled: false, text: null },
      },
      timeouts: {
        inactivity: { enabled: true, duration_secs: 120 },
        max_duration: { enabled: false, duration_secs: 1800 },
      },
      nudges: { enabled: false, interval_secs: 7 },
      turn_detection: sections.turn_detection,
      interruption: sections.interruption,
      webhooks: sections.webhooks,
      prompt: null,
      tools: [],
      voice: null,
    })
  })

  it('an inline prompt text becomes a prompt resource', async () => {
    const r = await api.post('/v0/evi/configs', { name: 'Inline', evi_version: '3', prompt: { text: 'Be brief.' } })
    expect(r.status).toBe(201)
    expect(r.body.prompt).toMatchObject({ version: 0, text: 'Be brief.', version_type: 'FIXED' })
    expect((await api.get(`/v0/evi/prompts/${r.body.prompt.id}/version/0`)).body.text).toBe('Be brief.')
  })

  it('a new version keeps the name and takes the next number', async () => {
    const c = (await api.post('/v0/evi/configs', { name: 'Versioned', evi_version: '3' })).body
    const v1 = await api.post(`/v0/evi/configs/${c.id}`, {
      evi_version: '3',
      version_description: 'with prompt',
      prompt: { id: prompt.id },
    })
    expect(v1.status).toBe(201)
    expect(v1.body).toMatchObject({ id: c.id, version: 1, name: 'Versioned', version_description: 'with prompt' })
    expect(v1.body.prompt).toMatchObject({ version: 1, version_type: 'LATEST', text: 'v1 text' })
  })

  it.each([
    ['a missing prompt', { prompt: { id: missing } }, 'Prompt'],
    ['a missing prompt version', { prompt: { id: 'PROMPT', version: 9 } }, 'Prompt'],
    ['a missing tool', { tools: [{ id: missing }] }, 'Tool'],
    ['a missing voice', { voice: { name: 'NOBODY' } }, 'Voice'],
  ])('refuses %s with a 400 naming it', async (_what, section, label) => {
    const body = JSON.parse(JSON.stringify(section).replace('PROMPT', prompt.id))
    const r = await api.post('/v0/evi/configs', { name: 'Broken', evi_version: '3', ...body })
    expect(r.status).toBe(400)
    expect(r.body.message).toContain(label)
  })

  it("cannot reference another account's prompt", async () => {
    const bobs = await client(t, 'bob').post('/v0/evi/configs', {
      name: 'Steal',
      evi_version: '3',
      prompt: { id: prompt.id },
    })
    expect(bobs.status).toBe(400)
  })

  it('a deleted prompt leaves the config readable, with no prompt', async () => {
    const p = (await api.post('/v0/evi/prompts', { name: 'Short-lived', text: 'x' })).body
    const c = (await api.post('/v0/evi/configs', { name: 'Orphan', evi_version: '3', prompt: { id: p.id } })).body
    await api.del(`/v0/evi/prompts/${p.id}`)
    const got = await api.get(`/v0/evi/configs/${c.id}/version/0`)
    expect(got.status).toBe(200)
    expect(got.body.prompt).toBeNull()
  })
})
