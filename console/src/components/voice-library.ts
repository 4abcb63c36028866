import { useCallback, useEffect, useState } from 'preact/hooks'
import type { ProsodiaClient, tts } from '../../../src/client/index.js'
import { useClient } from '../api.js'

/** A library can grow without bound; the console lists this many voices of a provider at most. */
export const MAX_LISTED_VOICES = 500

export async function listVoices(client: ProsodiaClient, provider: tts.VoiceProvider): Promise<tts.ReturnVoice[]> {
  const voices: tts.ReturnVoice[] = []
  for await (const voice of await client.tts.voices.list({ provider, pageSize: 100 })) {
    voices.push(voice)
    if (voices.length >= MAX_LISTED_VOICES) break
  }
  return voices
}

/** One provider's voices, with `reload()` after a save or delete (or a new `version` from outside). */
export function useVoices(provider: tts.VoiceProvider, version = 0) {
  const client = useClient()
  const [voices, setVoices] = useState<tts.ReturnVoice[] | undefined>()
  const [error, setError] = useState<unknown>(null)
  const [generation, setGeneration] = useState(0)
  const reload = useCallback(() => setGeneration((n) => n + 1), [])
  useEffect(() => {
    let current = true
    listVoices(client, provider).then(
      (list) => {
        if (!current) return
        setVoices(list)
        setError(null)
      },
      (e: unknown) => {
        if (current) setError(e)
      },
    )
    return () => {
      current = false
    }
  }, [client, provider, generation, version])
  return { voices, error, reload }
}
