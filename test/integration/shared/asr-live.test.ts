/** The live pocketsphinx recogniser EVI chats use: words ready about when the speaker stops. */
import { describe, expect, it } from 'vitest'
import { pocketsphinxAvailable, POCKETSPHINX_MISSING } from '../../../src/shared/asr/index.js'
import { startPocketsphinxStream } from '../../../src/shared/asr/pocketsphinx-stream.js'
import { resample } from '../../../src/domains/expression/prosody/resample.js'
import { ravdessPcm } from '../../helpers/evi-chat.js'

function ravdess16k(): Float32Array {
  const { pcm, sampleRate } = ravdessPcm()
  const f = new Float32Array(pcm.length / 2)
  for (let i = 0; i < f.length; i++) f[i] = pcm.readInt16LE(i * 2) / 32768
  return resample(f, sampleRate, 16_000)
}

describe('live pocketsphinx recogniser', () => {
  it('finalises a spoken sentence shortly after it ends, on the stream clock', async () => {
    if (!(await pocketsphinxAvailable())) throw new Error(POCKETSPHINX_MISSING)
    const live = await startPocketsphinxStream()
    try {
      const speech = ravdess16k()
      const silence = new Float32Array(16_000)
      const chunks = [silence, speech, silence, silence]
      let written = 0
      for (const c of chunks)
        for (let i = 0; i < c.length; i += 320) {
          live.write(c.subarray(i, i + 320))
          written += Math.min(320, c.length - i)
        }
      // Where the clip's speech ends (it carries trailing silence of its own).
      let last = speech.length - 1
      while (last > 0 && Math.abs(speech[last]!) < 0.02) last--
      const text = await live.textBetween(1, 1 + last / 16_000, { timeoutMs: 20_000 })
      expect(text).toMatch(/talking/)
      expect(text).toMatch(/door/)
      // Nothing was said in the first second.
      expect(await live.textBetween(0, 0.9, { timeoutMs: 1000 })).toBe('')
      expect(written).toBe(16_000 * 3 + speech.length)
    } finally {
      live.close()
    }
  }, 30_000)

  it('answers undefined when the recogniser cannot run, and reports it', async () => {
    let reported: Error | undefined
    const live = await startPocketsphinxStream({ bin: '/nonexistent/pocketsphinx', onError: (e) => (reported = e) })
    live.write(new Float32Array(1600))
    expect(await live.textBetween(0, 1, { timeoutMs: 5000 })).toBeUndefined()
    expect(reported).toBeInstanceOf(Error)
    live.close()
  })
})
