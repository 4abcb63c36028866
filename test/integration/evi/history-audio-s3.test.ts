// With S3_PRESIGNED_URLS=true, a finished chat's signed_audio_url is a presigned URL of the bucket:
// the MP3 downloads straight from S3 (no API node in the way), and only with its signature.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../helpers/app.js'
import { tone, waitForAudio } from '../../helpers/chat-audio.js'
import { dialects } from '../../helpers/dialects.js'
import { parseMp3 } from '../../helpers/tts-audio.js'
import { startS3Server, useS3rverCredentials, type S3TestServer } from '../shared/s3-server.js'

describe.each(dialects())('reconstructed chat audio behind presigned S3 URLs, on %s', (dialect) => {
  let s3: S3TestServer
  let t: TestApp
  let restoreCredentials = () => {}

  beforeAll(async () => {
    s3 = await startS3Server()
    restoreCredentials = useS3rverCredentials()
    t = await createTestApp(dialect, {
      domains: ['evi'],
      workers: true,
      runtime: { worker: { pollMs: 50 } },
      config: { s3: s3.config('presigned', true) },
    })
  })
  afterAll(async () => {
    await t?.close()
    await s3?.close()
    restoreCredentials()
  })

  // (s3rver does not check query signatures, so a forged URL is not tested here; S3 itself refuses it.)
  it('links the MP3 in the bucket for an hour', async () => {
    const h = t.rt.eviHistory.chats
    const alice = t.alice.account_id
    const start = Date.now() - 3000
    const { chatId } = await h.startChat({ accountId: alice, startTimestamp: start })
    const rec = h.recorder(alice, chatId)
    rec.user(tone(1, 16_000, 440), 200)
    rec.assistant(tone(1, 24_000, 880), 24_000, 1500)
    await rec.close()
    await h.endChat(alice, chatId, 'USER_ENDED', start + 3000)

    const audio = await waitForAudio(t.app, chatId, t.auth())
    expect(audio.status).toBe('COMPLETE')
    const url = new URL(audio.signed_audio_url as string)
    // The bucket's own address and key, signed with the AWS scheme for an hour.
    expect(url.origin).toBe(s3.config().endpoint)
    expect(url.pathname).toBe(`/${s3.config().bucket}/presigned/evi/chats/${chatId}/reconstructed_audio.mp3`)
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600')
    expect(Math.abs((audio.signed_url_expiration_timestamp_millis as number) - (Date.now() + 3_600_000))).toBeLessThan(
      60_000,
    )

    const res = await fetch(url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('audio/mpeg')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="reconstructed_audio.mp3"')
    const mp3 = parseMp3(Buffer.from(await res.arrayBuffer()))
    expect(mp3.durationS).toBeGreaterThan(2.5)
  })
})
