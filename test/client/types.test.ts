import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const tsc = path.join(root, 'node_modules/typescript/bin/tsc')

async function typecheck(project: string): Promise<{ ok: boolean; output: string }> {
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', project], { cwd: root })
    return { ok: true, output: '' }
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string }
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}

// The client's types are the server's schemas (camelCased) and cover every method of the official SDK.
it('the client type tests compile', async () => {
  const { ok, output } = await typecheck('test/types/tsconfig.json')
  expect(output).toBe('')
  expect(ok).toBe(true)
})

// The same assertions fail on a type that drifted from its schema: the check above can fail.
it('a client type that drifted from the server schema fails to compile', async () => {
  const { ok, output } = await typecheck('test/types/tsconfig.drift.json')
  expect(ok).toBe(false)
  expect(output).toMatch(
    /drift\.fixture\.ts\(\d+,\d+\): error TS2344: Type 'false' does not satisfy the constraint 'true'/,
  )
  expect(output.trim().split('\n')).toHaveLength(1)
})
