/**
 * Signed, expiring download URLs for reconstructed chat audio (`signed_audio_url`). The URL points
 * at this server and carries its own authority, so whoever holds it (a browser <audio> tag, a
 * colleague) downloads without an API key until it expires. The key is derived from the server's
 * signing key for this one use, so a signature made here can never pass as a webhook's.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { RECONSTRUCTED_AUDIO_NAME } from './history.keys.js'

/** Hume's signed URLs last an hour. */
export const AUDIO_URL_TTL_MS = 60 * 60 * 1000

/** The download route's path for a chat (the signature travels in the query). */
export const audioFilePath = (chatId: string) => `/v0/evi/chats/${chatId}/audio/${RECONSTRUCTED_AUDIO_NAME}`

export type AudioUrlCheck = 'ok' | 'expired' | 'invalid'

/** A finished chat's download link: this server's signed URL, or (S3_PRESIGNED_URLS) the bucket's own. */
export interface AudioLinks {
  link(
    chat: { id: string; blobKey: string; filename: string },
    origin: string,
  ): Promise<{ url: string; expiresAt: number }>
}

/** URLs on this server (the download route checks the signature): works wherever the API is reachable. */
export const serverAudioLinks = (signer: AudioUrlSigner): AudioLinks => ({
  link: async (chat, origin) => signer.sign(chat.id, origin),
})

/**
 * Presigned GET URLs straight to the bucket, valid as long as the server's: the bytes never pass
 * through an API node. Only for buckets the clients can reach (S3_ENDPOINT or AWS itself).
 */
export const presignedAudioLinks = (
  presign: (key: string, o: { expiresInSeconds: number; filename: string; contentType: string }) => Promise<string>,
  now: () => number = Date.now,
  ttlMs = AUDIO_URL_TTL_MS,
): AudioLinks => ({
  link: async (chat) => {
    const expiresAt = now() + ttlMs
    const url = await presign(chat.blobKey, {
      expiresInSeconds: Math.floor(ttlMs / 1000),
      filename: RECONSTRUCTED_AUDIO_NAME,
      contentType: 'audio/mpeg',
    })
    return { url, expiresAt }
  },
})

/** base64url of an HMAC-SHA256: 43 characters. */
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/
const EXPIRES = /^\d{1,15}$/

export class AudioUrlSigner {
  private readonly key: Buffer

  constructor(
    serverKey: string,
    private readonly now: () => number = Date.now,
    readonly ttlMs = AUDIO_URL_TTL_MS,
  ) {
    this.key = createHmac('sha256', serverKey).update('prosodia/evi-audio-url/v1').digest()
  }

  private mac(chatId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${chatId}\n${expires}`).digest('base64url')
  }

  /** An absolute URL on `origin` (e.g. `https://voice.example.com`) valid for the TTL from now. */
  sign(chatId: string, origin: string): { url: string; expiresAt: number } {
    const expiresAt = this.now() + this.ttlMs
    const query = new URLSearchParams({ expires: String(expiresAt), signature: this.mac(chatId, expiresAt) })
    return { url: `${origin}${audioFilePath(chatId)}?${query.toString()}`, expiresAt }
  }

  /** Whether a URL's query parameters authorise downloading this chat's audio now. */
  verify(chatId: string, expires: string | undefined, signature: string | undefined): AudioUrlCheck {
    if (!expires || !signature || !EXPIRES.test(expires) || !SIGNATURE.test(signature)) return 'invalid'
    const expected = Buffer.from(this.mac(chatId, Number(expires)))
    if (!timingSafeEqual(expected, Buffer.from(signature))) return 'invalid'
    // Checked after the signature, so a forged URL never learns whether its expiry would have passed.
    return Number(expires) < this.now() ? 'expired' : 'ok'
  }
}
