/**
 * Faces and voices through hume@0.15.17's batch client, as Hume's own reference example does it
 * (`startInferenceJob({ urls: [".../faces.zip"] })`), with every raw body checked strictly
 * against the SDK's wire schemas. Real models on the shared samples; media the test makes itself.
 */
import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { unzipSync, zipSync } from 'fflate'
import { HumeClient } from 'hume-legacy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'
import { batchSdkHelpers } from '../helpers/batch-sdk.js'
import { expectPredictions } from '../helpers/expression-wire.js'
import { FACE_SAMPLES, sharedPath } from '../helpers/shared-data.js'

type Emotion = { name: string; score: number }
const top = (emotions: Emotion[]) => [...emotions].sort((a, b) => b.score - a.score)[0]!

/** The face-api expression each sample shows, as the Hume name the server reports it under. */
const EXPECTED: Record<string, string | null> = {
  angry: 'Anger',
  disgusted: 'Disgust',
  fearful: 'Fear',
  happy: 'Joy',
  sad: 'Sadness',
  // No Hume name measures these (see face/emotion-map.ts): the face is found, no reported emotion is strong.
  neutral: null,
  surprised: null,
}

describe('hume@0.15.17 batch on faces and voices', () => {
  let t: TestApp
  let hume: HumeClient
  let base: string
  let media: http.Server
  let mediaBase: string
  const faces = join(sharedPath('data', 'face-expression-samples'))

  beforeAll(async () => {
    const zip = zipSync(
      Object.fromEntries(FACE_SAMPLES.map((n) => [`faces/${n}.jpg`, readFileSync(join(faces, `${n}.jpg`))])),
    )
    media = http.createServer((req, res) =>
      req.url === '/faces.zip' ? res.end(Buffer.from(zip)) : res.writeHead(404).end(),
    )
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', r))
    mediaBase = `http://127.0.0.1:${(media.address() as AddressInfo).port}`
    t = await createTestApp('sqlite', {
      config: { fetchAllowList: ['127.0.0.1'] },
      runtime: { worker: { pollMs: 20 } },
      workers: true,
    })
    base = await listen(t.app)
    hume = new HumeClient({ apiKey: t.alice.api_key, baseUrl: base })
  })
  afterAll(async () => {
    media.close()
    await t?.close()
  })

  const { raw, completed } = batchSdkHelpers({ base: () => base, auth: () => t.auth(), hume: () => hume })

  it("labels the 7 sample faces from Hume's faces.zip example, and saves their crops", async () => {
    const { jobId } = await hume.expressionMeasurement.batch.startInferenceJob({
      urls: [`${mediaBase}/faces.zip`],
      models: { face: { saveFaces: true } },
    })
    const job = await completed(jobId, 50)
    expect(job.state).toMatchObject({ status: 'COMPLETED', numPredictions: 7, numErrors: 0 })
    const preds = await hume.expressionMeasurement.batch.getJobPredictions(jobId)
    expectPredictions(await raw(`/v0/batch/jobs/${jobId}/predictions`))
    let correct = 0
    let found = 0
    for (const p of preds[0]!.results!.predictions) {
      const name = /faces\/(\w+)\.jpg/.exec(p.file)![1]!
      const groups = p.models.face!.groupedPredictions
      // SSD MobileNet scores the neutral sample's face 0.987, under Hume's default prob_threshold of 0.99.
      if (groups.length === 0) continue
      expect(groups.map((g) => g.id)).toEqual(['unknown'])
      expect(groups[0]!.predictions).toHaveLength(1)
      const face = groups[0]!.predictions[0]!
      found++
      expect(face.frame).toBe(0)
      expect(face.time).toBe(0)
      expect(face.prob).toBeGreaterThanOrEqual(0.99)
      expect(face.box.w).toBeGreaterThan(60)
      expect(face.emotions.map((e) => e.name).sort()).toEqual(['Anger', 'Disgust', 'Fear', 'Joy', 'Sadness'])
      const want = EXPECTED[name]
      if (want ? top(face.emotions).name === want : top(face.emotions).score < 0.35) correct++
    }
    expect(found).toBeGreaterThanOrEqual(6)
    expect(correct).toBeGreaterThanOrEqual(6)
    const zip = unzipSync(
      new Uint8Array(await (await hume.expressionMeasurement.batch.getJobArtifacts(jobId)).arrayBuffer()),
    )
    const crops = Object.keys(zip).filter((k) => k.endsWith('.png'))
    expect(crops).toHaveLength(found)
    // A PNG, as saved: the signature is intact.
    expect(Buffer.from(zip[crops[0]!]!.subarray(0, 4)).toString('latin1')).toBe('\x89PNG')
  })

  it('finds all 7 faces with a lower prob_threshold, and names them all correctly', async () => {
    const { jobId } = await hume.expressionMeasurement.batch.startInferenceJob({
      urls: [`${mediaBase}/faces.zip`],
      models: { face: { probThreshold: 0.95 } },
    })
    await completed(jobId, 50)
    const preds = await hume.expressionMeasurement.batch.getJobPredictions(jobId)
    const labels = preds[0]!.results!.predictions.map((p) => {
      const name = /faces\/(\w+)\.jpg/.exec(p.file)![1]!
      const faces = p.models.face!.groupedPredictions.flatMap((g) => g.predictions)
      expect(faces).toHaveLength(1)
      const best = top(faces[0]!.emotions)
      return EXPECTED[name] ? best.name === EXPECTED[name] : best.score < 0.35
    })
    expect(labels).toEqual([true, true, true, true, true, true, true])
  })

  it('measures prosody over time and transcribes speech into timed language predictions', async () => {
    const ravdess = sharedPath('data', 'ravdess-samples')
    const emodb = sharedPath('data', 'emodb', 'wav')
    const { jobId } = await hume.expressionMeasurement.batch.startInferenceJobFromLocalFile({
      json: { models: { prosody: { granularity: 'utterance' }, language: { granularity: 'word' } } },
      file: [
        { data: readFileSync(join(ravdess, '03-01-05-01-02-01-13.wav')), filename: 'angry.wav' },
        { data: readFileSync(join(emodb, '03a01Wa.wav')), filename: 'emodb-anger.wav' },
      ],
    })
    const job = await completed(jobId, 50)
    expect(job.state.status).toBe('COMPLETED')
    expectPredictions(await raw(`/v0/batch/jobs/${jobId}/predictions`))
    const preds = await hume.expressionMeasurement.batch.getJobPredictions(jobId)
    const byFile = new Map(preds.flatMap((s) => s.results!.predictions).map((p) => [p.file, p]))

    const ravdessProsody = byFile.get('angry.wav')!.models.prosody!.groupedPredictions[0]!.predictions
    expect(ravdessProsody.length).toBeGreaterThan(0)
    for (const u of ravdessProsody) {
      expect(u.time.end).toBeGreaterThan(u.time.begin)
      expect(u.time.end).toBeLessThanOrEqual(4.6)
      expect(u.emotions.map((e) => e.name)).toContain('Anger')
      expect(u.emotions.map((e) => e.name)).not.toContain('Neutral')
    }
    // "Dogs are sitting by the door" (statement 02), transcribed with word times.
    const words = byFile.get('angry.wav')!.models.language!.groupedPredictions[0]!.predictions
    expect(words.length).toBeGreaterThanOrEqual(3)
    expect(words.map((w) => w.text.toLowerCase()).join(' ')).toMatch(/door|sitting|dogs/)
    for (const w of words) {
      expect(w.time!.end).toBeGreaterThan(w.time!.begin)
      expect(w.time!.begin).toBeGreaterThanOrEqual(0)
    }
    expect(words.map((w) => w.time!.begin)).toEqual([...words.map((w) => w.time!.begin)].sort((a, b) => a - b))

    const emodbProsody = byFile.get('emodb-anger.wav')!.models.prosody!.groupedPredictions[0]!.predictions
    expect(emodbProsody.length).toBeGreaterThan(0)
    expect(emodbProsody[0]!.time.end).toBeLessThanOrEqual(2.01)
  })

  it('answers burst and facemesh with honest errors, not scores', async () => {
    const { jobId } = await hume.expressionMeasurement.batch.startInferenceJobFromLocalFile({
      json: { models: { burst: {}, facemesh: {} } },
      file: [
        { data: readFileSync(join(faces, 'happy.jpg')), filename: 'happy.jpg' },
        {
          data: readFileSync(sharedPath('data', 'ravdess-samples', '03-01-03-01-02-01-07.wav')),
          filename: 'happy.wav',
        },
      ],
    })
    const job = await completed(jobId, 50)
    expect(job.state).toMatchObject({ status: 'COMPLETED', numPredictions: 0, numErrors: 2 })
    const preds = await hume.expressionMeasurement.batch.getJobPredictions(jobId)
    const errors = preds.flatMap((s) => s.results!.errors)
    expect(errors.find((e) => e.file === 'happy.jpg')!.message).toMatch(/facemesh is not available in this build/)
    expect(errors.find((e) => e.file === 'happy.wav')!.message).toMatch(/burst is not available in this build/)
  })
})
