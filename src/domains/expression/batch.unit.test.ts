import { describe, expect, it } from 'vitest'
import type { BatchJobRow } from '../../shared/storage/database.js'
import { urlFileName } from './batch.jobs.js'
import { DEFAULT_MODELS, selectModels } from './batch.selection.js'
import { decodeText, sniffHead } from './batch.sniff.js'
import { toReturnJob } from './batch.service.js'

describe('sniff', () => {
  it('classifies by content, not by name', () => {
    expect(sniffHead(Buffer.from('héllo wörld'))).toEqual({ kind: 'maybe-text' })
    expect(decodeText(Buffer.from('héllo wörld'))).toBe('héllo wörld')
    expect(decodeText(Buffer.from('\uFEFFbom text'))).toBe('bom text')
    expect(sniffHead(Buffer.from('89504e470d0a1a0a0000', 'hex'))).toMatchObject({ kind: 'media', fileType: 'image' })
    expect(sniffHead(Buffer.from('RIFF\0\0\0\0WAVEfmt ', 'latin1'))).toMatchObject({ kind: 'media', mime: 'audio/wav' })
    expect(sniffHead(Buffer.from('\0\0\0\x18ftypmp42', 'latin1'))).toMatchObject({ kind: 'media', fileType: 'video' })
    expect(sniffHead(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]))).toEqual({ kind: 'archive', archive: 'zip' })
    expect(decodeText(Buffer.from([0xc3, 0x28]))).toBeUndefined() // invalid UTF-8
    expect(sniffHead(Buffer.from('a\0b'))).toEqual({ kind: 'binary' })
  })

  it('names URL content after its last path segment', () => {
    expect(urlFileName('https://x.test/a/b%20c.txt?q=1')).toBe('b c.txt')
    expect(urlFileName('https://x.test/')).toBe('https://x.test/')
  })
})

describe('selectModels', () => {
  const transcription = { language: null, identifySpeakers: false, confidenceThreshold: 0.5 }
  it('runs what was asked for, with Hume defaults', () => {
    expect(selectModels({ ...DEFAULT_MODELS })).toEqual({
      language: { granularity: 'word' },
      ner: {},
      face: { fpsPred: 3, probThreshold: 0.99, identifyFaces: false, minFaceSize: 60, saveFaces: false },
      prosody: { granularity: 'utterance', window: null, identifySpeakers: false },
      transcription,
    })
    expect(selectModels({ language: { granularity: 'sentence' } })).toEqual({
      language: { granularity: 'sentence' },
      transcription,
    })
    expect(selectModels({ language: {} }).language).toEqual({ granularity: 'word' })
    expect(selectModels({ ner: {}, language: null })).toEqual({ ner: {}, transcription })
    expect(selectModels({ face: { fps_pred: 0, identify_faces: true } }).face).toMatchObject({
      fpsPred: 0,
      identifyFaces: true,
    })
    expect(selectModels({ prosody: { window: { length: 2 } } }).prosody?.window).toEqual({ length: 2, step: 1 })
    expect(selectModels({ burst: {}, facemesh: {} })).toMatchObject({ burst: true, facemesh: true })
  })

  it('turns transcription off only when the request says null', () => {
    expect(selectModels({}, null).transcription).toBeNull()
    expect(selectModels({}, { language: 'en', confidence_threshold: 0.2 }).transcription).toEqual({
      language: 'en',
      identifySpeakers: false,
      confidenceThreshold: 0.2,
    })
  })
})

describe('toReturnJob', () => {
  const row: BatchJobRow = {
    id: 'j',
    account_id: 'a',
    status: 'QUEUED',
    request: JSON.stringify({
      models: {},
      transcription: null,
      urls: [],
      text: ['x'],
      callback_url: null,
      notify: false,
      files: [],
    }),
    created_ms: 10,
    started_ms: null,
    ended_ms: null,
    num_predictions: null,
    num_errors: null,
    message: null,
    predictions: null,
  }
  it('gives each state exactly its own fields', () => {
    expect(toReturnJob(row).state).toEqual({ status: 'QUEUED', created_timestamp_ms: 10 })
    expect(toReturnJob({ ...row, status: 'IN_PROGRESS', started_ms: 11 }).state).toEqual({
      status: 'IN_PROGRESS',
      created_timestamp_ms: 10,
      started_timestamp_ms: 11,
    })
    expect(
      toReturnJob({ ...row, status: 'COMPLETED', started_ms: 11, ended_ms: 12, num_predictions: 3, num_errors: 1 })
        .state,
    ).toEqual({
      status: 'COMPLETED',
      created_timestamp_ms: 10,
      started_timestamp_ms: 11,
      ended_timestamp_ms: 12,
      num_predictions: 3,
      num_errors: 1,
    })
    expect(toReturnJob({ ...row, status: 'FAILED', started_ms: 11, ended_ms: 12, message: 'boom' }).state).toEqual({
      status: 'FAILED',
      created_timestamp_ms: 10,
      started_timestamp_ms: 11,
      ended_timestamp_ms: 12,
      message: 'boom',
    })
    expect(toReturnJob(row)).toMatchObject({ type: 'INFERENCE', job_id: 'j' })
  })
})
