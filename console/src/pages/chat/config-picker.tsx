import { useEffect, useState } from 'preact/hooks'
import type { empathicVoice } from '../../../../src/client/index.js'
import { useClient } from '../../api.js'
import { ErrorBanner } from '../../components/error-banner.js'

/** How many configs the picker lists: past this, the rest are not offered (the EVI page lists them all). */
export const MAX_CONFIGS = 500

/** The account's EVI configs (newest version of each), with "No config" for the server's defaults. */
export function ConfigPicker({
  value,
  onChange,
  disabled,
}: {
  value: string
  onChange: (id: string) => void
  disabled: boolean
}) {
  const client = useClient()
  const [configs, setConfigs] = useState<empathicVoice.ReturnConfig[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    let live = true
    void (async () => {
      const found: empathicVoice.ReturnConfig[] = []
      for await (const config of await client.empathicVoice.configs.listConfigs({
        pageSize: 100,
        restrictToMostRecent: true,
      })) {
        found.push(config)
        if (found.length >= MAX_CONFIGS) break
      }
      if (live) setConfigs(found)
    })().catch((e: unknown) => live && setError(e))
    return () => {
      live = false
    }
  }, [client])
  return (
    <>
      <label>
        Config
        <select value={value} disabled={disabled || configs === null} onChange={(e) => onChange(e.currentTarget.value)}>
          <option value="">{configs === null && !error ? 'Loading…' : 'No config (server defaults)'}</option>
          {configs?.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} (v{c.version})
            </option>
          ))}
        </select>
      </label>
      <ErrorBanner error={error} />
    </>
  )
}
