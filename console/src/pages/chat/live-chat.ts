import type { ChatSocket, ProsodiaClient, empathicVoice } from '../../../../src/client/index.js'
import { Microphone } from './microphone.js'
import { AudioQueue } from './player.js'

type Msg = empathicVoice.SubscribeEvent

export interface LiveChatEvents {
  onMessage: (message: Msg) => void
  /** The server's `error` messages, a microphone that failed, audio that would not decode. */
  onError: (error: unknown) => void
  onAudioChunk: (count: number) => void
  onPlaying: (playing: boolean) => void
  /** The socket closed (the user ended the chat, or the server did). */
  onClosed: (event: { code: number; reason: string }) => void
}

export interface StartOptions {
  configId?: string
  microphone: boolean
}

/** A server `error` message as an Error the page's banner quotes. */
export class ChatError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${message} (${code})`)
  }
}

/**
 * One chat from the browser: the socket (the project's client, the browser's WebSocket), the microphone
 * feeding it and the queue playing the assistant's audio. The page holds one at a time.
 */
export class LiveChat {
  private mic: Microphone | undefined
  private constructor(
    private readonly socket: ChatSocket,
    private readonly player: AudioQueue,
  ) {}

  /** Whether the microphone is recording (it may have been refused). */
  get hasMicrophone(): boolean {
    return this.mic !== undefined
  }

  static async start(client: ProsodiaClient, opts: StartOptions, events: LiveChatEvents): Promise<LiveChat> {
    // Created inside the Start click, so the browser lets it play without another gesture.
    const player = new AudioQueue({
      onChunk: events.onAudioChunk,
      onPlaying: events.onPlaying,
      onError: events.onError,
    })
    const socket = client.empathicVoice.chat.connect({
      ...(opts.configId ? { configId: opts.configId } : {}),
      // Interim transcripts, so the user sees their words while they speak.
      verboseTranscription: true,
    })
    const chat = new LiveChat(socket, player)
    socket.on('message', (m) => {
      if (m.type === 'audio_output') player.enqueue(m.id, m.data)
      else if (m.type === 'user_interruption') player.flush()
      else if (m.type === 'error') events.onError(new ChatError(m.code, m.message))
      events.onMessage(m)
    })
    socket.on('close', (event) => {
      chat.stopMicrophone()
      events.onClosed(event)
    })
    try {
      await socket.waitForOpen()
    } catch (error) {
      player.close()
      throw error
    }
    if (opts.microphone) {
      try {
        chat.mic = await Microphone.open((data) => chat.sendAudio(data), events.onError)
      } catch (error) {
        // The chat goes on by text: the banner says why the microphone is not there.
        events.onError(new Error(`Microphone: ${error instanceof Error ? error.message : String(error)}`))
      }
    }
    return chat
  }

  set muted(muted: boolean) {
    if (this.mic) this.mic.muted = muted
  }

  get open(): boolean {
    return this.socket.readyState === 1
  }

  sendText(text: string): void {
    this.socket.sendUserInput(text)
  }

  answerTool(toolCallId: string, kind: 'response' | 'error', text: string): void {
    if (kind === 'response') this.socket.sendToolResponseMessage({ toolCallId, content: text })
    // `error` is for the logs; `content`, when given, is what the model reads about the failure.
    else
      this.socket.sendToolErrorMessage({
        toolCallId,
        error: text || 'The tool failed',
        ...(text ? { content: text } : {}),
      })
  }

  /** Ends the chat: the server closes it as USER_ENDED. */
  end(): void {
    this.stopMicrophone()
    this.player.close()
    this.socket.close(1000, 'user ended the chat')
  }

  private sendAudio(data: string): void {
    // The recorder's last chunk can arrive after the socket closed.
    if (this.open) this.socket.sendAudioInput({ data })
  }

  private stopMicrophone(): void {
    this.mic?.stop()
    this.mic = undefined
  }
}
