// Batch inputs are bounded and stored as blobs: uploads stream to the blob store (the database
// keeps a reference), per-file, per-request and file-count caps answer 413 and keep nothing,
// malformed or too deeply nested bodies answer 400, and text is analysed within per-file and
// per-job budgets, anything beyond becoming an error entry of its file.
import { createHash } from 'node:crypto'
import { request } from 'node:http'
import net from 'node:net'
import { buffer } from 'node:stream/consumers'
import { strToU8, unzipSync, zipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import { blobKeys } from '../helpers/engines.js'
import { waitForJob } from '../helpers/jobs.js'

interface Part {
  name: string
  data: Buffer
  type?: string
}

async function multipart(json: unknown, files: Part[], jsonType?: string) {
  const fd = new FormData()
  // A string is sent as it is (JSON text the test built by hand); anything else is serialised.
  const text = typeof json === 'string' ? json : JSON.stringify(json)
  if (json !== undefined) fd.append('json', jsonType ? new Blob([text], { type: jsonType }) : text)
  for (const f of files) fd.append('file', new Blob([new Uint8Array(f.data)], { type: f.type ?? 'text/plain' }), f.name)
  const req = new Request('http://local/', { method: 'POST', body: fd })
  return { payload: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! }
}

/** JSON text nested `n` objects deep (built as text: JSON.stringify itself overflows the stack on such values). */
const deepJson = (n: number) => '{"x":'.repeat(n) + '1' + '}'.repeat(n)

describe.each(dialects())('batch limits and blob storage on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp(dialect, {
      domains: ['expression'],
      config: {
        limits: {
          uploadFileBytes: 64 * 1024,
          uploadRequestBytes: 100 * 1024,
          uploadFiles: 3,
          uploadIdleMs: 300,
          batchFileChars: 200_000,
          batchJobChars: 500,
          batchPredictions: 40,
          pageBytes: 64 * 1024,
        },
      },
      runtime: { worker: { pollMs: 20 } },
      workers: true,
    })
  })
  afterAll(() => t.close())

  const postMultipart = (body: { payload: Buffer; contentType: string }) =>
    t.app.inject({
      method: 'POST',
      url: '/v0/batch/jobs',
      payload: body.payload,
      headers: { ...t.auth(), 'content-type': body.contentType },
    })
  const postJson = (payload: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v0/batch/jobs',
      payload,
      headers: { ...t.auth(), 'content-type': 'application/json' },
    })
  // The jobs holding blobs (`batch/<job id>`), whichever store is in use (local dir or S3), temp files of
  // unfinished writes included. Jobs, not keys: an earlier test's job may still be dropping its inputs.
  const batchBlobs = async () => [...new Set((await blobKeys(t, 'batch')).map((k) => k.split('/')[1]))].sort()
  const jobCount = async () =>
    Number(
      (
        await t.db.kysely
          .selectFrom('batch_jobs')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  async function predictions(id: string) {
    const job = await waitForJob(t.app, id, t.auth())
    const res = await t.app.inject({ method: 'GET', url: `/v0/batch/jobs/${id}/predictions`, headers: t.auth() })
    return {
      job,
      preds: res.json() as {
        results: { predictions: { file: string }[]; errors: { file: string; message: string }[] }
      }[],
    }
  }

  it('streams uploads into the blob store: the database holds a reference and the md5, not the bytes', async () => {
    const data = Buffer.from('I am thrilled with how this turned out. '.repeat(50))
    // Hold the job in the queue: the worker must not consume the upload before we look at it.
    const worker = t.rt
    const res = await postMultipart(await multipart({ models: { language: {} } }, [{ name: 'note.txt', data }]))
    expect(res.statusCode, res.body).toBe(200)
    const id = res.json().job_id as string
    const md5 = createHash('md5').update(data).digest('hex')
    const job = await waitForJob(t.app, id, t.auth())
    expect(job.request.files).toEqual([{ filename: 'note.txt', content_type: 'text/plain', md5sum: md5 }])
    expect(job.state.status).toBe('COMPLETED')
    // Once COMPLETED, the job keeps its documents and drops its inputs (just after the status changes).
    const left = async () => (await blobKeys(t, `batch/${id}`)).join(',')
    const want = `batch/${id}/artifacts.zip,batch/${id}/predictions.json`
    while ((await left()) !== want) await new Promise((r) => setTimeout(r, 10))
    expect(await t.db.kysely.selectFrom('batch_uploads').selectAll().execute()).toEqual([])
    expect(worker).toBeDefined()
  })

  it('keeps a file upload as a blob until its job runs', async () => {
    const { db } = t
    const files = db.kysely.selectFrom('batch_files').selectAll()
    const res = await postMultipart(await multipart({}, [{ name: 'a.txt', data: Buffer.from('hello there') }]))
    const id = res.json().job_id as string
    const rows = await files.where('job_id', '=', id).execute()
    // The worker may already have finished the job (and dropped the row): either way no bytes in the database.
    for (const r of rows) {
      expect(r).toMatchObject({ filename: 'a.txt', size: 11, blob_key: `batch/${id}/uploads/0` })
      expect(Object.keys(r)).not.toContain('data')
    }
    await waitForJob(t.app, id, t.auth())
  })

  it('answers 413 past the per-file cap, the per-request cap or the file count, keeping nothing', async () => {
    const jobsBefore = await jobCount()
    const blobsBefore = await batchBlobs()
    const file = (kb: number, name: string) => ({ name, data: Buffer.alloc(kb * 1024, 'a') })
    const perFile = await postMultipart(await multipart({}, [file(65, 'big.txt')]))
    expect(perFile.statusCode).toBe(413)
    expect(perFile.json().message).toMatch(/big\.txt exceeds the limit of 65536 bytes per file/)
    const perRequest = await postMultipart(await multipart({}, [file(60, 'a.txt'), file(60, 'b.txt')]))
    expect(perRequest.statusCode).toBe(413)
    expect(perRequest.json().message).toMatch(/limit of 102400 bytes per request/)
    const count = await postMultipart(
      await multipart(
        {},
        [1, 2, 3, 4].map((i) => file(1, `${i}.txt`)),
      ),
    )
    expect(count.statusCode).toBe(413)
    expect(await jobCount()).toBe(jobsBefore)
    expect(await batchBlobs()).toEqual(blobsBefore)
  })

  it('answers 400, not 500, for a multipart body that ends without its closing boundary', async () => {
    base ??= new URL(await listen(t.app))
    const body = await multipart({}, [{ name: 'a.txt', data: Buffer.from('some text that is cut off') }])
    for (const cut of [10, 60]) {
      const payload = body.payload.subarray(0, body.payload.length - cut)
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: base!.hostname,
            port: base!.port,
            path: '/v0/batch/jobs',
            method: 'POST',
            headers: { ...t.auth(), 'content-type': body.contentType, 'content-length': payload.length },
          },
          (r) => {
            let text = ''
            r.on('data', (c: Buffer) => (text += c))
            r.on('end', () => resolve({ status: r.statusCode ?? 0, body: text }))
          },
        )
        req.on('error', reject)
        req.end(payload)
      })
      expect(res.status).toBe(400)
      expect(JSON.parse(res.body)).toMatchObject({ code: 'bad_request' })
      expect(JSON.parse(res.body).message).toMatch(/Malformed multipart body: Part terminated early/)
    }
  })

  /** Writes `head` on a raw socket, leaves it open, and resolves with the status line the server answers. */
  let base: URL | undefined
  async function rawUpload(head: string): Promise<string> {
    base ??= new URL(await listen(t.app))
    return new Promise((resolve, reject) => {
      const s = net.connect(Number(base!.port), base!.hostname)
      let out = ''
      s.on('data', (d) => {
        out += d.toString()
        if (out.includes('\r\n\r\n')) {
          resolve(out)
          s.destroy()
        }
      })
      s.on('error', reject)
      s.write(head)
    })
  }

  it('answers 413 at once for too many fields before a file (no half-parsed body left waiting)', async () => {
    const B = 'b0undary'
    const fields = Array.from(
      { length: 11 },
      (_, i) => `--${B}\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`,
    )
    const body = `${fields.join('')}--${B}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello\r\n--${B}--\r\n`
    const blobs = await batchBlobs()
    const answer = await rawUpload(
      `POST /v0/batch/jobs HTTP/1.1\r\nHost: x\r\nX-Hume-Api-Key: ${t.alice.api_key}\r\n` +
        `Content-Type: multipart/form-data; boundary=${B}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
    expect(answer).toMatch(/^HTTP\/1\.1 413/)
    expect(answer).toMatch(/at most 10 fields/)
    expect(await batchBlobs()).toEqual(blobs)
  })

  it('refuses an upload that stops sending (PROSODIA_UPLOAD_IDLE_MS) and keeps nothing of it', async () => {
    const B = 'b0undary'
    // Declares 10,000 bytes, sends the start of a file, then nothing: the connection stays open.
    const head = `--${B}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nthe beginning of a file`
    const blobs = await batchBlobs()
    const answer = await rawUpload(
      `POST /v0/batch/jobs HTTP/1.1\r\nHost: x\r\nX-Hume-Api-Key: ${t.alice.api_key}\r\n` +
        `Content-Type: multipart/form-data; boundary=${B}\r\nContent-Length: 10000\r\n\r\n${head}`,
    )
    expect(answer).toMatch(/^HTTP\/1\.1 400/)
    expect(answer).toMatch(/no upload data for 300 ms/)
    // Neither the blob nor its temporary file remains.
    expect(await batchBlobs()).toEqual(blobs)
  })

  it('stays up after refusing one file too many while that file is still arriving', async () => {
    const B = 'b0undary'
    const file = (i: number) => `--${B}\r\nContent-Disposition: form-data; name="file"; filename="f${i}.txt"\r\n\r\n`
    // Three whole files, then the fourth's first bytes, then nothing: the fourth is refused (413)
    // while its stream is open. Its idle watchdog (300 ms) must not outlive the request.
    const body = [0, 1, 2].map((i) => `${file(i)}${'x'.repeat(1000)}\r\n`).join('') + `${file(3)}partial`
    const answer = await rawUpload(
      `POST /v0/batch/jobs HTTP/1.1\r\nHost: x\r\nX-Hume-Api-Key: ${t.alice.api_key}\r\n` +
        `Content-Type: multipart/form-data; boundary=${B}\r\nContent-Length: 50000\r\n\r\n${body}`,
    )
    expect(answer).toMatch(/^HTTP\/1\.1 413/)
    expect(answer).toMatch(/at most 3 files/)
    await new Promise((r) => setTimeout(r, 800))
    const health = await t.app.inject({ method: 'GET', url: '/healthz' })
    expect(health.statusCode).toBe(200)
  })

  it('answers 400 for JSON nested deeper than PROSODIA_JSON_MAX_DEPTH, in a body or a json part', async () => {
    const json = await postJson(`{"text":["hi"],"models":${deepJson(6000)}}`)
    expect(json.statusCode).toBe(400)
    expect(json.json().message).toMatch(/nested more than 32 levels/)
    const part = await postMultipart(
      await multipart(`{"models":${deepJson(6000)}}`, [{ name: 'a.txt', data: Buffer.from('x') }]),
    )
    expect(part.statusCode).toBe(400)
    expect(part.json().message).toMatch(/body\.json: JSON is nested more than 32 levels/)
    // A json field sent with Content-Type application/json arrives parsed by the multipart layer:
    // bounded all the same (built by hand: FormData would make it a file part).
    const boundary = 'prosodia-test-boundary'
    const typed = await postMultipart({
      contentType: `multipart/form-data; boundary=${boundary}`,
      payload: Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="json"\r\nContent-Type: application/json\r\n\r\n` +
          `{"text":["hi"],"models":${deepJson(6000)}}\r\n--${boundary}--\r\n`,
      ),
    })
    expect(typed.statusCode).toBe(400)
    expect(typed.json().message).toMatch(/nested more than 32 levels/)
  })

  it('a zip of 40 MB of words ends at once with a per-file error naming the limit', async () => {
    const bomb = Buffer.from(zipSync({ 'words.txt': strToU8('word '.repeat(8_000_000)), 'ok.txt': strToU8('Fine.') }))
    expect(bomb.length).toBeLessThan(64 * 1024)
    const res = await postMultipart(await multipart({}, [{ name: 'bomb.zip', data: bomb, type: 'application/zip' }]))
    const { job, preds } = await predictions(res.json().job_id)
    expect(job.state).toMatchObject({ status: 'COMPLETED', num_predictions: 1, num_errors: 1 })
    expect(preds[0]!.results.predictions.map((p) => p.file)).toEqual(['ok.txt'])
    expect(preds[0]!.results.errors[0]).toEqual({
      file: 'words.txt',
      message: 'text file is 40000000 bytes; at most 200000 characters are analysed per file',
    })
  })

  it("stops analysing at the job's character and prediction budgets, reporting the rest per file", async () => {
    const chars = await postJson(
      JSON.stringify({ text: ['a '.repeat(150), 'b '.repeat(150)], models: { language: { granularity: 'sentence' } } }),
    )
    const c = await predictions(chars.json().job_id)
    expect(c.job.state).toMatchObject({ num_predictions: 1, num_errors: 1 })
    expect(c.preds[1]!.results.errors[0]!.message).toBe("the job's text limit of 500 characters is used up")
    const words = await postJson(
      JSON.stringify({
        text: ['one two three four five six seven eight nine ten', 'word '.repeat(35)],
        models: { language: {} },
      }),
    )
    const w = await predictions(words.json().job_id)
    expect(w.job.state).toMatchObject({ num_predictions: 1, num_errors: 1 })
    expect(w.preds[1]!.results.errors[0]!.message).toBe("the job's limit of 40 predictions is reached")
  })

  it('refuses a list of jobs whose requests would pass PROSODIA_MAX_PAGE_BYTES, before reading it', async () => {
    // Text jobs analysing nothing (no model applies), so they finish at once.
    for (let i = 0; i < 3; i++)
      expect((await postJson(JSON.stringify({ text: ['x'.repeat(30_000)], models: {} }))).statusCode).toBe(200)
    const all = await t.app.inject({ method: 'GET', url: '/v0/batch/jobs?limit=100', headers: t.auth() })
    expect(all.statusCode).toBe(400)
    expect(all.json().message).toMatch(/limit is 65536 \(PROSODIA_MAX_PAGE_BYTES\)\. Ask for a smaller limit/)
    const one = await t.app.inject({ method: 'GET', url: '/v0/batch/jobs?limit=1', headers: t.auth() })
    expect(one.statusCode).toBe(200)
    expect(one.json()[0].request.text[0]).toHaveLength(30_000)
  })

  it('serves artifacts as a zip whose files match the predictions', async () => {
    const res = await postJson(JSON.stringify({ text: ['What a lovely day.'] }))
    const { preds } = await predictions(res.json().job_id)
    const zip = await t.app.inject({
      method: 'GET',
      url: `/v0/batch/jobs/${res.json().job_id}/artifacts`,
      headers: t.auth(),
    })
    expect(zip.headers['content-type']).toBe('application/zip')
    const files = unzipSync(new Uint8Array(zip.rawPayload))
    expect(Object.keys(files)).toEqual(['000-text/text.json'])
    expect(JSON.parse(Buffer.from(files['000-text/text.json']!).toString())).toEqual(preds[0]!.results.predictions[0])
    const stored = await t.rt.blobs.get(`batch/${res.json().job_id}/artifacts.zip`)
    expect(stored && (await buffer(stored)).equals(zip.rawPayload)).toBe(true)
  })
})
