import { describe, expect, it } from 'vitest'
import { bytesToBase64, textToBase64, toBytes } from '../../core/base64.js'
import { toFormData } from './uploads.js'

const text = async (v: FormDataEntryValue | null) => (v instanceof Blob ? v.text() : v)

describe('toFormData', () => {
  it('makes a snake_cased json part first, then one file part per upload with its name and type', async () => {
    const view = new TextEncoder().encode('xxhello').subarray(2)
    async function* chunks() {
      yield new TextEncoder().encode('a ')
      yield 'b'
    }
    const nodeLike = Object.assign(chunks(), { path: '/tmp/dir/clip.wav' })
    const form = await toFormData(
      [
        new File(['face'], 'face.jpg', { type: 'image/jpeg' }),
        { data: view, filename: 'note.txt', contentType: 'text/plain' },
        new Uint8Array([1, 2, 3]).buffer,
        new Blob(['streamed']).stream(),
        nodeLike,
      ],
      { models: { language: { identifySpeakers: true } }, callbackUrl: null },
    )
    expect([...form.keys()]).toEqual(['json', 'file', 'file', 'file', 'file', 'file'])
    expect(JSON.parse(form.get('json') as string)).toEqual({
      models: { language: { identify_speakers: true } },
      callback_url: null,
    })
    const files = form.getAll('file') as File[]
    expect(files.map((f) => f.name)).toEqual(['face.jpg', 'note.txt', 'file-2', 'file-3', 'clip.wav'])
    expect(files.map((f) => f.type)).toEqual(['image/jpeg', 'text/plain', '', '', ''])
    expect(await text(files[1]!)).toBe('hello') // the view's own bytes, not its whole buffer
    expect([...new Uint8Array(await files[2]!.arrayBuffer())]).toEqual([1, 2, 3])
    expect(await text(files[3]!)).toBe('streamed')
    expect(await text(files[4]!)).toBe('a b')
  })

  it('leaves the json part out when there is none, and names what it cannot upload', async () => {
    expect([...(await toFormData([new Blob(['x'])], undefined)).keys()]).toEqual(['file'])
    await expect(toFormData(['/etc/passwd' as never], undefined)).rejects.toThrow(/file\[0\] is not a Blob/)
  })
})

describe('base64', () => {
  it('matches Node for bytes past one slice, and encodes UTF-8 text', async () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256)
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'))
    expect(textToBase64('héllo ☃')).toBe(Buffer.from('héllo ☃').toString('base64'))
    const view = bytes.subarray(10, 20)
    expect([...(await toBytes(view))]).toEqual([...view])
    expect([...(await toBytes(new Blob([view])))]).toEqual([...view])
  })
})
