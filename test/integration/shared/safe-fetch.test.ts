import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { safeFetch, SafeFetchError } from '../../../src/shared/net/safe-fetch.js'

describe('safeFetch against a local server', () => {
  let server: http.Server
  let base: string
  let port: number
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const path = req.url ?? '/'
      if (path === '/ok') return res.end('hello')
      if (path === '/redirect-loopback') return res.writeHead(302, { location: `http://127.0.0.2:${port}/ok` }).end()
      if (path === '/redirect-ipv6') return res.writeHead(302, { location: `http://[::1]:${port}/ok` }).end()
      if (path === '/redirect-compat') {
        return res.writeHead(302, { location: `http://[::127.0.0.1]:${port}/ok` }).end()
      }
      if (path === '/redirect-file') return res.writeHead(302, { location: 'file:///etc/passwd' }).end()
      if (path === '/redirect-ok') return res.writeHead(301, { location: '/ok' }).end()
      if (path === '/loop') return res.writeHead(302, { location: '/loop' }).end()
      if (path === '/big-declared') return res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000))
      if (path === '/big-chunked') {
        res.writeHead(200)
        for (let i = 0; i < 10; i++) res.write('y'.repeat(1000))
        return res.end()
      }
      if (path === '/hang') return // never answers
      if (path === '/echo' && req.method === 'POST') {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => res.end(Buffer.concat(chunks)))
        return
      }
      res.writeHead(404).end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
    base = `http://127.0.0.1:${port}`
  })
  afterAll(() => {
    server.closeAllConnections()
    server.close()
  })

  const reason = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(SafeFetchError)
    return (err as SafeFetchError).reason
  }
  const allow = ['127.0.0.1']

  it('refuses loopback by IP and by name without an allow-list entry', async () => {
    expect(await reason(safeFetch(`${base}/ok`))).toBe('forbidden_address')
    expect(await reason(safeFetch(`http://localhost:${port}/ok`))).toBe('forbidden_address')
    expect(await reason(safeFetch('http://169.254.169.254/latest/meta-data/'))).toBe('forbidden_address')
    expect(await reason(safeFetch('http://[::ffff:127.0.0.1]/'))).toBe('forbidden_address')
  })

  // Address checks themselves are unit-tested in address-policy.test.ts; these show
  // the URL layer hands IPv6 literals and odd IPv4 spellings to them intact.
  it.each([
    '[::127.0.0.1]',
    '[::7f00:1]',
    '[0:0:0:0:0:0:127.0.0.1]',
    '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]',
    '[0:0:0:0:0:ffff:7f00:1]',
    '[::ffff:0:7f00:1]',
    '[::ffff:0:127.0.0.1]',
    '[64:ff9b::7f00:1]',
    '[2002:7f00:1::1]',
    '[2001::7f00:1]',
    '[fec0::1]',
    '[5f00::1]',
    '0x7f.1',
    '2130706433',
    '0177.0.0.1',
    '127.1',
  ])('refuses http://%s:PORT/ as a forbidden address', async (host) => {
    expect(await reason(safeFetch(`http://${host}:${port}/ok`))).toBe('forbidden_address')
  })

  it('does not let an allow-listed IPv4 address through its other IPv6 embeddings', async () => {
    for (const host of ['[::127.0.0.1]', '[::ffff:0:7f00:1]', '[64:ff9b::7f00:1]', '[2002:7f00:1::1]']) {
      expect(await reason(safeFetch(`http://${host}:${port}/ok`, { allowList: allow })), host).toBe('forbidden_address')
    }
    expect(await reason(safeFetch(`${base}/redirect-compat`, { allowList: allow }))).toBe('forbidden_address')
  })

  it('fetches when the allow-list permits the address', async () => {
    const res = await safeFetch(`${base}/ok`, { allowList: allow })
    expect(res.status).toBe(200)
    expect(res.body.toString()).toBe('hello')
  })

  it('re-checks every redirect hop', async () => {
    const ok = await safeFetch(`${base}/redirect-ok`, { allowList: allow })
    expect(ok.body.toString()).toBe('hello')
    expect(ok.url).toBe(`${base}/ok`)
    expect(await reason(safeFetch(`${base}/redirect-loopback`, { allowList: allow }))).toBe('forbidden_address')
    expect(await reason(safeFetch(`${base}/redirect-ipv6`, { allowList: allow }))).toBe('forbidden_address')
    expect(await reason(safeFetch(`${base}/redirect-file`, { allowList: allow }))).toBe('scheme')
    expect(await reason(safeFetch(`${base}/loop`, { allowList: allow, maxRedirects: 3 }))).toBe('too_many_redirects')
  })

  it('caps the body size, declared or streamed', async () => {
    expect(await reason(safeFetch(`${base}/big-declared`, { allowList: allow, maxBytes: 1000 }))).toBe('too_large')
    expect(await reason(safeFetch(`${base}/big-chunked`, { allowList: allow, maxBytes: 1000 }))).toBe('too_large')
  })

  it('gives up on a server that never answers', async () => {
    expect(await reason(safeFetch(`${base}/hang`, { allowList: allow, timeoutMs: 300 }))).toBe('timeout')
  })

  it('refuses other schemes, bad URLs and embedded credentials', async () => {
    expect(await reason(safeFetch('ftp://example.com/x'))).toBe('scheme')
    expect(await reason(safeFetch('file:///etc/passwd'))).toBe('scheme')
    expect(await reason(safeFetch('not a url'))).toBe('invalid_url')
    expect(await reason(safeFetch('http://user:pw@example.com/'))).toBe('invalid_url')
  })

  it('posts a body', async () => {
    const res = await safeFetch(`${base}/echo`, { allowList: allow, method: 'POST', body: '{"a":1}' })
    expect(res.body.toString()).toBe('{"a":1}')
  })
})
