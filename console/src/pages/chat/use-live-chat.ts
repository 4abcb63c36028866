import { useCallback, useEffect, useReducer, useRef, useState } from 'preact/hooks'
import { useClient } from '../../api.js'
import { LiveChat, type StartOptions } from './live-chat.js'
import { emptyTranscript, transcriptReducer } from './transcript.js'

export type ChatStatus = 'idle' | 'connecting' | 'live' | 'ended'

/** The page's chat: its state for rendering and the actions its controls take. */
export function useLiveChat() {
  const client = useClient()
  const chatRef = useRef<LiveChat | null>(null)
  /** Which start() is current: events of a chat the user already replaced change nothing. */
  const generation = useRef(0)
  const [transcript, dispatch] = useReducer(transcriptReducer, emptyTranscript)
  const [status, setStatus] = useState<ChatStatus>('idle')
  const [chatId, setChatId] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [audioChunks, setAudioChunks] = useState(0)
  const [playing, setPlaying] = useState(false)
  const [microphone, setMicrophone] = useState(false)
  const [muted, setMutedState] = useState(false)
  /** Why the server ended the chat (its close reason), when it did. */
  const [endedReason, setEndedReason] = useState<string | null>(null)

  const start = useCallback(
    async (opts: StartOptions) => {
      chatRef.current?.end()
      chatRef.current = null
      const gen = ++generation.current
      const current = () => gen === generation.current
      dispatch({ type: 'reset' })
      setError(null)
      setChatId(null)
      setAudioChunks(0)
      setMutedState(false)
      setEndedReason(null)
      setStatus('connecting')
      try {
        const chat = await LiveChat.start(client, opts, {
          onMessage: (message) => {
            if (!current()) return
            if (message.type === 'chat_metadata') setChatId(message.chatId)
            dispatch({ type: 'event', message })
          },
          onError: (e) => current() && setError(e),
          onAudioChunk: (n) => current() && setAudioChunks(n),
          onPlaying: (p) => current() && setPlaying(p),
          onClosed: ({ code, reason }) => {
            if (!current()) return
            setStatus('ended')
            setMicrophone(false)
            setEndedReason(reason || null)
            // 1000 is a chat ended on purpose (its reason says why); anything else is a lost connection.
            if (code !== 1000)
              setError(new Error(`The chat connection closed (code ${code}${reason ? `: ${reason}` : ''})`))
          },
        })
        if (!current()) {
          chat.end()
          return
        }
        chatRef.current = chat
        if (chat.open) {
          setStatus('live')
          setMicrophone(chat.hasMicrophone)
        } else setStatus('ended')
      } catch (e) {
        if (!current()) return
        setError(e)
        setStatus('ended')
      }
    },
    [client],
  )

  const end = useCallback(() => {
    generation.current++
    chatRef.current?.end()
    chatRef.current = null
    setStatus('ended')
    setMicrophone(false)
    setPlaying(false)
  }, [])

  // Leaving the page ends the chat: nothing keeps recording behind the user's back.
  useEffect(
    () => () => {
      generation.current++
      chatRef.current?.end()
    },
    [],
  )

  /** Runs a send on the open chat; a closed one shows why in the banner. */
  const send = useCallback((fn: (chat: LiveChat) => void): boolean => {
    const chat = chatRef.current
    if (!chat?.open) {
      setError(new Error('The chat is not open: start a chat first'))
      return false
    }
    try {
      fn(chat)
      return true
    } catch (e) {
      setError(e)
      return false
    }
  }, [])

  return {
    status,
    endedReason,
    chatId,
    transcript,
    error,
    dismissError: () => setError(null),
    audioChunks,
    playing,
    microphone,
    muted,
    start,
    end,
    setMuted: (value: boolean) => {
      if (chatRef.current) chatRef.current.muted = value
      setMutedState(value)
    },
    sendText: (text: string) => send((chat) => chat.sendText(text)),
    answerTool: (toolCallId: string, kind: 'response' | 'error', text: string) => {
      if (send((chat) => chat.answerTool(toolCallId, kind, text)))
        dispatch({ type: 'answered', toolCallId, answer: { kind, text } })
    },
  }
}
