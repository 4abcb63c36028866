import { describe, expect, it } from 'vitest'
import { createReadiness } from './readiness.js'

const quiet = { warn: () => {} }

describe('readiness', () => {
  it('fails a check past its deadline with reason timeout, and the others still pass', async () => {
    const ready = createReadiness({ slow: () => new Promise(() => {}), fast: async () => {} }, quiet, {
      timeoutMs: 30,
      cacheMs: 0,
    })
    const body = await ready()
    expect(body.status).toBe('unready')
    expect(body.checks.slow).toMatchObject({ status: 'failed', reason: 'timeout' })
    expect(body.checks.slow!.ms).toBeGreaterThanOrEqual(25)
    expect(body.checks.fast).toMatchObject({ status: 'ok' })
  })

  it('shows an error code but never an error message', async () => {
    const ready = createReadiness(
      {
        coded: async () => {
          throw Object.assign(new Error('EACCES: permission denied, open /secret/path'), { code: 'EACCES' })
        },
        plain: async () => {
          throw new Error('connect to db.internal:5432 failed')
        },
      },
      quiet,
      { cacheMs: 0 },
    )
    const body = await ready()
    expect(body.checks).toEqual({
      coded: { status: 'failed', ms: expect.any(Number), reason: 'EACCES' },
      plain: { status: 'failed', ms: expect.any(Number), reason: 'error' },
    })
    expect(JSON.stringify(body)).not.toMatch(/secret|internal/)
  })

  it('runs a hung check once however many probes arrive, and reuses answers within cacheMs', async () => {
    let started = 0
    let calls = 0
    const hung = createReadiness(
      {
        db: () => {
          started++
          return new Promise(() => {})
        },
      },
      quiet,
      { timeoutMs: 10, cacheMs: 0 },
    )
    await Promise.all([hung(), hung(), hung()])
    await hung()
    expect(started).toBe(1)

    const cached = createReadiness({ db: async () => void calls++ }, quiet, { cacheMs: 60_000 })
    await Promise.all([cached(), cached()])
    await cached()
    expect(calls).toBe(1)
  })
})
