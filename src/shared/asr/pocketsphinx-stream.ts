/**
 * Live transcription for EVI chats: one `pocketsphinx_continuous` per chat, fed the chat's 16 kHz
 * audio as it arrives, decoding while the user speaks. It finalises each utterance shortly after
 * the speaker stops (its own end-pointer), so the words of a turn are ready about when the turn
 * detector ends the turn, instead of a whole batch run (model load + decode, 1–3 s) starting then.
 *
 * The 0.8 CLI can only fopen() its input, and Node gives a child a socket for stdin, which fopen
 * cannot read as a stream: the audio goes through a named pipe (mkfifo) in a private temp dir,
 * opened non-blocking once the recogniser has opened it and written through a net.Socket, so a
 * stuck or dead recogniser never holds a libuv thread in a blocking open() or write().
 * Word times (`-time yes`) are seconds of the stream, the same clock as the turn detector's.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { constants, open } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { promisify } from 'node:util'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TranscriptWord } from './asr.js'
import { DEFAULT_POCKETSPHINX_MODEL, parseWordLine, pocketsphinxModelArgs } from './pocketsphinx.js'
import { toS16le } from './wav.js'

/**
 * How far short of `endS` the finalised stream may stop and still count: a turn detector's "end of
 * speech" may take in a breath the recogniser's last utterance does not.
 */
export const END_TOLERANCE_S = 0.15

/**
 * When the recogniser has heard this long past the turn's end (its own silence window plus decoding)
 * and has said nothing new for QUIET_MS, it is not inside an utterance: the turn detector counted a
 * breath or a tail as speech that the recogniser did not, and what it finalised is all there is.
 */
export const HEARD_PAST_S = 0.6
export const QUIET_MS = 250

/** Frames (10 ms) of silence after which the recogniser finalises an utterance. */
export const VAD_POSTSPEECH_FRAMES = 30

/** Audio waiting for the recogniser before more is dropped (30 s of 16 kHz s16): it has fallen behind. */
export const MAX_STREAM_BACKLOG_BYTES = 16_000 * 2 * 30

export interface StreamingRecognizer {
  /** The next 16 kHz mono samples of the stream. */
  write(pcm16k: Float32Array): void
  /**
   * The words spoken between `beginS` and `endS` (seconds of the stream), once the recogniser has
   * finalised the stream past `endS`; `undefined` if it has not within `timeoutMs` (or has failed):
   * the caller then transcribes the turn's audio on its own.
   */
  textBetween(beginS: number, endS: number, o: { timeoutMs: number; signal?: AbortSignal }): Promise<string | undefined>
  close(): void
}

export interface PocketsphinxStreamOptions {
  bin?: string
  modelDir?: string
  onError?: (err: Error) => void
}

async function mkfifo(path: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('mkfifo', ['-m', '600', path], { stdio: 'ignore' })
    child.once('error', reject)
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`mkfifo exited ${code}`))))
  })
}

