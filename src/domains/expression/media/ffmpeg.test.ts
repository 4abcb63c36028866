import { describe, expect, it } from 'vitest'
import { frameSize } from './ffmpeg.js'

describe('frameSize', () => {
  const size = (width: number, height: number, rotation = 0, sar = 1) =>
    frameSize({ width, height, rotation, sar }, 1280)

  it('keeps small frames and scales large ones to fit 1280 on their longer side', () => {
    expect(size(640, 360)).toEqual({ width: 640, height: 360 })
    expect(size(3840, 2160)).toEqual({ width: 1280, height: 720 })
    // A tall frame is bounded by its height too: 1280 × 60000 would be 230 MB of RGB per frame.
    expect(size(1280, 60000)).toEqual({ width: 27, height: 1280 })
  })

  it('applies rotation and non-square pixels', () => {
    expect(size(1920, 1080, 90)).toEqual({ width: 720, height: 1280 })
    expect(size(720, 576, 0, 16 / 15)).toEqual({ width: 768, height: 576 })
  })
})
