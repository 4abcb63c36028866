/**
 * The chat socket's query string: Hume's parameters, and `session_settings` as the SDK sends it
 * (bracketed keys: `session_settings[audio][sample_rate]=16000`, `session_settings[variables][name]=Ann`).
 * Unknown parameters are ignored; known ones that are ill-formed refuse the chat with a clear error.
 */
import { ChatError, CHAT_ERRORS } from './chat.codes.js'

export const DEFAULT_EVENT_LIMIT = 300
export const MAX_EVENT_LIMIT = 10_000
/** Bracketed session_settings keys one URL may carry (variables are the only open-ended part). */
const MAX_SETTINGS_KEYS = 200

export interface ConnectSettings {
  audio?: { encoding?: 'linear16'; sample_rate?: number; channels?: number }
  context?: { text: string; type?: 'persistent' | 'temporary' }
  custom_session_id?: string
  event_limit?: number
  language_model_api_key?: string
  system_prompt?: string
  voice_id?: string
  variables?: Record<string, string>
}

export interface ChatQuery {
  configId?: string
  configVersion?: number
  resumedChatGroupId?: string
  eventLimit: number
  verboseTranscription: boolean
  allowConnection: boolean
  voiceId?: string
  settings: ConnectSettings
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function bad(message: string): ChatError {
  return new ChatError(CHAT_ERRORS.invalidQuery, message)
}

function bool(name: string, v: string | null): boolean {
  if (v === null || v === '') return false
  if (v === 'true' || v === '1') return true
  if (v === 'false' || v === '0') return false
  throw bad(`${name} must be true or false`)
}

function int(name: string, v: string, min: number, max: number): number {
  const n = Number(v)
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max)
    throw bad(`${name} must be an integer between ${min} and ${max}`)
  return n
}

function id(name: string, v: string | null): string | undefined {
  if (v === null || v === '') return undefined
  if (!UUID.test(v)) throw bad(`${name} must be a UUID`)
  return v.toLowerCase()
}

/** `session_settings[a][b]` → ['a', 'b']; undefined for other keys. */
function settingsPath(key: string): string[] | undefined {
  const m = /^session_settings((?:\[[^[\]]*\])+)$/.exec(key)
  if (!m) return undefined
  return [...m[1]!.matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1]!)
}

function parseSettings(params: URLSearchParams): ConnectSettings {
  const s: ConnectSettings = {}
  let n = 0
  for (const [key, value] of params) {
    const path = settingsPath(key)
    if (!path) continue
    if (++n > MAX_SETTINGS_KEYS) throw bad(`session_settings has more than ${MAX_SETTINGS_KEYS} keys`)
    const [head, sub] = path
    const where = `session_settings[${path.join('][')}]`
    switch (head) {
      case 'audio':
        s.audio ??= {}
        if (sub === 'sample_rate') s.audio.sample_rate = int(where, value, 8000, 192_000)
        else if (sub === 'channels') s.audio.channels = int(where, value, 1, 8)
        else if (sub === 'encoding') {
          if (value !== 'linear16') throw bad(`${where} must be linear16`)
          s.audio.encoding = 'linear16'
        }
        break
      case 'context':
        s.context ??= { text: '' }
        if (sub === 'text') s.context.text = value
        else if (sub === 'type') {
          if (value !== 'persistent' && value !== 'temporary') throw bad(`${where} must be persistent or temporary`)
          s.context.type = value
        }
        break
      case 'variables':
        if (sub === undefined || sub === '' || path.length !== 2) throw bad(`${where} is not a variable`)
        s.variables ??= {}
        s.variables[sub] = value
        break
      case 'event_limit':
        s.event_limit = int(where, value, 0, MAX_EVENT_LIMIT)
        break
      case 'custom_session_id':
        if (value.length > 256) throw bad(`${where} is longer than 256 characters`)
        s.custom_session_id = value
        break
      case 'language_model_api_key':
      case 'system_prompt':
      case 'voice_id':
        s[head] = value
        break
      default:
      // Unknown settings are ignored like unknown parameters.
    }
  }
  if (s.context && !s.context.text.trim()) throw bad('session_settings[context] needs a text')
  if (
    s.variables &&
    Object.keys(s.variables).some((k) => k === '__proto__' || k === 'constructor' || k === 'prototype')
  )
    throw bad('session_settings[variables] uses a reserved name')
  return s
}

export function parseChatQuery(search: string): ChatQuery {
  const p = new URLSearchParams(search)
  const version = p.get('config_version')
  const limit = p.get('event_limit')
  const settings = parseSettings(p)
  const configId = id('config_id', p.get('config_id'))
  if (version && !configId) throw bad('config_version needs a config_id')
  return {
    configId,
    configVersion: version ? int('config_version', version, 0, 2_147_483_647) : undefined,
    resumedChatGroupId: id('resumed_chat_group_id', p.get('resumed_chat_group_id')),
    eventLimit: limit ? int('event_limit', limit, 0, MAX_EVENT_LIMIT) : (settings.event_limit ?? DEFAULT_EVENT_LIMIT),
    verboseTranscription: bool('verbose_transcription', p.get('verbose_transcription')),
    allowConnection: bool('allow_connection', p.get('allow_connection')),
    voiceId: p.get('voice_id') || settings.voice_id || undefined,
    settings,
  }
}
