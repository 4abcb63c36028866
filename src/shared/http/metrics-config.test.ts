import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../config.js'

describe('PROSODIA_METRICS_TOKEN', () => {
  it('is unset by default (loopback-only scrapes), kept when long enough, refused when guessable', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined()
    expect(loadConfig({ PROSODIA_METRICS_TOKEN: '' }).metricsToken).toBeUndefined()
    expect(loadConfig({ PROSODIA_METRICS_TOKEN: 'a'.repeat(16) }).metricsToken).toBe('a'.repeat(16))
    expect(() => loadConfig({ PROSODIA_METRICS_TOKEN: 'short' })).toThrow(ConfigError)
  })
})
