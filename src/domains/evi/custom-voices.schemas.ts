import { Type, type Static } from 'typebox'
import { NO_NUL } from '../../shared/http/schemas.js'

export const BASE_VOICES = ['ITO', 'KORA', 'DACHER', 'AURA', 'FINN', 'WHIMSY', 'STELLA', 'SUNNY'] as const
export const PARAMETER_MODEL = '20241004-11parameter'
export const VOICE_PARAMETERS = [
  'gender',
  'assertiveness',
  'buoyancy',
  'confidence',
  'enthusiasm',
  'nasality',
  'relaxedness',
  'smoothness',
  'tepidity',
  'tightness',
] as const

/** Hume upper-cases custom voice names and allows at most 75 characters. */
export const CustomVoiceName = Type.String({ minLength: 1, maxLength: 75, pattern: NO_NUL })
const BaseVoice = Type.Unsafe<(typeof BASE_VOICES)[number]>(Type.Union(BASE_VOICES.map((v) => Type.Literal(v))))
const Attribute = Type.Integer({ minimum: -100, maximum: 100 })
const Parameters = Type.Object(Object.fromEntries(VOICE_PARAMETERS.map((p) => [p, Type.Optional(Attribute)])))

export const PostedCustomVoice = Type.Object({
  name: CustomVoiceName,
  base_voice: BaseVoice,
  parameter_model: Type.Literal(PARAMETER_MODEL),
  parameters: Type.Optional(Parameters),
})

export const ReturnCustomVoice = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  name: Type.String(),
  created_on: Type.Integer(),
  modified_on: Type.Integer(),
  base_voice: BaseVoice,
  parameter_model: Type.Literal(PARAMETER_MODEL),
  parameters: Parameters,
})
export type ReturnCustomVoice = Static<typeof ReturnCustomVoice>

export interface CustomVoicePayload {
  base_voice: (typeof BASE_VOICES)[number]
  parameter_model: typeof PARAMETER_MODEL
  parameters: Partial<Record<(typeof VOICE_PARAMETERS)[number], number>>
}
