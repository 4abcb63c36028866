import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { unzipSync, strFromU8 } from 'fflate'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import { waitForJob } from '../helpers/jobs.js'
import { expectJobId, expectJobList, expectPredictions, expectUnionJob } from '../helpers/expression-wire.js'

describe.each(dialects())('batch jobs on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect, { domains: ['expression'], runtime: { worker: { pollMs: 20 } }, workers: true })
  })
  afterAll(() => t.close())

  const post = (body: unknown, who: 'alice' | 'bob' = 'alice') =>
    t.app.inject({ method: 'POST', url: '/v0/batch/jobs', payload: body as object, headers: t.auth(who) })
  const get = (url: string, who: 'alice' | 'bob' = 'alice') =>
    t.app.inject({ method: 'GET', url, headers: t.auth(who) })
  const finished = (id: string) => waitForJob(t.app, id, t.auth())

  it('runs a text job through QUEUED to COMPLETED with Hume-shaped predictions', async () => {
    const text = 'Thank you so much, Barack Obama! I love Paris.'
    const res = await post({ text: [text], models: { language: { granularity: 'sentence' }, ner: {} } })
    expect(res.statusCode).toBe(200)
    expectJobId(res.json())
    const id = res.json().job_id as string
    expect(id).toMatch(/^[0-9a-f-]{36}$/)

    const job = await finished(id)
    expectUnionJob(job)
    expect(job).toMatchObject({
      type: 'INFERENCE',
      job_id: id,
      state: { status: 'COMPLETED', num_predictions: 1, num_errors: 0 },
    })
    expect(job.request).toMatchObject({ text: [text], urls: [], files: [], callback_url: null, notify: false })
    const s = job.state
    expect(s.started_timestamp_ms).toBeGreaterThanOrEqual(s.created_timestamp_ms)
    expect(s.ended_timestamp_ms).toBeGreaterThanOrEqual(s.started_timestamp_ms)

    const preds = await get(`/v0/batch/jobs/${id}/predictions`)
    expect(preds.statusCode).toBe(200)
    const body = preds.json()
    expectPredictions(body)
    expect(body).toHaveLength(1)
    expect(body[0].source).toEqual({ type: 'text' })
    expect(body[0].results.errors).toEqual([])
    const [p] = body[0].results.predictions
    expect(p).toMatchObject({ file: 'text', file_type: 'text' })
    const lang = p.models.language
    expect(lang.metadata).toBeNull()
    expect(lang.grouped_predictions).toHaveLength(1)
    expect(lang.grouped_predictions[0].id).toBe('unknown')
    const sentences = lang.grouped_predictions[0].predictions
    expect(sentences.map((x: { text: string }) => x.text)).toEqual([
      'Thank you so much, Barack Obama!',
      'I love Paris.',
    ])
    for (const x of sentences) {
      expect(text.slice(x.position.begin, x.position.end)).toBe(x.text)
      expect(Object.keys(x).sort()).toEqual([
        'confidence',
        'emotions',
        'position',
        'sentiment',
        'speaker_confidence',
        'text',
        'time',
        'toxicity',
      ])
      expect(x.emotions.length).toBe(23)
      for (const e of x.emotions) expect(Object.keys(e).sort()).toEqual(['name', 'score'])
    }
    const gratitude = sentences[0].emotions.find((e: { name: string }) => e.name === 'Gratitude').score
    expect(gratitude).toBeGreaterThan(0.5)
    const ents = p.models.ner.grouped_predictions[0].predictions
    const obama = ents.find((e: { entity: string }) => e.entity === 'Barack Obama')
    expect(obama).toMatchObject({ link_word: 'Barack Obama', entity_confidence: 1, support: 1, uri: '' })
    for (const e of ents) {
      expect(Object.keys(e).sort()).toEqual([
        'confidence',
        'emotions',
        'entity',
        'entity_confidence',
        'link_word',
        'position',
        'speaker_confidence',
        'support',
        'time',
        'uri',
      ])
      expect(e.emotions.map((x: { name: string }) => x.name)).toEqual(
        sentences[0].emotions.map((x: { name: string }) => x.name),
      )
    }
    expect(text.slice(obama.position.begin, obama.position.end)).toBe('Barack Obama')
    expect(ents.some((e: { entity: string }) => e.entity === 'Paris')).toBe(true)
  })

  it("defaults to all of our models with Hume's defaults (text: language at word granularity, ner)", async () => {
    const id = (await post({ text: ['Hello there, friend.'] })).json().job_id
    const job = await finished(id)
    expect(job.request.models).toEqual({
      face: { fps_pred: 3, prob_threshold: 0.99, identify_faces: false, min_face_size: 60, save_faces: false },
      prosody: { granularity: 'utterance', identify_speakers: false, window: null },
      language: { granularity: 'word', identify_speakers: false, sentiment: null, toxicity: null },
      ner: { identify_speakers: false },
    })
    expect(job.request.transcription).toEqual({ language: null, identify_speakers: false, confidence_threshold: 0.5 })
    const [p] = (await get(`/v0/batch/jobs/${id}/predictions`)).json()[0].results.predictions
    expect(p.models.language.grouped_predictions[0].predictions.map((w: { text: string }) => w.text)).toEqual([
      'Hello',
      'there',
      'friend',
    ])
    expect(p.models.ner.grouped_predictions).toEqual([])
  })

  it('lists jobs with status, time and sort filters', async () => {
    const before = Date.now() - 1
    const ids: string[] = []
    for (const text of ['one', 'two', 'three']) ids.push((await post({ text: [text] })).json().job_id)
    for (const id of ids) await finished(id)
    const list = await get('/v0/batch/jobs?limit=100')
    expect(list.statusCode).toBe(200)
    expectJobList(list.json())
    const all = list.json() as { job_id: string; state: { created_timestamp_ms: number } }[]
    const created = all.map((j) => j.state.created_timestamp_ms)
    expect(created).toEqual([...created].sort((a, b) => b - a))
    expect(all.slice(0, 3).map((j) => j.job_id)).toEqual([...ids].reverse())

    const asc = (await get('/v0/batch/jobs?limit=100&direction=asc&sort_by=ended')).json() as {
      state: { ended_timestamp_ms: number }
    }[]
    const ended = asc.map((j) => j.state.ended_timestamp_ms)
    expect(ended).toEqual([...ended].sort((a, b) => a - b))
    expect((await get('/v0/batch/jobs?limit=2')).json()).toHaveLength(2)
    const after = (await get(`/v0/batch/jobs?when=created_after&timestamp_ms=${before}`)).json() as { job_id: string }[]
    expect(after.map((j) => j.job_id).sort()).toEqual([...ids].sort())
    const older = (await get(`/v0/batch/jobs?when=created_before&timestamp_ms=${before}`)).json() as {
      job_id: string
    }[]
    expect(older.some((j) => ids.includes(j.job_id))).toBe(false)
    expect((await get('/v0/batch/jobs?status=QUEUED&status=IN_PROGRESS')).json()).toEqual([])
    const completed = (await get('/v0/batch/jobs?status=COMPLETED&limit=1000')).json() as {
      state: { status: string }
    }[]
    expect(completed.length).toBeGreaterThanOrEqual(3)
    expect(completed.every((j) => j.state.status === 'COMPLETED')).toBe(true)
    expect((await get('/v0/batch/jobs', 'bob')).json()).toEqual([])
  })

  it('answers bad requests with clear 4xx', async () => {
    const nothing = await post({})
    expect(nothing.statusCode).toBe(400)
    expect(nothing.json().message).toMatch(/at least one input/)
    expect((await post({ text: 'not a list' })).statusCode).toBe(400)
    expect((await post({ text: ['x'], models: { language: { granularity: 'paragraph' } } })).statusCode).toBe(400)
    const typo = await post({ text: ['x'], models: { facs: {} } })
    expect(typo.statusCode).toBe(400)
    expect(typo.json().message).toMatch(/facs|additional/)
    expect((await post({ text: ['x'], models: { face: { fps_pred: 1000 } } })).statusCode).toBe(400)
    expect((await post({ text: ['x'], models: { prosody: { window: { length: 0.1 } } } })).statusCode).toBe(400)
    const cb = await post({ text: ['x'], callback_url: 'ftp://example.com/hook' })
    expect(cb.statusCode).toBe(400)
    expect(cb.json().message).toMatch(/callback_url/)
    expect((await get('/v0/batch/jobs?status=DONE')).statusCode).toBe(400)
    expect((await get('/v0/batch/jobs?sort_by=name')).statusCode).toBe(400)
    expect((await get('/v0/batch/jobs?limit=0')).statusCode).toBe(400)
    expect((await get('/v0/batch/jobs/00000000-0000-0000-0000-000000000000')).statusCode).toBe(404)
    const id = (await post({ text: ['mine'] })).json().job_id
    expect((await get(`/v0/batch/jobs/${id}`, 'bob')).statusCode).toBe(404)
    expect((await get(`/v0/batch/jobs/${id}/predictions`, 'bob')).statusCode).toBe(404)
    expect((await t.app.inject({ method: 'GET', url: `/v0/batch/jobs/${id}` })).statusCode).toBe(401)
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v0/batch/jobs',
      payload: '{"text": [',
      headers: { ...t.auth(), 'content-type': 'application/json' },
    })
    expect(bad.statusCode).toBe(400)
  })

  it('refuses predictions and artifacts until the job is COMPLETED, then serves a zip', async () => {
    const id = (await post({ text: ['I am thrilled!', 'This is awful.'] })).json().job_id
    const early = await get(`/v0/batch/jobs/${id}/predictions`)
    if (early.statusCode !== 200) {
      expect(early.statusCode).toBe(400)
      expect(early.json().message).toMatch(/COMPLETED/)
    }
    await finished(id)
    const res = await get(`/v0/batch/jobs/${id}/artifacts`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/zip')
    const files = unzipSync(new Uint8Array(res.rawPayload))
    expect(Object.keys(files).sort()).toEqual(['000-text/text.json', '001-text/text.json'])
    const first = JSON.parse(strFromU8(files['000-text/text.json']!))
    expect(first.file).toBe('text')
    expect(first.models.language.grouped_predictions[0].predictions[0].text).toBe('I')
  })
})
