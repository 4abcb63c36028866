import { useState } from 'preact/hooks'
import { SelectField } from './fields.js'
import { LineDiffView } from './line-diff-view.js'
import { pretty, type Wire } from './wire.js'

/** What a diff compares: the version's content; its timestamps differ every time and say nothing. */
function comparable(version: Wire): string {
  const { created_on: _created, modified_on: _modified, ...rest } = version
  return pretty(rest)
}

/** Pick two versions, A and B, and see which lines of their JSON changed. */
export function VersionDiff({ versions }: { versions: Wire[] }) {
  const numbers = versions.map((v) => Number(v.version)).sort((x, y) => x - y)
  const [a, setA] = useState<number | undefined>(numbers.at(-2))
  const [b, setB] = useState<number | undefined>(numbers.at(-1))
  if (numbers.length < 2) return <p class="hint">Save a second version to compare versions.</p>
  const find = (n: number | undefined) => versions.find((v) => Number(v.version) === n)
  const left = find(a)
  const right = find(b)
  const picker = (label: string, value: number | undefined, set: (n: number) => void) => (
    <SelectField label={label} value={String(value ?? '')} onChange={(v) => set(Number(v))}>
      {numbers.map((n) => (
        <option key={n} value={String(n)}>
          {`v${n}`}
        </option>
      ))}
    </SelectField>
  )
  return (
    <section class="card" aria-labelledby="evi-diff-heading">
      <h3 id="evi-diff-heading">Compare versions</h3>
      <div class="row">
        {picker('Version A', a, setA)}
        {picker('Version B', b, setB)}
      </div>
      {left && right && (
        <LineDiffView a={comparable(left)} b={comparable(right)} caption={`Changes from v${a} to v${b}`} />
      )}
    </section>
  )
}
