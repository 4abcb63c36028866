/**
 * Offline English transcription with CMU PocketSphinx from Debian (`pocketsphinx` +
 * `pocketsphinx-en-us`). Debian 12 ships 0.8, whose CLI `pocketsphinx_continuous -time yes`
 * prints, per utterance, the hypothesis line and then one "word begin end posterior" line per
 * word; there is no JSON output in that version. Accuracy is modest (a 2010s HMM model), but it
 * installs from the distribution and needs no network or downloaded weights.
 */
import { spawn } from 'node:child_process'
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AsrError,
  ASR_SAMPLE_RATE,
  baseLanguage,
  type AsrProvider,
  type Transcript,
  type TranscriptWord,
} from './asr.js'
import { encodeWav16 } from './wav.js'

export interface PocketsphinxOptions {
  /** The CLI; default `pocketsphinx_continuous` on the PATH. */
  bin?: string
  /** Directory of the en-us model (acoustic model dir `en-us/`, `en-us.lm.bin`, `cmudict-en-us.dict`). */
  modelDir?: string
  /** Whole-run deadline, ms (default 10 min: the CLI runs at a few times real time on a shared core). */
  timeoutMs?: number
}

export const DEFAULT_POCKETSPHINX_MODEL = '/usr/share/pocketsphinx/model/en-us'
const DEFAULT_BIN = 'pocketsphinx_continuous'
const STDOUT_LIMIT = 8 * 1024 * 1024
const STDERR_LIMIT = 16 * 1024

/** The en-us model's files as CLI arguments (the batch provider and the live recogniser share them). */
export function pocketsphinxModelArgs(modelDir: string): string[] {
  return [
    '-hmm',
    join(modelDir, 'en-us'),
    '-lm',
    join(modelDir, 'en-us.lm.bin'),
    '-dict',
    join(modelDir, 'cmudict-en-us.dict'),
  ]
}

const availability = new Map<string, Promise<boolean>>()

/** Whether the CLI runs and the en-us model files exist; cached per (bin, model) in this thread. */
export function pocketsphinxAvailable(opts: PocketsphinxOptions = {}): Promise<boolean> {
  const bin = opts.bin ?? DEFAULT_BIN
  const modelDir = opts.modelDir ?? DEFAULT_POCKETSPHINX_MODEL
  const key = `${bin}\0${modelDir}`
  let known = availability.get(key)
  if (!known) {
    known = check(bin, modelDir)
    availability.set(key, known)
  }
  return known
}

async function check(bin: string, modelDir: string): Promise<boolean> {
  try {
    await Promise.all(['en-us/mdef', 'en-us.lm.bin', 'cmudict-en-us.dict'].map((f) => access(join(modelDir, f))))
  } catch {
    return false
  }
  // Without arguments the 0.8 CLI prints its option table and exits; a missing binary fails to spawn.
  return new Promise<boolean>((resolve) => {
    const child = spawn(bin, [], { stdio: 'ignore' })
    child.once('error', () => resolve(false))
    child.once('close', () => resolve(true))
  })
}

/**
 * One `-time yes` word line ("word begin end posterior"), fillers and sentence marks included
 * (`filler` says which); undefined for any other line (a hypothesis, a blank).
 */
export function parseWordLine(line: string): { word: TranscriptWord; filler: boolean } | undefined {
  const m = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?(?:e[-+]?\d+)?)$/i.exec(line.trim())
  if (!m) return undefined
  const token = m[1]!
  const begin = Number(m[2])
  const end = Number(m[3])
  const p = Number(m[4])
  return {
    filler: isFiller(token),
    word: {
      // Alternate pronunciations come back as "the(2)".
      text: token.replace(/\(\d+\)$/, ''),
      begin,
      end: Math.max(begin, end),
      confidence: Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : null,
      speaker: null,
    },
  }
}

/** Parses `-time yes` output: hypothesis lines and word lines, fillers and sentence marks dropped. */
export function parsePocketsphinxOutput(stdout: string): TranscriptWord[] {
  const words: TranscriptWord[] = []
  for (const line of stdout.split(/\r?\n/)) {
    const parsed = parseWordLine(line)
    if (parsed && !parsed.filler) words.push(parsed.word)
  }
  return words
}

