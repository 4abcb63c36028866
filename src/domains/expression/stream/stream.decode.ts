/** What a payload's `data` holds: base64 media (optionally a data: URL), checked strictly. */
import { decodeText } from '../batch.sniff.js'
import { classifyMedia, MEDIA_SNIFF_BYTES, type MediaKind } from '../media/media-kind.js'
import { streamFailures } from './stream.codes.js'

// The SDK's sendFile reads a browser Blob with FileReader.readAsDataURL, so its data arrives as
// `data:<mime>;base64,<payload>`; the prefix is metadata the sender controls and is ignored.
const DATA_URL = /^data:[^,]{0,200};base64,/i
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/

/**
 * Decodes base64 (standard or URL-safe alphabet, padding optional, line breaks allowed) or throws
 * E0201. Node's own decoder skips characters it does not know, so it would turn text sent without
 * `raw_text` into garbage bytes instead of an error.
 */
export function decodeBase64(data: string): Buffer {
  const body = data.replace(DATA_URL, '').replace(/[\r\n\t ]+/g, '')
  if (body.length % 4 === 1 || !(BASE64.test(body) || BASE64URL.test(body))) throw streamFailures.badBase64()
  return Buffer.from(body, BASE64.test(body) ? 'base64' : 'base64url')
}

export type PayloadKind = { kind: 'media'; media: MediaKind } | { kind: 'text'; text: string }

/** Media from its first bytes, else UTF-8 text (for the language model), else E0200. */
export function classifyPayload(bytes: Buffer): PayloadKind {
  if (bytes.length === 0) throw streamFailures.unknownFormat('data is empty')
  const media = classifyMedia(bytes.subarray(0, MEDIA_SNIFF_BYTES))
  if (media) return { kind: 'media', media }
  const text = decodeText(bytes)
  if (text !== undefined) return { kind: 'text', text }
  throw streamFailures.unknownFormat()
}
