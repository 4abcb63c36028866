import { useState } from 'preact/hooks'
import type { ToolEntry } from './transcript.js'

/** Pretty JSON when the parameters parse (they should: the model's arguments), else the text as sent. */
function pretty(parameters: string): string {
  try {
    return JSON.stringify(JSON.parse(parameters), null, 2)
  } catch {
    return parameters
  }
}

/**
 * A tool call the model made, answered by hand: the page stands in for the user's code, which would run
 * the tool and send `tool_response` (or `tool_error`) with the call's id.
 */
export function ToolCall({
  entry,
  onAnswer,
  canAnswer,
}: {
  entry: ToolEntry
  onAnswer: (kind: 'response' | 'error', text: string) => void
  canAnswer: boolean
}) {
  const { call, answer } = entry
  const [text, setText] = useState('')
  const submit = (kind: 'response' | 'error') => (event: Event) => {
    event.preventDefault()
    onAnswer(kind, text)
  }
  return (
    <fieldset class="chat-tool">
      <legend>Tool call: {call.name}</legend>
      <p class="hint">
        {call.toolType} tool · id <code>{call.toolCallId}</code>
      </p>
      <pre aria-label={`Parameters of ${call.name}`}>{pretty(call.parameters)}</pre>
      {answer ? (
        <p>
          {answer.kind === 'response' ? 'Answered' : 'Answered with an error'}: <code>{answer.text || '(empty)'}</code>
        </p>
      ) : !call.responseRequired ? (
        <p class="hint">The server runs this tool itself; no answer is needed.</p>
      ) : (
        <form onSubmit={submit('response')}>
          <label>
            Tool result
            <textarea
              value={text}
              rows={3}
              placeholder='{"temperature": 21}'
              onInput={(e) => setText(e.currentTarget.value)}
            />
          </label>
          <div class="row">
            <button type="submit" disabled={!canAnswer}>
              Send response
            </button>
            <button type="button" class="secondary" disabled={!canAnswer} onClick={submit('error')}>
              Send error
            </button>
          </div>
        </form>
      )}
    </fieldset>
  )
}
