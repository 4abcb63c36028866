import { describe, expect, it } from 'vitest'
import { isRetryableStatus, retryDelayMs } from './retry.js'

describe('retry policy', () => {
  it('retries 408, 429 and 5xx only', () => {
    expect([408, 429, 500, 502, 503].every((s) => isRetryableStatus(s))).toBe(true)
    expect([400, 401, 404, 409, 413, 422].some((s) => isRetryableStatus(s))).toBe(false)
  })

  it('backs off exponentially with jitter between 75% and 100% of each step, capped', () => {
    expect(retryDelayMs(0, undefined, () => 0)).toBe(500)
    expect(retryDelayMs(0, undefined, () => 1)).toBe(375)
    expect(retryDelayMs(2, undefined, () => 0)).toBe(2000)
    expect(retryDelayMs(10, undefined, () => 0)).toBe(8000)
  })

  it("honours the server's retry-after in seconds, as a date, and retry-after-ms", () => {
    expect(retryDelayMs(0, new Headers({ 'retry-after': '3' }))).toBe(3000)
    expect(retryDelayMs(0, new Headers({ 'retry-after-ms': '250' }))).toBe(250)
    const inFive = new Date(Date.now() + 5000).toUTCString()
    const delay = retryDelayMs(0, new Headers({ 'retry-after': inFive })) ?? -1
    expect(delay).toBeGreaterThan(3000)
    expect(delay).toBeLessThanOrEqual(5000)
  })

  it('waits at least 100 ms whatever the server asks, so retry-after: 0 cannot become a storm', () => {
    expect(retryDelayMs(0, new Headers({ 'retry-after': '0' }))).toBe(100)
  })

  it('resends requests that create things only when the server says it did not act', () => {
    expect([408, 429, 503].every((s) => isRetryableStatus(s, false))).toBe(true)
    expect([500, 502, 504].some((s) => isRetryableStatus(s, false))).toBe(false)
  })

  it('gives up rather than wait longer than a minute', () => {
    expect(retryDelayMs(0, new Headers({ 'retry-after': '3600' }))).toBeUndefined()
  })

  it('falls back to backoff when retry-after is garbage', () => {
    expect(retryDelayMs(1, new Headers({ 'retry-after': 'soon' }), () => 0)).toBe(1000)
  })
})
