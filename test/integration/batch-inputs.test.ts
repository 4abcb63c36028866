import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import { strToU8, zipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../helpers/app.js'
import { dialects } from '../helpers/dialects.js'
import { queueJobs } from '../helpers/engines.js'
import { expectPredictions } from '../helpers/expression-wire.js'
import { waitForJob } from '../helpers/jobs.js'

const FIXTURES = resolve(import.meta.dirname, '../fixtures/expression-archives')
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')

/** A zip whose single entry is named `name` exactly (fflate would refuse nothing, which is the point). */
function zipNamed(name: string, body: string): Buffer {
  const placeholder = 'x'.repeat(name.length)
  const buf = Buffer.from(zipSync({ [placeholder]: strToU8(body) }))
  for (let at = buf.indexOf(placeholder); at >= 0; at = buf.indexOf(placeholder, at + 1)) buf.write(name, at, 'latin1')
  return buf
}

async function multipart(json: unknown, files: { name: string; data: Buffer; type?: string }[]) {
  const fd = new FormData()
  if (json !== undefined) fd.append('json', JSON.stringify(json))
  for (const f of files)
    fd.append('file', new Blob([new Uint8Array(f.data)], { type: f.type ?? 'application/octet-stream' }), f.name)
  const req = new Request('http://local/', { method: 'POST', body: fd })
  return { payload: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! }
}

describe.each(dialects())('batch inputs on %s', (dialect) => {
  let t: TestApp
  let guarded: TestApp
  let server: http.Server
  let origin: string
  const callbacks: {
    url: string
    headers: http.IncomingHttpHeaders
    bytes: number
    body: { job_id: string; status: string; predictions?: unknown[] }
  }[] = []
  let flaky = 0

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.method === 'POST') {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => {
          // /flaky fails twice before accepting: the worker must retry with backoff.
          if (req.url === '/flaky' && flaky++ < 2) return res.writeHead(500).end()
          const raw = Buffer.concat(chunks)
          callbacks.push({
            url: req.url ?? '',
            headers: req.headers,
            bytes: raw.length,
            body: JSON.parse(raw.toString()),
          })
          res.end('ok')
        })
        return
      }
      if (req.url === '/hello.txt') return res.end('Hello, I am delighted to meet you.')
      if (req.url === '/bomb.tar.xz') return res.end(readFileSync(resolve(FIXTURES, 'bomb.tar.xz')))
      if (req.url === '/good.tar.bz2') return res.end(readFileSync(resolve(FIXTURES, 'good.tar.bz2')))
      if (req.url === '/redirect-to-metadata')
        return res.writeHead(302, { location: 'http://169.254.169.254/latest' }).end()
      if (req.url === '/missing') return res.writeHead(404).end()
      if (req.url === '/cut-off') {
        // Promises 1,000 bytes, sends 10, then drops the connection.
        res.writeHead(200, { 'content-length': '1000' })
        res.write('0123456789')
        return setTimeout(() => res.destroy(), 20)
      }
      res.writeHead(404).end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const limits = {
      uploadFileBytes: 256 * 1024,
      archiveEntries: 20,
      archiveEntryBytes: 1024 * 1024,
      archiveTotalBytes: 2 * 1024 * 1024,
    }
    const opts = { domains: ['expression' as const], runtime: { worker: { pollMs: 20, backoffMs: 20 } }, workers: true }
    t = await createTestApp(dialect, { ...opts, config: { fetchAllowList: ['127.0.0.1'], limits } })
    guarded = await createTestApp(dialect, { ...opts, config: { limits } })
  })
  afterAll(async () => {
    server.close()
    await t.close()
    await guarded.close()
  })

  async function run(app: TestApp, req: { payload: Buffer | object; contentType?: string }) {
    const res = await app.app.inject({
      method: 'POST',
      url: '/v0/batch/jobs',
      payload: req.payload,
      headers: { ...app.auth(), ...(req.contentType ? { 'content-type': req.contentType } : {}) },
    })
    expect(res.statusCode, res.body).toBe(200)
    const job = await waitForJob(app.app, res.json().job_id as string, app.auth())
    const preds = await app.app.inject({
      method: 'GET',
      url: `/v0/batch/jobs/${job.job_id}/predictions`,
      headers: app.auth(),
    })
    expectPredictions(preds.json())
    return {
      job,
      preds: preds.json() as {
        source: { type: string }
        results: { predictions: { file: string }[]; errors: { file: string; message: string }[] }
      }[],
    }
  }

  it('uploads: text, archives of every kind, and per-file errors for what cannot be processed', async () => {
    const tar = readFileSync(resolve(FIXTURES, 'good.tar.xz'))
    const body = await multipart({ models: { language: { granularity: 'conversational_turn' } } }, [
      { name: 'note.txt', data: Buffer.from('I am so proud of you!'), type: 'text/plain' },
      { name: 'bundle.tar.xz', data: tar },
      { name: 'bundle.tar.gz', data: gzipSync(Buffer.from(zipSync({}))) }, // gzip of a non-tar
      { name: 'photo.png', data: PNG, type: 'image/png' },
      { name: 'blob.bin', data: Buffer.from([0, 1, 2, 3, 0, 255]) },
      {
        name: 'nested.zip',
        data: Buffer.from(zipSync({ 'inner.zip': zipSync({ 'x.txt': strToU8('x') }), 'ok.txt': strToU8('fine') })),
      },
    ])
    const { job, preds } = await run(t, body)
    expect(job.state).toMatchObject({ status: 'COMPLETED', num_predictions: 4, num_errors: 4 })
    expect(preds.map((p) => p.results.predictions.map((x) => x.file))).toEqual([
      ['note.txt'],
      ['a.txt', 'dir/b.txt'],
      [],
      [],
      [],
      ['ok.txt'],
    ])
    expect(preds[2]!.results.errors[0]!.message).toMatch(/archive refused: not a readable gzip tar/)
    expect(preds[3]!.results.errors[0]!.message).toMatch(
      /none of the requested models \(language\) applies to an image: face does/,
    )
    expect(preds[4]!.results.errors[0]!.message).toMatch(/unsupported file type/)
    expect(preds[5]!.results.errors).toEqual([{ file: 'inner.zip', message: 'nested archives are not extracted' }])
  })

  it('hostile archives become clear source errors, not failed jobs', async () => {
    const symlinkTar = Buffer.alloc(1024 + 512)
    // A minimal ustar header for a symlink "evil" -> /etc/passwd.
    symlinkTar.write('evil', 0)
    symlinkTar.write('0000777\0', 100)
    symlinkTar.write('00000000000\0', 124)
    symlinkTar.write('00000000000\0', 136)
    symlinkTar.write('2', 156)
    symlinkTar.write('/etc/passwd', 157)
    symlinkTar.write('ustar\0' + '00', 257)
    symlinkTar.write('        ', 148)
    let sum = 0
    for (let i = 0; i < 512; i++) sum += symlinkTar[i]!
    symlinkTar.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    const body = await multipart(undefined, [
      { name: 'traversal.zip', data: zipNamed('../../etc/cron.d/x', 'pwned') },
      { name: 'link.tar', data: symlinkTar },
      { name: 'bomb.tar.bz2', data: readFileSync(resolve(FIXTURES, 'bomb.tar.bz2')) },
    ])
    const { job, preds } = await run(t, body)
    expect(job.state).toMatchObject({ status: 'COMPLETED', num_predictions: 0, num_errors: 3 })
    expect(preds[0]!.results.errors[0]!.message).toMatch(
      /archive entry name refused \(invalid relative path: ..\/..\/etc/,
    )
    expect(preds[1]!.results.errors[0]!.message).toMatch(/symbolic link/)
    expect(preds[2]!.results.errors[0]!.message).toMatch(/decompression bomb/)
  })

  it('urls: fetched through the allow-list, archives expanded, bad sources reported', async () => {
    const { job, preds } = await run(t, {
      payload: {
        urls: [
          `${origin}/hello.txt`,
          `${origin}/good.tar.bz2`,
          `${origin}/bomb.tar.xz`,
          `${origin}/missing`,
          `${origin}/redirect-to-metadata`,
          'ftp://example.com/a.txt',
          `${origin}/cut-off`,
        ],
      },
    })
    expect(job.state).toMatchObject({ status: 'COMPLETED', num_predictions: 3 })
    expect(preds.map((p) => p.results.predictions.map((x) => x.file))).toEqual([
      ['hello.txt'],
      ['a.txt', 'dir/b.txt'],
      [],
      [],
      [],
      [],
      [],
    ])
    // A body cut short is that URL's error; the job and its other sources go on.
    expect(preds[6]!.results.errors[0]!.message).toMatch(/^downloading the URL failed: /)
    // The tar header declares 50 MB: refused before a byte is inflated.
    expect(preds[2]!.results.errors[0]!.message).toMatch(/archive refused: archive entry zeros.txt is 50000000 bytes/)
    expect(preds[3]!.results.errors[0]!.message).toMatch(/HTTP status 404/)
    expect(preds[4]!.results.errors[0]!.message).toMatch(/URL refused: 169\.254\.169\.254 is a non-public address/)
    expect(preds[5]!.results.errors[0]!.message).toMatch(/only http and https/)
  })

  it('SSRF: without an allow-list entry, loopback, private and metadata targets are refused', async () => {
    const port = new URL(origin).port
    const targets = [
      `${origin}/hello.txt`,
      `http://localhost:${port}/hello.txt`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/x',
      'http://[::1]/x',
      'http://0.0.0.0/x',
      // IPv6 spellings that embed a private IPv4 address, and other special-purpose ranges.
      `http://[::127.0.0.1]:${port}/hello.txt`,
      `http://[::ffff:7f00:1]:${port}/hello.txt`,
      'http://[2002:7f00:1::]/x',
      'http://[fec0::1]/x',
      'http://[5f00::1]/x',
    ]
    const { job, preds } = await run(guarded, { payload: { urls: targets } })
    expect(job.state).toMatchObject({ status: 'COMPLETED', num_predictions: 0, num_errors: targets.length })
    for (const p of preds) expect(p.results.errors[0]!.message).toMatch(/^URL refused: .*non-public address/)
  })

  it('caps upload size with a 413', async () => {
    const body = await multipart({}, [{ name: 'big.txt', data: Buffer.alloc(300 * 1024, 'a') }])
    const res = await t.app.inject({
      method: 'POST',
      url: '/v0/batch/jobs',
      payload: body.payload,
      headers: { ...t.auth(), 'content-type': body.contentType },
    })
    expect(res.statusCode).toBe(413)
    const badJson = await multipart(undefined, [])
    const fd = await multipart({ text: 5 }, [{ name: 'a.txt', data: Buffer.from('hi') }])
    const invalid = await t.app.inject({
      method: 'POST',
      url: '/v0/batch/jobs',
      payload: fd.payload,
      headers: { ...t.auth(), 'content-type': fd.contentType },
    })
    expect(invalid.statusCode).toBe(400)
    expect(invalid.json().message).toMatch(/json/)
    const empty = await t.app.inject({
      method: 'POST',
      url: '/v0/batch/jobs',
      payload: badJson.payload,
      headers: { ...t.auth(), 'content-type': badJson.contentType },
    })
    expect(empty.statusCode).toBe(400)
  })

  it('callback_url: POSTs the outcome, retrying with backoff; a refused callback never blocks the job', async () => {
    const { job } = await run(t, { payload: { text: ['Thanks a lot!'], callback_url: `${origin}/flaky` } })
    expect(job.state.status).toBe('COMPLETED')
    while (!callbacks.some((c) => c.body.job_id === job.job_id)) await new Promise((r) => setTimeout(r, 10))
    const got = callbacks.find((c) => c.body.job_id === job.job_id)!
    expect(flaky).toBeGreaterThanOrEqual(3)
    expect(got.url).toBe('/flaky')
    // A Content-Length body, not a chunked one: some receivers read only the former.
    expect(got.headers['transfer-encoding']).toBeUndefined()
    expect(Number(got.headers['content-length'])).toBe(got.bytes)
    expect(got.body.status).toBe('COMPLETED')
    expectPredictions(got.body.predictions)

    // A literal private address is refused at submission: no delivery could ever reach it.
    const literal = await guarded.app.inject({
      method: 'POST',
      url: '/v0/batch/jobs',
      payload: { text: ['hi'], callback_url: `${origin}/hook` },
      headers: guarded.auth(),
    })
    expect(literal.statusCode).toBe(400)
    expect(literal.json().message).toMatch(/callback_url refused: 127\.0\.0\.1 is a non-public address/)
    // A name that resolves to one is refused when delivered: once, not retried, and the job is unaffected.
    const port = new URL(origin).port
    const refused = await run(guarded, { payload: { text: ['hi'], callback_url: `http://localhost:${port}/hook` } })
    expect(refused.job.state.status).toBe('COMPLETED')
    const callbackJob = async () =>
      (await queueJobs(guarded, 'expression.callback')).find((j) => j.key === `callback:${refused.job.job_id}`)
    while ((await callbackJob())?.state !== 'done') await new Promise((r) => setTimeout(r, 10))
    expect(await callbackJob()).toMatchObject({ attempts: 1 })
    expect(callbacks.some((c) => c.body.job_id === refused.job.job_id)).toBe(false)
  })
})
