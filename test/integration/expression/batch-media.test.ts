/**
 * Media through batch jobs: video (faces per frame and the soundtrack's prosody), face identities,
 * a transcription server speaking OpenAI's API, and bad media as per-file errors in a job that
 * still completes. Media are made by the test with ffmpeg (test/helpers/media-fixtures.ts).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../helpers/app.js'
import { expectPredictions } from '../../helpers/expression-wire.js'
import { waitForJob } from '../../helpers/jobs.js'
import { sharedPath } from '../../helpers/shared-data.js'
import { mediaFixtures, type MediaFixtures } from '../../helpers/media-fixtures.js'

interface Prediction {
  file: string
  file_type: string
  models: Record<
    string,
    { metadata: unknown; grouped_predictions: { id: string; predictions: Record<string, unknown>[] }[] }
  >
}
interface SourceResult {
  results: { predictions: Prediction[]; errors: { file: string; message: string }[] }
}

async function multipart(json: unknown, files: string[]) {
  const fd = new FormData()
  fd.append('json', JSON.stringify(json))
  for (const f of files) fd.append('file', new Blob([new Uint8Array(readFileSync(f))]), basename(f))
  const req = new Request('http://local/', { method: 'POST', body: fd })
  return { payload: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! }
}

async function runJob(t: TestApp, json: unknown, files: string[]) {
  const body = await multipart(json, files)
  const res = await t.app.inject({
    method: 'POST',
    url: '/v0/batch/jobs',
    headers: { ...t.auth(), 'content-type': body.contentType },
    payload: body.payload,
  })
  expect(res.statusCode).toBe(200)
  const id = (res.json() as { job_id: string }).job_id
  const job = await waitForJob(t.app, id, t.auth(), { timeoutMs: 110_000 })
  expect(job.state, JSON.stringify(job.state)).toMatchObject({ status: 'COMPLETED' })
  const preds = await t.app.inject({ method: 'GET', url: `/v0/batch/jobs/${id}/predictions`, headers: t.auth() })
  expectPredictions(preds.json())
  const results = preds.json() as SourceResult[]
  return {
    job,
    predictions: new Map(results.flatMap((r) => r.results.predictions).map((p) => [p.file, p])),
    errors: results.flatMap((r) => r.results.errors),
  }
}

const DISGUSTED = join(sharedPath('data', 'face-expression-samples'), 'disgusted.jpg')
const opts = { runtime: { worker: { pollMs: 20 } }, workers: true } as const

describe('batch jobs on media', () => {
  let fx: MediaFixtures
  let t: TestApp
  beforeAll(async () => {
    fx = mediaFixtures()
    // disgusted.jpg is 612 × 430 = 263,160 pixels, over this image limit; the other samples are under it.
    t = await createTestApp('sqlite', { ...opts, config: { limits: { mediaSeconds: 6, imagePixels: 200_000 } } })
  })
  afterAll(async () => t?.close())

  it('finds the face in every sampled frame of an MP4 and measures its soundtrack', async () => {
    const { job, predictions } = await runJob(
      t,
      { models: { face: { fps_pred: 2, identify_faces: true }, prosody: {} } },
      [fx.mp4],
    )
    expect(job.state.status).toBe('COMPLETED')
    const p = predictions.get('clip.mp4')!
    expect(p.file_type).toBe('video')
    const groups = p.models.face!.grouped_predictions
    // One person throughout: one identity, found at 2 frames per second of the 3 s clip.
    expect(groups.map((g) => g.id)).toEqual(['face_0'])
    const frames = groups[0]!.predictions as {
      frame: number
      time: number
      emotions: { name: string; score: number }[]
    }[]
    expect(frames.length).toBeGreaterThanOrEqual(5)
    expect(frames.map((f) => f.time)).toEqual([0, 0.5, 1, 1.5, 2, 2.5].slice(0, frames.length))
    expect(frames.map((f) => f.frame)).toEqual(frames.map((f) => Math.round(f.time * 25)))
    const joy = frames.filter((f) => [...f.emotions].sort((a, b) => b.score - a.score)[0]!.name === 'Joy')
    expect(joy.length).toBe(frames.length)
    const prosody = p.models.prosody!.grouped_predictions[0]!.predictions as { time: { begin: number; end: number } }[]
    expect(prosody.length).toBeGreaterThan(0)
    for (const u of prosody) expect(u.time.end).toBeLessThanOrEqual(3.05)
  })

  it('analyses a 240 fps slow-motion clip at 60 frames per second when fps_pred asks for every frame', async () => {
    const file = join(fx.dir, 'slowmo.mp4')
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-y', '-loop', '1', '-i', DISGUSTED, '-t', '0.1', '-r', '240'],
      ...['-vf', 'scale=320:-2', '-pix_fmt', 'yuv420p', file],
    ])
    const { predictions } = await runJob(
      t,
      { models: { face: { fps_pred: 0, min_face_size: 10, prob_threshold: 0.5 } } },
      [file],
    )
    const frames = predictions.get('slowmo.mp4')!.models.face!.grouped_predictions[0]!.predictions as {
      frame: number
    }[]
    expect(frames.length).toBeGreaterThanOrEqual(5)
    expect(frames.length).toBeLessThanOrEqual(7)
    // Frame numbers are the clip's own (240 per second), sampled every 4th.
    expect(frames[1]!.frame - frames[0]!.frame).toBe(4)
  })

  it('reads WebM video and audio-only containers as what they hold', async () => {
    const { predictions } = await runJob(t, { models: { face: { fps_pred: 1 }, prosody: {} } }, [
      fx.webm,
      fx.audioOnlyMp4,
      fx.audio.oggOpus,
    ])
    expect(predictions.get('clip.webm')!.file_type).toBe('video')
    expect(predictions.get('clip.webm')!.models.face!.grouped_predictions[0]!.predictions.length).toBe(3)
    expect(predictions.get('voice.mp4')!.file_type).toBe('audio')
    expect(predictions.get('voice.mp4')!.models.prosody!.grouped_predictions[0]!.predictions.length).toBeGreaterThan(0)
    expect(predictions.get('sentence.opus.ogg')!.models.face).toBeUndefined()
  })

  it('turns corrupt, silent, truncated and over-long media into per-file errors; the job completes', async () => {
    const files = [
      fx.corruptJpeg,
      DISGUSTED,
      fx.silentWav,
      fx.truncatedMp4,
      fx.garbageWebm,
      fx.longWav,
      fx.truncatedMp3,
    ]
    const { job, predictions, errors } = await runJob(t, { models: { face: {}, prosody: {} } }, files)
    expect(job.state.status).toBe('COMPLETED')
    const error = (name: string) => errors.find((e) => e.file === name)?.message
    expect(error('corrupt.jpg')).toMatch(/could not be decoded|corrupt/)
    expect(error('disgusted.jpg')).toMatch(/image is too large: more than 200000 pixels/)
    expect(error('silent.wav')).toMatch(/no speech/)
    expect(error('long.wav') ?? error(basename(fx.longWav))).toMatch(/over the 6 s limit/)
    expect(error(basename(fx.truncatedMp4))).toBeDefined()
    expect(error(basename(fx.garbageWebm))).toBeDefined()
    // Half an MP3 is still audio: what is there is measured, or the file is refused; never a failed job.
    const mp3 = basename(fx.truncatedMp3)
    expect(predictions.has(mp3) || error(mp3) !== undefined).toBe(true)
  })
})

describe('the job time limit (PROSODIA_BATCH_MAX_JOB_SECONDS)', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp('sqlite', { ...opts, config: { limits: { batchJobSeconds: 8 } } })
  })
  afterAll(async () => t?.close())

  it('stops between frames at the deadline and completes the job with what it has', async () => {
    const fx = mediaFixtures()
    // Every frame of the 3 s, 25 fps clip is ~75 face detections: far more than 8 s of work.
    const { job, predictions, errors } = await runJob(t, { models: { face: { fps_pred: 0 } } }, [DISGUSTED, fx.mp4])
    expect(job.state.status).toBe('COMPLETED')
    expect(predictions.get('disgusted.jpg')!.models.face!.grouped_predictions).toHaveLength(1)
    const frames = predictions.get('clip.mp4')?.models.face?.grouped_predictions[0]?.predictions ?? []
    expect(frames.length).toBeLessThan(75)
    const late = errors.find((e) => e.file === 'clip.mp4')?.message
    expect(late).toMatch(
      /time limit (was reached at [\d.]+ s of the video|of 8 s \(PROSODIA_BATCH_MAX_JOB_SECONDS\) was reached before this file)/,
    )
  })
})

describe('media without ffmpeg, and transcripts from an OpenAI-compatible server', () => {
  let fx: MediaFixtures
  let t: TestApp
  let asr: http.Server
  const seen: { auth?: string; type?: string }[] = []
  beforeAll(async () => {
    fx = mediaFixtures()
    asr = http.createServer((req, res) => {
      seen.push({ auth: req.headers.authorization, type: req.headers['content-type'] })
      req.resume()
      req.on('end', () => {
        res.setHeader('content-type', 'application/json')
        res.end(
          JSON.stringify({
            text: 'Kids are talking by the door.',
            language: 'english',
            words: [
              { word: 'Kids', start: 0.9, end: 1.2 },
              { word: 'are', start: 1.2, end: 1.35 },
              { word: 'talking', start: 1.35, end: 1.8 },
              { word: 'by', start: 1.8, end: 1.95 },
              { word: 'the', start: 1.95, end: 2.05 },
              { word: 'door.', start: 2.05, end: 2.5 },
            ],
          }),
        )
      })
    })
    await new Promise<void>((r) => asr.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(asr.address() as AddressInfo).port}`
    t = await createTestApp('sqlite', {
      ...opts,
      config: {
        fetchAllowList: ['127.0.0.1'],
        media: {
          ffmpeg: '/nonexistent/ffmpeg',
          ffprobe: '/nonexistent/ffprobe',
          asr: { provider: 'openai', url, apiKey: 'asr-secret', model: 'whisper-1' },
        },
      },
    })
  })
  afterAll(async () => {
    asr?.close()
    await t?.close()
  })

  it('says which package a video needs, and still reads plain audio', async () => {
    const { predictions, errors } = await runJob(
      t,
      { models: { face: {}, prosody: {}, language: { granularity: 'word' }, ner: {} } },
      [fx.mp4, fx.audio.wav],
    )
    expect(errors.find((e) => e.file === 'clip.mp4')!.message).toMatch(/apt install ffmpeg/)
    const words = predictions.get('sentence.wav')!.models.language!.grouped_predictions[0]!.predictions
    expect(words.map((w) => w.text)).toEqual(['Kids', 'are', 'talking', 'by', 'the', 'door'])
    expect(words[2]!.time).toEqual({ begin: 1.35, end: 1.8 })
    expect(predictions.get('sentence.wav')!.models.language!.metadata).toMatchObject({
      detected_language: expect.any(String),
    })
    expect(seen[0]!.auth).toBe('Bearer asr-secret')
    expect(seen[0]!.type).toMatch(/^multipart\/form-data/)
  })
})
