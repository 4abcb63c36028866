import { describe, expect, it } from 'vitest'
import { AsrError } from './asr.js'
import { parseVerboseJson, transcriptionsUrl } from './openai.js'
import { parsePocketsphinxOutput } from './pocketsphinx.js'
import { encodeWav16 } from './wav.js'
import { languageCode } from './whisper-languages.js'

describe('parsePocketsphinxOutput', () => {
  it('keeps words with times and posteriors, drops fillers and alternate-pronunciation marks', () => {
    const out = [
      'kids are the door',
      '<s> 0.600 0.920 0.999400',
      'kids 0.930 1.310 0.926993',
      '<sil> 1.320 1.400 1.000000',
      '[NOISE] 1.400 1.410 0.5',
      '++BREATH++ 1.410 1.420 0.5',
      'are 1.420 1.500 0.519403',
      'the(2) 2.050 2.150 0.788023',
      'door 2.160 2.620 1.0001',
      '</s> 2.630 2.940 1.000000',
    ].join('\n')
    expect(parsePocketsphinxOutput(out)).toEqual([
      { text: 'kids', begin: 0.93, end: 1.31, confidence: 0.926993, speaker: null },
      { text: 'are', begin: 1.42, end: 1.5, confidence: 0.519403, speaker: null },
      { text: 'the', begin: 2.05, end: 2.15, confidence: 0.788023, speaker: null },
      { text: 'door', begin: 2.16, end: 2.62, confidence: 1, speaker: null },
    ])
  })
})

describe('parseVerboseJson', () => {
  it('maps words, probabilities, speakers and the language name', () => {
    const t = parseVerboseJson({
      text: ' Hallo Welt ',
      language: 'german',
      words: [
        { word: 'Welt', start: 0.6, end: 1, probability: 0.5, speaker: 'B' },
        { word: ' Hallo', start: 0.1, end: 0.5, probability: 0.9 },
        { word: 'bad', start: 'x', end: 1 },
      ],
    })
    expect(t).toEqual({
      text: 'Hallo Welt',
      language: 'de',
      confidence: 0.7,
      words: [
        { text: 'Hallo', begin: 0.1, end: 0.5, confidence: 0.9, speaker: null },
        { text: 'Welt', begin: 0.6, end: 1, confidence: 0.5, speaker: 'B' },
      ],
    })
  })

  it('accepts an empty transcript and refuses shapes it cannot read', () => {
    expect(parseVerboseJson({ text: '', language: 'en' })).toEqual({
      text: '',
      language: 'en',
      confidence: null,
      words: [],
    })
    expect(() => parseVerboseJson([])).toThrow(AsrError)
    expect(() => parseVerboseJson({ words: [] })).toThrow(/no "text"/)
    expect(() => parseVerboseJson({ text: 'a', words: [{ word: 'a' }] })).toThrow(/no usable word/)
  })
})

describe('helpers', () => {
  it('builds the endpoint with or without a /v1 base', () => {
    expect(transcriptionsUrl('https://asr.example.com')).toBe('https://asr.example.com/v1/audio/transcriptions')
    expect(transcriptionsUrl('https://asr.example.com/v1/')).toBe('https://asr.example.com/v1/audio/transcriptions')
  })

  it('normalises language names and tags', () => {
    expect(languageCode('english')).toBe('en')
    expect(languageCode('en-US')).toBe('en')
    expect(languageCode('klingonese')).toBeNull()
    expect(languageCode(3)).toBeNull()
  })

  it('encodes 16-bit PCM WAV with clipping and NaN as silence', () => {
    const wav = encodeWav16(Float32Array.from([0, 1, -1, 2, Number.NaN]), 16_000)
    expect(wav.length).toBe(44 + 10)
    expect([0, 1, 2, 3, 4].map((i) => wav.readInt16LE(44 + 2 * i))).toEqual([0, 32767, -32768, 32767, 0])
    expect(wav.readUInt32LE(40)).toBe(10)
  })
})
