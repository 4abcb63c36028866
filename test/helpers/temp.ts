import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []
// Removed when the test process ends, wherever the directory was made (module scope or a test).
process.once('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true })
})

/** A fresh directory under the system temp dir, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  made.push(d)
  return d
}
