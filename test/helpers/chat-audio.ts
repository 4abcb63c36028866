/**
 * For the chat-history audio tests: tones to record, a poll for a chat's reconstruction, and
 * ffmpeg decoding of the result to check where each side landed in it.
 */
import { execFileSync } from 'node:child_process'
import type { FastifyInstance } from 'fastify'
import { pcm16 } from './tts-audio.js'

/** `seconds` of a sine at `hz` and amplitude `amp`. */
export function tone(seconds: number, rate: number, hz = 440, amp = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * rate) },
    (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate),
  )
}

export interface AudioState {
  id: string
  user_id: string
  status: 'QUEUED' | 'IN_PROGRESS' | 'COMPLETE' | 'ERROR' | 'CANCELLED'
  filename: string | null
  modified_at: number | null
  signed_audio_url: string | null
  signed_url_expiration_timestamp_millis: number | null
}

/** Polls GET /v0/evi/chats/{id}/audio until COMPLETE or ERROR. */
export async function waitForAudio(
  app: FastifyInstance,
  chatId: string,
  headers: Record<string, string>,
  { timeoutMs = 50_000, everyMs = 25 } = {},
): Promise<AudioState> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const res = await app.inject({ method: 'GET', url: `/v0/evi/chats/${chatId}/audio`, headers })
    if (res.statusCode !== 200) throw new Error(`GET audio of ${chatId} answered ${res.statusCode}: ${res.body}`)
    const state = res.json() as AudioState
    if (state.status === 'COMPLETE' || state.status === 'ERROR') return state
    if (Date.now() > deadline) throw new Error(`audio of ${chatId} still ${state.status} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** Decodes any audio file with ffmpeg to mono float samples at `rate`. */
export function decodeAudio(file: Buffer, rate: number): Float32Array {
  try {
    const out = execFileSync(
      'ffmpeg',
      [
        '-nostdin',
        '-hide_banner',
        '-v',
        'error',
        '-i',
        'pipe:0',
        '-f',
        's16le',
        '-ac',
        '1',
        '-ar',
        String(rate),
        'pipe:1',
      ],
      { input: file, maxBuffer: 512 * 1024 * 1024 },
    )
    return pcm16(out)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error('these tests need ffmpeg on the PATH (Debian: apt install ffmpeg)')
    throw err
  }
}

/** RMS of samples [fromS, toS) of a signal at `rate`. */
export function windowRms(samples: Float32Array, rate: number, fromS: number, toS: number): number {
  const part = samples.subarray(Math.round(fromS * rate), Math.round(toS * rate))
  let s = 0
  for (const x of part) s += x * x
  return Math.sqrt(s / Math.max(1, part.length))
}
