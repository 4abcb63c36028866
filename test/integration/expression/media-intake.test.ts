/**
 * Media intake on real files made by ffmpeg at test time: every audio format decodes to the right
 * length at 16 kHz, video frames come out at the sampling rate asked for, and broken, over-long or
 * cancelled media end in a MediaError (with no ffmpeg left running).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeAudio } from '../../../src/domains/expression/media/decode-audio.js'
import { extractAudio, ffmpegAvailable, probeMedia, videoFrames } from '../../../src/domains/expression/media/ffmpeg.js'
import { MediaError, NO_FFMPEG_MESSAGE } from '../../../src/domains/expression/media/media-error.js'
import { classifyMedia, resolveContainer, scanForVideoTrack } from '../../../src/domains/expression/media/media-kind.js'
import { faceImagePath, mediaFixtures, type MediaFixtures } from '../../helpers/media-fixtures.js'

const SENTENCE_SECONDS = 3.4368 // 164965 samples at 48 kHz
const NO_FFMPEG = { ffmpeg: '/nonexistent/ffmpeg', ffprobe: '/nonexistent/ffprobe' }

let fx: MediaFixtures
beforeAll(async () => {
  if (!(await ffmpegAvailable())) throw new Error('these tests need ffmpeg and ffprobe (Debian: apt install ffmpeg)')
  fx = mediaFixtures()
})

const head = (file: string) => readFileSync(file).subarray(0, 512)

async function mediaError(p: Promise<unknown> | (() => Promise<unknown>)): Promise<MediaError> {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    expect(err).toBeInstanceOf(MediaError)
    return err as MediaError
  }
  throw new Error('expected a MediaError, but the call succeeded')
}

async function drain(it: AsyncIterable<unknown>): Promise<number> {
  let n = 0
  for await (const _ of it) n++
  return n
}

/** Live ffmpeg processes whose command line mentions `needle` (read from /proc: no `ps` needed). */
function ffmpegChildren(needle: string): string[] {
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      const state = /^\S+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1]
      if (args[0]?.endsWith('ffmpeg') && args.some((a) => a.includes(needle)) && state !== 'Z') found.push(pid)
    } catch {
      // The process ended while we looked.
    }
  }
  return found
}

function rms(x: Float32Array): number {
  let s = 0
  for (const v of x) s += v * v
  return Math.sqrt(s / Math.max(1, x.length))
}

describe('classifyMedia on generated files', () => {
  it('names each container from its first bytes', () => {
    expect(classifyMedia(head(fx.audio.wav))).toEqual({ fileType: 'audio', mime: 'audio/wav' })
    expect(classifyMedia(head(fx.audio.mp3))).toEqual({ fileType: 'audio', mime: 'audio/mpeg' })
    expect(classifyMedia(head(fx.audio.flac))).toEqual({ fileType: 'audio', mime: 'audio/flac' })
    expect(classifyMedia(head(fx.audio.oggOpus))).toEqual({ fileType: 'audio', mime: 'audio/ogg' })
    expect(classifyMedia(head(fx.audio.oggVorbis))).toEqual({ fileType: 'audio', mime: 'audio/ogg' })
    expect(classifyMedia(head(fx.audio.m4a))).toEqual({ fileType: 'audio', mime: 'audio/mp4' })
    expect(classifyMedia(head(fx.mp4))).toEqual({ fileType: 'video', mime: 'video/mp4' })
    expect(classifyMedia(head(fx.webm))).toEqual({ fileType: 'video', mime: 'video/webm' })
    expect(classifyMedia(head(faceImagePath()))).toEqual({ fileType: 'image', mime: 'image/jpeg' })
  })

  it('resolves audio-only containers to audio, with ffprobe and without it', async () => {
    const webm = classifyMedia(head(fx.audioOnlyWebm))!
    const mp4 = classifyMedia(head(fx.audioOnlyMp4))!
    expect(webm.fileType).toBe('video')
    expect(mp4.fileType).toBe('video')
    for (const binaries of [undefined, NO_FFMPEG]) {
      const opts = binaries ? { binaries } : {}
      expect(await resolveContainer(fx.audioOnlyWebm, webm, opts)).toEqual({ fileType: 'audio', mime: 'audio/webm' })
      expect(await resolveContainer(fx.audioOnlyMp4, mp4, opts)).toEqual({ fileType: 'audio', mime: 'audio/mp4' })
      expect(await resolveContainer(fx.webm, webm, opts)).toEqual({ fileType: 'video', mime: 'video/webm' })
      expect(await resolveContainer(fx.mp4, mp4, opts)).toEqual({ fileType: 'video', mime: 'video/mp4' })
    }
    expect(await scanForVideoTrack(fx.audio.oggOpus, 'audio/ogg')).toBe(false)
  })
})

