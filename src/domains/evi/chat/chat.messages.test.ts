import { describe, expect, it } from 'vitest'
import { HUME_EMOTIONS, socketScores } from './chat.messages.js'

describe('socketScores', () => {
  const measured = { Joy: 0.6, Anger: 0.1 }

  it('leaves scores off the socket by default (the SDK needs all 48; the model measures six)', () => {
    expect(socketScores(measured, 'omit')).toBeUndefined()
  })

  it('fills every Hume emotion when asked, the unmeasured ones at 0', () => {
    const all = socketScores(measured, 'zero_filled')!
    expect(Object.keys(all)).toEqual([...HUME_EMOTIONS])
    expect(all.Joy).toBe(0.6)
    expect(all.Anger).toBe(0.1)
    expect(all.Awe).toBe(0)
  })

  it('sends nothing when nothing was measured', () => {
    expect(socketScores(undefined, 'zero_filled')).toBeUndefined()
  })
})
