/**
 * prosodia/client's expressionMeasurement.batch against the real server (workers on, real models):
 * every method, awaitCompletion with progress, uploads in the forms browsers and Node hold files in,
 * and the errors a caller branches on.
 */
import { createReadStream, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { unzipSync } from 'fflate'
import type { HumeClient as LegacyHumeClient } from 'hume-legacy'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { BadRequestError, NotFoundError, UnauthorizedError, type ProsodiaClient } from '../../src/client/index.js'
import { Job, type BatchClient } from '../../src/client/resources/expression/index.js'
import { startClientHarness, type ClientHarness } from '../helpers/client.js'
import { sharedPath } from '../helpers/shared-data.js'

type Emotion = { name: string; score: number }
const top = (emotions: Emotion[]) => [...emotions].sort((a, b) => b.score - a.score)[0]!.name
const fast = { pollIntervalMs: 20, maxPollIntervalMs: 100, timeoutMs: 60_000 }

describe('client.expressionMeasurement.batch', () => {
  let h: ClientHarness
  let client: ProsodiaClient
  beforeAll(async () => {
    h = await startClientHarness('sqlite', { workers: true, runtime: { worker: { pollMs: 20 } } })
    client = h.client
  })
  afterAll(() => h?.close())

  it('runs a text job to COMPLETED with awaitCompletion, reporting each state change', async () => {
    const job = await client.expressionMeasurement.batch.startInferenceJob({
      text: ['What a wonderful, joyful day! Thank you so much.'],
      models: { language: { granularity: 'sentence', identifySpeakers: false } },
    })
    expect(job).toBeInstanceOf(Job)
    expect(job).toEqual({ jobId: expect.stringMatching(/^[0-9a-f-]{36}$/) })
    expect(JSON.parse(JSON.stringify(job))).toEqual({ jobId: job.jobId })

    const seen: string[] = []
    const done = await client.expressionMeasurement.batch.awaitCompletion(job.jobId, {
      ...fast,
      onProgress: (j) => seen.push(j.state.status),
    })
    expect(done.jobId).toBe(job.jobId)
    expect(done.state).toMatchObject({ status: 'COMPLETED', numPredictions: 1, numErrors: 0 })
    expect(done.state.endedTimestampMs).toBeGreaterThanOrEqual(done.state.createdTimestampMs)
    // Called once per state, the last being the final one.
    expect(seen.at(-1)).toBe('COMPLETED')
    expect(new Set(seen).size).toBe(seen.length)
    // The request echoed camelCased, nested model options included.
    expect(done.request).toMatchObject({ text: [expect.any(String)], callbackUrl: null, notify: false })
    expect(done.request.models).toEqual({ language: { granularity: 'sentence', identifySpeakers: false } })

    const details = await client.expressionMeasurement.batch.getJobDetails(job.jobId)
    expect(details).toEqual(done)

    const preds = await client.expressionMeasurement.batch.getJobPredictions(job.jobId)
    expect(preds).toHaveLength(1)
    expect(preds[0]!.source).toEqual({ type: 'text' })
    const prediction = preds[0]!.results.predictions[0]!
    expect(prediction).toHaveProperty('fileType')
    expect(prediction).not.toHaveProperty('file_type')
    const language = prediction.models.language!
    expect(language).not.toHaveProperty('grouped_predictions')
    const sentences = language.groupedPredictions[0]!.predictions
    expect(sentences.map((s) => s.text)).toEqual(['What a wonderful, joyful day!', 'Thank you so much.'])
    expect(sentences[0]!).toHaveProperty('speakerConfidence')
    expect(['Joy', 'Gratitude', 'Admiration', 'Excitement']).toContain(top(sentences[0]!.emotions))

    const { data: artifacts, rawResponse } = await client.expressionMeasurement.batch
      .getJobArtifacts(job.jobId)
      .withRawResponse()
    expect(rawResponse.status).toBe(200)
    expect(artifacts.contentType).toBe('application/zip')
    const bytes = await artifacts.bytes()
    expect([...bytes.subarray(0, 2)]).toEqual([0x50, 0x4b]) // "PK"
    expect(Object.keys(unzipSync(bytes))).toEqual(['000-text/text.json'])
  })

  it("Job.awaitCompletion (hume-legacy's shape) waits on the job it started", async () => {
    const job = await client.expressionMeasurement.batch.startInferenceJob({ text: ['Fine.'] })
    const done = await job.awaitCompletion({ ...fast })
    expect(done.state.status).toBe('COMPLETED')
    // hume-legacy's signature: a timeout in seconds.
    expect((await job.awaitCompletion(30)).jobId).toBe(job.jobId)
  })

  it('startInferenceJobFromLocalFile uploads a File, bytes with a name, and a Node read stream', async () => {
    const faces = sharedPath('data', 'face-expression-samples')
    const happy = new File([readFileSync(join(faces, 'happy.jpg'))], 'happy.jpg', { type: 'image/jpeg' })
    const job = await client.expressionMeasurement.batch.startInferenceJobFromLocalFile({
      json: { models: { face: {}, language: { granularity: 'utterance' } } },
      file: [
        happy,
        {
          data: new TextEncoder().encode('I am so angry about this.'),
          filename: 'note.txt',
          contentType: 'text/plain',
        },
        createReadStream(join(faces, 'sad.jpg')),
      ],
    })
    const done = await job.awaitCompletion(fast)
    expect(done.state).toMatchObject({ status: 'COMPLETED', numErrors: 0 })
    expect(done.request.files.map((f) => [f.filename, f.contentType])).toEqual([
      ['happy.jpg', 'image/jpeg'],
      ['note.txt', 'text/plain'],
      ['sad.jpg', 'application/octet-stream'],
    ])
    expect(done.request.files[0]!.md5Sum).toMatch(/^[0-9a-f]{32}$/)

    const preds = await client.expressionMeasurement.batch.getJobPredictions(job.jobId)
    const byFile = new Map(preds.map((p) => [p.source.filename, p.results.predictions[0]!]))
    expect(preds.map((p) => p.source.type)).toEqual(['file', 'file', 'file'])
    const happyFace = byFile.get('happy.jpg')!.models.face!.groupedPredictions[0]!.predictions[0]!
    expect(top(happyFace.emotions)).toBe('Joy')
    expect(happyFace.box.w).toBeGreaterThan(0)
    expect(top(byFile.get('sad.jpg')!.models.face!.groupedPredictions[0]!.predictions[0]!.emotions)).toBe('Sadness')
    const note = byFile.get('note.txt')!.models.language!.groupedPredictions[0]!.predictions[0]!
    expect(note.text).toBe('I am so angry about this.')
  })

  it('listJobs: limit, status (one or several), created before/after, sort and direction', async () => {
    const ids: string[] = []
    for (const text of ['one', 'two', 'three']) {
      const job = await client.expressionMeasurement.batch.startInferenceJob({ text: [text], models: { language: {} } })
      await job.awaitCompletion(fast)
      ids.push(job.jobId)
    }
    const batch = client.expressionMeasurement.batch
    const newest = await batch.listJobs({ limit: 2, sortBy: 'created', direction: 'desc' })
    expect(newest.map((j) => j.jobId)).toEqual([ids[2], ids[1]])
    expect(newest[0]!.state).toHaveProperty('createdTimestampMs')

    // Walking the listing page by page, as the server pages it: the next page is created_before the last.
    const walked: string[] = []
    let before: number | undefined
    for (;;) {
      const page = await batch.listJobs({
        limit: 2,
        ...(before === undefined ? {} : { when: 'created_before' as const, timestampMs: before }),
      })
      if (page.length === 0) break
      walked.push(...page.map((j) => j.jobId))
      before = page.at(-1)!.state.createdTimestampMs
    }
    for (const id of ids) expect(walked).toContain(id)

    const all = await batch.listJobs({ limit: 100, sortBy: 'created', direction: 'asc' })
    const times = all.map((j) => j.state.createdTimestampMs)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect((await batch.listJobs({ status: 'COMPLETED' })).every((j) => j.state.status === 'COMPLETED')).toBe(true)
    expect((await batch.listJobs({ status: ['QUEUED', 'IN_PROGRESS'] })).length).toBe(0)
    expect(await batch.listJobs({ when: 'created_after', timestampMs: Date.now() + 60_000 })).toEqual([])
    expect(await h.clientAs('bob').expressionMeasurement.batch.listJobs()).toEqual([])
  })

  it("answers 404 (NotFoundError, with body) for another account's job on every job method", async () => {
    const { jobId } = await client.expressionMeasurement.batch.startInferenceJob({ text: ['Mine.'] })
    const bob = h.clientAs('bob').expressionMeasurement.batch
    const err = await bob.getJobDetails(jobId).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NotFoundError)
    expect(err).toMatchObject({ statusCode: 404, body: { code: 'not_found', message: `Job ${jobId} not found` } })
    await expect(bob.getJobPredictions(jobId)).rejects.toBeInstanceOf(NotFoundError)
    await expect(bob.getJobArtifacts(jobId)).rejects.toMatchObject({ statusCode: 404 })
    // awaitCompletion stops at once on a job that is not there, rather than polling until its timeout.
    const started = Date.now()
    await expect(bob.awaitCompletion(jobId, { timeoutMs: 30_000 })).rejects.toBeInstanceOf(NotFoundError)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('answers 400 and 422 with the body for bad requests, and 401 for a wrong key', async () => {
    const batch = client.expressionMeasurement.batch
    const empty = await batch.startInferenceJob({}).catch((e: unknown) => e)
    expect(empty).toBeInstanceOf(BadRequestError)
    expect(empty).toMatchObject({ statusCode: 400, body: { message: expect.stringMatching(/at least one input/) } })
    await expect(batch.startInferenceJobFromLocalFile({ file: [] })).rejects.toMatchObject({
      statusCode: 400,
      body: { message: expect.stringMatching(/at least one input/) },
    })

    // The batch API answers validation failures 400 { code, error, message } (it declares no 422).
    const badLimit = await batch.listJobs({ limit: 0 }).catch((e: unknown) => e)
    expect(badLimit).toBeInstanceOf(BadRequestError)
    expect(badLimit).toMatchObject({ statusCode: 400, body: { message: expect.stringMatching(/limit/) } })
    const badModel = await batch
      .startInferenceJobFromLocalFile({
        json: { models: { language: { granularity: 'paragraph' as never } } },
        file: [new Blob(['text'])],
      })
      .catch((e: unknown) => e)
    expect(badModel).toBeInstanceOf(BadRequestError)
    expect(badModel).toMatchObject({ statusCode: 400, body: { message: expect.stringMatching(/granularity/) } })

    const wrongKey = h.clientAs('alice', { apiKey: 'not-a-key' }).expressionMeasurement.batch
    await expect(wrongKey.listJobs()).rejects.toBeInstanceOf(UnauthorizedError)
  })

  it('refuses an upload it cannot read before sending anything', async () => {
    await expect(
      client.expressionMeasurement.batch.startInferenceJobFromLocalFile({ file: [42 as never] }),
    ).rejects.toThrow(/file\[0\] is not a Blob/)
  })

  it("accepts hume-legacy's request objects unchanged (checked by tsc)", () => {
    type Legacy = LegacyHumeClient['expressionMeasurement']['batch']
    type Arg<F> = F extends (first: infer A, ...rest: never[]) => unknown ? NonNullable<A> : never
    expectTypeOf<Arg<Legacy['startInferenceJob']>>().toExtend<Arg<BatchClient['startInferenceJob']>>()
    expectTypeOf<Arg<Legacy['listJobs']>>().toExtend<Arg<BatchClient['listJobs']>>()
    // Every upload form but `{ path }`, which would need node:fs (pass fs.createReadStream(path) instead).
    type LegacyFiles = Arg<Legacy['startInferenceJobFromLocalFile']>
    type LegacyUpload = Exclude<LegacyFiles['file'][number], { path: string }>
    expectTypeOf<Omit<LegacyFiles, 'file'> & { file: LegacyUpload[] }>().toExtend<
      Arg<BatchClient['startInferenceJobFromLocalFile']>
    >()
  })
})
