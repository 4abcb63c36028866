import { labelOf, modelName, timeOf, topOf, type AnyPrediction } from './series.js'

/** Rows per table: the CSV has them all; a page of 20,000 rows helps no one. */
export const MAX_TABLE_ROWS = 200

const top3 = (p: AnyPrediction) =>
  topOf(p.emotions)
    .map((e) => `${e.name} ${e.score.toFixed(2)}`)
    .join(', ')

/** One model's predictions in a file: what each one is (word, entity, time, face) and its top emotions. */
export function PredictionTable({
  file,
  model,
  predictions,
}: {
  file: string
  model: string
  predictions: AnyPrediction[]
}) {
  const shown = predictions.slice(0, MAX_TABLE_ROWS)
  const timed = shown.some((p) => timeOf(p) !== undefined)
  const caption = `${modelName(model)} predictions · ${file}`
  return (
    <div class="table-scroll">
      <table>
        <caption>
          {caption}
          {predictions.length > shown.length && ` (first ${shown.length} of ${predictions.length}; the CSV has all)`}
        </caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{model === 'face' ? 'Face' : model === 'ner' ? 'Entity' : 'Text'}</th>
            {timed && <th scope="col">Time (s)</th>}
            <th scope="col">Top emotions</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((p, i) => (
            <tr key={i}>
              <td>{i + 1}</td>
              <td>{model === 'face' ? `frame ${p.frame ?? 0}` : labelOf(p)}</td>
              {timed && <td>{timeOf(p)?.toFixed(2) ?? ''}</td>}
              <td>{top3(p)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
