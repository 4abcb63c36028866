import type { tts } from '../../../src/client/index.js'
import { formatSeconds, MIME, useObjectUrl } from './speech-audio.js'

export interface Preview {
  voice: tts.ReturnVoice
  bytes: Uint8Array
  duration: number
}

/** The preview line as spoken by one voice; it starts playing as soon as it is here. */
export function PreviewPlayer({ preview }: { preview: Preview }) {
  const url = useObjectUrl(preview.bytes, MIME.mp3)
  const name = `Preview of ${preview.voice.name}`
  return (
    <section class="card" aria-label={name}>
      <h2>{name}</h2>
      <div class="row">
        <audio controls autoPlay src={url} aria-label={name} />
        <span>Duration: {formatSeconds(preview.duration)}</span>
      </div>
    </section>
  )
}
