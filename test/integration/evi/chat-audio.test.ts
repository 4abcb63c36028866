// Client audio on the real chat socket: a browser's MediaRecorder WebM/Opus in 100 ms pieces and
// raw linear16 described by session_settings (48 kHz stereo) each make a user turn; audio that
// cannot be decoded answers `error` invalid_audio, and the chat goes on (text turns, and a fresh
// recording after it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isType, type ChatRun } from '../../helpers/evi-chat.js'
import { startChatHarness, type ChatHarness } from './chat-harness.js'
import { clientAudio, pieces, type ClientAudio } from './turns-fixtures.js'

/** Sends the pieces as audio_input messages, `gapMs` apart (4x real time for 100 ms pieces). */
async function stream(chat: ChatRun, chunks: Uint8Array[], gapMs: number) {
  for (const c of chunks) {
    chat.socket.sendAudioInput({ data: Buffer.from(c).toString('base64') })
    await new Promise((r) => setTimeout(r, gapMs))
  }
}

/** Splits into pieces of about `ms` of audio. */
function timeslices(bytes: Uint8Array, audioSeconds: number, ms: number): Uint8Array[] {
  return pieces(bytes, Math.ceil((audioSeconds * 1000) / ms))
}

/** A final user_message from speech (not the text turns of user_input). */
const spokenTurn = (m: { type: string; interim?: unknown; from_text?: unknown }) =>
  m.type === 'user_message' && m.interim === false && m.from_text === false

describe('EVI chat: client audio', () => {
  let h: ChatHarness
  let audio: ClientAudio
  let seconds: number
  beforeAll(async () => {
    h = await startChatHarness()
    audio = clientAudio()
    seconds = audio.reference.length / 16_000
  })
  afterAll(() => h?.close())

  async function openChat() {
    const { id } = await h.createConfig()
    const chat = await h.open({ configId: id })
    await chat.next(isType('chat_metadata'))
    return chat
  }

  /** Waits for the user's spoken turn after message `from` and the answer to it. */
  async function expectTurn(chat: ChatRun, from: number) {
    const user = await chat.next(spokenTurn, { from })
    const text = (user.message as { content: string }).content
    expect(text.trim().length).toBeGreaterThan(0)
    await chat.next(isType('assistant_end'), { from: chat.messages.indexOf(user) })
    return text
  }

  it('hears browser WebM/Opus sent in 100 ms pieces', async () => {
    const chat = await openChat()
    const from = chat.messages.length
    await stream(chat, timeslices(audio.webm, seconds, 100), 25)
    await expectTurn(chat, from)
    expect(chat.all('error')).toEqual([])
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })

  it('hears raw linear16 at the rate and channels session_settings give', async () => {
    const chat = await openChat()
    chat.socket.sendSessionSettings({ audio: { encoding: 'linear16', sampleRate: 48_000, channels: 2 } })
    const from = chat.messages.length
    // 20 ms of 48 kHz stereo s16 per message, as a microphone sends it.
    await stream(chat, timeslices(audio.stereo48, seconds, 20), 5)
    await expectTurn(chat, from)
    expect(chat.all('error')).toEqual([])
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })

  it('answers undecodable audio with invalid_audio and stays usable', async () => {
    const chat = await openChat()
    // Starts like WebM (the EBML magic), then noise.
    const junk = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(4096, 0x5a)])
    chat.socket.sendAudioInput({ data: junk.toString('base64') })
    const error = await chat.next(isType('error'))
    expect(error).toMatchObject({ code: 'E0706', slug: 'invalid_audio' })
    // More of the broken stream is refused the same way, not decoded as something else.
    let from = chat.messages.length
    chat.socket.sendAudioInput({ data: Buffer.alloc(3200, 1).toString('base64') })
    expect(await chat.next(isType('error'), { from })).toMatchObject({ slug: 'invalid_audio' })

    // A WAV header the server cannot read (sample format 0x55, MP3 in a WAV) is refused too.
    const wav = Buffer.alloc(44)
    wav.write('RIFF', 0, 'ascii')
    wav.writeUInt32LE(36 + 3200, 4)
    wav.write('WAVEfmt ', 8, 'ascii')
    wav.writeUInt32LE(16, 16)
    wav.writeUInt16LE(0x55, 20)
    wav.writeUInt16LE(1, 22)
    wav.writeUInt32LE(16_000, 24)
    wav.writeUInt32LE(32_000, 28)
    wav.writeUInt16LE(2, 32)
    wav.writeUInt16LE(16, 34)
    wav.write('data', 36, 'ascii')
    wav.writeUInt32LE(3200, 40)
    from = chat.messages.length
    chat.socket.sendAudioInput({ data: Buffer.concat([wav, Buffer.alloc(3200)]).toString('base64') })
    expect(await chat.next(isType('error'), { from })).toMatchObject({ slug: 'invalid_audio' })

    // Text turns still work.
    from = chat.messages.length
    chat.socket.sendUserInput('Can you hear me?')
    await chat.next(isType('assistant_end'), { from })
    // And so does a fresh recording (a new WebM header starts the stream over).
    from = chat.messages.length
    await stream(chat, timeslices(audio.webm, seconds, 100), 25)
    await expectTurn(chat, from)
    expect(chat.invalid).toEqual([])
    chat.close()
    await chat.closed
  })
})
