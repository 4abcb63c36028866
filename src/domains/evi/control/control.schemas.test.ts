import { describe, expect, it } from 'vitest'
import { ApiError } from '../../../shared/http/errors.js'
import { checkPublishEvent, PUBLISH_TYPES } from './control.schemas.js'

function issues(value: unknown, where: (string | number)[] = ['body']) {
  try {
    checkPublishEvent(value, where)
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError)
    return (err as ApiError).issues
  }
  throw new Error('expected the check to fail')
}

describe('checkPublishEvent', () => {
  it('takes every client message except audio_input', () => {
    expect(PUBLISH_TYPES).toEqual([
      'session_settings',
      'user_input',
      'assistant_input',
      'tool_response',
      'tool_error',
      'pause_assistant_message',
      'resume_assistant_message',
    ])
    expect(checkPublishEvent({ type: 'user_input', text: 'hi' })).toEqual({ type: 'user_input', text: 'hi' })
    const settings = { type: 'session_settings', system_prompt: 'Be brief.', context: null, variables: { n: 1 } }
    expect(checkPublishEvent(settings)).toEqual(settings)
    expect(checkPublishEvent({ type: 'tool_response', tool_call_id: 't', content: '42' })).toBeTruthy()
    expect(checkPublishEvent({ type: 'pause_assistant_message' })).toBeTruthy()
  })

  it('names the field at fault, under the schema the type chose', () => {
    expect(issues({ type: 'user_input' })).toEqual([{ loc: ['body', 'text'], msg: 'Field required', type: 'missing' }])
    expect(issues({ type: 'tool_error', tool_call_id: 't', error: 5 }, ['message'])?.[0]?.loc).toEqual([
      'message',
      'error',
    ])
    expect(issues({ type: 'session_settings', audio: { sample_rate: 'fast' } })?.[0]?.loc).toEqual([
      'body',
      'audio',
      'sample_rate',
    ])
  })

  it('refuses audio_input, unknown types and non-objects', () => {
    expect(issues({ type: 'audio_input', data: 'AAAA' })?.[0]).toMatchObject({
      loc: ['body', 'type'],
      msg: expect.stringContaining('audio_input is not accepted') as unknown,
    })
    expect(issues({ type: 'shout', text: 'x' })?.[0]?.loc).toEqual(['body', 'type'])
    expect(issues({ text: 'x' })?.[0]?.loc).toEqual(['body', 'type'])
    expect(issues(['user_input'])?.[0]?.loc).toEqual(['body'])
    expect(issues(null)?.[0]?.loc).toEqual(['body'])
  })
})
