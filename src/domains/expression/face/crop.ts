import sharp from 'sharp'
import type { RgbImage } from './decode-image.js'
import type { FaceBox } from './face-model.js'

export interface CropOptions {
  /** The PNG's longer side in pixels (aspect kept); default: the crop's own resolution. */
  size?: number
  /** Extra room around the box on each side, as a fraction of the box's side. Default 0.2 (hair, chin). */
  margin?: number
}

/**
 * A PNG of one face for save_faces: the detector box widened by the margin,
 * clamped to the image. Detector boxes can poke outside the frame, so the
 * clamp is needed even with no margin.
 */
export async function cropFace(img: RgbImage, box: FaceBox, opts: CropOptions = {}): Promise<Buffer> {
  const margin = opts.margin ?? 0.2
  const left = Math.max(0, Math.floor(box.x - box.w * margin))
  const top = Math.max(0, Math.floor(box.y - box.h * margin))
  const right = Math.min(img.width, Math.ceil(box.x + box.w * (1 + margin)))
  const bottom = Math.min(img.height, Math.ceil(box.y + box.h * (1 + margin)))
  if (!(right > left && bottom > top)) throw new RangeError('face box lies outside the image')
  let pipeline = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).extract({
    left,
    top,
    width: right - left,
    height: bottom - top,
  })
  if (opts.size !== undefined) pipeline = pipeline.resize(opts.size, opts.size, { fit: 'inside' })
  return pipeline.png().toBuffer()
}
