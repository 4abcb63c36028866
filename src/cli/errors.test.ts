import { describe, expect, it } from 'vitest'
import { errorForStatus, ProsodiaConnectionError } from '../client/index.js'
import { audioFormat } from './commands/tts.js'
import { parseModels } from './commands/batch.js'
import { CliError } from './context.js'
import { describeError } from './errors.js'

const BASE = 'http://127.0.0.1:8000'

describe('CLI error lines', () => {
  it('names a refused key and how to set one', () => {
    const err = errorForStatus(401, { code: 'unauthorized', error: 'Unauthorized', message: 'Invalid credentials' })
    expect(describeError(err, BASE)).toEqual({
      message: 'the server refused the API key (401): Invalid credentials; set --api-key or PROSODIA_API_KEY',
      exitCode: 1,
    })
  })

  it('names the URL of a server it cannot reach', () => {
    const err = new ProsodiaConnectionError({ message: `Cannot reach ${BASE}: fetch failed (connect ECONNREFUSED)` })
    expect(describeError(err, BASE).message).toBe(
      `cannot reach the server at ${BASE} (fetch failed (connect ECONNREFUSED)); start it (npm start) or set --base-url or PROSODIA_BASE_URL`,
    )
  })

  it('gives the status and the body for other answers', () => {
    expect(describeError(errorForStatus(404, { message: 'Prompt x not found' }), BASE).message).toBe(
      'not found (404): Prompt x not found',
    )
    const invalid = errorForStatus(422, { detail: [{ loc: ['body', 'name'], msg: 'Field required' }] })
    expect(describeError(invalid, BASE).message).toBe('rejected (422): body.name: Field required')
    expect(describeError(errorForStatus(503, 'busy'), BASE).message).toBe('server error (503): busy')
  })

  it('names a missing file, and keeps usage errors at exit code 2', () => {
    const enoent = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', path: 'p.json' })
    expect(describeError(enoent, BASE)).toEqual({ message: 'no such file: p.json', exitCode: 1 })
    expect(describeError(new CliError('bad flag', 2), BASE)).toEqual({ message: 'bad flag', exitCode: 2 })
  })
})

describe('argument parsing', () => {
  it('takes the audio format from --format, else the file extension, else leaves it to the server', () => {
    expect(audioFormat('pcm', 'x.wav')).toBe('pcm')
    expect(audioFormat(undefined, 'out/Hi.MP3')).toBe('mp3')
    expect(audioFormat(undefined, undefined)).toBeUndefined()
    expect(() => audioFormat(undefined, 'hi.ogg')).toThrow(/cannot tell the audio format from "hi.ogg"/)
  })

  it('turns --models into the request’s models object and refuses unknown names', () => {
    expect(parseModels('language, prosody')).toEqual({ language: {}, prosody: {} })
    expect(() => parseModels('language,smell')).toThrow(/not smell/)
    expect(() => parseModels(',')).toThrow(/comma-separated/)
  })
})
