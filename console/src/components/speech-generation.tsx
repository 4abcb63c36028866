import { useState } from 'preact/hooks'
import { formatSeconds, MIME, useObjectUrl, type SpeechClip } from './speech-audio.js'
import { SaveVoice } from './speech-save-voice.js'
import { Waveform } from './speech-waveform.js'

/** One generation: its player and duration, its waveform, and "Save voice". */
export function GenerationCard({ clip, index, onSaved }: { clip: SpeechClip; index: number; onSaved: () => void }) {
  const url = useObjectUrl(clip.bytes, MIME[clip.format])
  const [duration, setDuration] = useState(clip.duration)
  const name = `Generation ${index + 1}`
  return (
    <section class="card speech-generation" aria-label={name}>
      <h2>{name}</h2>
      <div class="row">
        <audio
          controls
          preload="metadata"
          src={url}
          aria-label={`${name} audio`}
          onLoadedMetadata={(e) => {
            // A streamed clip has no duration from the API; an MP3's is the browser's estimate.
            const seconds = e.currentTarget.duration
            if (duration === undefined && Number.isFinite(seconds)) setDuration(seconds)
          }}
        />
        <span>Duration: {formatSeconds(duration)}</span>
        {url && (
          <a href={url} download={`${name.toLowerCase().replace(' ', '-')}.${clip.format}`}>
            Download {clip.format.toUpperCase()}
          </a>
        )}
      </div>
      <Waveform bytes={clip.bytes} label={`Waveform of ${name.toLowerCase()}`} />
      <SaveVoice generationId={clip.generationId} onSaved={onSaved} />
    </section>
  )
}
