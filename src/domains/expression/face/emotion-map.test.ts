import { describe, expect, it } from 'vitest'
import { HUME_LANGUAGE_EMOTIONS } from '../language/emotion-map.js'
import { FACE_API_TO_HUME, FACE_EMOTIONS, toHumeEmotions } from './emotion-map.js'

// Hume's face model reports the 48 names of its language list minus these language-only five.
const LANGUAGE_ONLY = ['Annoyance', 'Disapproval', 'Enthusiasm', 'Gratitude', 'Sarcasm']
const HUME_FACE_EMOTIONS = HUME_LANGUAGE_EMOTIONS.filter((n) => !LANGUAGE_ONLY.includes(n))
const LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised']

describe('face emotion map', () => {
  it('maps the decided labels onto real Hume face emotion names', () => {
    expect(HUME_FACE_EMOTIONS).toHaveLength(48)
    expect(FACE_API_TO_HUME).toEqual({
      angry: 'Anger',
      disgusted: 'Disgust',
      fearful: 'Fear',
      happy: 'Joy',
      sad: 'Sadness',
    })
    for (const name of Object.values(FACE_API_TO_HUME)) expect(HUME_FACE_EMOTIONS).toContain(name)
    expect(FACE_EMOTIONS).toEqual(['Anger', 'Disgust', 'Fear', 'Joy', 'Sadness'])
  })

  it('reports no neutral and no surprise, since Hume has no neutral and splits surprise by valence', () => {
    expect(Object.keys(FACE_API_TO_HUME)).not.toContain('neutral')
    expect(Object.keys(FACE_API_TO_HUME)).not.toContain('surprised')
    const out = toHumeEmotions({ neutral: 0.5, surprised: 0.5 })
    expect(out.map((e) => e.name)).toEqual(FACE_EMOTIONS)
    expect(out.every((e) => e.score === 0)).toBe(true)
  })

  it('passes the probabilities through unchanged, in FACE_EMOTIONS order', () => {
    const probs = [0.05, 0.4, 0.1, 0.2, 0.05, 0.15, 0.05]
    const out = toHumeEmotions(Object.fromEntries(LABELS.map((l, i) => [l, probs[i]!])))
    expect(out).toEqual([
      { name: 'Anger', score: 0.2 },
      { name: 'Disgust', score: 0.15 },
      { name: 'Fear', score: 0.05 },
      { name: 'Joy', score: 0.4 },
      { name: 'Sadness', score: 0.1 },
    ])
    // The unreported mass (neutral + surprised) is why the reported scores sum to less than 1.
    expect(out.reduce((s, e) => s + e.score, 0)).toBeCloseTo(0.9, 10)
  })

  it('ignores unknown labels, inherited property names and non-finite scores', () => {
    const out = toHumeEmotions({ constructor: 0.9, toString: 0.9, joy: 0.9, happy: Number.NaN, sad: 0.3 })
    expect(out).toEqual(FACE_EMOTIONS.map((name) => ({ name, score: name === 'Sadness' ? 0.3 : 0 })))
  })
})
