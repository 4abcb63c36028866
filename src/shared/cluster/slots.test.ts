import { describe, expect, it } from 'vitest'
import { AccountGate } from '../http/account-gate.js'
import { ApiError } from '../http/errors.js'
import { LocalSlots, type AccountSlots } from './slots.js'

describe('LocalSlots', () => {
  it('counts per account and gives a slot back once however often released', async () => {
    const s = new LocalSlots(2)
    const a1 = await s.tryAcquire('a')
    const a2 = await s.tryAcquire('a')
    expect(await s.tryAcquire('a')).toBeUndefined()
    expect(await s.tryAcquire('b')).toBeTypeOf('function')
    expect(await s.held('a')).toBe(2)
    a1!()
    a1!()
    expect(await s.held('a')).toBe(1)
    expect(await s.tryAcquire('a')).toBeTypeOf('function')
    expect(await s.tryAcquire('a')).toBeUndefined()
    a2!()
    expect(s.heldNow('a')).toBe(1)
  })
})

describe('AccountGate', () => {
  const statusOf = async (p: Promise<unknown>) => {
    try {
      await p
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError)
      return { status: (err as ApiError).status, message: (err as ApiError).message }
    }
    throw new Error('expected a refusal')
  }

  it('answers 429 naming the setting beyond the cap', async () => {
    const gate = new AccountGate(1, 'PROSODIA_X')
    const release = await gate.acquire('a')
    expect(await statusOf(gate.acquire('a'))).toEqual({
      status: 429,
      message: 'this account already has 1 such requests in flight (PROSODIA_X)',
    })
    release()
    expect(await gate.acquire('a')).toBeTypeOf('function')
  })

  it('answers 503 when the shared count cannot be reached (fail closed)', async () => {
    const broken: AccountSlots = {
      max: 1,
      tryAcquire: () => Promise.reject(new Error('Redis did not answer')),
      held: () => Promise.reject(new Error('Redis did not answer')),
    }
    const refusal = await statusOf(new AccountGate(1, 'PROSODIA_X', broken).acquire('a'))
    expect(refusal.status).toBe(503)
    expect(refusal.message).toContain('PROSODIA_X')
  })
})
