import { describe, expect, it } from 'vitest'
import { EMODB_CLASSES, EMODB_LETTERS, EMODB_TO_HUME, PROSODY_HUME_EMOTIONS } from './emotion-map.js'

describe('EmoDB -> Hume emotion map', () => {
  it('maps the six emotions and never reports neutral', () => {
    expect(EMODB_TO_HUME).toEqual({
      anger: 'Anger',
      boredom: 'Boredom',
      disgust: 'Disgust',
      fear: 'Fear',
      happiness: 'Joy',
      sadness: 'Sadness',
      neutral: null,
    })
    expect(PROSODY_HUME_EMOTIONS).toEqual(['Anger', 'Boredom', 'Disgust', 'Fear', 'Joy', 'Sadness'])
    expect(PROSODY_HUME_EMOTIONS).not.toContain('Neutral')
  })

  it('covers every file-name letter with a class', () => {
    expect(new Set(Object.values(EMODB_LETTERS))).toEqual(new Set(EMODB_CLASSES))
  })
})
