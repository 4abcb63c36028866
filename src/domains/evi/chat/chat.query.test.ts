import { describe, expect, it } from 'vitest'
import { ChatError } from './chat.codes.js'
import { DEFAULT_EVENT_LIMIT, parseChatQuery } from './chat.query.js'

const CFG = '3c4b8f7e-1d2a-4b5c-9e8f-0a1b2c3d4e5f'

describe('parseChatQuery', () => {
  it('reads Hume parameters and ignores unknown ones', () => {
    const q = parseChatQuery(
      `config_id=${CFG}&config_version=2&verbose_transcription=true&allow_connection=true&utm=x&api_key=k`,
    )
    expect(q).toMatchObject({
      configId: CFG,
      configVersion: 2,
      verboseTranscription: true,
      allowConnection: true,
      eventLimit: DEFAULT_EVENT_LIMIT,
    })
  })

  it('reads bracketed session_settings as the SDK sends them', () => {
    const q = parseChatQuery(
      'session_settings%5Baudio%5D%5Bsample_rate%5D=48000&session_settings[audio][channels]=2' +
        '&session_settings[audio][encoding]=linear16&session_settings[system_prompt]=Be%20brief' +
        '&session_settings[variables][name]=Ann&session_settings[context][text]=ctx&session_settings[event_limit]=10' +
        '&session_settings[custom_session_id]=abc',
    )
    expect(q.settings).toEqual({
      audio: { sample_rate: 48000, channels: 2, encoding: 'linear16' },
      system_prompt: 'Be brief',
      variables: { name: 'Ann' },
      context: { text: 'ctx' },
      event_limit: 10,
      custom_session_id: 'abc',
    })
    expect(q.eventLimit).toBe(10)
  })

  it.each([
    'config_id=nope',
    'config_version=3',
    `config_id=${CFG}&config_version=-1`,
    'event_limit=abc',
    'verbose_transcription=maybe',
    'session_settings[audio][sample_rate]=12',
    'session_settings[audio][encoding]=mp3',
    'session_settings[variables]=x',
    'session_settings[context][type]=persistent',
  ])('refuses %s', (q) => {
    expect(() => parseChatQuery(q)).toThrow(ChatError)
  })

  it('bounds the number of settings keys', () => {
    const many = Array.from({ length: 201 }, (_, i) => `session_settings[variables][v${i}]=1`).join('&')
    expect(() => parseChatQuery(many)).toThrow(/more than 200/)
  })
})
