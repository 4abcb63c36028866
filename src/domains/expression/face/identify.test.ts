import { describe, expect, it } from 'vitest'
import { euclidean, FaceIdentifier } from './identify.js'

const at = (...xs: number[]) => Float32Array.from(xs)

describe('FaceIdentifier', () => {
  it('numbers new faces in order and returns the same id for a close descriptor', () => {
    const ids = new FaceIdentifier(0.5)
    expect(ids.assign(at(0, 0))).toBe('face_0')
    expect(ids.assign(at(1, 0))).toBe('face_1')
    expect(ids.assign(at(0.1, 0.1))).toBe('face_0')
    expect(ids.assign(at(0.9, 0))).toBe('face_1')
    expect(ids.size).toBe(2)
  })

  it('treats the threshold as exclusive', () => {
    const ids = new FaceIdentifier(0.5)
    ids.assign(at(0, 0))
    expect(ids.assign(at(0.5, 0))).toBe('face_1')
    expect(ids.assign(at(0, 0.49))).toBe('face_0')
  })

  it('matches against the running mean, so a slow drift stays one face', () => {
    const ids = new FaceIdentifier(0.5)
    expect(ids.assign(at(0, 0))).toBe('face_0')
    expect(ids.assign(at(0.4, 0))).toBe('face_0') // mean now 0.2
    expect(ids.assign(at(0.65, 0))).toBe('face_0') // 0.45 from the mean, 0.65 from the first one
    const fresh = new FaceIdentifier(0.5)
    fresh.assign(at(0, 0))
    expect(fresh.assign(at(0.65, 0))).toBe('face_1')
  })

  it('picks the nearest of several means', () => {
    const ids = new FaceIdentifier(0.5)
    ids.assign(at(0, 0))
    ids.assign(at(0.6, 0))
    expect(ids.assign(at(0.35, 0))).toBe('face_1')
  })

  it('refuses descriptors of different lengths', () => {
    expect(() => euclidean(at(0, 0), at(0, 0, 0))).toThrow(RangeError)
    expect(euclidean(at(3, 0), at(0, 4))).toBe(5)
  })
})
