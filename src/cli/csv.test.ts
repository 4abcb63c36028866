import { describe, expect, it } from 'vitest'
import type { expressionMeasurement as E } from '../client/index.js'
import { csvField, predictionsCsv } from './csv.js'

const emotions = (scores: Record<string, number>) => Object.entries(scores).map(([name, score]) => ({ name, score }))

const results = [
  {
    source: { type: 'text' },
    results: {
      errors: [],
      predictions: [
        {
          file: 'text-0.txt',
          fileType: 'text',
          models: {
            language: {
              metadata: null,
              groupedPredictions: [
                {
                  id: 'unknown',
                  predictions: [
                    {
                      text: 'Hello, "world"',
                      position: { begin: 0, end: 14 },
                      time: null,
                      confidence: null,
                      speakerConfidence: null,
                      emotions: emotions({ Joy: 0.5, Anger: 0.25 }),
                      sentiment: null,
                      toxicity: null,
                    },
                  ],
                },
              ],
            },
          },
        },
      ],
    },
  },
  {
    source: { type: 'url', url: 'https://example.test/a.mp4' },
    results: {
      errors: [],
      predictions: [
        {
          file: 'a.mp4',
          fileType: 'video',
          models: {
            face: {
              metadata: null,
              groupedPredictions: [
                {
                  id: 'face_0',
                  predictions: [
                    {
                      frame: 3,
                      time: 0.1,
                      prob: 0.9,
                      box: { x: 0, y: 0, w: 1, h: 1 },
                      emotions: emotions({ Calmness: 0.75 }),
                    },
                  ],
                },
              ],
            },
            prosody: {
              metadata: null,
              groupedPredictions: [
                {
                  id: 'spk_1',
                  predictions: [
                    {
                      text: null,
                      time: { begin: 1.5, end: 2 },
                      confidence: null,
                      speakerConfidence: null,
                      emotions: emotions({ Joy: 0.125, Calmness: 0.5 }),
                    },
                  ],
                },
              ],
            },
          },
        },
      ],
    },
  },
] as unknown as E.UnionPredictResult[]

describe('batch results as CSV', () => {
  it('writes a row per prediction and a sorted column per emotion, blank where a model has none', () => {
    const lines = predictionsCsv(results).split('\r\n')
    expect(lines[0]).toBe(
      'source,file,model,group,text,position_begin,position_end,time_begin,time_end,frame,Anger,Calmness,Joy',
    )
    expect(lines.slice(1)).toEqual([
      'text,text-0.txt,language,unknown,"Hello, ""world""",0,14,,,,0.25,,0.5',
      'https://example.test/a.mp4,a.mp4,face,face_0,,,,0.1,,3,,0.75,',
      'https://example.test/a.mp4,a.mp4,prosody,spk_1,,,,1.5,2,,,0.5,0.125',
      '',
    ])
  })

  it('has only the header for a job without predictions', () => {
    expect(predictionsCsv([])).toBe(
      'source,file,model,group,text,position_begin,position_end,time_begin,time_end,frame\r\n',
    )
  })

  it('quotes fields with commas, quotes and line breaks only', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a\nb')).toBe('"a\nb"')
    expect(csvField('x,"y"')).toBe('"x,""y"""')
    expect(csvField(null)).toBe('')
    expect(csvField(0)).toBe('0')
  })
})

it('neutralises text a spreadsheet would run as a formula, and leaves numbers alone', () => {
  expect(csvField('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`)
  expect(csvField('@A1')).toBe("'@A1")
  expect(csvField('+1')).toBe("'+1")
  expect(csvField('-2 apples')).toBe("'-2 apples")
  expect(csvField(-0.5)).toBe('-0.5')
  expect(csvField('plain')).toBe('plain')
})
