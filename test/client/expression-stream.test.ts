/**
 * prosodia/client's expressionMeasurement.stream against the real /v0/stream/models on the harness's port
 * (not api.hume.ai): each call answered in order, camelCased, server errors as StreamError with the socket
 * left open.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProsodiaError, type ProsodiaClient } from '../../src/client/index.js'
import { StreamError, type StreamSocket } from '../../src/client/resources/expression/index.js'
import type { StreamServerMessage } from '../../src/client/types/expression.js'
import { startClientHarness, type ClientHarness } from '../helpers/client.js'
import { faceImagePath } from '../helpers/media-fixtures.js'

type Emotion = { name: string; score: number }
const top = (emotions: Emotion[]) => [...emotions].sort((a, b) => b.score - a.score)[0]!.name

describe('client.expressionMeasurement.stream', () => {
  let h: ClientHarness
  let client: ProsodiaClient
  const open: StreamSocket[] = []
  beforeAll(async () => {
    h = await startClientHarness('sqlite')
    client = h.client
  })
  afterAll(async () => {
    for (const s of open) s.close()
    await h?.close()
  })
  const connect = (...args: Parameters<ProsodiaClient['expressionMeasurement']['stream']['connect']>) => {
    const socket = client.expressionMeasurement.stream.connect(...args)
    open.push(socket)
    return socket
  }

  it('measures text with the language model, answers camelCased and paired with their payloads', async () => {
    const messages: StreamServerMessage[] = []
    let opened = 0
    const socket = connect({
      config: { language: { granularity: 'sentence' } },
      onOpen: () => opened++,
      onMessage: (m) => messages.push(m),
    })
    // Sent before the socket is open: the calls wait for it, and answers come back in order.
    const [first, second] = await Promise.all([
      socket.sendText({ text: 'I am so happy and grateful today!' }),
      socket.sendText({ text: 'This is terrible. I hate it.' }),
    ])
    expect(opened).toBe(1)
    expect(socket.readyState).toBe(1)
    expect(first.payloadId).toMatch(/\S/)
    expect(second.payloadId).not.toBe(first.payloadId)
    expect(messages.map((m) => m.payloadId)).toEqual([first.payloadId, second.payloadId])
    const happy = first.language!.predictions
    expect(happy[0]!.text).toBe('I am so happy and grateful today!')
    expect(happy[0]!.position).toEqual({ begin: 0, end: 33 })
    expect(['Joy', 'Gratitude', 'Excitement']).toContain(top(happy[0]!.emotions))
    expect(second.language!.predictions.map((p) => p.text)).toEqual(['This is terrible.', 'I hate it.'])

    const details = await socket.getJobDetails()
    expect(details.jobDetails?.jobId).toMatch(/\S/)
    expect(details).not.toHaveProperty('job_details')
    expect(await socket.reset()).toMatchObject({ payloadId: expect.any(String) })

    socket.close()
    expect(await socket.closed()).toMatchObject({ code: 1000 })
  })

  it('sends a media file base64-encoded, from bytes or a Blob, with a per-call config', async () => {
    const socket = connect()
    const image = readFileSync(faceImagePath())
    const fromBytes = await socket.sendFile({ file: image, config: { face: {} } })
    const face = fromBytes.face!.predictions[0]!
    expect(top(face.emotions)).toBe('Joy')
    expect(face.faceId).toMatch(/\S/)
    expect(face.bbox.w).toBeGreaterThan(0)
    // The config sticks for later payloads on the socket.
    const fromBlob = await socket.sendFile({ file: new Blob([image], { type: 'image/jpeg' }) })
    expect(fromBlob.face!.predictions[0]!.faceId).toBe(face.faceId)
  })

  it('rejects a bad payload with a StreamError carrying the code, and keeps the socket open', async () => {
    const errors: unknown[] = []
    const socket = connect({ onError: (e) => errors.push(e) })
    // No models configured yet.
    const noModels = await socket.sendText({ text: 'hello' }).catch((e: unknown) => e)
    expect(noModels).toBeInstanceOf(StreamError)
    expect(noModels).toBeInstanceOf(ProsodiaError)
    expect(noModels).toMatchObject({
      code: 'E0101',
      answer: { code: 'E0101', error: expect.stringMatching(/models is required/) },
    })
    expect((noModels as Error).message).toMatch(/^CODE E0101: Invalid payload: models is required/)

    const badWindow = await socket.sendPayload({ streamWindowMs: 10 }).catch((e: unknown) => e)
    expect(badWindow).toMatchObject({ code: 'E0101', message: expect.stringMatching(/stream_window_ms/) })

    const facemesh = await socket
      .sendFacemesh({ landmarks: [[[0, 0, 0]]], config: { facemesh: {} } })
      .catch((e: unknown) => e)
    expect(facemesh).toMatchObject({ code: 'E0102', message: expect.stringMatching(/facemesh is not available/) })
    expect(errors).toHaveLength(3)
    expect(errors[0]).toMatchObject({ code: 'E0101', error: expect.any(String) })

    // Still open, and the next payload gets its own answer.
    const ok = await socket.sendText({ text: 'What a lovely surprise!', config: { language: {} } })
    expect(ok.language!.predictions.length).toBeGreaterThan(0)
  })

  it('fails to open with a wrong key, and rejects payloads still waiting when the socket closes', async () => {
    const wrong = h.clientAs('alice', { apiKey: 'not-a-key' }).expressionMeasurement.stream.connect()
    await expect(wrong.waitForOpen()).rejects.toThrow(/closed before it opened/)
    await expect(wrong.sendText({ text: 'x' })).rejects.toThrow(/closed before it opened/)

    const socket = connect({ config: { face: {} } })
    await socket.waitForOpen()
    // Closed while one payload waits for its answer (a face takes the server a while) and another waits to
    // be sent: both reject at once, and nothing can be sent after.
    const sent = socket.sendFile({ file: readFileSync(faceImagePath()) })
    await new Promise((r) => setImmediate(r))
    const unsent = socket.getJobDetails()
    socket.close()
    await expect(sent).rejects.toThrow(/closed \(by the client\) before the answer came/)
    await expect(unsent).rejects.toThrow(/stream socket is closed/)
    await expect(socket.sendText({ text: 'after close' })).rejects.toThrow(/stream socket is closed/)
    expect(await socket.closed()).toMatchObject({ code: 1000 })
  })
})
