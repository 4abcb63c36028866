/**
 * What an audio file's own headers say about its length, read without decoding. Used twice:
 * before decoding, to refuse an over-long file without spending memory on it; after decoding, to
 * tell a truncated file (the JS decoders quietly return whatever was there) from a whole one.
 */

export interface DeclaredLength {
  /** Seconds the header declares, when it does. */
  seconds?: number
  /** The structure shows the file was cut short (a partial Ogg page, a Matroska segment past EOF…). */
  truncated?: boolean
}

export function declaredLength(data: Uint8Array, format: string): DeclaredLength {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  try {
    switch (format) {
      case 'wav':
        return wav(b)
      case 'mp3':
        return mp3(b)
      case 'flac':
        return flac(b)
      case 'opus':
      case 'oga':
        return ogg(b)
      case 'webm':
      case 'mkv':
        return matroska(b)
      default:
        return {}
    }
  } catch {
    // A header too short to read is judged by the decoder instead.
    return {}
  }
}

/** RIFF chunks up to `data`; the data size over the byte rate is the length. */
function wav(b: Buffer): DeclaredLength {
  let byteRate = 0
  for (let pos = 12; pos + 8 <= b.length;) {
    const id = b.toString('latin1', pos, pos + 4)
    const size = b.readUInt32LE(pos + 4)
    if (id === 'fmt ' && pos + 16 <= b.length) byteRate = b.readUInt32LE(pos + 16)
    if (id === 'data') {
      // Writers that stream to a pipe leave 0 or 0xFFFFFFFF here: no usable length.
      if (size === 0 || size === 0xffffffff || byteRate === 0) return {}
      const available = b.length - (pos + 8)
      return { seconds: size / byteRate, truncated: available < size }
    }
    pos += 8 + size + (size & 1)
  }
  return {}
}

const MP3_RATES = [
  [11025, 12000, 8000], // MPEG 2.5
  [0, 0, 0],
  [22050, 24000, 16000], // MPEG 2
  [44100, 48000, 32000], // MPEG 1
]

/** The Xing/Info frame LAME and ffmpeg write first: a frame count gives the length. */
function mp3(b: Buffer): DeclaredLength {
  let pos = 0
  if (b.toString('latin1', 0, 3) === 'ID3') {
    const size = ((b[6]! & 0x7f) << 21) | ((b[7]! & 0x7f) << 14) | ((b[8]! & 0x7f) << 7) | (b[9]! & 0x7f)
    pos = 10 + size + (b[5]! & 0x10 ? 10 : 0)
  }
  while (pos + 4 < b.length && !(b[pos] === 0xff && (b[pos + 1]! & 0xe0) === 0xe0)) pos++
  if (pos + 4 >= b.length) return {}
  const version = (b[pos + 1]! >> 3) & 3
  const layer = (b[pos + 1]! >> 1) & 3
  const rate = MP3_RATES[version]?.[(b[pos + 2]! >> 2) & 3] ?? 0
  if (layer !== 1 || rate === 0) return {} // Xing frames are only defined for layer III
  const mono = b[pos + 3]! >> 6 === 3
  const side = version === 3 ? (mono ? 17 : 32) : mono ? 9 : 17
  const at = pos + 4 + side
  const tag = b.toString('latin1', at, at + 4)
  if (tag !== 'Xing' && tag !== 'Info') return {}
  const flags = b.readUInt32BE(at + 4)
  if (!(flags & 1)) return {}
  const frames = b.readUInt32BE(at + 8)
  const out: DeclaredLength = { seconds: (frames * (version === 3 ? 1152 : 576)) / rate }
  // The byte count covers the stream from this frame on (the ID3v1 tag excluded).
  if (flags & 2) out.truncated = b.length - pos < b.readUInt32BE(at + 12)
  return out
}

/** STREAMINFO is the first metadata block: sample rate and total sample count. */
function flac(b: Buffer): DeclaredLength {
  if ((b[4]! & 0x7f) !== 0) return {}
  const s = 8 + 10
  const rate = (b[s]! << 12) | (b[s + 1]! << 4) | (b[s + 2]! >> 4)
  const total = (b[s + 3]! & 0x0f) * 2 ** 32 + b.readUInt32BE(s + 4)
  if (rate === 0 || total === 0) return {} // 0 = unknown (streamed encoders)
  return { seconds: total / rate }
}

/** A whole Ogg file ends with a complete page flagged end-of-stream. */
function ogg(b: Buffer): DeclaredLength {
  const last = b.lastIndexOf('OggS', b.length - 4, 'latin1')
  if (last < 0 || last + 27 > b.length) return { truncated: true }
  const segments = b[last + 26]!
  if (last + 27 + segments > b.length) return { truncated: true }
  let body = 0
  for (let i = 0; i < segments; i++) body += b[last + 27 + i]!
  const end = last + 27 + segments + body
  return { truncated: end > b.length || (b[last + 5]! & 0x04) === 0 }
}

/** The Segment element declares its size unless the writer streamed it (all ones: unknown). */
function matroska(b: Buffer): DeclaredLength {
  const header = vint(b, 4)
  if (!header) return {}
  const seg = 4 + header.len + header.value
  if (b.readUInt32BE(seg) !== 0x18538067) return {}
  const size = vint(b, seg + 4)
  if (!size || size.unknown) return {}
  return { truncated: seg + 4 + size.len + size.value > b.length }
}

function vint(b: Buffer, pos: number): { len: number; value: number; unknown: boolean } | undefined {
  const first = b[pos]
  if (first === undefined || first === 0) return undefined
  const len = Math.clz32(first) - 23
  if (pos + len > b.length) return undefined
  let value = first & (0xff >> len)
  let allOnes = value === 0xff >> len
  for (let i = 1; i < len; i++) {
    value = value * 256 + b[pos + i]!
    allOnes &&= b[pos + i] === 0xff
  }
  return { len, value, unknown: allOnes }
}
