import { ToolCall } from './tool-call.js'
import type { Entry, UserEntry } from './transcript.js'

function Emotions({ emotions }: { emotions: UserEntry['emotions'] }) {
  if (emotions.length === 0) return null
  return (
    <ul class="chat-emotions" aria-label="Top emotions">
      {emotions.map(([name, score]) => (
        <li key={name}>
          {name} <span class="hint">{score.toFixed(2)}</span>
        </li>
      ))}
    </ul>
  )
}

function Line({
  entry,
  onAnswer,
  canAnswer,
}: {
  entry: Entry
  onAnswer: TranscriptProps['onAnswer']
  canAnswer: boolean
}) {
  switch (entry.kind) {
    case 'user':
      return (
        <li class={`chat-line user${entry.interim ? ' interim' : ''}`}>
          <span class="chat-who">You{entry.fromText ? ' (typed)' : ''}</span>
          <p>
            {entry.text}
            {entry.interim && <span class="hint"> (still listening…)</span>}
          </p>
          <Emotions emotions={entry.emotions} />
        </li>
      )
    case 'assistant':
      return (
        <li class="chat-line assistant">
          <span class="chat-who">Assistant</span>
          <p>
            {entry.text}
            {entry.interrupted && <span class="hint"> (interrupted)</span>}
          </p>
        </li>
      )
    case 'tool':
      return (
        <li class="chat-line tool">
          <ToolCall
            entry={entry}
            canAnswer={canAnswer}
            onAnswer={(kind, text) => onAnswer(entry.call.toolCallId, kind, text)}
          />
        </li>
      )
    case 'interruption':
      return <li class="chat-line note hint">You interrupted: the assistant stopped speaking.</li>
  }
}

interface TranscriptProps {
  entries: Entry[]
  onAnswer: (toolCallId: string, kind: 'response' | 'error', text: string) => void
  canAnswer: boolean
}

/** The live transcript; polite live region, so a screen reader reads new lines without stealing focus. */
export function TranscriptView({ entries, onAnswer, canAnswer }: TranscriptProps) {
  if (entries.length === 0) return <p class="hint">The transcript appears here once the chat starts.</p>
  return (
    <ol class="chat-transcript" aria-label="Transcript" aria-live="polite">
      {entries.map((entry) => (
        <Line key={entry.key} entry={entry} onAnswer={onAnswer} canAnswer={canAnswer} />
      ))}
    </ol>
  )
}
