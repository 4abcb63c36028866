import { useEffect, useState } from 'preact/hooks'
import { useClient } from '../../api.js'
import { useAction } from '../../hooks.js'

/** A picker lists at most this many prompts or voices; past it, the JSON view still takes any id. */
export const MAX_PICKER_ITEMS = 200

export interface VoiceOption {
  name: string
  provider: 'HUME_AI' | 'CUSTOM_VOICE'
}

export interface PickerOptions {
  prompts: { id: string; name: string; version: number }[]
  voices: VoiceOption[]
}

async function take<T>(items: AsyncIterable<T>, max: number): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) {
    out.push(item)
    if (out.length >= max) break
  }
  return out
}

/** The config form's choices: the account's prompts, the preset voices and the account's saved voices. */
export function usePickerOptions() {
  const client = useClient()
  const [options, setOptions] = useState<PickerOptions | null>(null)
  const { error, run } = useAction()
  useEffect(() => {
    void run(async () => {
      const [prompts, presets, custom] = await Promise.all([
        take(await client.empathicVoice.prompts.listPrompts({ pageSize: 50 }), MAX_PICKER_ITEMS),
        take(await client.tts.voices.list({ provider: 'HUME_AI', pageSize: 100 }), MAX_PICKER_ITEMS),
        take(await client.tts.voices.list({ provider: 'CUSTOM_VOICE', pageSize: 100 }), MAX_PICKER_ITEMS),
      ])
      setOptions({
        prompts: prompts.map((p) => ({ id: p.id, name: p.name, version: p.version })),
        voices: [...presets, ...custom].map((v) => ({ name: v.name, provider: v.provider })),
      })
    })
  }, [client, run])
  return { options, error }
}
