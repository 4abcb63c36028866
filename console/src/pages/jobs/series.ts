/**
 * Shapes a job's predictions for the charts and tables: which emotions to plot (the top few by mean score),
 * the x axis each model calls for (time for audio and video, the word or sentence index for text, one bar per
 * emotion for a face in an image), and a sentence that summarises each chart for screen readers.
 */
import type { expressionMeasurement as E } from '../../../../src/client/index.js'

export interface Emotion {
  name: string
  score: number
}

/** One prediction of any model, as far as the console reads it. */
export interface AnyPrediction {
  text?: string | null
  entity?: string
  time?: { begin: number; end: number } | number | null
  frame?: number
  emotions: Emotion[]
}

export interface ChartSpec {
  /** Stable across renders of the same results (the chart is rebuilt when it changes). */
  key: string
  kind: 'line' | 'bars'
  /** The <figcaption>. */
  title: string
  /** The aria-label of the chart: what a sighted reader gets from it. */
  summary: string
  xLabel: string
  x: number[]
  series: { name: string; values: number[] }[]
  /** x counts things (word 1, 2, 3…): ticks only at whole numbers. */
  integerX?: boolean
  /** For bars: the label under each bar. */
  categories?: string[]
}

/** Series per chart: more lines than this are unreadable. */
export const SERIES_PER_CHART = 5
/** Points per chart: a 100,000-character text has ~20,000 words; uPlot copes, a reader does not. */
export const MAX_CHART_POINTS = 5000
/** Charts per file: a crowd photo or a long video with many faces would otherwise fill the page. */
export const MAX_CHARTS_PER_FILE = 12

const MODEL_NAMES: Record<string, string> = {
  language: 'Language',
  ner: 'Named entities',
  prosody: 'Prosody',
  burst: 'Vocal burst',
  face: 'Face',
}

export function modelName(model: string): string {
  return MODEL_NAMES[model] ?? model
}

/** The `n` highest scores of one prediction. */
export function topOf(emotions: readonly Emotion[], n = 3): Emotion[] {
  return [...emotions].sort((a, b) => b.score - a.score).slice(0, n)
}

/** The `n` emotions with the highest mean score over the predictions: the ones worth a line. */
export function topEmotions(predictions: readonly AnyPrediction[], n = SERIES_PER_CHART): string[] {
  const sums = new Map<string, number>()
  for (const p of predictions) for (const e of p.emotions) sums.set(e.name, (sums.get(e.name) ?? 0) + e.score)
  return [...sums.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name]) => name)
}

export function timeOf(p: AnyPrediction): number | undefined {
  return typeof p.time === 'number' ? p.time : (p.time?.begin ?? undefined)
}

/** What a table row or a chart point is called: the word, the entity, the time span or the frame. */
export function labelOf(p: AnyPrediction): string {
  if (p.entity !== undefined) return p.entity
  if (p.text) return p.text
  if (typeof p.time === 'number') return `${p.time.toFixed(2)} s${p.frame !== undefined ? ` (frame ${p.frame})` : ''}`
  if (p.time) return `${p.time.begin.toFixed(2)}–${p.time.end.toFixed(2)} s`
  return ''
}

const fmt = (score: number) => score.toFixed(2)

/** Series of the top emotions along x, and the sentence naming the highest point. */
function lineChart(
  key: string,
  title: string,
  xLabel: string,
  preds: AnyPrediction[],
  xOf: (p: AnyPrediction, i: number) => number,
  describe: (names: string[], peak: string) => string,
): ChartSpec {
  const shown = preds.slice(0, MAX_CHART_POINTS)
  const names = topEmotions(shown)
  const scoreOf = (p: AnyPrediction, name: string) => p.emotions.find((e) => e.name === name)?.score ?? 0
  const series = names.map((name) => ({ name, values: shown.map((p) => scoreOf(p, name)) }))
  let best = { name: '', score: -1, at: 0 }
  for (const s of series)
    s.values.forEach((score, i) => {
      if (score > best.score) best = { name: s.name, score, at: i }
    })
  const at = shown[best.at]
  const peak = at ? `${best.name} ${fmt(best.score)} at ${JSON.stringify(labelOf(at))}` : 'no scores'
  const cut = preds.length > shown.length ? ` (first ${shown.length} of ${preds.length})` : ''
  return {
    key,
    kind: 'line',
    title: title + cut,
    summary: describe(names, peak) + cut,
    xLabel,
    x: shown.map(xOf),
    series,
  }
}

function barChart(key: string, title: string, p: AnyPrediction): ChartSpec {
  const top = topOf(p.emotions, SERIES_PER_CHART)
  return {
    key,
    kind: 'bars',
    title,
    summary: `${title}: ${top.map((e) => `${e.name} ${fmt(e.score)}`).join(', ')}`,
    xLabel: 'emotion',
    x: top.map((_, i) => i),
    series: [{ name: 'score', values: top.map((e) => e.score) }],
    categories: top.map((e) => e.name),
  }
}

type Groups = { id: string; predictions: unknown[] }[]

/** What a language prediction is, by the job's granularity: a word, a sentence, an utterance or a turn. */
export function languageUnit(job: E.UnionJob): string {
  const language = job.request.models['language'] as { granularity?: string | null } | null | undefined
  const g = language?.granularity ?? 'word'
  return g === 'conversational_turn' ? 'turn' : g
}

/** Every chart of one file: a line per top emotion over time or position, or bars per face in an image. */
export function chartsFor(prediction: E.InferencePrediction, languageUnit = 'word'): ChartSpec[] {
  const charts: ChartSpec[] = []
  const file = prediction.file
  for (const [model, output] of Object.entries(prediction.models)) {
    const groups = (output as { groupedPredictions?: Groups } | undefined)?.groupedPredictions ?? []
    for (const group of groups) {
      const preds = group.predictions as AnyPrediction[]
      if (preds.length === 0) continue
      const name = modelName(model)
      const who = groups.length > 1 ? ` (${group.id})` : ''
      const key = `${file}/${model}/${group.id}`
      if (model === 'language' || model === 'ner') {
        const unit = model === 'ner' ? 'entity' : languageUnit
        const units = unit === 'entity' ? 'entities' : `${unit}s`
        charts.push({
          integerX: true,
          ...lineChart(
            key,
            `${name} · ${file}${who}: top emotions per ${unit}`,
            `${unit} index`,
            preds,
            (_, i) => i + 1,
            (names, peak) =>
              `${name} scores of ${names.join(', ')} over ${preds.length} ${preds.length === 1 ? unit : units} of ${file}; highest: ${peak}`,
          ),
        })
      } else if (model === 'face' && new Set(preds.map((p) => p.frame)).size <= 1) {
        // An image (one frame): each face gets its own bars, since there is no time to plot against.
        preds.forEach((p, i) => charts.push(barChart(`${key}/${i}`, `Face ${i + 1}${who} in ${file}`, p)))
      } else {
        const sorted = [...preds].sort((a, b) => (timeOf(a) ?? 0) - (timeOf(b) ?? 0))
        const span = sorted.length ? (timeOf(sorted[sorted.length - 1]!) ?? 0).toFixed(1) : '0'
        charts.push(
          lineChart(
            key,
            `${name} · ${file}${who}: top emotions over time`,
            'time (s)',
            sorted,
            (p) => timeOf(p) ?? 0,
            (names, peak) => `${name} scores of ${names.join(', ')} over ${span} s of ${file}; highest: ${peak}`,
          ),
        )
      }
    }
  }
  return charts.slice(0, MAX_CHARTS_PER_FILE)
}
