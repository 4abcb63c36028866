import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { ProsodiaClient } from '../../src/client/index.js'
import { NodeWebSocket } from '../helpers/client.js'

// A hostile server: its messages must surface as `error` events, never as exceptions thrown from the
// socket's listener (which would end the user's process).
let server: WebSocketServer
let baseUrl: string

beforeAll(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise((resolve) => server.once('listening', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  server.on('connection', (socket) => {
    socket.send('{"type":"audio","a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}')
    socket.send('not json')
    socket.send('{"type":"timestamp","generation_id":"g"}')
  })
})
afterAll(() => new Promise((resolve) => server.close(resolve)))

it('a deeply nested or non-JSON message becomes an error event; later messages still arrive', async () => {
  const client = new ProsodiaClient({ apiKey: 'k', baseUrl, WebSocket: NodeWebSocket })
  const socket = await client.tts.streamInput.connect({})
  const errors: string[] = []
  const messages: unknown[] = []
  socket.on('error', (e) => errors.push(e.message))
  socket.on('message', (m) => messages.push(m))
  await socket.waitForOpen()
  await expect.poll(() => messages.length).toBe(1)
  expect(messages[0]).toEqual({ type: 'timestamp', generationId: 'g' })
  expect(errors).toHaveLength(2)
  expect(errors[0]).toContain('nested more than')
  socket.close()
  await socket.closed()
})
