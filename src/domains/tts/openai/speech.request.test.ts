import { describe, expect, it } from 'vitest'
import { ApiError } from '../../../shared/http/errors.js'
import { findPreset } from '../voice-presets.js'
import { toSpeechRequest } from './speech.request.js'
import { OPENAI_VOICES, resolveSpeechVoice } from './speech.voices.js'

const VOICE = { name: 'Kora', provider: 'HUME_AI' } as const
const limits = { maxRequestChars: 100 }
const req = (over: object = {}) => ({ model: 'tts-1', voice: 'alloy', input: 'Hello there.', ...over })

function rejects(f: () => unknown): { loc: unknown; msg: string } {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError)
    const issue = (e as ApiError).issues![0]!
    return { loc: issue.loc, msg: issue.msg }
  }
  throw new Error('did not throw')
}

describe('toSpeechRequest', () => {
  it('maps input, voice, instructions and speed onto one voiced utterance', () => {
    const r = toSpeechRequest(req({ instructions: 'whisper, slowly', speed: 1.5 }), VOICE, limits)
    expect(r).toMatchObject({ format: 'mp3', sse: false, speed: 1.5 })
    expect(r.posted).toEqual({
      utterances: [{ text: 'Hello there.', voice: VOICE, speed: 1.5, description: 'whisper, slowly' }],
      format: { type: 'mp3' },
    })
  })

  it('clamps speed to what the engines render', () => {
    expect(toSpeechRequest(req({ speed: 0.25 }), VOICE, limits).speed).toBe(0.5)
    expect(toSpeechRequest(req({ speed: 4 }), VOICE, limits).speed).toBe(2)
  })

  it('refuses formats without an encoder, unknown formats, empty and over-limit input', () => {
    expect(rejects(() => toSpeechRequest(req({ response_format: 'flac' }), VOICE, limits))).toMatchObject({
      loc: ['body', 'response_format'],
      msg: expect.stringContaining('not supported'),
    })
    expect(rejects(() => toSpeechRequest(req({ response_format: 'ogg' }), VOICE, limits)).msg).toContain('not one of')
    expect(rejects(() => toSpeechRequest(req({ stream_format: 'x' }), VOICE, limits)).loc).toEqual([
      'body',
      'stream_format',
    ])
    expect(rejects(() => toSpeechRequest(req({ input: ' \n' }), VOICE, limits)).loc).toEqual(['body', 'input'])
    expect(rejects(() => toSpeechRequest(req({ input: 'a'.repeat(101) }), VOICE, limits)).msg).toContain(
      'PROSODIA_TTS_MAX_REQUEST_CHARS',
    )
    expect(toSpeechRequest(req({ stream_format: 'sse', response_format: 'pcm' }), VOICE, limits)).toMatchObject({
      sse: true,
      format: 'pcm',
    })
  })
})

describe('resolveSpeechVoice', () => {
  it("maps each of OpenAI's voices to an existing preset, case-insensitively", async () => {
    const none = { resolve: async () => undefined }
    for (const [openai, preset] of Object.entries(OPENAI_VOICES)) {
      expect(findPreset({ name: preset }), preset).toBeDefined()
      expect(await resolveSpeechVoice(none, 'acct', openai.toUpperCase())).toEqual({
        name: preset,
        provider: 'HUME_AI',
      })
    }
  })

  it("looks other names up in the account's library first, then the presets; unknown is a 400 on voice", async () => {
    const asked: unknown[] = []
    const lib = (hit: (v: Record<string, unknown>) => boolean) => ({
      resolve: async (_a: string, v: object) => {
        asked.push(v)
        return hit(v as Record<string, unknown>) ? findPreset({ name: 'Kora' })!.spec : undefined
      },
    })
    expect(
      await resolveSpeechVoice(
        lib((v) => v.id === 'v-1'),
        'acct',
        'v-1',
      ),
    ).toEqual({
      id: 'v-1',
      provider: 'CUSTOM_VOICE',
    })
    expect(asked[0]).toEqual({ name: 'v-1', provider: 'CUSTOM_VOICE' })
    await expect(
      resolveSpeechVoice(
        lib(() => false),
        'acct',
        'ghost',
      ),
    ).rejects.toMatchObject({
      issues: [{ loc: ['body', 'voice'] }],
    })
  })
})
