import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'

const root = path.resolve(import.meta.dirname, '../..')
let t: TestApp
let url: string

beforeAll(async () => {
  t = await createTestApp('sqlite')
  url = await listen(t.app)
})
afterAll(() => t.close())

/** The README's first TypeScript example, run as written against a live server: the README cannot rot. */
it('the README example runs against the server', async () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  expect(code).toBeDefined()
  const script = (code as string)
    .replace('http://127.0.0.1:8000', url)
    .replace("apiKey: 'dev-key'", `apiKey: '${t.alice.api_key}'`)
  // Inside the repo so that `hume` resolves from its node_modules.
  const file = path.join(root, `.readme-example-${process.pid}.mts`)
  fs.writeFileSync(file, script)
  try {
    // Async: the server answering the script lives in this process's event loop.
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: 60_000 })
    expect(run.stdout.trim()).toBe('Support line 0 You are kind and brief.')
  } finally {
    fs.rmSync(file, { force: true })
  }
})
