import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { ChartSpec } from './series.js'

/** Distinguishable on white, and in this order for the top emotion first. */
const PALETTE = ['#5b3cc4', '#e0632a', '#1f9d74', '#c8318a', '#2f7fd1']

const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]

function options(spec: ChartSpec, width: number): uPlot.Options {
  const bars = spec.kind === 'bars'
  const categories = spec.categories ?? []
  return {
    width,
    height: bars ? 200 : 260,
    scales: {
      x: bars ? { time: false, range: [-0.5, spec.x.length - 0.5] } : { time: false },
      // Scores are probabilities: a zero floor keeps small ones from looking large.
      y: { range: (_u, _min, max) => [0, Math.max(max, 0.1)] },
    },
    series: [
      { label: spec.xLabel },
      ...spec.series.map((s, i) => {
        const color = PALETTE[i % PALETTE.length]!
        return bars
          ? { label: s.name, stroke: color, fill: `${color}99`, paths: uPlot.paths.bars!({ size: [0.6, 80] }) }
          : { label: s.name, stroke: color, width: 2 }
      }),
    ],
    axes: [
      bars
        ? { label: spec.xLabel, splits: () => spec.x, values: (_u, splits) => splits.map((v) => categories[v] ?? '') }
        : { label: spec.xLabel, ...(spec.integerX && { incrs: INTEGER_STEPS }) },
      { label: 'score' },
    ],
    legend: { show: !bars },
  }
}

/** One chart in a <figure>; the plot itself is an image to assistive technology, described by its summary. */
export function EmotionChart({ spec }: { spec: ChartSpec }) {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const width = Math.max(320, Math.min(el.clientWidth || 720, 960))
    const plot = new uPlot(options(spec, width), [spec.x, ...spec.series.map((s) => s.values)], el)
    // The figure's label already summarises the chart; uPlot's live legend table would be read as noise.
    plot.root.querySelector('.u-legend')?.setAttribute('aria-hidden', 'true')
    return () => plot.destroy()
  }, [spec])
  return (
    <figure class="chart">
      <div ref={ref} role="img" aria-label={spec.summary} />
      <figcaption>{spec.title}</figcaption>
    </figure>
  )
}
