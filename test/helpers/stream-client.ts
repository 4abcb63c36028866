/**
 * A client for /v0/stream/models in tests: payloads and answers checked strictly against
 * hume@0.15.17's streaming wire schemas, answers read in order, and the media the tests send.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import path from 'node:path'
import { expect } from 'vitest'
import WebSocket from 'ws'
import { encodeWav16 } from '../../src/shared/asr/wav.js'
import { sharedPath } from './shared-data.js'
import { PROSODY_MODEL_PATH } from '../../src/domains/expression/prosody/prosody-model.js'

export interface FernSchema {
  parse(raw: unknown, opts: object): { ok: true; value: unknown } | { ok: false; errors: unknown[] }
}
const require = createRequire(import.meta.url)
const wire = (require('hume-legacy/serialization') as { expressionMeasurement: { stream: Record<string, FernSchema> } })
  .expressionMeasurement.stream
const STRICT = {
  unrecognizedObjectKeys: 'fail',
  allowUnrecognizedUnionMembers: false,
  allowUnrecognizedEnumValues: false,
  skipValidation: false,
}
export function strict(name: string, body: unknown): void {
  const r = wire[name]!.parse(body, STRICT)
  if (!r.ok) expect.fail(`not a valid ${name} under hume@0.15.17: ${JSON.stringify(r.errors)}`)
}

/** `../shared/data`, failing with what to install when it is missing. */
export const SHARED = sharedPath('data')
export const sample = (rel: string): Buffer => readFileSync(sharedPath('data', ...rel.split('/')))

/** The committed prosody model (trained by `npm run train:prosody`). */
export function requireProsodyModel(): void {
  if (!existsSync(PROSODY_MODEL_PATH)) throw new Error(`${PROSODY_MODEL_PATH} is missing: run npm run train:prosody`)
}

/** A short MP4 (MPEG-4 video + AAC) of a still image with a sound track, made by Debian's ffmpeg. */
export function makeVideo(image: string, audio: string, seconds: number): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'prosodia-stream-'))
  try {
    const out = path.join(dir, 'clip.mp4')
    try {
      execFileSync(
        'ffmpeg',
        ['-v', 'error', '-loop', '1', '-i', image, '-i', audio, '-t', String(seconds)]
          .concat(['-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2', '-r', '10', '-c:v', 'mpeg4', '-q:v', '3'])
          .concat(['-c:a', 'aac', '-ar', '16000', '-ac', '1', out]),
        { stdio: 'pipe' },
      )
    } catch (err) {
      throw new Error(`making a test video needs ffmpeg on the PATH (Debian: apt install ffmpeg): ${String(err)}`)
    }
    return readFileSync(out)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export type Answer = Record<string, unknown> & {
  payload_id?: string
  error?: string
  warning?: string
  code?: string
  job_details?: { job_id: string }
  language?: { predictions: { text: string; position: { begin: number; end: number }; emotions: Emotion[] }[] }
  face?: { predictions: FacePrediction[] }
  prosody?: { predictions: { time: { begin: number; end: number }; emotions: Emotion[] }[] }
}
export type Emotion = { name: string; score: number }
export type FacePrediction = {
  frame: number
  time: number
  bbox: { x: number; y: number; w: number; h: number }
  prob: number
  face_id: string
  emotions: Emotion[]
}

/** One socket: sends payloads (valid ones checked against the SDK's payload schema) and reads answers in order. */
export class Client {
  private readonly answers: Answer[] = []
  private waiting: ((a: Answer) => void)[] = []
  readonly closed: Promise<number>

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const a = JSON.parse(data.toString()) as Answer
      const w = this.waiting.shift()
      if (w) w(a)
      else this.answers.push(a)
    })
    this.closed = new Promise((r) => ws.on('close', (code) => r(code)))
  }

  next(): Promise<Answer> {
    const a = this.answers.shift()
    return a ? Promise.resolve(a) : new Promise((r) => this.waiting.push(r))
  }

  /** Sends a payload the SDK could send, and returns its answer. */
  ask(payload: Record<string, unknown>): Promise<Answer> {
    strict('StreamModelsEndpointPayload', payload)
    this.ws.send(JSON.stringify(payload))
    return this.next()
  }

  /** Sends anything (for bad payloads) and returns its answer. */
  raw(text: string): Promise<Answer> {
    this.ws.send(text)
    return this.next()
  }
}

export function expectPredictions(a: Answer): void {
  expect(a.error, a.error).toBeUndefined()
  expect(a.warning, a.warning).toBeUndefined()
  strict('StreamModelPredictions', a)
}
export function expectError(a: Answer, code: string): void {
  expect(a).toMatchObject({ code })
  expect(typeof a.error).toBe('string')
  strict('StreamErrorMessage', a)
}
export const top = (emotions: Emotion[]) => [...emotions].sort((x, y) => y.score - x.score)[0]!.name

/** A 16-bit mono PCM WAV. */
export const wav = (samples: Float32Array, rate = 16_000): Buffer => encodeWav16(samples, rate)
