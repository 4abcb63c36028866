/**
 * Media files the tests make at run time with Debian's ffmpeg (kept out of the repository):
 * containers and codecs from a still sample image and a RAVDESS sentence, plus broken files.
 * Without ffmpeg the tests fail with what to install, never skip.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sharedPath } from './shared-data.js'
import { tempDir } from './temp.js'

/** A RAVDESS sentence ("Kids are talking by the door", neutral), 48 kHz mono 16-bit, ~3.44 s. */
export const SENTENCE = '03-01-01-01-01-01-03.wav'

export function sentencePath(): string {
  return sharedPath('data', 'ravdess-samples', SENTENCE)
}

export function faceImagePath(): string {
  return sharedPath('data', 'face-expression-samples', 'happy.jpg')
}

function ffmpeg(args: string[]): void {
  try {
    execFileSync('ffmpeg', ['-nostdin', '-hide_banner', '-v', 'error', '-y', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer }
    if (e.code === 'ENOENT') throw new Error('these tests need ffmpeg on the PATH (Debian: apt install ffmpeg)')
    throw new Error(`ffmpeg ${args.join(' ')} failed: ${e.stderr?.toString() ?? e.message}`)
  }
}

function encoders(): string {
  try {
    return execFileSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' })
  } catch {
    throw new Error('these tests need ffmpeg on the PATH (Debian: apt install ffmpeg)')
  }
}

/** Seconds of a file as ffprobe reads its container. */
export function probeSeconds(file: string): number {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
  })
  return Number(out.trim())
}

export interface MediaFixtures {
  dir: string
  /** The sentence in each audio format audio-decode reads (same audio, ~3.44 s). */
  audio: Record<'wav' | 'mp3' | 'flac' | 'oggOpus' | 'oggVorbis' | 'webmOpus' | 'm4a', string>
  /** 3 s of the still image at 25 fps with the sentence as soundtrack. */
  mp4: string
  webm: string
  /** Audio-only containers that sniff as (possibly) video. */
  audioOnlyWebm: string
  audioOnlyMp4: string
  /** The clip without its soundtrack. */
  videoOnlyMp4: string
  /** 2 s of digital silence, 16 kHz mono. */
  silentWav: string
  /** An MP3 with its second half cut off (its Xing header still declares the whole length). */
  truncatedMp3: string
  /** A JPEG whose entropy-coded data is cut short and overwritten. */
  corruptJpeg: string
  /** The MP4 cut in half: the moov box at the end is gone. */
  truncatedMp4: string
  /** Random bytes behind a WebM/EBML magic number. */
  garbageWebm: string
  /** 8 s of the sentence looped, for length limits. */
  longWav: string
}

let made: MediaFixtures | undefined

/** Builds every fixture once per test file (a couple of seconds of ffmpeg on 2 cores). */
export function mediaFixtures(): MediaFixtures {
  if (made) return made
  const dir = tempDir('prosodia-media-')
  const at = (name: string) => join(dir, name)
  const sentence = sentencePath()
  const image = faceImagePath()
  const enc = encoders()
  const h264 = /\blibx264\b/.test(enc)

  const wav = at('sentence.wav')
  copyFileSync(sentence, wav)
  const audio = {
    wav,
    mp3: at('sentence.mp3'),
    flac: at('sentence.flac'),
    oggOpus: at('sentence.opus.ogg'),
    oggVorbis: at('sentence.vorbis.ogg'),
    webmOpus: at('sentence.webm'),
    m4a: at('sentence.m4a'),
  }
  ffmpeg(['-i', sentence, '-c:a', 'libmp3lame', '-b:a', '64k', audio.mp3])
  ffmpeg(['-i', sentence, '-c:a', 'flac', audio.flac])
  ffmpeg(['-i', sentence, '-c:a', 'libopus', audio.oggOpus])
  ffmpeg(['-i', sentence, '-c:a', 'libvorbis', audio.oggVorbis])
  ffmpeg(['-i', sentence, '-c:a', 'libopus', '-f', 'webm', audio.webmOpus])
  ffmpeg(['-i', sentence, '-c:a', 'aac', audio.m4a])

  // Even dimensions for yuv420p; the sample image is 500x282.
  const still = ['-loop', '1', '-framerate', '25', '-i', image, '-i', sentence, '-t', '3', '-shortest']
  const even = ['-vf', 'scale=trunc(iw/2)*2:trunc(ih/2)*2', '-pix_fmt', 'yuv420p']
  const mp4 = at('clip.mp4')
  ffmpeg([
    ...still,
    ...even,
    ...(h264 ? ['-c:v', 'libx264', '-preset', 'ultrafast'] : ['-c:v', 'mpeg4']),
    '-c:a',
    'aac',
    mp4,
  ])
  const webm = at('clip.webm')
  ffmpeg([...still, ...even, '-c:v', 'libvpx', '-b:v', '300k', '-deadline', 'realtime', '-c:a', 'libopus', webm])

  const audioOnlyMp4 = at('voice.mp4')
  ffmpeg(['-i', sentence, '-c:a', 'aac', '-f', 'mp4', audioOnlyMp4])

  const videoOnlyMp4 = at('mute.mp4')
  ffmpeg(['-i', mp4, '-an', '-c:v', 'copy', videoOnlyMp4])

  const silentWav = at('silent.wav')
  ffmpeg(['-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '2', '-c:a', 'pcm_s16le', silentWav])

  const mp3 = readFileSync(audio.mp3)
  const truncatedMp3 = at('truncated.mp3')
  writeFileSync(truncatedMp3, mp3.subarray(0, mp3.length >> 1))

  const jpeg = readFileSync(image)
  const corruptJpeg = at('corrupt.jpg')
  const broken = Buffer.from(jpeg.subarray(0, Math.floor(jpeg.length * 0.4)))
  broken.fill(0xa5, 700) // header and tables intact, scan data garbage, no EOI
  writeFileSync(corruptJpeg, broken)

  const clip = readFileSync(mp4)
  const truncatedMp4 = at('truncated.mp4')
  writeFileSync(truncatedMp4, clip.subarray(0, clip.length >> 1))

  const garbageWebm = at('garbage.webm')
  const noise = Buffer.alloc(4096)
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) & 0xff
  writeFileSync(garbageWebm, Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), noise]))

  const longWav = at('long.wav')
  ffmpeg(['-stream_loop', '2', '-i', sentence, '-t', '8', '-c:a', 'pcm_s16le', longWav])

  made = {
    dir,
    audio,
    mp4,
    webm,
    audioOnlyWebm: audio.webmOpus,
    audioOnlyMp4,
    videoOnlyMp4,
    silentWav,
    truncatedMp3,
    corruptJpeg,
    truncatedMp4,
    garbageWebm,
    longWav,
  }
  return made
}
