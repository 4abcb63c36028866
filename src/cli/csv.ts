/**
 * `batch results JOB --format csv`: one row per prediction, one column per emotion (the union of the names
 * the job's predictions carry, sorted), after columns that say where the prediction came from.
 */
import type { expressionMeasurement as E } from '../client/index.js'

export const ID_COLUMNS = [
  'source',
  'file',
  'model',
  'group',
  'text',
  'position_begin',
  'position_end',
  'time_begin',
  'time_end',
  'frame',
] as const

type Cell = string | number | null | undefined
type Row = Record<string, Cell>

interface AnyPrediction {
  text?: string | null
  entity?: string
  position?: { begin: number; end: number }
  time?: { begin: number; end: number } | number | null
  frame?: number
  emotions: { name: string; score: number }[]
}

/** The name a source goes by: its URL, its uploaded file name, or "text" for an inline text. */
function sourceName(source: E.UnionPredictResult['source']): string {
  return source.url ?? source.filename ?? source.type
}

/** Every prediction of every source, model and group, flattened to rows. */
export function predictionRows(results: readonly E.UnionPredictResult[]): { rows: Row[]; emotions: string[] } {
  const rows: Row[] = []
  const names = new Set<string>()
  for (const result of results) {
    for (const prediction of result.results.predictions) {
      for (const [model, output] of Object.entries(prediction.models)) {
        if (!output) continue
        for (const group of output.groupedPredictions) {
          for (const p of group.predictions as AnyPrediction[]) {
            const row: Row = {
              source: sourceName(result.source),
              file: prediction.file,
              model,
              group: group.id,
              text: p.entity ?? p.text,
              position_begin: p.position?.begin,
              position_end: p.position?.end,
              time_begin: typeof p.time === 'number' ? p.time : p.time?.begin,
              time_end: typeof p.time === 'number' ? undefined : p.time?.end,
              frame: p.frame,
            }
            for (const { name, score } of p.emotions) {
              names.add(name)
              // Emotion columns go after the fixed ones; a name that collides with one keeps the fixed value.
              if (!(ID_COLUMNS as readonly string[]).includes(name)) row[name] = score
            }
            rows.push(row)
          }
        }
      }
    }
  }
  const emotions = [...names].filter((n) => !(ID_COLUMNS as readonly string[]).includes(n)).sort()
  return { rows, emotions }
}

/** RFC 4180: quote a field that holds a comma, quote or line break; double the quotes inside. */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return ''
  let s = String(value)
  // Text from the job (a file name, a word, an entity) that a spreadsheet would run as a formula is
  // prefixed with an apostrophe (OWASP's advice for CSV injection); numbers are written as numbers.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** The whole CSV document, header first, CRLF line ends (RFC 4180; spreadsheets take either). */
export function predictionsCsv(results: readonly E.UnionPredictResult[]): string {
  const { rows, emotions } = predictionRows(results)
  const columns = [...ID_COLUMNS, ...emotions]
  const lines = [columns.map((c) => csvField(c)).join(',')]
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(','))
  return lines.join('\r\n') + '\r\n'
}
