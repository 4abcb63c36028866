import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AllowList, isPrivateAddress } from './address-policy.js'
import { safeFetch, SafeFetchError } from './safe-fetch.js'

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '::1',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.100.100.200',
    '192.0.0.192',
    'fd00:ec2::254',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    'not-an-ip',
  ])('refuses %s', (ip) => expect(isPrivateAddress(ip)).toBe(true))

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('accepts %s', (ip) =>
    expect(isPrivateAddress(ip)).toBe(false),
  )

  it('allow-lists hosts, single IPs and CIDRs', () => {
    const allow = new AllowList(['minio.internal', '10.0.0.0/8', '::1', '192.168.1.7'])
    expect(allow.allowsHost('MINIO.internal')).toBe(true)
    expect(allow.allowsAddress('10.9.9.9')).toBe(true)
    expect(allow.allowsAddress('::1')).toBe(true)
    expect(allow.allowsAddress('192.168.1.7')).toBe(true)
    expect(allow.allowsAddress('192.168.1.8')).toBe(false)
    expect(allow.allowsAddress('::ffff:10.1.1.1')).toBe(true)
  })
})

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
