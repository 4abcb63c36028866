import { describe, expect, it } from 'vitest'
import { splitChunks, splitSentences } from './engines/text.js'
import { alignPhones } from './engines/word-align.js'
import { applyDelivery, designVoice } from './voice-design.js'

describe('voice design', () => {
  it('is deterministic for a description and seed, and varies with the seed', () => {
    expect(designVoice('a warm old man', 7)).toEqual(designVoice('a warm old man', 7))
    expect(designVoice('a warm old man', 7)).not.toEqual(designVoice('a warm old man', 8))
  })

  it('maps gender, accent and age words', () => {
    const scot = designVoice('Middle-aged masculine voice with a rhythmic Scots lilt', 1)
    expect(scot.flite).toBe('awb')
    expect(scot.kokoro.every((k) => k.id.startsWith('bm_'))).toBe(true)
    const woman = designVoice('a young French woman', 1)
    expect(woman.flite).toBe('slt')
    expect(woman.kokoro.map((k) => k.id)).toEqual(['ff_siwis'])
    const bare = designVoice('an old man', 3, 0)
    const young = designVoice('a young man', 3, 0)
    expect(young.pitch - bare.pitch).toBe(4)
    expect(young.rate).toBeGreaterThan(bare.rate)
  })

  it('as acting direction, changes delivery but not who speaks', () => {
    const v = designVoice('a calm woman', 5)
    const d = applyDelivery(v, 'excited and fast')
    expect(d.flite).toBe(v.flite)
    expect(d.kokoro).toEqual(v.kokoro)
    expect(d.rate).toBeGreaterThan(v.rate)
    expect(d.pitch).toBeGreaterThan(v.pitch)
  })
})

describe('text segmentation and alignment', () => {
  it('splits sentences without breaking on abbreviations', () => {
    expect(splitSentences('Dr. Smith is here. Is he? Yes!')).toEqual(['Dr. Smith is here.', 'Is he?', 'Yes!'])
    expect(splitChunks('Hello there, my friend. Ok.')).toEqual(['Hello there,', 'my friend. Ok.'])
  })

  it('aligns phones through substitutions and insertions', () => {
    expect(alignPhones(['dh', 'iy', 'k', 'ae', 't'], ['dh', 'ax', 'k', 'ae', 't'])).toEqual([0, 1, 2, 3, 4])
    expect(alignPhones(['a', 'x', 'b'], ['a', 'b'])).toEqual([0, -1, 1])
  })
})
