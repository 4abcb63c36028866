/**
 * The whole app with its blobs on S3 (s3rver in-process): a batch job's upload, predictions and
 * artifacts go to the bucket, from the API and from the worker threads alike, and nothing to the
 * local blob dir.
 */
import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { strFromU8, unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../helpers/app.js'
import { dialects } from '../../helpers/dialects.js'
import { waitForJob } from '../../helpers/jobs.js'
import { startS3Server, useS3rverCredentials, type S3TestServer } from './s3-server.js'

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
}

async function multipart(json: unknown, file: { name: string; data: Buffer }) {
  const fd = new FormData()
  fd.append('json', JSON.stringify(json))
  fd.append('file', new Blob([new Uint8Array(file.data)], { type: 'text/plain' }), file.name)
  const req = new Request('http://local/', { method: 'POST', body: fd })
  return { payload: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! }
}

describe.each(dialects())('blobs on S3, the app on %s', (dialect) => {
  let s3: S3TestServer
  let t: TestApp
  let restoreCredentials = () => {}

  beforeAll(async () => {
    s3 = await startS3Server()
    // As in production, the store finds its credentials in the environment (the SDK's default
    // chain), in the main thread and in the worker threads started after this.
    restoreCredentials = useS3rverCredentials()
    t = await createTestApp(dialect, { workers: true, config: { s3: s3.config('prosodia') } })
  })
  afterAll(async () => {
    await t?.close()
    await s3?.close()
    restoreCredentials()
  })

  it('runs a batch job end to end with its upload, predictions and artifacts in the bucket', async () => {
    const data = Buffer.from('I am thrilled with how this turned out. '.repeat(20))
    const { payload, contentType } = await multipart({ models: { language: {} } }, { name: 'note.txt', data })
    const res = await t.app.inject({
      method: 'POST',
      url: '/v0/batch/jobs',
      headers: { ...t.auth(), 'content-type': contentType },
      payload,
    })
    expect(res.statusCode, res.body).toBe(200)
    const id = res.json().job_id as string
    // The upload went to the bucket (the API's put), before the job consumed it.
    expect(s3.seen.puts).toContain(`prosodia-test/prosodia/batch/${id}/uploads/0`)

    const job = await waitForJob(t.app, id, t.auth())
    expect(job.state.status).toBe('COMPLETED')
    expect(job.request.files).toEqual([
      { filename: 'note.txt', content_type: 'text/plain', md5sum: createHash('md5').update(data).digest('hex') },
    ])

    const preds = await t.app.inject({ url: `/v0/batch/jobs/${id}/predictions`, headers: t.auth() })
    expect(preds.statusCode, preds.body).toBe(200)
    const [source] = preds.json()
    expect(source.results.predictions[0].file).toBe('note.txt')
    expect(source.results.predictions[0].models.language.grouped_predictions[0].predictions.length).toBeGreaterThan(0)

    const zip = await t.app.inject({ url: `/v0/batch/jobs/${id}/artifacts`, headers: t.auth() })
    expect(zip.statusCode).toBe(200)
    const entries = unzipSync(new Uint8Array(zip.rawPayload))
    expect(Object.keys(entries).length).toBeGreaterThan(0)
    expect(
      Object.values(entries)
        .map((e) => strFromU8(e))
        .join(''),
    ).toContain('thrilled')

    // The documents, written by the worker thread, are in the bucket; the inputs are dropped once
    // the job is COMPLETED (just after the status changes).
    const jobKeys = async () => (await s3.keys()).filter((k) => k.startsWith(`prosodia/batch/${id}/`)).sort()
    const want = [`prosodia/batch/${id}/artifacts.zip`, `prosodia/batch/${id}/predictions.json`]
    for (let i = 0; i < 200 && (await jobKeys()).join() !== want.join(); i++)
      await new Promise((r) => setTimeout(r, 25))
    expect(await jobKeys()).toEqual(want)

    // Nothing on local disk: no blob dir, and no scratch copy left behind.
    expect(await files(t.config.blobDir)).toEqual([])
    expect((await files(path.join(t.config.dataDir, 'tmp'))).filter((f) => path.basename(f).startsWith('s3-'))).toEqual(
      [],
    )
  })
})