describe('decodeAudio', () => {
  const formats = ['wav', 'mp3', 'flac', 'oggOpus', 'oggVorbis', 'webmOpus', 'm4a'] as const
  it.each(formats)('decodes %s to 16 kHz mono of the right length', async (name) => {
    const { pcm, seconds } = await decodeAudio(readFileSync(fx.audio[name]), { maxSeconds: 3600 })
    expect(Math.abs(seconds - SENTENCE_SECONDS)).toBeLessThanOrEqual(0.1)
    expect(pcm.length).toBe(Math.round(seconds * 16_000))
    // Speech, not silence or noise: the RAVDESS clip's level survives every codec.
    expect(rms(pcm)).toBeGreaterThan(0.005)
    expect(pcm.every((v) => Number.isFinite(v) && Math.abs(v) <= 1.5)).toBe(true)
  })

  it('decodes the audio track of an MP4 video', async () => {
    const { seconds } = await decodeAudio(readFileSync(fx.mp4), { maxSeconds: 3600 })
    expect(Math.abs(seconds - 3)).toBeLessThanOrEqual(0.1)
  })

  it('accepts silence', async () => {
    const { pcm, seconds } = await decodeAudio(readFileSync(fx.silentWav), { maxSeconds: 60 })
    expect(seconds).toBeCloseTo(2, 2)
    expect(pcm.every((v) => v === 0)).toBe(true)
  })

  it('refuses empty, truncated, corrupt and non-audio data', async () => {
    expect((await mediaError(decodeAudio(new Uint8Array(0), { maxSeconds: 60 }))).code).toBe('empty')
    const truncated = await mediaError(decodeAudio(readFileSync(fx.truncatedMp3), { maxSeconds: 60 }))
    expect(truncated.code).toBe('corrupt')
    expect(truncated.message).toMatch(/truncated/)
    const wav = readFileSync(fx.audio.wav)
    expect((await mediaError(decodeAudio(wav.subarray(0, wav.length - 50_000), { maxSeconds: 60 }))).code).toBe(
      'corrupt',
    )
    const opus = readFileSync(fx.audio.oggOpus)
    expect((await mediaError(decodeAudio(opus.subarray(0, opus.length >> 1), { maxSeconds: 60 }))).code).toBe('corrupt')
    expect((await mediaError(decodeAudio(opus.subarray(0, 300), { maxSeconds: 60 }))).code).toBe('corrupt')
    expect((await mediaError(decodeAudio(readFileSync(fx.corruptJpeg), { maxSeconds: 60 }))).code).toBe('unsupported')
    expect((await mediaError(decodeAudio(Buffer.from('just some text'), { maxSeconds: 60 }))).code).toBe('unsupported')
  })

  it('refuses audio over maxSeconds, from the header or while decoding', async () => {
    const fromHeader = await mediaError(decodeAudio(readFileSync(fx.longWav), { maxSeconds: 5 }))
    expect(fromHeader.code).toBe('too_long')
    expect(fromHeader.message).toMatch(/8 s, over the 5 s limit/)
    // Ogg declares no length: the limit trips during decoding.
    expect((await mediaError(decodeAudio(readFileSync(fx.audio.oggOpus), { maxSeconds: 2 }))).code).toBe('too_long')
    expect((await mediaError(decodeAudio(readFileSync(fx.audio.webmOpus), { maxSeconds: 2 }))).code).toBe('too_long')
  })

  it('stops when aborted', async () => {
    const ac = new AbortController()
    ac.abort()
    const err = await mediaError(decodeAudio(readFileSync(fx.audio.flac), { maxSeconds: 60, signal: ac.signal }))
    expect(err.code).toBe('aborted')
  })
})

