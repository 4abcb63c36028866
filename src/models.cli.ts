// `prosodia models pull kokoro`: fetches model weights into PROSODIA_MODELS_DIR.
import { join } from 'node:path'
import { loadConfig } from './config.js'
import { DownloadError, downloadVerified, type DownloadProgress } from './shared/models/model-download.js'

/**
 * Kokoro-82M v1.0 as ONNX (Apache-2.0). The int8 dynamically quantized export (~92 MB) is the
 * default: on CPU it runs faster than fp32 (~326 MB) at a small quality cost. `--fp32` takes the
 * full-precision file. The revision is the repository's main branch; the checksum is not pinned
 * here but read from the host's published LFS SHA-256 at download time and verified.
 */
export const KOKORO_REPO = 'onnx-community/Kokoro-82M-v1.0-ONNX'
const KOKORO_FILES = { q8: 'onnx/model_quantized.onnx', fp32: 'onnx/model.onnx' } as const

export const MODELS_USAGE = `  prosodia models pull kokoro [--fp32]
                                   download Kokoro-82M (ONNX, int8; --fp32 for full precision) into
                                   PROSODIA_MODELS_DIR/kokoro/model.onnx (host: PROSODIA_MODELS_BASE_URL,
                                   default https://huggingface.co)
`

export interface Terminal {
  write(s: string): unknown
  isTTY?: boolean
}

const mb = (n: number) => (n / 1e6).toFixed(1)

/** A progress bar redrawn in place on a terminal; a line per 10% otherwise (logs, CI). */
export function progressBar(
  out: Terminal,
  label: string,
  now: () => number = () => performance.now(),
): (p: DownloadProgress) => void {
  const start = now()
  let lastDraw = -Infinity
  let lastDecile = -1
  return ({ received, total }) => {
    const frac = total > 0 ? received / total : 0
    const done = received >= total
    const secs = Math.max((now() - start) / 1000, 1e-3)
    const line = `${label} [${'#'.repeat(Math.floor(frac * 30)).padEnd(30, '.')}] ${Math.floor(frac * 100)}% ${mb(received)}/${mb(total)} MB ${mb(received / secs)} MB/s`
    if (out.isTTY) {
      if (done || now() - lastDraw >= 100) {
        out.write(`\r${line}${done ? '\n' : ''}`)
        lastDraw = now()
      }
    } else if (Math.floor(frac * 10) > lastDecile) {
      lastDecile = Math.floor(frac * 10)
      out.write(`${line}\n`)
    }
  }
}

export async function modelsPull(
  args: string[],
  env: NodeJS.ProcessEnv,
  out: Terminal,
  fetchImpl: typeof fetch = fetch,
): Promise<number> {
  const [model, ...flags] = args
  if (model !== 'kokoro' || flags.some((f) => f !== '--fp32')) {
    out.write(`usage:\n${MODELS_USAGE}`)
    return 2
  }
  const config = loadConfig(env)
  const base = (env.PROSODIA_MODELS_BASE_URL || 'https://huggingface.co').replace(/\/+$/, '')
  const file = KOKORO_FILES[flags.includes('--fp32') ? 'fp32' : 'q8']
  const url = `${base}/${KOKORO_REPO}/resolve/main/${file}`
  const dest = join(config.modelsDir, 'kokoro', 'model.onnx')
  try {
    const r = await downloadVerified({ url, dest }, { fetch: fetchImpl, onProgress: progressBar(out, 'kokoro') })
    const how =
      r.status === 'up-to-date'
        ? 'already up to date'
        : r.resumedFrom > 0
          ? `downloaded (resumed at ${mb(r.resumedFrom)} MB)`
          : 'downloaded'
    out.write(`kokoro: ${dest} ${how}, ${r.size} bytes, sha256 ${r.sha256} verified\n`)
    return 0
  } catch (err) {
    out.write(`kokoro: ${err instanceof DownloadError ? err.message : `download failed: ${String(err)}`}\n`)
    return 1
  }
}
