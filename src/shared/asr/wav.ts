/** 16-bit PCM WAV from float samples: what both the pocketsphinx CLI and OpenAI-style endpoints read. */

/** Float samples as 16-bit little-endian PCM (clipped; NaN, from a broken upstream decoder, as silence). */
export function toS16le(pcm: Float32Array, out: Buffer = Buffer.alloc(pcm.length * 2), offset = 0): Buffer {
  for (let i = 0; i < pcm.length; i++) {
    const s = Math.max(-1, Math.min(1, pcm[i]!))
    out.writeInt16LE(Number.isNaN(s) ? 0 : Math.round(s < 0 ? s * 0x8000 : s * 0x7fff), offset + i * 2)
  }
  return out
}

export function encodeWav16(pcm: Float32Array, sampleRate: number): Buffer {
  const data = pcm.length * 2
  const out = Buffer.alloc(44 + data)
  out.write('RIFF', 0, 'latin1')
  out.writeUInt32LE(36 + data, 4)
  out.write('WAVEfmt ', 8, 'latin1')
  out.writeUInt32LE(16, 16) // fmt chunk size
  out.writeUInt16LE(1, 20) // PCM
  out.writeUInt16LE(1, 22) // mono
  out.writeUInt32LE(sampleRate, 24)
  out.writeUInt32LE(sampleRate * 2, 28) // byte rate
  out.writeUInt16LE(2, 32) // block align
  out.writeUInt16LE(16, 34) // bits per sample
  out.write('data', 36, 'latin1')
  out.writeUInt32LE(data, 40)
  return toS16le(pcm, out, 44)
}
