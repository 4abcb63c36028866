// Output encodings: wav, pcm (signed 16-bit little-endian mono) and mp3 (LAME via wasm-media-encoders).
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createEncoder } from 'wasm-media-encoders'

export type AudioFormat = 'mp3' | 'wav' | 'pcm'

export const CONTENT_TYPES: Record<AudioFormat, string> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
}

/** Sample rates LAME can write; engines run at 16 kHz (flite) or 24 kHz (Kokoro). */
type Mp3Rate = 8000 | 11025 | 12000 | 16000 | 22050 | 24000 | 32000 | 44100 | 48000

let mp3Module: Promise<WebAssembly.Module> | undefined

function loadMp3Module(): Promise<WebAssembly.Module> {
  mp3Module ??= (async () => {
    const require = createRequire(import.meta.url)
    return WebAssembly.compile(await readFile(require.resolve('wasm-media-encoders/wasm/mp3')))
  })()
  return mp3Module
}

export function toPcm16(samples: Float32Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2)
  const view = new DataView(out.buffer)
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]!))
    view.setInt16(i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true)
  }
  return out
}

/**
 * A 44-byte RIFF header. `dataBytes` undefined marks a stream of unknown length: sizes are set
 * to 0xFFFFFFFF, which decoders (ffmpeg, browsers) read as "until end of stream".
 */
export function wavHeader(sampleRate: number, dataBytes?: number): Uint8Array {
  const h = new Uint8Array(44)
  const v = new DataView(h.buffer)
  const ascii = (off: number, s: string): void => {
    for (let i = 0; i < s.length; i++) h[off + i] = s.charCodeAt(i)
  }
  ascii(0, 'RIFF')
  v.setUint32(4, dataBytes === undefined ? 0xffffffff : 36 + dataBytes, true)
  ascii(8, 'WAVE')
  ascii(12, 'fmt ')
  v.setUint32(16, 16, true)
  v.setUint16(20, 1, true) // PCM
  v.setUint16(22, 1, true) // mono
  v.setUint32(24, sampleRate, true)
  v.setUint32(28, sampleRate * 2, true)
  v.setUint16(32, 2, true)
  v.setUint16(34, 16, true)
  ascii(36, 'data')
  v.setUint32(40, dataBytes === undefined ? 0xffffffff : dataBytes, true)
  return h
}

/** Joins byte blocks into one. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)))
}

/** Joins sample blocks into one, followed by `padding` samples of silence. */
export function concatSamples(parts: Float32Array[], padding = 0): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0) + padding)
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}

/** Incremental encoder: push samples as they are synthesized, end() once. */
export interface StreamEncoder {
  push(samples: Float32Array): Uint8Array
  end(): Uint8Array
}

export async function createStreamEncoder(format: AudioFormat, sampleRate: number): Promise<StreamEncoder> {
  if (format === 'mp3') {
    const enc = await createEncoder('audio/mpeg', await loadMp3Module())
    enc.configure({ channels: 1, sampleRate, bitrate: 64, outputSampleRate: sampleRate as Mp3Rate })
    // The encoder returns views into its wasm memory that the next call overwrites: copy them.
    return { push: (s) => enc.encode([s]).slice(), end: () => enc.finalize().slice() }
  }
  let headerSent = format === 'pcm'
  return {
    push(samples) {
      const pcm = toPcm16(samples)
      if (headerSent) return pcm
      headerSent = true
      return concatBytes([wavHeader(sampleRate), pcm])
    },
    end: () => (headerSent ? new Uint8Array(0) : ((headerSent = true), wavHeader(sampleRate, 0))),
  }
}

/** A complete file for audio whose length is known (exact sizes in the WAV header). */
export async function encodeFile(format: AudioFormat, sampleRate: number, samples: Float32Array): Promise<Uint8Array> {
  if (format === 'pcm') return toPcm16(samples)
  if (format === 'wav') return concatBytes([wavHeader(sampleRate, samples.length * 2), toPcm16(samples)])
  const enc = await createStreamEncoder('mp3', sampleRate)
  return concatBytes([enc.push(samples), enc.end()])
}
