/**
 * A chat's two timeouts: inactivity (restarted by the user's speech and messages; the assistant
 * talking or a tool call waiting does not count as the user being away) and the maximum duration,
 * which PROSODIA_EVI_MAX_CHAT_SECONDS caps even when the config turns it off.
 */
import type { ReturnConfig } from '../configs.schemas.js'

/** Hume's defaults when a chat has no config (a config states its own). */
export const DEFAULT_INACTIVITY_SECS = 120
export const DEFAULT_MAX_DURATION_SECS = 1800

export type TimeoutStatus = 'INACTIVITY_TIMEOUT' | 'MAX_DURATION_TIMEOUT'

export class ChatTimeouts {
  private maxTimer: NodeJS.Timeout | undefined
  private inactivity: NodeJS.Timeout | undefined
  private stopped = false

  constructor(
    private readonly o: {
      config: ReturnConfig | undefined
      /** Multiplies the timeouts (tests). */
      scale: number
      maxChatSeconds: number
      /** Whether the assistant is busy (then inactivity waits another round). */
      busy: () => boolean
      onTimeout: (status: TimeoutStatus) => void
    },
  ) {}

  start(): void {
    const max = this.ms('max_duration', DEFAULT_MAX_DURATION_SECS)
    if (max !== undefined) {
      this.maxTimer = setTimeout(() => this.o.onTimeout('MAX_DURATION_TIMEOUT'), max)
      this.maxTimer.unref()
    }
    this.touch()
  }

  /** User activity: restarts the inactivity timeout. */
  touch(): void {
    const ms = this.ms('inactivity', DEFAULT_INACTIVITY_SECS)
    if (ms === undefined || this.stopped) return
    clearTimeout(this.inactivity)
    this.inactivity = setTimeout(() => {
      if (this.o.busy()) return this.touch()
      this.o.onTimeout('INACTIVITY_TIMEOUT')
    }, ms)
    this.inactivity.unref()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.maxTimer)
    clearTimeout(this.inactivity)
  }

  private ms(which: 'inactivity' | 'max_duration', fallbackSecs: number): number | undefined {
    const t = this.o.config?.timeouts[which]
    const hard = which === 'max_duration' ? this.o.maxChatSeconds * 1000 * this.o.scale : undefined
    if (t && !t.enabled) return hard
    const ms = (t?.duration_secs ?? fallbackSecs) * 1000 * this.o.scale
    return hard === undefined ? ms : Math.min(ms, hard)
  }
}
