import { useEffect, useRef, useState } from 'preact/hooks'
import { decodeBase64 } from '../../../src/client/index.js'
import { useClient } from '../api.js'
import { ErrorBanner } from '../components/error-banner.js'
import { audioContext, type SpeechClip, type SpeechFormat } from '../components/speech-audio.js'
import { SpeechForm, type SpeechRequest } from '../components/speech-form.js'
import { GenerationCard } from '../components/speech-generation.js'
import { MseSink, PcmSink, streamSpeech, type LiveSink } from '../components/speech-stream.js'
import { useAction } from '../hooks.js'
import '../components/speech.css'

/** Without MSE support for MP3 the stream still arrives and is kept; it just is not heard live. */
const silentSink: LiveSink = { push: () => undefined, end: () => undefined, close: () => undefined }

function liveSink(format: SpeechFormat): { sink: LiveSink; url?: string } {
  if (format === 'wav') return { sink: new PcmSink(audioContext()) }
  if (!MseSink.supported()) return { sink: silentSink }
  const sink = new MseSink()
  return { sink, url: sink.url }
}

/** The Speech page: synthesize text, hear each generation, keep a voice you like. */
export function SpeechPage() {
  const client = useClient()
  const { busy, error, run } = useAction()
  const [clips, setClips] = useState<SpeechClip[]>([])
  const [liveUrl, setLiveUrl] = useState<string>()
  const [progress, setProgress] = useState('')
  const [savedVersion, setSavedVersion] = useState(0)
  // The running request and its live player, stopped when another starts or the page closes.
  const running = useRef<{ abort: AbortController; sink?: LiveSink }>()
  useEffect(
    () => () => {
      running.current?.abort.abort()
      running.current?.sink?.close()
    },
    [],
  )

  const synthesize = ({ request, format, stream }: SpeechRequest) => {
    running.current?.abort.abort()
    running.current?.sink?.close()
    const abort = new AbortController()
    const live = stream ? liveSink(format) : undefined
    running.current = { abort, ...(live ? { sink: live.sink } : {}) }
    setClips([])
    setLiveUrl(live?.url)
    setProgress(stream ? 'Streaming…' : 'Synthesizing…')
    void run(async () => {
      try {
        const result = live
          ? await streamSpeech(
              client,
              request,
              format,
              live.sink,
              (n) => setProgress(`Streaming… ${n} chunk${n === 1 ? '' : 's'} received`),
              abort.signal,
            )
          : (await client.tts.synthesizeJson(request, { abortSignal: abort.signal })).generations.map((g) => ({
              generationId: g.generationId,
              format: g.encoding.format as SpeechFormat,
              bytes: decodeBase64(g.audio),
              duration: g.duration,
            }))
        setClips(result)
        setProgress(`${result.length} generation${result.length === 1 ? '' : 's'} ready.`)
      } catch (e) {
        setProgress('')
        throw e
      }
    })
  }

  return (
    <>
      <SpeechForm busy={busy} savedVersion={savedVersion} onSubmit={synthesize} />
      <ErrorBanner error={error} />
      <p role="status" class="hint">
        {progress}
      </p>
      {liveUrl && (
        <div class="card">
          <h2>Live playback</h2>
          <audio controls autoPlay src={liveUrl} aria-label="Live playback" />
        </div>
      )}
      {clips.map((clip, i) => (
        <GenerationCard key={clip.generationId} clip={clip} index={i} onSaved={() => setSavedVersion((n) => n + 1)} />
      ))}
    </>
  )
}