export async function startPocketsphinxStream(o: PocketsphinxStreamOptions = {}): Promise<StreamingRecognizer> {
  const dir = await mkdtemp(join(tmpdir(), 'prosodia-asr-live-'))
  const fifo = join(dir, 'audio.raw')
  await mkfifo(fifo)
  const child = spawn(
    o.bin ?? 'pocketsphinx_continuous',
    [
      '-infile',
      fifo,
      '-time',
      'yes',
      '-logfn',
      '/dev/null',
      ...pocketsphinxModelArgs(o.modelDir ?? DEFAULT_POCKETSPHINX_MODEL),
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  )
  return new LiveRecognizer(child, openWriter(fifo, child), dir, o.onError)
}

/** How long the recogniser may take to start and open its input. */
const START_TIMEOUT_MS = 15_000

/** The FIFO's write end, once the recogniser holds the read end (O_NONBLOCK: ENXIO until then). */
async function openWriter(fifo: string, child: ChildProcess): Promise<Socket> {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('pocketsphinx exited before reading')
    try {
      // A plain fd, not a FileHandle (whose collection would close the descriptor under the socket).
      const fd = await promisify(open)(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
      return new Socket({ fd, readable: false, writable: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err
      if (Date.now() > deadline) throw new Error('pocketsphinx did not open its input in time')
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}

class LiveRecognizer implements StreamingRecognizer {
  private readonly words: TranscriptWord[] = []
  /** Stream seconds up to which every utterance has been finalised. */
  private finalised = 0
  private failed = false
  private closed = false
  private partial = ''
  /** Seconds of audio written to the recogniser. */
  private written = 0
  private lastOutputAt = Date.now()
  private waiters = new Set<() => void>()
  private writer: Socket | undefined
  /** Audio written before the recogniser opened its input. */
  private early: Buffer[] = []
  private earlyBytes = 0

  constructor(
    private readonly child: ChildProcess,
    writer: Promise<Socket>,
    private readonly dir: string,
    private readonly onError?: (err: Error) => void,
  ) {
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (s: string) => this.onOutput(s))
    const fail = (err: Error) => {
      if (this.closed || this.failed) return
      this.failed = true
      this.wake()
      this.onError?.(err)
    }
    child.once('error', fail)
    child.once('close', (code) => fail(new Error(`pocketsphinx exited (${code}) during a chat`)))
    writer.then(
      (socket) => {
        if (this.closed || this.failed) return void socket.destroy()
        socket.on('error', fail)
        this.writer = socket
        for (const b of this.early.splice(0)) socket.write(b)
        this.earlyBytes = 0
      },
      (err: unknown) => fail(err as Error),
    )
  }

  write(pcm16k: Float32Array): void {
    if (this.failed || this.closed) return
    if ((this.writer?.writableLength ?? this.earlyBytes) > MAX_STREAM_BACKLOG_BYTES) return
    const out = toS16le(pcm16k)
    this.written += pcm16k.length / 16_000
    this.wake()
    if (this.writer) this.writer.write(out)
    else {
      this.early.push(out)
      this.earlyBytes += out.length
    }
  }

  async textBetween(
    beginS: number,
    endS: number,
    o: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<string | undefined> {
    const needed = endS - END_TOLERANCE_S
    const settled = () =>
      this.finalised >= needed ||
      (this.written >= endS + HEARD_PAST_S && Date.now() - this.lastOutputAt >= QUIET_MS && this.finalised > beginS)
    if (!settled() && !this.failed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          o.signal?.removeEventListener('abort', done)
          this.waiters.delete(check)
          resolve()
        }
        const check = () => {
          if (settled() || this.failed) done()
        }
        const timer = setTimeout(done, o.timeoutMs)
        o.signal?.addEventListener('abort', done, { once: true })
        this.waiters.add(check)
      })
    }
    // A recogniser that died answers only for what it finalised before.
    if (!settled() || (this.failed && this.finalised < endS)) return undefined
    return this.words
      .filter((w) => (w.begin + w.end) / 2 >= beginS && (w.begin + w.end) / 2 <= endS + 0.3)
      .map((w) => w.text)
      .join(' ')
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.wake()
    this.writer?.destroy()
    this.early = []
    this.child.kill('SIGKILL')
    void rm(this.dir, { recursive: true, force: true })
  }

  private onOutput(s: string): void {
    this.lastOutputAt = Date.now()
    const lines = (this.partial + s).split('\n')
    this.partial = lines.pop() ?? ''
    for (const line of lines) {
      const parsed = parseWordLine(line)
      if (!parsed) continue
      // Sentence marks count too: "</s>" ending past a time is what says the utterance is closed.
      if (parsed.word.end > this.finalised) this.finalised = parsed.word.end
      if (parsed.filler) continue
      this.words.push(parsed.word)
      // A long chat keeps only recent words (turns only ever ask for the last few seconds).
      if (this.words.length > 4096) this.words.splice(0, 2048)
    }
    this.wake()
  }

  private wake(): void {
    for (const w of [...this.waiters]) w()
  }
}
