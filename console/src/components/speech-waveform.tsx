import { useEffect, useRef, useState } from 'preact/hooks'
import { decodeSamples } from './speech-audio.js'

const WIDTH = 640
const HEIGHT = 72

/** Each pixel column shows the lowest and highest sample of its slice of the audio. */
function draw(canvas: HTMLCanvasElement, samples: Float32Array): void {
  const g = canvas.getContext('2d')
  if (!g) return
  g.clearRect(0, 0, WIDTH, HEIGHT)
  g.fillStyle = '#5b3cc4'
  const per = Math.max(1, Math.floor(samples.length / WIDTH))
  const mid = HEIGHT / 2
  for (let x = 0; x < WIDTH; x++) {
    let lo = 0
    let hi = 0
    const start = Math.floor((x * samples.length) / WIDTH)
    for (let i = start; i < Math.min(samples.length, start + per); i++) {
      const s = samples[i] as number
      if (s < lo) lo = s
      if (s > hi) hi = s
    }
    g.fillRect(x, mid - hi * mid, 1, Math.max(1, (hi - lo) * mid))
  }
}

/** The clip's waveform, drawn from the samples the browser decodes (decodeAudioData). */
export function Waveform({ bytes, label }: { bytes: Uint8Array; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const [failure, setFailure] = useState<string>()
  useEffect(() => {
    let current = true
    decodeSamples(bytes).then(
      (buffer) => {
        if (current && canvas.current) draw(canvas.current, buffer.getChannelData(0))
      },
      (error: unknown) => {
        if (current) setFailure(error instanceof Error ? error.message : String(error))
      },
    )
    return () => {
      current = false
    }
  }, [bytes])
  return (
    <>
      <canvas ref={canvas} class="speech-waveform" role="img" aria-label={label} width={WIDTH} height={HEIGHT} />
      {failure && <p class="hint">The waveform could not be drawn: {failure}</p>}
    </>
  )
}
