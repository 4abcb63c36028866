/**
 * A config's `turn_detection` and `interruption` with Hume's documented defaults for what it leaves
 * out ("All fields fall back to defaults when omitted"):
 * - https://dev.hume.ai/docs/speech-to-speech-evi/configuration/turn-detection —
 *   end_of_turn_silence_ms 800 (500–3,000), speech_detection_threshold 0.5 (0–1), prefix_padding_ms 300 (0–1,000);
 * - https://dev.hume.ai/docs/speech-to-speech-evi/configuration/interruption —
 *   min_interruption_ms 800 (50–2,000).
 */
import type { ReturnConfig } from '../../configs.schemas.js'
import type { TurnSettings } from './turns.types.js'

export const HUME_TURN_DEFAULTS: Readonly<TurnSettings> = Object.freeze({
  endOfTurnSilenceMs: 800,
  prefixPaddingMs: 300,
  speechDetectionThreshold: 0.5,
  minInterruptionMs: 800,
})

export function turnSettings(config?: Pick<ReturnConfig, 'turn_detection' | 'interruption'> | null): TurnSettings {
  const td = config?.turn_detection
  const d = HUME_TURN_DEFAULTS
  return {
    endOfTurnSilenceMs: td?.end_of_turn_silence_ms ?? d.endOfTurnSilenceMs,
    prefixPaddingMs: td?.prefix_padding_ms ?? d.prefixPaddingMs,
    speechDetectionThreshold: td?.speech_detection_threshold ?? d.speechDetectionThreshold,
    minInterruptionMs: config?.interruption?.min_interruption_ms ?? d.minInterruptionMs,
  }
}