function isFiller(token: string): boolean {
  return /^<.*>$/.test(token) || /^\[.*\]$/.test(token) || /^\+\+.*\+\+$/.test(token)
}

export class PocketsphinxProvider implements AsrProvider {
  readonly name = 'pocketsphinx'
  readonly capabilities = { languages: ['en'], speakers: false, wordConfidence: true }
  private readonly bin: string
  private readonly modelDir: string
  private readonly timeoutMs: number

  constructor(opts: PocketsphinxOptions = {}) {
    this.bin = opts.bin ?? DEFAULT_BIN
    this.modelDir = opts.modelDir ?? DEFAULT_POCKETSPHINX_MODEL
    this.timeoutMs = opts.timeoutMs ?? 600_000
  }

  async transcribe(pcm16k: Float32Array, opts: { language?: string; signal?: AbortSignal } = {}): Promise<Transcript> {
    if (opts.language !== undefined && baseLanguage(opts.language) !== 'en') {
      throw new AsrError('language', `pocketsphinx transcribes English only, not "${opts.language}"`)
    }
    if (opts.signal?.aborted) throw new AsrError('aborted', 'transcription was cancelled')
    // Node gives a child a socket, not a pipe, for stdin, and the 0.8 CLI can only fopen() its
    // input, which fails on /dev/stdin backed by a socket: so the audio goes through a temp file.
    const dir = await mkdtemp(join(tmpdir(), 'prosodia-asr-'))
    let stdout: string
    try {
      const wav = join(dir, 'audio.wav')
      await writeFile(wav, encodeWav16(pcm16k, ASR_SAMPLE_RATE))
      stdout = await this.run(wav, opts.signal)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
    const words = parsePocketsphinxOutput(stdout)
    const confidences = words.map((w) => w.confidence).filter((c): c is number => c !== null)
    return {
      text: words.map((w) => w.text).join(' '),
      language: 'en',
      confidence: confidences.length ? confidences.reduce((a, b) => a + b, 0) / confidences.length : null,
      words,
    }
  }

  private run(wav: string, signal: AbortSignal | undefined): Promise<string> {
    const args = ['-infile', wav, '-time', 'yes', '-logfn', '/dev/null', ...pocketsphinxModelArgs(this.modelDir)]
    const deadline = AbortSignal.timeout(this.timeoutMs)
    const stop = signal ? AbortSignal.any([signal, deadline]) : deadline
    return new Promise<string>((resolve, reject) => {
      const child = spawn(this.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
      const out: Buffer[] = []
      let outSize = 0
      let err = ''
      let failure: AsrError | undefined
      const kill = (why: AsrError) => {
        failure ??= why
        child.kill('SIGKILL')
      }
      const onAbort = () =>
        kill(
          deadline.aborted && !signal?.aborted
            ? new AsrError('timeout', `pocketsphinx took longer than ${this.timeoutMs} ms`)
            : new AsrError('aborted', 'transcription was cancelled'),
        )
      if (stop.aborted) onAbort()
      else stop.addEventListener('abort', onAbort, { once: true })
      child.stdout.on('data', (c: Buffer) => {
        outSize += c.length
        if (outSize > STDOUT_LIMIT) kill(new AsrError('failed', 'pocketsphinx produced too much output'))
        else out.push(c)
      })
      child.stderr.on('data', (c: Buffer) => {
        err = (err + c.toString('utf8')).slice(-STDERR_LIMIT)
      })
      child.once('error', (e) => {
        failure ??= new AsrError('unavailable', `pocketsphinx could not start: ${e.message}`, { cause: e })
      })
      child.once('close', (code) => {
        stop.removeEventListener('abort', onAbort)
        if (failure) return reject(failure)
        if (code !== 0) {
          const last = err.trim().split('\n').at(-1) ?? ''
          return reject(new AsrError('failed', `pocketsphinx failed (exit ${code})${last ? `: ${last}` : ''}`))
        }
        resolve(Buffer.concat(out).toString('utf8'))
      })
    })
  }
}
