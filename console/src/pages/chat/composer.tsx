import { useState } from 'preact/hooks'

/** "Message" + "Send": a typed user turn (user_input), answered like a spoken one. */
export function Composer({ onSend, disabled }: { onSend: (text: string) => boolean; disabled: boolean }) {
  const [text, setText] = useState('')
  const submit = (event: Event) => {
    event.preventDefault()
    if (text.trim() && onSend(text.trim())) setText('')
  }
  return (
    <form class="row chat-composer" onSubmit={submit}>
      <label>
        Message
        <input type="text" value={text} maxLength={10_000} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={disabled || !text.trim()}>
        Send
      </button>
    </form>
  )
}
