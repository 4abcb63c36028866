import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'
import { buildClient } from '../helpers/client-build.js'

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '../..')
const dist = path.join(root, 'dist/client')

/** Every `import … from` / `export … from` / `import(…)` specifier in a built file. */
function specifiers(source: string): string[] {
  const found: string[] = []
  // Comments (JSDoc examples) are not imports.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  for (const m of code.matchAll(
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g,
  ))
    found.push((m[1] ?? m[2] ?? m[3]) as string)
  return found
}

function builtFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => path.join(dir, f))
}

let t: TestApp
let baseUrl: string

beforeAll(async () => {
  // What `npm install` runs (prepare): the test checks this checkout's build, not a stale one.
  // One build at a time: other test files run built scripts in parallel.
  await buildClient()
  t = await createTestApp('sqlite', { workers: true })
  baseUrl = await listen(t.app)
})
afterAll(() => t?.close())

describe('prosodia/client as a package', () => {
  it('the built client imports nothing outside itself: no dependencies, no node: modules', () => {
    const files = builtFiles(dist)
    expect(files.length).toBeGreaterThan(10)
    for (const file of files) {
      for (const spec of specifiers(fs.readFileSync(file, 'utf8'))) {
        expect(spec, `${path.relative(root, file)} imports ${spec}`).toMatch(/^\.\.?\//)
        const target = path.resolve(path.dirname(file), spec)
        expect(target.startsWith(dist + path.sep), `${path.relative(root, file)} reaches ${spec}`).toBe(true)
        expect(fs.existsSync(target), `${spec} from ${path.relative(root, file)} exists`).toBe(true)
      }
    }
  })

  it('a plain node script in the checkout imports prosodia/client and uses TTS, EVI paging, batch and errors', async () => {
    const dir = fs.mkdtempSync(path.join(root, '.tmp-client-'))
    const script = path.join(dir, 'use-client.mjs')
    fs.writeFileSync(
      script,
      `import { ProsodiaClient, UnauthorizedError } from 'prosodia/client'
const [baseUrl, apiKey] = process.argv.slice(2)
const client = new ProsodiaClient({ apiKey, baseUrl })
const out = {}
const speech = await client.tts.synthesizeJson({ utterances: [{ text: 'Hello from plain node.' }], format: { type: 'wav' } })
out.wavHeader = Buffer.from(speech.generations[0].audio, 'base64').subarray(0, 4).toString('latin1')
for (const n of [1, 2, 3]) await client.empathicVoice.prompts.createPrompt({ name: 'prompt ' + n, text: 'Be kind.' })
out.prompts = []
for await (const prompt of await client.empathicVoice.prompts.listPrompts({ pageSize: 2 })) out.prompts.push(prompt.name)
const { jobId } = await client.expressionMeasurement.batch.startInferenceJob({ text: ['What a wonderful day!'], models: { language: {} } })
const job = await client.expressionMeasurement.batch.awaitCompletion(jobId)
out.status = job.state.status
out.predictions = (await client.expressionMeasurement.batch.getJobPredictions(jobId)).length
try {
  await new ProsodiaClient({ apiKey: 'not-a-key', baseUrl }).empathicVoice.prompts.listPrompts()
} catch (error) {
  out.wrongKey = { statusCode: error.statusCode, unauthorized: error instanceof UnauthorizedError }
}
out.prompts.sort()
console.log(JSON.stringify(out))
`,
    )
    try {
      // Async: the server answering the script lives in this process's event loop.
      const { stdout } = await run(process.execPath, [script, baseUrl, t.alice.api_key], { cwd: dir, timeout: 100_000 })
      expect(JSON.parse(stdout)).toEqual({
        wavHeader: 'RIFF',
        prompts: ['prompt 1', 'prompt 2', 'prompt 3'],
        status: 'COMPLETED',
        predictions: 1,
        wrongKey: { statusCode: 401, unauthorized: true },
      })
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
