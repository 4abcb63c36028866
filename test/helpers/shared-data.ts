/**
 * The datasets and models tests read from `../shared` beside the repository (each with a README
 * naming its source and licence). A missing one fails the test with what to put where; never a skip.
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

export const SHARED = resolve(import.meta.dirname, '../../../shared')

export function sharedPath(...parts: string[]): string {
  const p = resolve(SHARED, ...parts)
  if (!existsSync(p)) {
    throw new Error(
      `test data missing: ${p}. Put the project's shared data beside the repository (../shared; see ../shared/${parts[0]}/${parts[1] ?? ''}/README.md)`,
    )
  }
  return p
}

export const FACE_SAMPLES = ['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'sad', 'surprised'] as const
