// The 54 Kokoro style-vector files that ship in the kokoro-js npm package (voices/<id>.bin:
// 510 rows x 256 float32, one row per input length). Ids encode language and gender:
// first letter a=American, b=British, e=Spanish, f=French, h=Hindi, i=Italian, j=Japanese,
// p=Brazilian Portuguese, z=Mandarin; second letter f/m.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { StyleWeight } from './engine.js'

export const KOKORO_VOICE_IDS = [
  'af_alloy',
  'af_aoede',
  'af_bella',
  'af_heart',
  'af_jessica',
  'af_kore',
  'af_nicole',
  'af_nova',
  'af_river',
  'af_sarah',
  'af_sky',
  'am_adam',
  'am_echo',
  'am_eric',
  'am_fenrir',
  'am_liam',
  'am_michael',
  'am_onyx',
  'am_puck',
  'am_santa',
  'bf_alice',
  'bf_emma',
  'bf_isabella',
  'bf_lily',
  'bm_daniel',
  'bm_fable',
  'bm_george',
  'bm_lewis',
  'ef_dora',
  'em_alex',
  'em_santa',
  'ff_siwis',
  'hf_alpha',
  'hf_beta',
  'hm_omega',
  'hm_psi',
  'if_sara',
  'im_nicola',
  'jf_alpha',
  'jf_gongitsune',
  'jf_nezumi',
  'jf_tebukuro',
  'jm_kumo',
  'pf_dora',
  'pm_alex',
  'pm_santa',
  'zf_xiaobei',
  'zf_xiaoni',
  'zf_xiaoxiao',
  'zf_xiaoyi',
  'zm_yunjian',
  'zm_yunxi',
  'zm_yunxia',
  'zm_yunyang',
] as const

export const STYLE_DIM = 256
export const STYLE_ROWS = 510

let voicesDir: string | undefined

function kokoroVoicesDir(): string {
  if (!voicesDir) {
    const require = createRequire(import.meta.url)
    // kokoro-js's export map has no ./package.json entry; resolve its entry file and walk up.
    voicesDir = join(dirname(require.resolve('kokoro-js')), '..', 'voices')
  }
  return voicesDir
}

const cache = new Map<string, Promise<Float32Array>>()

export function loadStyleVectors(id: string): Promise<Float32Array> {
  if (!(KOKORO_VOICE_IDS as readonly string[]).includes(id))
    return Promise.reject(new Error(`unknown Kokoro voice ${id}`))
  let p = cache.get(id)
  if (!p) {
    p = readFile(join(kokoroVoicesDir(), `${id}.bin`)).then((buf) => {
      const copy = new Float32Array(buf.byteLength / 4)
      new Uint8Array(copy.buffer).set(buf)
      if (copy.length !== STYLE_ROWS * STYLE_DIM)
        throw new Error(`${id}.bin has ${copy.length} floats, expected ${STYLE_ROWS * STYLE_DIM}`)
      return copy
    })
    cache.set(id, p)
  }
  return p
}

/**
 * The style row Kokoro expects for an input of `tokenCount` phoneme tokens (pads excluded):
 * row min(tokenCount, 509), blended across the voices by weight.
 */
export async function blendedStyle(blend: readonly StyleWeight[], tokenCount: number): Promise<Float32Array> {
  const row = Math.min(Math.max(tokenCount, 0), STYLE_ROWS - 1)
  const out = new Float32Array(STYLE_DIM)
  const total = blend.reduce((n, b) => n + b.weight, 0) || 1
  for (const { id, weight } of blend) {
    const vectors = await loadStyleVectors(id)
    const w = weight / total
    for (let i = 0; i < STYLE_DIM; i++) out[i] = out[i]! + w * vectors[row * STYLE_DIM + i]!
  }
  return out
}
