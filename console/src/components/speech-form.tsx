import { useState } from 'preact/hooks'
import type { tts } from '../../../src/client/index.js'
import { ErrorBanner } from './error-banner.js'
import type { SpeechFormat } from './speech-audio.js'
import { MseSink } from './speech-stream.js'
import { useVoices } from './voice-library.js'

export interface SpeechRequest {
  request: tts.PostedTts
  format: SpeechFormat
  stream: boolean
}

const NO_VOICE = ''

/**
 * The Speech form. It leaves range checks to the API (noValidate): a speed of 3 is sent and the
 * banner quotes the API's 422, so the console never disagrees with the server about what is valid.
 */
export function SpeechForm({
  busy,
  savedVersion,
  onSubmit,
}: {
  busy: boolean
  /** Bumped after "Save voice", so the picker lists the new voice. */
  savedVersion: number
  onSubmit: (r: SpeechRequest) => void
}) {
  const [text, setText] = useState('')
  const [description, setDescription] = useState('')
  const [voice, setVoice] = useState(NO_VOICE)
  const [format, setFormat] = useState<SpeechFormat>('mp3')
  const [speed, setSpeed] = useState('1')
  const [count, setCount] = useState('1')
  const [stream, setStream] = useState(false)
  const presets = useVoices('HUME_AI')
  const saved = useVoices('CUSTOM_VOICE', savedVersion)

  const submit = (event: Event) => {
    event.preventDefault()
    const [provider, id] = voice.split(':') as [tts.VoiceProvider, string]
    const utterance: tts.PostedUtterance = {
      text,
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(voice !== NO_VOICE ? { voice: { id, provider } } : {}),
      ...(speed.trim() !== '' ? { speed: Number(speed) } : {}),
    }
    onSubmit({
      request: {
        utterances: [utterance],
        format: { type: format },
        numGenerations: count.trim() === '' ? 1 : Number(count),
      },
      format,
      stream,
    })
  }
  const liveHow =
    format === 'mp3' && !MseSink.supported()
      ? 'This browser cannot stream MP3 (Media Source); choose WAV to stream.'
      : format === 'mp3'
        ? 'MP3 plays through Media Source as chunks arrive.'
        : 'WAV plays through Web Audio as chunks arrive.'
  return (
    <form class="card" noValidate onSubmit={submit}>
      <label>
        Text
        <textarea value={text} maxLength={5000} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <label>
        Description
        <input
          value={description}
          maxLength={1000}
          placeholder="e.g. a warm, unhurried narrator"
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </label>
      <div class="row">
        <label>
          Voice
          <select aria-label="Voice" value={voice} onChange={(e) => setVoice(e.currentTarget.value)}>
            <option value={NO_VOICE}>None (from the description)</option>
            <optgroup label="Presets">
              {presets.voices?.map((v) => (
                <option key={v.id} value={`HUME_AI:${v.id}`}>
                  {v.name}
                </option>
              ))}
            </optgroup>
            <optgroup label="Saved voices">
              {saved.voices?.map((v) => (
                <option key={v.id} value={`CUSTOM_VOICE:${v.id}`}>
                  {v.name}
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <label>
          Format
          <select aria-label="Format" value={format} onChange={(e) => setFormat(e.currentTarget.value as SpeechFormat)}>
            <option value="mp3">MP3</option>
            <option value="wav">WAV</option>
          </select>
        </label>
        <label>
          Speed
          <input
            type="number"
            min={0.5}
            max={2}
            step={0.05}
            value={speed}
            onInput={(e) => setSpeed(e.currentTarget.value)}
          />
        </label>
        <label>
          Number of generations
          <input
            type="number"
            min={1}
            max={5}
            step={1}
            value={count}
            onInput={(e) => setCount(e.currentTarget.value)}
          />
        </label>
        <label class="speech-check">
          <input type="checkbox" checked={stream} onChange={(e) => setStream(e.currentTarget.checked)} />
          Stream (play as audio arrives)
        </label>
      </div>
      {stream && <p class="hint">{liveHow}</p>}
      <ErrorBanner error={presets.error ?? saved.error} />
      <button type="submit" disabled={busy}>
        Synthesize
      </button>
    </form>
  )
}
