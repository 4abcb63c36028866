/**
 * Drives /v0/evi/chat through hume@0.16.0's ChatSocket as a user's code would, keeping every raw
 * server message and checking each strictly against the SDK's SubscribeEvent schema.
 *
 * A message that fails is kept in `invalid` (a listener cannot fail the test itself): every test
 * ends by expecting it empty.
 */
import { readFileSync } from 'node:fs'
import type { HumeClient } from 'hume'
import { serialization } from 'hume'
import { sharedPath } from './shared-data.js'

type ChatSocket = ReturnType<HumeClient['empathicVoice']['chat']['connect']>
export type Raw = Record<string, unknown> & { type: string }

/** Validates one raw server message against SubscribeEvent, strictly; throws with the SDK's errors. */
export function expectValidServerMessage(raw: Raw): void {
  const r = serialization.empathicVoice.SubscribeEvent.parse(raw, {
    unrecognizedObjectKeys: 'fail',
    allowUnrecognizedUnionMembers: false,
    allowUnrecognizedEnumValues: false,
    skipValidation: false,
  })
  if (!r.ok) throw new Error(`${raw.type} does not parse strictly: ${JSON.stringify(r.errors).slice(0, 2000)}`)
}

export interface ChatRun {
  socket: ChatSocket
  messages: Raw[]
  /** Server messages that did not parse strictly, with why. */
  invalid: string[]
  /** Resolves with the first message (after those already seen, from `from`) matching. */
  next(pred: (m: Raw) => boolean, o?: { timeoutMs?: number; from?: number }): Promise<Raw>
  /** Messages of a type so far. */
  all(type: string): Raw[]
  closed: Promise<{ code: number; reason: string }>
  close(): void
}

export function openChat(
  client: HumeClient,
  args: Parameters<HumeClient['empathicVoice']['chat']['connect']>[0] = {},
): Promise<ChatRun> {
  // No reconnects: a test must see the server close, not a second chat.
  const socket = client.empathicVoice.chat.connect({ ...args, reconnectAttempts: 0 })
  const messages: Raw[] = []
  const invalid: string[] = []
  const waiters: { pred: (m: Raw) => boolean; from: number; resolve: (m: Raw) => void }[] = []
  let closedResolve!: (v: { code: number; reason: string }) => void
  const closed = new Promise<{ code: number; reason: string }>((r) => (closedResolve = r))
  socket.socket.addEventListener('message', (e: { data: unknown }) => {
    const raw = JSON.parse(String(e.data)) as Raw
    try {
      expectValidServerMessage(raw)
    } catch (err) {
      invalid.push((err as Error).message)
    }
    messages.push(raw)
    for (const w of [...waiters]) {
      if (messages.length - 1 >= w.from && w.pred(raw)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(raw)
      }
    }
  })
  socket.socket.addEventListener('close', (e: { code: number; reason: string }) =>
    closedResolve({ code: e.code, reason: e.reason }),
  )
  const run: ChatRun = {
    socket,
    messages,
    invalid,
    all: (type) => messages.filter((m) => m.type === type),
    next: (pred, o = {}) => {
      const from = o.from ?? 0
      const found = messages.slice(from).find(pred)
      if (found) return Promise.resolve(found)
      return new Promise<Raw>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no matching message within ${o.timeoutMs ?? 30_000} ms; got ${messages.map((m) => m.type).join(', ')}`,
              ),
            ),
          o.timeoutMs ?? 30_000,
        )
        waiters.push({ pred, from, resolve: (m) => (clearTimeout(timer), resolve(m)) })
      })
    },
    closed,
    close: () => socket.close(),
  }
  return socket.waitForOpen().then(() => run)
}

export const isType = (type: string) => (m: Raw) => m.type === type

/** A RAVDESS clip (48 kHz mono s16 WAV) as its PCM bytes and rate. */
export function ravdessPcm(file = '03-01-01-01-01-01-03.wav'): { pcm: Buffer; sampleRate: number } {
  const wav = readFileSync(sharedPath('data', 'ravdess-samples', file))
  // Find the data chunk rather than assume a 44-byte header.
  let off = 12
  let sampleRate = 48_000
  while (off + 8 <= wav.length) {
    const id = wav.toString('ascii', off, off + 4)
    const size = wav.readUInt32LE(off + 4)
    if (id === 'fmt ') sampleRate = wav.readUInt32LE(off + 12)
    if (id === 'data') return { pcm: wav.subarray(off + 8, off + 8 + size), sampleRate }
    off += 8 + size + (size % 2)
  }
  throw new Error(`${file}: no data chunk`)
}

/**
 * Streams PCM as a microphone would: 20 ms chunks (`speed` times faster than real time), then
 * `silenceMs` of silence so the turn ends.
 */
export async function speak(
  run: ChatRun,
  audio: { pcm: Buffer; sampleRate: number },
  o: { silenceMs?: number; speed?: number; leadMs?: number } = {},
): Promise<void> {
  const bytesPer20ms = (audio.sampleRate / 50) * 2
  const silence = (ms: number) => Buffer.alloc(Math.round((audio.sampleRate * ms) / 1000) * 2)
  const all = Buffer.concat([silence(o.leadMs ?? 200), audio.pcm, silence(o.silenceMs ?? 1500)])
  const speed = o.speed ?? 4
  for (let i = 0; i < all.length; i += bytesPer20ms) {
    run.socket.sendAudioInput({ data: all.subarray(i, i + bytesPer20ms).toString('base64') })
    if ((i / bytesPer20ms) % 5 === 4) await new Promise((r) => setTimeout(r, 100 / speed))
  }
}
