import { describe, expect, it } from 'vitest'
import { AUDIO_URL_TTL_MS, AudioUrlSigner } from './audio-url.js'

const CHAT = '470a49f6-1dec-4afe-8b61-035d3b2d63b0'
const KEY = 'k'.repeat(64)

function signed(signer: AudioUrlSigner, chatId = CHAT) {
  const { url, expiresAt } = signer.sign(chatId, 'https://voice.example.com')
  const u = new URL(url)
  return {
    u,
    expiresAt,
    expires: u.searchParams.get('expires') ?? '',
    signature: u.searchParams.get('signature') ?? '',
  }
}

describe('signed audio URLs', () => {
  it('point at this server, expire after an hour and verify until then', () => {
    let now = 1_700_000_000_000
    const signer = new AudioUrlSigner(KEY, () => now)
    const { u, expiresAt, expires, signature } = signed(signer)
    expect(u.origin).toBe('https://voice.example.com')
    expect(u.pathname).toBe(`/v0/evi/chats/${CHAT}/audio/reconstructed_audio.mp3`)
    expect(expiresAt).toBe(now + AUDIO_URL_TTL_MS)
    expect(AUDIO_URL_TTL_MS).toBe(3_600_000)
    expect(Number(expires)).toBe(expiresAt)
    expect(signer.verify(CHAT, expires, signature)).toBe('ok')
    now = expiresAt
    expect(signer.verify(CHAT, expires, signature)).toBe('ok')
    now = expiresAt + 1
    expect(signer.verify(CHAT, expires, signature)).toBe('expired')
  })

  it('refuses a signature for another chat, a moved expiry, another key or a malformed one', () => {
    const signer = new AudioUrlSigner(KEY, () => 1000)
    const { expires, signature } = signed(signer)
    expect(signer.verify('00000000-0000-4000-8000-000000000000', expires, signature)).toBe('invalid')
    expect(signer.verify(CHAT, String(Number(expires) + 1), signature)).toBe('invalid')
    expect(new AudioUrlSigner('x'.repeat(64), () => 1000).verify(CHAT, expires, signature)).toBe('invalid')
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1)
    expect(signer.verify(CHAT, expires, flipped)).toBe('invalid')
    expect(signer.verify(CHAT, expires, signature.slice(1))).toBe('invalid')
    expect(signer.verify(CHAT, undefined, signature)).toBe('invalid')
    expect(signer.verify(CHAT, expires, undefined)).toBe('invalid')
    expect(signer.verify(CHAT, '-1', signature)).toBe('invalid')
    expect(signer.verify(CHAT, '1e20', signature)).toBe('invalid')
  })

  it('does not tell a forger that a URL has expired', () => {
    let now = 0
    const signer = new AudioUrlSigner(KEY, () => now)
    const { expires } = signed(signer)
    now = Number(expires) + 1
    expect(signer.verify(CHAT, expires, 'A'.repeat(43))).toBe('invalid')
  })
})
