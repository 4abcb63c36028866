// The built-in HUME_AI voice library: fixed specs under stable ids, shared by every account.
// "Male English Actor" is the voice the public API reference uses in its examples.
import type { VoiceSpec } from './engines/engine.js'

export interface PresetVoice {
  id: string
  name: string
  spec: VoiceSpec
}

const p = (id: string, name: string, spec: Omit<VoiceSpec, 'v'>): PresetVoice => ({ id, name, spec: { v: 1, ...spec } })

export const PRESET_VOICES: readonly PresetVoice[] = [
  p('5bb7de05-c8fe-426a-8fcc-ba4fc4ce9f9c', 'Male English Actor', {
    flite: 'awb',
    kokoro: [
      { id: 'bm_george', weight: 0.7 },
      { id: 'bm_fable', weight: 0.3 },
    ],
    pitch: -1,
    rate: 0.95,
    energy: 1.1,
  }),
  p('0b6f8a8a-6d3c-4f1e-9a52-1c1e2a7b3d01', 'Ava Song', {
    flite: 'slt',
    kokoro: [
      { id: 'af_heart', weight: 0.8 },
      { id: 'af_bella', weight: 0.2 },
    ],
    pitch: 1,
    rate: 1.05,
    energy: 1.15,
  }),
  p('1c7a9b9b-7e4d-4a2f-8b63-2d2f3b8c4e02', 'Kora', {
    flite: 'slt',
    kokoro: [{ id: 'af_kore', weight: 1 }],
    pitch: 0,
    rate: 1,
    energy: 1,
  }),
  p('2d8bacac-8f5e-4b30-9c74-3e304c9d5f03', 'Colton Rivers', {
    flite: 'rms',
    kokoro: [
      { id: 'am_michael', weight: 0.7 },
      { id: 'am_adam', weight: 0.3 },
    ],
    pitch: -2,
    rate: 0.92,
    energy: 0.95,
  }),
  p('3e9cbdbd-9a6f-4c41-8d85-4f415dae6a04', 'Vince Douglas', {
    flite: 'kal',
    kokoro: [{ id: 'am_onyx', weight: 1 }],
    pitch: -3,
    rate: 0.9,
    energy: 1.2,
  }),
  p('4fadcece-ab70-4d52-9e96-50526ebf7b05', 'Imani Carter', {
    flite: 'slt',
    kokoro: [
      { id: 'af_nicole', weight: 0.6 },
      { id: 'af_sarah', weight: 0.4 },
    ],
    pitch: -1,
    rate: 0.95,
    energy: 0.85,
  }),
  p('60bedfdf-bc81-4e63-8fa7-616370c08c06', 'Sitcom Girl', {
    flite: 'slt',
    kokoro: [
      { id: 'af_sky', weight: 0.7 },
      { id: 'af_nova', weight: 0.3 },
    ],
    pitch: 3,
    rate: 1.12,
    energy: 1.3,
  }),
  p('71cfe0e0-cd92-4f74-90b8-727481d19d07', 'Scottish Storyteller', {
    flite: 'awb',
    kokoro: [
      { id: 'bm_lewis', weight: 0.6 },
      { id: 'bm_daniel', weight: 0.4 },
    ],
    pitch: 0,
    rate: 0.88,
    energy: 0.9,
  }),
  p('82d0f1f1-dea3-4085-a1b8-83859e2eae08', 'British Narrator', {
    flite: 'slt',
    kokoro: [
      { id: 'bf_emma', weight: 0.7 },
      { id: 'bf_alice', weight: 0.3 },
    ],
    pitch: -0.5,
    rate: 0.94,
    energy: 0.95,
  }),
  p('93e10202-efb4-4196-b2b9-949630fb0f09', 'Campfire Narrator', {
    flite: 'rms',
    kokoro: [
      { id: 'am_fenrir', weight: 0.5 },
      { id: 'am_eric', weight: 0.5 },
    ],
    pitch: -2.5,
    rate: 0.85,
    energy: 0.8,
  }),
  p('a4f21313-f0c5-42a7-83ca-a5a7410c1f10', 'Energetic Host', {
    flite: 'kal',
    kokoro: [
      { id: 'am_puck', weight: 0.7 },
      { id: 'am_liam', weight: 0.3 },
    ],
    pitch: 1.5,
    rate: 1.15,
    energy: 1.4,
  }),
  p('b5032424-01d6-43b8-94db-b6b8521d2011', 'Calm Meditation Guide', {
    flite: 'slt',
    kokoro: [
      { id: 'af_river', weight: 0.6 },
      { id: 'af_aoede', weight: 0.4 },
    ],
    pitch: -1.5,
    rate: 0.8,
    energy: 0.6,
  }),
  p('c6143535-12e7-44c9-a5ec-c7c9632e3112', 'Old Professor', {
    flite: 'awb',
    kokoro: [
      { id: 'bm_fable', weight: 0.8 },
      { id: 'bm_george', weight: 0.2 },
    ],
    pitch: -2,
    rate: 0.86,
    energy: 0.9,
  }),
  p('d7254646-23f8-45da-b6fd-d8da743f4213', 'Young Explorer', {
    flite: 'slt',
    kokoro: [
      { id: 'af_jessica', weight: 0.7 },
      { id: 'af_alloy', weight: 0.3 },
    ],
    pitch: 2.5,
    rate: 1.08,
    energy: 1.25,
  }),
  p('e8365757-34a9-46eb-87ae-e9eb854f5314', 'French Chef', {
    flite: 'kal',
    kokoro: [{ id: 'ff_siwis', weight: 1 }],
    pitch: 0.5,
    rate: 1.02,
    energy: 1.15,
  }),
]

export function findPreset(by: { id?: string; name?: string }): PresetVoice | undefined {
  return PRESET_VOICES.find((v) => (by.id !== undefined ? v.id === by.id : v.name === by.name))
}
