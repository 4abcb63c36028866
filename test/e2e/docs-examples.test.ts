/**
 * The client and CLI examples in README.md and docs/client.md, run as written against a live server (with
 * a scripted language model for the chat): the documentation cannot rot. Only the server's address, the key
 * and the placeholders the README names (GENERATION_ID, PROMPT_ID, JOB_ID, CHAT_ID) are filled in.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { ProsodiaClient } from '../../src/client/index.js'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'
import { buildClient } from '../helpers/client-build.js'
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js'
import { sharedPath } from '../helpers/shared-data.js'

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '../..')

/** The fenced blocks of one language in a markdown file, with the heading above each. */
function blocks(file: string, lang: string): { heading: string; code: string }[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8')
  const found: { heading: string; code: string }[] = []
  let heading = ''
  const re = new RegExp('^(#+ .*)$|^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm')
  for (const m of text.matchAll(re)) {
    if (m[1]) heading = m[1]
    else found.push({ heading, code: m[2] as string })
  }
  return found
}

let t: TestApp
let url: string
let llm: FakeLlm
let media: http.Server
let work: string

beforeAll(async () => {
  await buildClient()
  llm = await startFakeLlm({ defaultReply: { text: ['I can talk', ' with you.'] } })
  t = await createTestApp('sqlite', {
    workers: true,
    config: {
      evi: { ...loadConfig({}).evi, llmUrl: llm.baseURL, llmModel: 'scripted' },
      fetchAllowList: ['127.0.0.1'],
    },
  })
  url = await listen(t.app)
  // Inside the checkout, so that `prosodia/client` and `ws` resolve as they do for a user's script there.
  work = fs.mkdtempSync(path.join(root, '.tmp-docs-'))
})

afterAll(async () => {
  media?.close()
  await llm?.close()
  const closing = t?.close()
  t?.app.server.closeAllConnections()
  await closing
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

async function runScript(code: string, name: string): Promise<string> {
  const file = path.join(work, `${name}.mjs`)
  fs.writeFileSync(file, code.replaceAll('http://127.0.0.1:8000', url))
  const { stdout } = await run(process.execPath, [file], {
    cwd: work,
    env: { ...process.env, PROSODIA_API_KEY: t.alice.api_key },
    timeout: 100_000,
  })
  return stdout
}

describe('docs/client.md and the README client example', () => {
  const expected: Record<string, RegExp[]> = {
    '## Speech': [/hello\.wav: \d+\.\d+ s, generation /, /voice: warm-narrator/],
    '## EVI configs, prompts and tools, page by page': [/uses prompt v1/, /page 1 of \d+: \d prompts/, /404 /],
    '## A voice chat (text in, speech out)': [
      /assistant: I can talk with you\./,
      /[1-9]\d* audio chunks/,
      /AGENT_MESSAGE/,
    ],
    '## Expression Measurement: batch jobs': [
      /job COMPLETED/,
      /love →/,
      /local file job: COMPLETED/,
      /artifacts: \d+ bytes/,
    ],
    '## Expression Measurement: the streaming socket': [/^\[.*\]$/m, /refused: E0101/],
    '## Errors, retries, timeouts': [/true 401/, /422 body\.utterances\.0\.speed/, /Per-call options 201 /],
    '## TypeScript client': [/COMPLETED 1/],
  }
  const examples = [...blocks('docs/client.md', 'js'), ...blocks('README.md', 'js')]

  it('has an example per product, each checked', () => {
    expect(examples.map((e) => e.heading).sort()).toEqual(Object.keys(expected).sort())
  })

  for (const [i, example] of examples.entries()) {
    it(`runs "${example.heading}"`, async () => {
      const stdout = await runScript(example.code, `example-${i}`)
      for (const pattern of expected[example.heading] ?? []) expect(stdout).toMatch(pattern)
      if (example.heading === '## Speech') {
        expect(fs.readFileSync(path.join(work, 'hello.wav')).subarray(0, 4).toString('latin1')).toBe('RIFF')
        expect(fs.statSync(path.join(work, 'streamed.mp3')).size).toBeGreaterThan(1000)
      }
    })
  }
})

describe("the README's CLI examples", () => {
  it('run as written, placeholders filled', async () => {
    const [cli] = blocks('README.md', 'bash').filter((b) => b.heading === '## CLI')
    expect(cli).toBeDefined()
    // What the placeholders stand for: things the reader made earlier.
    const client = new ProsodiaClient({ apiKey: t.alice.api_key, baseUrl: url, maxRetries: 0 })
    const speech = await client.tts.synthesizeJson({ utterances: [{ text: 'A voice to keep.' }] })
    const prompt = await client.empathicVoice.prompts.createPrompt({ name: 'placeholder', text: 'Hi.' })
    const job = await client.expressionMeasurement.batch.startInferenceJob({
      text: ['Lovely.'],
      models: { language: {} },
    })
    await job.awaitCompletion()
    const [chat] = (await client.empathicVoice.chats.listChats({ pageSize: 1 })).data
    expect(chat, 'the chat example ran first and left a chat').toBeDefined()
    // The URL example fetches a local file instead of the internet.
    media = http.createServer((_, res) =>
      res.end(fs.readFileSync(sharedPath('data/ravdess-samples/03-01-03-01-02-01-07.wav'))),
    )
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve))
    const mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/talk.wav`
    const script = (cli as { code: string }).code
      .replaceAll('dev-key', t.alice.api_key)
      .replaceAll('GENERATION_ID', speech.generations[0]!.generationId)
      .replaceAll('PROMPT_ID', prompt.id)
      .replaceAll('JOB_ID', job.jobId)
      .replaceAll('CHAT_ID', (chat as { id: string }).id)
      .replaceAll('https://example.com/talk.mp4', mediaUrl)
      // The binary npx runs, without npx's own start-up (cli.test.ts runs `npx prosodia` itself).
      .replaceAll('npx prosodia', `${process.execPath} ${path.join(root, 'bin/prosodia.js')}`)
    const dir = fs.mkdtempSync(path.join(work, 'cli-'))
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: dir,
      env: { ...process.env, PROSODIA_BASE_URL: url, PROSODIA_API_KEY: '', HUME_API_KEY: '' },
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    })
    expect(fs.readFileSync(path.join(dir, 'hi.wav')).subarray(0, 4).toString('latin1')).toBe('RIFF')
    expect(fs.statSync(path.join(dir, 'hello.mp3')).size).toBeGreaterThan(1000)
    expect(fs.readFileSync(path.join(dir, 'scores.csv'), 'utf8').split('\n')[0]).toMatch(/^source,file,model,/)
    expect(fs.readFileSync(path.join(dir, 'artifacts.zip')).subarray(0, 2).toString('latin1')).toBe('PK')
    expect(fs.statSync(path.join(dir, 'chat.mp3')).size).toBeGreaterThan(100)
    expect(stdout).toContain('"status": "COMPLETED"')
  })
})
