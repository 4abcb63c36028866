/**
 * Client audio for the EVI audio-in tests, made at run time from RAVDESS sentences with Debian's ffmpeg:
 * raw linear16 as SDK clients send it, WAV, and the containers browsers' MediaRecorder produces
 * (WebM/Opus from Chrome and Firefox, fragmented MP4/AAC from Safari) plus Ogg/Opus.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { toMono16k } from '../../../src/domains/expression/prosody/resample.js'
import { readWavFile } from '../../../src/domains/expression/prosody/wav.js'
import { sharedPath } from '../../helpers/shared-data.js'
import { tempDir } from '../../helpers/temp.js'

/** Statement 01 of RAVDESS is "Kids are talking by the door", 02 "Dogs are sitting by the door". */
export const CLIPS = [
  { file: '03-01-01-01-01-01-03.wav', emotion: 'neutral', text: 'Kids are talking by the door' },
  { file: '03-01-02-02-01-01-22.wav', emotion: 'calm', text: 'Kids are talking by the door' },
  { file: '03-01-03-01-02-01-07.wav', emotion: 'happy', text: 'Dogs are sitting by the door' },
  { file: '03-01-04-01-01-02-16.wav', emotion: 'sad', text: 'Kids are talking by the door' },
  { file: '03-01-05-01-02-01-13.wav', emotion: 'angry', text: 'Dogs are sitting by the door' },
  { file: '03-01-06-02-01-02-16.wav', emotion: 'fearful', text: 'Kids are talking by the door' },
  { file: '03-01-07-01-01-01-19.wav', emotion: 'disgust', text: 'Kids are talking by the door' },
  { file: '03-01-08-01-01-01-08.wav', emotion: 'surprised', text: 'Kids are talking by the door' },
] as const

export function clipPath(file: string): string {
  return sharedPath('data', 'ravdess-samples', file)
}

/** A clip as 16 kHz mono (the reference every decoded stream is compared with). */
export function clip16k(file: string): Float32Array {
  const a = readWavFile(clipPath(file))
  return toMono16k(a.channels, a.sampleRate)
}

export function ffmpeg(args: string[]): Buffer {
  try {
    return execFileSync('ffmpeg', ['-nostdin', '-hide_banner', '-v', 'error', '-y', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    })
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer }
    if (e.code === 'ENOENT') throw new Error('install ffmpeg (Debian: apt install ffmpeg)')
    throw new Error(`ffmpeg ${args.join(' ')} failed: ${e.stderr?.toString() ?? e.message}`)
  }
}

export interface ClientAudio {
  /** The sentence followed by 1.5 s of silence (so a turn can end), 16 kHz mono reference. */
  reference: Float32Array
  stereo48: Uint8Array
  mono16: Uint8Array
  wav44: Uint8Array
  webm: Uint8Array
  ogg: Uint8Array
  mp4: Uint8Array
}

/** Every format of one clip; a couple of seconds of ffmpeg on 2 cores. */
export function clientAudio(file = CLIPS[0].file): ClientAudio {
  const dir = tempDir('prosodia-turns-')
  const padded = join(dir, 'padded.wav')
  ffmpeg(['-i', clipPath(file), '-af', 'apad=pad_dur=1.5', '-c:a', 'pcm_s16le', padded])
  const make = (name: string, args: string[]) => {
    const out = join(dir, name)
    ffmpeg(['-i', padded, ...args, out])
    return new Uint8Array(readFileSync(out))
  }
  const a = readWavFile(padded)
  return {
    reference: toMono16k(a.channels, a.sampleRate),
    // Two different channels: the left as recorded, the right at half level and inverted polarity.
    stereo48: make('stereo48.raw', ['-af', 'pan=stereo|c0=c0|c1=-0.5*c0', '-f', 's16le']),
    mono16: make('mono16.raw', ['-ac', '1', '-ar', '16000', '-f', 's16le']),
    wav44: make('stream.wav', ['-ac', '2', '-ar', '44100', '-c:a', 'pcm_s16le']),
    // As Chrome's MediaRecorder writes it: Opus at 48 kHz, live (unknown-size) segments and clusters.
    webm: make('rec.webm', [
      '-c:a',
      'libopus',
      '-b:a',
      '32k',
      '-live',
      '1',
      '-cluster_time_limit',
      '100',
      '-f',
      'webm',
    ]),
    ogg: make('rec.ogg', ['-c:a', 'libopus', '-b:a', '32k', '-page_duration', '100000', '-f', 'ogg']),
    // As Safari's MediaRecorder writes it: fragmented MP4 with AAC.
    mp4: make('rec.mp4', [
      '-c:a',
      'aac',
      '-b:a',
      '64k',
      '-movflags',
      'frag_keyframe+empty_moov+default_base_moof',
      '-frag_duration',
      '100000',
      '-f',
      'mp4',
    ]),
  }
}

/** Splits bytes into `count` pieces of nearly equal size (a recorder's 100 ms timeslices). */
export function pieces(bytes: Uint8Array, count: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < count; i++) {
    out.push(bytes.slice(Math.floor((i * bytes.length) / count), Math.floor(((i + 1) * bytes.length) / count)))
  }
  return out
}

/** Best normalised cross-correlation of `a` with `b` over lags up to `maxLag` samples (codec delay). */
export function similarity(a: Float32Array, b: Float32Array, maxLag = 800): number {
  let best = -1
  const n = Math.min(a.length, b.length) - maxLag
  for (let lag = -maxLag; lag <= maxLag; lag += 1) {
    let xy = 0
    let xx = 0
    let yy = 0
    for (let i = maxLag; i < n; i += 2) {
      const x = a[i]!
      const y = b[i + lag]!
      xy += x * y
      xx += x * x
      yy += y * y
    }
    best = Math.max(best, xy / Math.sqrt(xx * yy + 1e-20))
  }
  return best
}
