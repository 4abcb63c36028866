// `api_key` / `access_token` in the query authenticate WebSocket handshakes on socket routes
// only; on any other request (even one carrying an Upgrade header) they are ignored. And the
// key never reaches the log, however the parameter name is spelled.
import { request } from 'node:http'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'

describe('credentials in the query string', () => {
  let t: TestApp
  let base: URL
  const logs: string[] = []
  beforeAll(async () => {
    const logStream = new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk))
        cb()
      },
    })
    t = await createTestApp('sqlite', { domains: ['evi', 'tts'], runtime: { engine: { name: 'fake' } }, logStream })
    base = new URL(await listen(t.app))
  })
  afterAll(() => t.close())

  const raw = (path: string, headers: Record<string, string> = {}) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: base.hostname, port: base.port, path, headers })
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('upgrade', (res, socket) => {
        socket.destroy()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })

  const handshake = (query: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://${base.host}/v0/tts/stream/input?${query}`)
      ws.on('open', () => {
        ws.close()
        resolve(101)
      })
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
      ws.on('error', () => {})
    })

  it('authenticate a handshake on a socket route, spelled plainly or percent-encoded', async () => {
    expect(await handshake(`api_key=${t.alice.api_key}`)).toBe(101)
    expect(await handshake(`api%5Fkey=${t.alice.api_key}&unknown=1`)).toBe(101)
    expect(await handshake('api_key=wrong')).toBe(401)
  })

  it('do not authenticate ordinary requests, even with an Upgrade header', async () => {
    const key = t.alice.api_key
    expect(await raw(`/v0/evi/prompts?api_key=${key}`)).toBe(401)
    // An Upgrade header without `Connection: upgrade` is an ordinary request to Node: no handshake.
    expect(await raw(`/v0/evi/prompts?api_key=${key}`, { upgrade: 'websocket' })).toBe(401)
    expect(await raw(`/v0/tts/stream/input?api_key=${key}`, { upgrade: 'websocket' })).toBe(401)
    const injected = await t.app.inject({
      method: 'GET',
      url: `/v0/evi/prompts?api_key=${key}&access_token=x`,
      headers: { connection: 'Upgrade', upgrade: 'websocket' },
    })
    expect(injected.statusCode).toBe(401)
    expect(await raw('/v0/evi/prompts', { 'x-hume-api-key': key })).toBe(200)
  })

  it('never reach the log', async () => {
    const secret = t.bob.api_key
    await handshake(`api%5Fkey=${secret}`)
    await handshake(`access_token=${secret}`)
    await raw(`/v0/evi/prompts?API_KEY=${secret}`)
    // Near misses are refused, and never logged either.
    await raw(`/v0/evi/prompts?api_key[]=${secret}&api+key=${secret}&apiKey=${secret}`)
    const text = logs.join('')
    expect(text).toContain('/v0/tts/stream/input')
    expect(text).not.toContain(secret)
    expect(text).toMatch(/api_key=%5Bredacted%5D|api_key=\[redacted\]/)
  })
})
