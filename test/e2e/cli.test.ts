/**
 * `npx prosodia …` as a user runs it, against an in-process server: TTS, voices and EVI resources, output
 * modes, and the failures a user meets (wrong key, unknown command, missing file, another account's id).
 * Batch and chats are in cli-batch.test.ts (they need the queue's workers).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProsodiaClient } from '../../src/client/index.js'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'
import { prosodia, scratch } from './cli-run.js'

describe('the prosodia CLI: TTS, voices, EVI and errors', () => {
  let t: TestApp
  let env: Record<string, string>
  let client: ProsodiaClient
  const files = scratch()
  const run = (...args: string[]) => prosodia(args, env)

  beforeAll(async () => {
    t = await createTestApp('sqlite')
    const baseUrl = await listen(t.app)
    env = { PROSODIA_BASE_URL: baseUrl, PROSODIA_API_KEY: t.alice.api_key }
    client = new ProsodiaClient({ baseUrl, apiKey: t.alice.api_key, maxRetries: 0 })
  })
  afterAll(async () => {
    await t?.close()
    files.remove()
  })

  it('prints help (exit 0) and refuses an unknown command (exit 2)', async () => {
    const help = await run('--help')
    expect(help.code).toBe(0)
    for (const command of ['accounts', 'models', 'tts', 'voices', 'evi', 'batch', 'chats']) {
      expect(help.out).toContain(command)
    }
    const sub = await run('evi', 'prompts', 'create', '--help')
    expect([sub.code, sub.out]).toEqual([0, expect.stringContaining('Usage: prosodia evi prompts create')])
    const bogus = await run('bogus')
    expect(bogus.code).toBe(2)
    expect(bogus.err).toContain("unknown command 'bogus'")
  })

  it('tts say writes a WAV file, and MP3 onto a piped stdout', async () => {
    const wav = await run('tts', 'say', 'Hello from the command line.', '-o', files.file('hi.wav'))
    expect(wav.code, wav.err).toBe(0)
    const audio = readFileSync(files.file('hi.wav'))
    expect(audio.subarray(0, 4).toString('latin1')).toBe('RIFF')
    expect(audio.subarray(8, 12).toString('latin1')).toBe('WAVE')
    expect(wav.out).toMatch(/wrote .*hi\.wav \(\d+ bytes, audio\/wav\); generation [0-9a-f-]{36}/)

    const mp3 = await run('tts', 'say', 'Piped.', '--format', 'mp3', '--voice', 'Kora', '--provider', 'HUME_AI')
    expect(mp3.code, mp3.err).toBe(0)
    // An ID3 tag or an MPEG frame sync.
    const head = mp3.stdout.subarray(0, 3)
    expect(head.toString('latin1') === 'ID3' || (head[0] === 0xff && (head[1]! & 0xe0) === 0xe0)).toBe(true)
    expect(mp3.err).toMatch(/wrote \d+ bytes of audio\/mpeg to stdout/)

    const ogg = await run('tts', 'say', 'Hi', '-o', files.file('hi.ogg'))
    expect(ogg.code).toBe(2)
    expect(ogg.err).toContain('cannot tell the audio format from')
  })

  it('voices save, list (every page) and delete', async () => {
    const json = await run('--json', 'tts', 'say', 'Keep this voice.', '-o', files.file('keep.mp3'))
    expect(json.code, json.err).toBe(0)
    const said = JSON.parse(json.out) as { generationIds: string[]; bytes: number }
    expect(said.bytes).toBe(readFileSync(files.file('keep.mp3')).length)
    const saved = await run('voices', 'save', said.generationIds[0]!, 'cli-voice', '--json')
    expect(saved.code, saved.err).toBe(0)
    expect(JSON.parse(saved.out)).toMatchObject({ name: 'cli-voice', provider: 'CUSTOM_VOICE' })
    // A second voice, so that a page size of 1 takes two pages.
    const other = await client.tts.synthesizeJson({ utterances: [{ text: 'Another.' }] })
    await client.tts.voices.create({ generationId: other.generations[0]!.generationId, name: 'api-voice' })

    const list = await run('voices', 'list', '--page-size', '1')
    expect(list.code, list.err).toBe(0)
    expect(list.out).toContain('cli-voice')
    expect(list.out).toContain('api-voice')

    const deleted = await run('voices', 'delete', 'cli-voice')
    expect([deleted.code, deleted.out]).toEqual([0, 'deleted voice cli-voice\n'])
    const names = []
    for await (const v of await client.tts.voices.list({ provider: 'CUSTOM_VOICE' })) names.push(v.name)
    expect(names).toEqual(['api-voice'])
  })

  it('evi prompts create, list --json (paged), show and versions', async () => {
    writeFileSync(files.file('p.json'), JSON.stringify({ name: 'cli-prompt', text: 'You are a patient tutor.' }))
    const created = await run('evi', 'prompts', 'create', files.file('p.json'))
    expect(created.code, created.err).toBe(0)
    const id = /created prompt ([0-9a-f-]{36}) version 0/.exec(created.out)?.[1]
    expect(id).toBeDefined()
    await client.empathicVoice.prompts.createPrompt({ name: 'api-prompt', text: 'Hello.' })
    await client.empathicVoice.prompts.createPromptVersion(id!, { text: 'You are a very patient tutor.' })

    const list = await run('evi', 'prompts', 'list', '--json', '--page-size', '1')
    expect(list.code, list.err).toBe(0)
    const prompts = JSON.parse(list.out) as { name: string; version: number }[]
    expect(prompts.map((p) => p.name).sort()).toEqual(['api-prompt', 'cli-prompt'])
    expect(prompts.find((p) => p.name === 'cli-prompt')?.version).toBe(1)

    const show = await run('evi', 'prompts', 'show', id!)
    expect(show.code, show.err).toBe(0)
    expect(show.out).toContain('You are a very patient tutor.')
    const versions = await run('evi', 'prompts', 'versions', id!, '--json', '--page-size', '1')
    expect(versions.code, versions.err).toBe(0)
    expect((JSON.parse(versions.out) as { version: number }[]).map((v) => v.version).sort()).toEqual([0, 1])
  })

  it('evi tools and configs create, show a version, and list', async () => {
    const parameters = JSON.stringify({ type: 'object', properties: { city: { type: 'string' } } })
    writeFileSync(files.file('t.json'), JSON.stringify({ name: 'weather', parameters, description: 'The weather' }))
    const tool = await run('evi', 'tools', 'create', files.file('t.json'), '--json')
    expect(tool.code, tool.err).toBe(0)
    const toolId = (JSON.parse(tool.out) as { id: string }).id
    writeFileSync(
      files.file('c.json'),
      JSON.stringify({ name: 'cli-config', evi_version: '3', tools: [{ id: toolId, version: 0 }] }),
    )
    const config = await run('evi', 'configs', 'create', files.file('c.json'), '--json')
    expect(config.code, config.err).toBe(0)
    const configId = (JSON.parse(config.out) as { id: string }).id
    const shown = await run('evi', 'configs', 'show', configId, '--version', '0', '--json')
    expect(shown.code, shown.err).toBe(0)
    expect(JSON.parse(shown.out)).toMatchObject({ id: configId, name: 'cli-config', eviVersion: '3' })
    const tools = await run('evi', 'tools', 'list')
    expect(tools.code, tools.err).toBe(0)
    expect(tools.out).toMatch(/weather.*The weather/)
  })

  it('fails clearly: wrong key, missing file, bad body, another account’s id, usage (exit 2)', async () => {
    const wrong = await prosodia(['evi', 'prompts', 'list'], { ...env, PROSODIA_API_KEY: 'not-a-key' })
    expect(wrong.code).toBe(1)
    expect(wrong.err).toMatch(/^error: the server refused the API key \(401\): .+; set --api-key or PROSODIA_API_KEY\n/)

    const missing = await run('evi', 'prompts', 'create', files.file('nowhere.json'))
    expect(missing.code).toBe(1)
    expect(missing.err).toBe(`error: no such file: ${files.file('nowhere.json')}\n`)

    writeFileSync(files.file('bad.json'), JSON.stringify({ text: 'no name' }))
    const bad = await run('evi', 'prompts', 'create', files.file('bad.json'))
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/^error: rejected \(4\d\d\): .*name/)

    const bobs = await client.empathicVoice.prompts.createPrompt(
      { name: 'bob-only', text: 'x' },
      {
        headers: { 'x-hume-api-key': t.bob.api_key },
      },
    )
    const theirs = await run('evi', 'prompts', 'show', bobs.id, '--api-key', t.alice.api_key)
    expect(theirs.code).toBe(1)
    expect(theirs.err).toMatch(/^error: not found \(404\): /)

    const noArg = await run('voices', 'save', 'only-one-argument')
    expect(noArg.code).toBe(2)
    expect(noArg.err).toContain("missing required argument 'name'")
  })
})
