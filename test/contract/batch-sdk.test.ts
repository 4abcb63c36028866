/**
 * hume@0.15.17 (installed as hume-legacy), unchanged, against the server on an
 * ephemeral port: every batch method, with raw bodies also checked strictly
 * against the SDK's own wire schemas.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { strToU8, unzipSync, zipSync } from 'fflate'
import { HumeClient } from 'hume-legacy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import { batchSdkHelpers } from '../helpers/batch-sdk.js'
import { expectJobList, expectPredictions, expectUnionJob } from '../helpers/expression-wire.js'

describe.each(dialects())('hume@0.15.17 expressionMeasurement.batch on %s', (dialect) => {
  let t: TestApp
  let hume: HumeClient
  let base: string
  let media: http.Server
  let mediaBase: string

  beforeAll(async () => {
    media = http.createServer((req, res) => {
      if (req.url === '/notes.zip') {
        return res.end(Buffer.from(zipSync({ 'notes/happy.txt': strToU8('What a wonderful, joyful day!') })))
      }
      if (req.url === '/note.txt') return res.end('I am so grateful for your help.')
      res.writeHead(404).end()
    })
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', r))
    mediaBase = `http://127.0.0.1:${(media.address() as AddressInfo).port}`
    // The media server is on loopback, so the SSRF guard must be told to allow it.
    t = await createTestApp(dialect, {
      config: { fetchAllowList: ['127.0.0.1'] },
      runtime: { worker: { pollMs: 20 } },
      workers: true,
    })
    base = await listen(t.app)
    hume = new HumeClient({ apiKey: t.alice.api_key, baseUrl: base })
  })
  afterAll(async () => {
    media.close()
    await t.close()
  })

  const { raw, completed } = batchSdkHelpers({ base: () => base, auth: () => t.auth(), hume: () => hume })

  it('startInferenceJob + getJobDetails + getJobPredictions with text and urls', async () => {
    const { jobId } = await hume.expressionMeasurement.batch.startInferenceJob({
      text: ['I love this so much!'],
      urls: [`${mediaBase}/notes.zip`, `${mediaBase}/note.txt`],
      models: { language: { granularity: 'utterance' }, ner: {} },
      notify: true,
    })
    const job = await completed(jobId)
    expect(job.type).toBe('INFERENCE')
    expect(job.state).toMatchObject({ status: 'COMPLETED', numPredictions: 3, numErrors: 0 })
    expect(job.request.notify).toBe(true)
    expectUnionJob(await raw(`/v0/batch/jobs/${jobId}`))

    const preds = await hume.expressionMeasurement.batch.getJobPredictions(jobId)
    expect(preds.map((p) => p.source.type)).toEqual(['url', 'url', 'text'])
    const zipSource = preds[0]!
    expect(zipSource.source).toEqual({ type: 'url', url: `${mediaBase}/notes.zip` })
    const happy = zipSource.results!.predictions[0]!
    expect(happy.file).toBe('notes/happy.txt')
    const emotions = happy.models.language!.groupedPredictions[0]!.predictions[0]!.emotions
    const score = (name: string) => emotions.find((e) => e.name === name)!.score
    expect(score('Joy')).toBeGreaterThan(score('Anger'))
    expect(score('Admiration')).toBeGreaterThan(score('Sadness'))
    expect(preds[1]!.results!.predictions[0]!.file).toBe('note.txt')
    expectPredictions(await raw(`/v0/batch/jobs/${jobId}/predictions`))
  })

  it('startInferenceJobFromLocalFile with several files and a json part', async () => {
    const { jobId } = await hume.expressionMeasurement.batch.startInferenceJobFromLocalFile({
      json: { models: { language: { granularity: 'sentence' } } },
      file: [
        { data: Buffer.from('This is infuriating. Thanks anyway.'), filename: 'a.txt', contentType: 'text/plain' },
        { data: Buffer.from(zipSync({ 'b.txt': strToU8('So sad to hear that.') })), filename: 'b.zip' },
      ],
    })
    const job = await completed(jobId)
    expect(job.state).toMatchObject({ status: 'COMPLETED', numPredictions: 2, numErrors: 0 })
    expect(job.request.files.map((f) => f.filename)).toEqual(['a.txt', 'b.zip'])
    expect(job.request.files[0]!.md5Sum).toMatch(/^[0-9a-f]{32}$/)
    const preds = await hume.expressionMeasurement.batch.getJobPredictions(jobId)
    expect(preds[0]!.source).toMatchObject({ type: 'file', filename: 'a.txt', contentType: 'text/plain' })
    const sentences = preds[0]!.results!.predictions[0]!.models.language!.groupedPredictions[0]!.predictions
    expect(sentences.map((s) => s.text)).toEqual(['This is infuriating.', 'Thanks anyway.'])
    expect(preds[0]!.results!.predictions[0]!.models.ner).toBeUndefined()
    expect(preds[1]!.results!.predictions[0]!.file).toBe('b.txt')
    expectPredictions(await raw(`/v0/batch/jobs/${jobId}/predictions`))
  })

  it('listJobs with filters, and getJobArtifacts', async () => {
    const { jobId } = await hume.expressionMeasurement.batch.startInferenceJob({ text: ['Artifacts, please.'] })
    await completed(jobId)
    const jobs = await hume.expressionMeasurement.batch.listJobs({
      status: ['COMPLETED'],
      sortBy: 'created',
      direction: 'desc',
      limit: 50,
    })
    expect(jobs[0]!.jobId).toBe(jobId)
    expect(jobs.every((j) => j.state.status === 'COMPLETED')).toBe(true)
    expect(await hume.expressionMeasurement.batch.listJobs({ status: 'QUEUED' })).toEqual([])
    expect(
      await hume.expressionMeasurement.batch.listJobs({ when: 'created_after', timestampMs: Date.now() + 60_000 }),
    ).toEqual([])
    expectJobList(await raw('/v0/batch/jobs'))

    const artifacts = await hume.expressionMeasurement.batch.getJobArtifacts(jobId)
    const files = unzipSync(new Uint8Array(await artifacts.arrayBuffer()))
    expect(Object.keys(files)).toEqual(['000-text/text.json'])
  })

  it('surfaces errors as the SDK expects (404, 400)', async () => {
    await expect(
      hume.expressionMeasurement.batch.getJobDetails('00000000-0000-0000-0000-000000000000'),
    ).rejects.toMatchObject({
      statusCode: 404,
    })
    await expect(hume.expressionMeasurement.batch.startInferenceJob({})).rejects.toMatchObject({ statusCode: 400 })
  })
})
