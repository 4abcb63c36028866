import { describe, expect, it } from 'vitest'
import { createTurnDetector, END_PADDING_MS, PAUSE_MS, WINDOW, type VadSource } from './turn-detector.js'
import { HUME_TURN_DEFAULTS } from './turn-settings.js'
import type { TurnEvent, TurnSettings } from './turns.types.js'

/**
 * A fake Silero: the audio itself carries the speech probability (every sample of a window holds it),
 * so a test writes the probability track it wants as audio. It also checks windows arrive whole and in order.
 */
function fakeVad(): VadSource & { windows: number } {
  const fake = {
    windows: 0,
    stream: () => ({
      next: async (w: Float32Array) => {
        expect(w.length).toBe(WINDOW)
        fake.windows++
        return w[0]!
      },
    }),
  }
  return fake
}

/** Audio of `ms` milliseconds (whole windows) at probability p. */
const seg = (p: number, ms: number) => new Float32Array(Math.round((ms * 16) / WINDOW) * WINDOW).fill(p)
const cat = (...parts: Float32Array[]) => {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
const winMs = (ms: number) => (Math.round((ms * 16) / WINDOW) * WINDOW) / 16

async function run(audio: Float32Array, settings: Partial<TurnSettings> = {}, chunk = 1600, maxTurnSeconds = 60) {
  const det = createTurnDetector(fakeVad(), { ...HUME_TURN_DEFAULTS, ...settings }, { maxTurnSeconds })
  const events: TurnEvent[] = []
  for (let at = 0; at < audio.length; at += chunk) events.push(...(await det.push(audio.subarray(at, at + chunk))))
  return { det, events, types: events.map((e) => e.type) }
}

/** Events with their audio reduced to a digest: deep equality on long Float32Arrays is slow. */
const digest = (events: TurnEvent[]) =>
  events.map((e) =>
    'audio' in e
      ? {
          ...e,
          audio: `${e.audio.length}:${e.audio.reduce((s, v, i) => s + v * (i % 97), 0)}`,
        }
      : e,
  )

const ends = (events: TurnEvent[]) => events.filter((e): e is Extract<TurnEvent, { type: 'end' }> => e.type === 'end')

describe('createTurnDetector', () => {
  it('finds nothing in silence', async () => {
    const { events, det } = await run(seg(0.02, 3000))
    expect(events).toEqual([])
    expect(det.positionMs).toBeCloseTo(winMs(3000), 6)
  })

  it('reports one turn with prefix padding, sustained speech, a pause and the end', async () => {
    const audio = cat(seg(0, 1000), seg(0.9, 1200), seg(0, 1500))
    const { events, types } = await run(audio)
    expect(types).toEqual(['speech_start', 'sustained_speech', 'pause', 'end'])
    const onset = winMs(1000)
    const speechEnd = onset + winMs(1200)
    expect(events[0]).toEqual({ type: 'speech_start', atMs: onset })
    // min_interruption_ms 800 of speech, at window resolution.
    const sustained = (events[1] as Extract<TurnEvent, { type: 'sustained_speech' }>).atMs
    expect(sustained - onset).toBeGreaterThanOrEqual(800)
    expect(sustained - onset).toBeLessThan(800 + 32)
    const pause = events[2] as Extract<TurnEvent, { type: 'pause' }>
    expect(pause.atMs - speechEnd).toBeGreaterThanOrEqual(PAUSE_MS)
    expect(pause.atMs - speechEnd).toBeLessThan(PAUSE_MS + 32)
    const [end] = ends(events)
    expect(end!.early).toBe(false)
    expect(end!.beginMs).toBeCloseTo(onset - 300, 6)
    expect(end!.endMs).toBeCloseTo(speechEnd + END_PADDING_MS, 6)
    expect(end!.audio.length).toBe(Math.round((end!.endMs - end!.beginMs) * 16))
    // The audio is the stream's: 300 ms of prefix silence, then the speech.
    expect(end!.audio[300 * 16 - 1]).toBe(0)
    expect(end!.audio[300 * 16]).toBeCloseTo(0.9, 6)
    expect(Buffer.from(pause.audio.buffer).equals(Buffer.from(end!.audio.buffer))).toBe(true)
  })

  it('gives the same events whatever the push sizes, and keeps order when pushes are not awaited', async () => {
    const audio = cat(seg(0, 700), seg(0.8, 900), seg(0, 1200), seg(0.8, 500), seg(0, 1000))
    const reference = digest((await run(audio, {}, audio.length)).events)
    expect(reference.length).toBeGreaterThan(6)
    for (const chunk of [37, 100, 511, 513, 4800]) {
      expect(digest((await run(audio, {}, chunk)).events)).toEqual(reference)
    }
    const det = createTurnDetector(fakeVad(), HUME_TURN_DEFAULTS, { maxTurnSeconds: 60 })
    const pushes: Promise<TurnEvent[]>[] = []
    for (let at = 0; at < audio.length; at += 700) pushes.push(det.push(audio.slice(at, at + 700)))
    expect(digest((await Promise.all(pushes)).flat())).toEqual(reference)
  })

  it('ignores a click shorter than the minimum speech', async () => {
    const { events } = await run(cat(seg(0, 500), seg(0.99, 32), seg(0, 1500)))
    expect(events).toEqual([])
  })

  it('splits utterances separated by more than end_of_turn_silence_ms, never overlapping', async () => {
    const audio = cat(seg(0, 500), seg(0.9, 800), seg(0, 1500), seg(0.9, 800), seg(0, 1500))
    const [a, b, ...rest] = ends((await run(audio)).events)
    expect(rest).toEqual([])
    expect(b!.beginMs).toBeGreaterThanOrEqual(a!.endMs)
    expect(b!.beginMs).toBeCloseTo(winMs(500) + winMs(800) + winMs(1500) - 300, 6)
  })

  it('keeps a gap shorter than end_of_turn_silence_ms inside one turn (pause, then resume)', async () => {
    const audio = cat(seg(0, 500), seg(0.9, 600), seg(0, 500), seg(0.9, 600), seg(0, 1500))
    const { events, types } = await run(audio)
    expect(types).toEqual(['speech_start', 'pause', 'resume', 'sustained_speech', 'pause', 'end'])
    expect(ends(events)[0]!.endMs).toBeCloseTo(winMs(500) + winMs(600) + winMs(500) + winMs(600) + 100, 6)
    // A longer end_of_turn_silence_ms bridges a longer gap.
    const longer = cat(seg(0, 500), seg(0.9, 800), seg(0, 1200), seg(0.9, 800), seg(0, 2500))
    expect(ends((await run(longer)).events)).toHaveLength(2)
    expect(ends((await run(longer, { endOfTurnSilenceMs: 1500 })).events)).toHaveLength(1)
  })

  it('reports sustained speech only once min_interruption_ms of speech has accumulated', async () => {
    const short = cat(seg(0, 300), seg(0.9, 400), seg(0, 1500))
    expect((await run(short)).types).not.toContain('sustained_speech')
    const { events } = await run(short, { minInterruptionMs: 200 })
    const sustained = events.find((e) => e.type === 'sustained_speech')!
    expect(sustained.atMs - winMs(300)).toBeGreaterThanOrEqual(200)
    expect(sustained.atMs - winMs(300)).toBeLessThan(232)
  })

  it('starts speech at speech_detection_threshold and keeps it through hysteresis', async () => {
    const audio = cat(seg(0, 300), seg(0.6, 600), seg(0, 1500))
    expect(ends((await run(audio)).events)).toHaveLength(1)
    expect(ends((await run(audio, { speechDetectionThreshold: 0.7 })).events)).toHaveLength(0)
    // 0.4 after speech is above 0.5 − 0.15: still speech, so no pause between the two loud parts.
    const dip = cat(seg(0, 300), seg(0.9, 300), seg(0.4, 400), seg(0.9, 300), seg(0, 1500))
    expect((await run(dip)).types).toEqual(['speech_start', 'sustained_speech', 'pause', 'end'])
    // Once silence has begun, 0.4 does not end it (only a window at the threshold does).
    const tail = cat(seg(0, 300), seg(0.9, 600), seg(0, 100), seg(0.4, 900), seg(0, 100))
    expect((await run(tail)).types).toEqual(['speech_start', 'pause', 'end'])
  })

  it('ends the turn early on endNow, and answers undefined when no turn is open', async () => {
    const det = createTurnDetector(fakeVad(), HUME_TURN_DEFAULTS, { maxTurnSeconds: 60 })
    expect(det.endNow()).toBeUndefined()
    const events = await det.push(cat(seg(0, 400), seg(0.9, 600), seg(0, 300)))
    expect(events.map((e) => e.type)).toEqual(['speech_start', 'pause'])
    const end = det.endNow()!
    expect(end.early).toBe(true)
    expect(end.endMs).toBeCloseTo(winMs(400) + winMs(600) + 100, 6)
    expect(det.endNow()).toBeUndefined()
    // The silence that follows does not end the turn a second time.
    expect(await det.push(seg(0, 1500))).toEqual([])
  })

  it('cuts speech longer than the turn limit into turns of that length', async () => {
    const { events } = await run(cat(seg(0, 200), seg(0.9, 12_000), seg(0, 1500)), {}, 1600, 5)
    const turns = ends(events)
    expect(turns).toHaveLength(3)
    for (const t of turns) expect(t.endMs - t.beginMs).toBeLessThanOrEqual(5000)
    expect(turns[0]!.endMs - turns[0]!.beginMs).toBeGreaterThan(4960)
    expect(turns[1]!.beginMs).toBeCloseTo(turns[0]!.endMs, 6)
    expect(turns[2]!.endMs).toBeCloseTo(winMs(200) + winMs(12_000) + 100, 6)
  })

  it('scores nothing after close', async () => {
    const vad = fakeVad()
    const det = createTurnDetector(vad, HUME_TURN_DEFAULTS, { maxTurnSeconds: 60 })
    await det.push(seg(0.9, 320))
    await det.close()
    const before = vad.windows
    expect(await det.push(seg(0.9, 3200))).toEqual([])
    expect(vad.windows).toBe(before)
  })
})
