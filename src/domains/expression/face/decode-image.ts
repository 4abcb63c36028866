import sharp from 'sharp'
import { MediaError } from '../media/media-error.js'

// Images are decoded in the batch worker threads, already one per core: libvips's own thread pool
// (a thread per core per operation) would only contend with the inference on the other threads,
// and its operation cache would hold decoded images no job looks at again.
sharp.concurrency(1)
sharp.cache(false)

/** 8-bit RGB pixels, row-major, 3 bytes per pixel, no alpha. */
export interface RgbImage {
  data: Uint8Array
  width: number
  height: number
}

export interface DecodeOptions {
  /** Refuse images with more pixels than this (width x height of the input). Default 50 megapixels. */
  maxPixels?: number
}

export const DEFAULT_MAX_PIXELS = 50_000_000

// Formats Hume lists for images. sharp also opens SVG, TIFF, HEIF and more; SVG in particular is a
// document format with its own attack surface, so anything else is refused before decoding.
const FORMATS: Readonly<Record<string, string>> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', gif: 'GIF' }

/**
 * Decodes a JPEG, PNG, WebP or GIF (first frame) to RGB with the EXIF
 * orientation applied, so face boxes are in the coordinates a viewer shows.
 * Transparent pixels are flattened onto white. Every failure that is the
 * file's fault is a MediaError.
 */
export async function decodeImage(input: Buffer | string, opts: DecodeOptions = {}): Promise<RgbImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS
  if (typeof input !== 'string' && input.length === 0) throw new MediaError('empty', 'image is empty')
  // limitInputPixels makes libvips check the header's dimensions before it allocates anything,
  // which is what stops a tiny PNG declaring 100000 x 100000 pixels. failOn 'truncated' refuses
  // cut-off files but keeps the common, harmless libjpeg warnings ("extraneous bytes") decodable.
  const open = () => sharp(input, { limitInputPixels: maxPixels, failOn: 'truncated', pages: 1, page: 0 })
  try {
    const meta = await open().metadata()
    if (meta.format === undefined || !Object.hasOwn(FORMATS, meta.format)) {
      throw new MediaError(
        'unsupported',
        `image format ${meta.format ?? 'unknown'} is not supported (${Object.values(FORMATS).join(', ')} are)`,
      )
    }
    if ((meta.width ?? 0) * (meta.height ?? 0) > maxPixels) throw tooLarge(maxPixels)
    const { data, info } = await open()
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true })
    if (info.channels !== 3)
      throw new MediaError('corrupt', `image could not be decoded: ${info.channels} colour channels`)
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }
  } catch (err) {
    if (err instanceof MediaError) throw err
    throw toMediaError(err, typeof input === 'string' ? input : undefined, maxPixels)
  }
}

function tooLarge(maxPixels: number): MediaError {
  return new MediaError('too_large', `image is too large: more than ${maxPixels} pixels`)
}

/** sharp's messages name the file for path inputs; users must not see server paths. */
function toMediaError(err: unknown, path: string | undefined, maxPixels: number): MediaError {
  const raw = err instanceof Error ? err.message : String(err)
  if (/pixel limit/i.test(raw)) return tooLarge(maxPixels)
  if (/unsupported image format/i.test(raw))
    return new MediaError('unsupported', 'image format is not recognised', { cause: err })
  const firstLine = (path === undefined ? raw : raw.split(path).join('<file>')).split('\n')[0]?.trim()
  return new MediaError('corrupt', `image could not be decoded: ${firstLine || 'unknown error'}`, { cause: err })
}
