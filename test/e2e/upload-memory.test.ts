// Uploads stream to the blob store: three 99 MB files in one request grow the server's memory by
// far less than their size (the finding: 0.9–2.9 GB, with the bytes stored base64 in the
// database), and none of their bytes land in the database.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { request } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type ServerProcess } from '../helpers/server.js'

const MB = 1024 * 1024
const FILE_BYTES = 99 * MB

describe('three 99 MB uploads', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prosodia-upload-'))
  let server: ServerProcess
  beforeAll(async () => {
    server = await startServer({ PROSODIA_DATA_DIR: dataDir, PROSODIA_API_KEY: 'upload-key', LOG_LEVEL: 'warn' })
  })
  afterAll(async () => {
    await server.stop('SIGKILL')
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  /** Streams a multipart body of `count` files of random bytes, generated as it is sent. */
  function upload(count: number): Promise<{ status: number; body: string }> {
    const boundary = 'prosodia-upload-test'
    const url = new URL(server.url)
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/v0/batch/jobs',
          method: 'POST',
          headers: { 'x-hume-api-key': 'upload-key', 'content-type': `multipart/form-data; boundary=${boundary}` },
        },
        (res) => {
          let body = ''
          res.on('data', (c: Buffer) => (body += c))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        },
      )
      req.on('error', reject)
      const chunk = randomBytes(MB)
      void (async () => {
        const write = (b: Buffer | string) =>
          req.write(b) ? Promise.resolve() : new Promise<void>((r) => req.once('drain', () => r()))
        await write(`--${boundary}\r\nContent-Disposition: form-data; name="json"\r\n\r\n{}\r\n`)
        for (let f = 0; f < count; f++) {
          await write(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big-${f}.bin"\r\n` +
              'Content-Type: application/octet-stream\r\n\r\n',
          )
          for (let sent = 0; sent < FILE_BYTES; sent += MB) await write(chunk)
          await write('\r\n')
        }
        req.end(`--${boundary}--\r\n`)
      })()
    })
  }

  it('grow the server by under 400 MB and store their bytes as blobs, not in the database', async () => {
    // Warm up first: the first request loads code the upload should not be blamed for.
    expect((await fetch(`${server.url}/v0/batch/jobs`, { headers: { 'x-hume-api-key': 'upload-key' } })).status).toBe(
      200,
    )
    const before = server.memory().current
    const res = await upload(3)
    expect(res.status, res.body).toBe(200)
    const growth = server.memory().peak - before
    expect(growth, `peak RSS grew by ${(growth / MB).toFixed(0)} MB`).toBeLessThan(400 * MB)
    const db = fs.statSync(path.join(dataDir, 'prosodia.db')).size
    const wal = fs.existsSync(path.join(dataDir, 'prosodia.db-wal'))
      ? fs.statSync(path.join(dataDir, 'prosodia.db-wal')).size
      : 0
    expect(db + wal, `the database files hold ${db + wal} bytes`).toBeLessThan(20 * MB)
  })
})