describe('ffmpeg', () => {
  it('probes duration and streams', async () => {
    const p = await probeMedia(fx.mp4)
    expect(p.durationSeconds).toBeCloseTo(3, 1)
    expect(p.video).toEqual({ width: 500, height: 282, fps: 25 })
    expect(p.audio).toEqual({ sampleRate: 48_000, channels: 1 })
    const a = await probeMedia(fx.audioOnlyWebm)
    expect(a.video).toBeUndefined()
    expect(a.audio?.sampleRate).toBe(48_000)
  })

  it.each(['mp4', 'webm'] as const)('samples %s frames at fps_pred with their times', async (name) => {
    const frames = []
    for await (const f of videoFrames(fx[name], { fps: 3 })) frames.push(f)
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    frames.forEach((f, i) => expect(f.time).toBeCloseTo(i / 3, 6))
    const first = frames[0]!.image
    expect([first.width, first.height, first.data.length]).toEqual([500, 282, 500 * 282 * 3])
    // The pixels are the sample image, not a black or shifted frame.
    const ref = await sharp(faceImagePath()).removeAlpha().raw().toBuffer()
    let diff = 0
    for (let i = 0; i < ref.length; i++) diff += Math.abs(ref[i]! - first.data[i]!)
    expect(diff / ref.length).toBeLessThan(12)
  })

  it('scales wide frames down to maxWidth keeping the aspect', async () => {
    const frames = []
    for await (const f of videoFrames(fx.mp4, { fps: 1, maxWidth: 200 })) frames.push(f)
    expect(frames.length).toBe(3)
    expect(frames.map((f) => [f.image.width, f.image.height])).toEqual([
      [200, 113],
      [200, 113],
      [200, 113],
    ])
    expect(frames.every((f) => f.image.data.length === 200 * 113 * 3)).toBe(true)
  })

  it('extracts the soundtrack as 16 kHz mono, or null when there is none', async () => {
    const pcm = await extractAudio(fx.mp4, { maxSeconds: 60 })
    expect(pcm).not.toBeNull()
    expect(Math.abs(pcm!.length / 16_000 - 3)).toBeLessThanOrEqual(0.1)
    expect(rms(pcm!)).toBeGreaterThan(0.005)
    expect(await extractAudio(fx.videoOnlyMp4, { maxSeconds: 60 })).toBeNull()
    const webm = await extractAudio(fx.audioOnlyWebm, { maxSeconds: 60 })
    expect(Math.abs(webm!.length / 16_000 - SENTENCE_SECONDS)).toBeLessThanOrEqual(0.1)
  })

  it('refuses truncated, garbage, audio-only and over-long video', async () => {
    expect((await mediaError(probeMedia(fx.truncatedMp4))).code).toBe('corrupt')
    expect((await mediaError(drain(videoFrames(fx.truncatedMp4, { fps: 3 })))).code).toBe('corrupt')
    expect((await mediaError(drain(videoFrames(fx.garbageWebm, { fps: 3 })))).code).toBe('corrupt')
    expect((await mediaError(extractAudio(fx.garbageWebm, { maxSeconds: 60 }))).code).toBe('corrupt')
    expect((await mediaError(drain(videoFrames(fx.audioOnlyWebm, { fps: 3 })))).message).toMatch(/no video track/)
    expect((await mediaError(drain(videoFrames(fx.mp4, { fps: 3, maxSeconds: 2 })))).code).toBe('too_long')
    expect((await mediaError(extractAudio(fx.longWav, { maxSeconds: 5 }))).code).toBe('too_long')
  })

  it('never lets ffmpeg read a playlist or anything it would have to guess', async () => {
    const playlist = join(fx.dir, 'playlist.mp4')
    writeFileSync(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile://${fx.audio.wav}\n#EXT-X-ENDLIST\n`)
    expect((await mediaError(probeMedia(playlist))).code).toBe('unsupported')
    const concat = join(fx.dir, 'list.webm')
    writeFileSync(concat, `ffconcat version 1.0\nfile '${fx.mp4}'\n`)
    expect((await mediaError(drain(videoFrames(concat, { fps: 1 })))).code).toBe('unsupported')
  })

  it('names the package when ffmpeg is missing', async () => {
    expect(await ffmpegAvailable(NO_FFMPEG)).toBe(false)
    const err = await mediaError(drain(videoFrames(fx.mp4, { fps: 3, binaries: NO_FFMPEG })))
    expect(err.message).toBe(NO_FFMPEG_MESSAGE)
    expect(err.message).toMatch(/apt install ffmpeg/)
    expect((await mediaError(extractAudio(fx.mp4, { maxSeconds: 60, binaries: NO_FFMPEG }))).code).toBe('no_ffmpeg')
  })

  it('kills ffmpeg on abort and when the reader stops early', async () => {
    const ac = new AbortController()
    let seen = 0
    const err = await mediaError(async () => {
      for await (const _ of videoFrames(fx.webm, { fps: 25, signal: ac.signal })) {
        seen++
        if (seen === 2) {
          expect(ffmpegChildren(fx.webm).length).toBeGreaterThan(0)
          ac.abort()
        }
      }
    })
    expect(err.code).toBe('aborted')
    expect(seen).toBeLessThan(75)
    expect(ffmpegChildren(fx.webm)).toEqual([])

    for await (const f of videoFrames(fx.mp4, { fps: 25 })) {
      expect(f.index).toBe(0)
      break
    }
    expect(ffmpegChildren(fx.mp4)).toEqual([])

    const aborted = new AbortController()
    aborted.abort()
    expect((await mediaError(extractAudio(fx.mp4, { maxSeconds: 60, signal: aborted.signal }))).code).toBe('aborted')
    expect(ffmpegChildren(fx.mp4)).toEqual([])
  })
})
