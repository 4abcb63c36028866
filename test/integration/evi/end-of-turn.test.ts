// The early end of turn on real speech: RAVDESS statements ("Kids are talking by the door"), each a
// complete sentence, against the same recordings cut off in the middle of a word. The turn audio is
// what the live detector hands the session at its first pause.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { endOfTurnLikely, prosodicEnding } from '../../../src/domains/evi/chat/turns/end-of-turn.js'
import { createTurnDetector } from '../../../src/domains/evi/chat/turns/turn-detector.js'
import { HUME_TURN_DEFAULTS } from '../../../src/domains/evi/chat/turns/turn-settings.js'
import type { TurnEvent } from '../../../src/domains/evi/chat/turns/turns.types.js'
import { HOP, trackPitch } from '../../../src/domains/expression/prosody/pitch.js'
import { SileroVad } from '../../../src/domains/expression/prosody/vad.js'
import { CLIPS, clip16k } from './turns-fixtures.js'

type Pause = Extract<TurnEvent, { type: 'pause' }>

let vad: SileroVad
beforeAll(async () => {
  vad = await SileroVad.load()
})
afterAll(() => vad?.release())

/** The audio of the first `pause` the live detector reports for `x` followed by silence. */
async function pauseAudio(x: Float32Array): Promise<Float32Array | undefined> {
  const det = createTurnDetector(vad, HUME_TURN_DEFAULTS, { maxTurnSeconds: 60 })
  const padded = new Float32Array(x.length + 16_000)
  padded.set(x)
  const events: TurnEvent[] = []
  for (let at = 0; at < padded.length; at += 1600) events.push(...(await det.push(padded.subarray(at, at + 1600))))
  await det.close()
  return events.find((e): e is Pause => e.type === 'pause')?.audio
}

/**
 * Points inside words: frames with voicing for 80 ms on both sides, between 20% and 75% of the
 * sentence (the last word is left out: cutting it short can leave a natural-sounding ending).
 */
async function midWordCuts(x: Float32Array): Promise<number[]> {
  const [seg] = await vad.speechSegments(x, { minSilenceMs: 300 })
  const frames = Math.floor(x.length / HOP)
  const { f0 } = trackPitch(x, frames, new Uint8Array(frames).fill(1))
  const from = Math.floor((seg!.begin + 0.2 * (seg!.end - seg!.begin)) * 100)
  const to = Math.floor((seg!.begin + 0.75 * (seg!.end - seg!.begin)) * 100)
  const cuts: number[] = []
  for (let f = from; f < to; f++) {
    let voiced = true
    for (let k = -8; k <= 8; k++) if (!(f0[f + k]! > 0)) voiced = false
    if (voiced && (cuts.length === 0 || f - cuts.at(-1)! >= 15)) cuts.push(f)
  }
  return cuts.map((f) => f * HOP)
}

describe('endOfTurnLikely on RAVDESS speech', () => {
  it('hears the complete statements as finished', async () => {
    const verdicts: Record<string, boolean> = {}
    for (const clip of CLIPS) {
      const audio = await pauseAudio(clip16k(clip.file))
      expect(audio, clip.file).toBeDefined()
      verdicts[clip.emotion] = endOfTurnLikely(audio!, clip.text)
    }
    // Plain declarative readings end low and fade out. Some actors read theirs otherwise: "surprised"
    // ends rising, as a question would, "disgust" ends high and "fearful" barely fades; those turns
    // wait for end_of_turn_silence_ms as before (a missed early end costs only that wait).
    expect(verdicts).toMatchObject({ neutral: true, calm: true, happy: true, sad: true, angry: true })
  })

  it('never hears a sentence cut off in the middle of a word as finished', async () => {
    let cuts = 0
    for (const clip of CLIPS) {
      const x = clip16k(clip.file)
      for (const at of await midWordCuts(x)) {
        const audio = await pauseAudio(x.subarray(0, at))
        if (!audio) continue
        cuts++
        // Even with words that read as complete, the voice says the speaker was cut off.
        expect(endOfTurnLikely(audio, 'Kids are talking'), `${clip.file} cut at ${at / 16} ms`).toBe(false)
        expect(prosodicEnding(audio)?.fades ?? false).toBe(false)
      }
    }
    expect(cuts).toBeGreaterThanOrEqual(12)
  })

  it('never ends a turn whose words stop mid-sentence', async () => {
    const audio = (await pauseAudio(clip16k(CLIPS[0].file)))!
    expect(endOfTurnLikely(audio, CLIPS[0].text)).toBe(true)
    for (const text of ['Kids are talking by the', 'Kids are talking by', 'Kids are talking and', 'um']) {
      expect(endOfTurnLikely(audio, text)).toBe(false)
    }
  })
})
