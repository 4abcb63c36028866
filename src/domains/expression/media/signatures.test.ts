import { describe, expect, it } from 'vitest'
import { classifyMedia, demuxerFor } from './signatures.js'

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))))
const riff = (form: string) => bytes('RIFF', [0x24, 0, 0, 0], form, 'fmt ', [16, 0, 0, 0])
const ftyp = (brand: string) => bytes([0, 0, 0, 0x20], 'ftyp', brand, [0, 0, 2, 0], 'isomiso2')

describe('classifyMedia', () => {
  it.each([
    [bytes([0xff, 0xd8, 0xff, 0xe0], 'JFIF'), 'image', 'image/jpeg'],
    [bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'image', 'image/png'],
    [bytes('GIF89a', [1, 0, 1, 0]), 'image', 'image/gif'],
    [riff('WEBP'), 'image', 'image/webp'],
    [riff('WAVE'), 'audio', 'audio/wav'],
    [riff('AVI '), 'video', 'video/x-msvideo'],
    [bytes('ID3', [4, 0, 0, 0, 0, 0, 0]), 'audio', 'audio/mpeg'],
    [bytes([0xff, 0xfb, 0x90, 0x64, 0, 0]), 'audio', 'audio/mpeg'],
    [bytes([0xff, 0xf1, 0x50, 0x80, 0, 0]), 'audio', 'audio/aac'],
    [bytes('fLaC', [0, 0, 0, 0x22]), 'audio', 'audio/flac'],
    [bytes('OggS', [0, 2], new Array(22).fill(0), 'OpusHead'), 'audio', 'audio/ogg'],
    [bytes('OggS', [0, 2], new Array(22).fill(0), '\x80theora'), 'video', 'video/ogg'],
    [ftyp('M4A '), 'audio', 'audio/mp4'],
    [ftyp('isom'), 'video', 'video/mp4'],
    [ftyp('mp42'), 'video', 'video/mp4'],
    [ftyp('qt  '), 'video', 'video/quicktime'],
    [bytes([0, 0, 0, 0x10], 'moov', [0, 0, 0, 0]), 'video', 'video/quicktime'],
    [bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 1, 0x42, 0x82, 0x84], 'webm'), 'video', 'video/webm'],
    [bytes([0x1a, 0x45, 0xdf, 0xa3, 0xa3, 0x42, 0x82, 0x88], 'matroska'), 'video', 'video/x-matroska'],
  ])('%#: %s', (head, fileType, mime) => {
    expect(classifyMedia(head)).toEqual({ fileType, mime })
  })

  it('leaves unknown, still-image ISO files and random sync-like bytes unclassified', () => {
    expect(classifyMedia(ftyp('heic'))).toBeUndefined()
    expect(classifyMedia(ftyp('avif'))).toBeUndefined()
    expect(classifyMedia(bytes('#EXTM3U\n#EXT-X-VERSION:3\n'))).toBeUndefined()
    expect(classifyMedia(bytes('hello world'))).toBeUndefined()
    expect(classifyMedia(bytes([0xff, 0xfb, 0xf0, 0x64]))).toBeUndefined() // bitrate index 15
    expect(classifyMedia(bytes('RIF'))).toBeUndefined()
  })
})

describe('demuxerFor', () => {
  it('names a fixed demuxer for every container ffmpeg may open, and none for the rest', () => {
    expect(demuxerFor('video/mp4')).toBe('mov')
    expect(demuxerFor('audio/webm')).toBe('matroska')
    expect(demuxerFor('video/x-msvideo')).toBe('avi')
    expect(demuxerFor('audio/ogg')).toBe('ogg')
    expect(demuxerFor('image/jpeg')).toBeUndefined()
    expect(demuxerFor('application/vnd.apple.mpegurl')).toBeUndefined()
  })
})
