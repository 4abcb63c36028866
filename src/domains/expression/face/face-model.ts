/**
 * Face detection and expression on @vladmandic/face-api (MIT; weights ship in
 * its npm package) over tfjs with the WebAssembly backend: SSD MobileNet v1
 * finds faces, the 68-point landmark net aligns them, the expression net
 * scores 7 expressions and, on request, the recognition net gives a 128-d
 * descriptor for identify_faces.
 *
 * Thread model: tfjs keeps one engine and one backend per JavaScript realm, and
 * face-api keeps its loaded nets in module state, so each worker thread loads
 * its own copy once (module-level promises below) and nothing here touches
 * another thread's state. tfjs and face-api are imported lazily so a module
 * that only needs the types does not pay for them.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import sharp from 'sharp'
import type * as FaceApi from '@vladmandic/face-api/dist/face-api.node-wasm.js'
import type { RgbImage } from './decode-image.js'
import { toHumeEmotions, type EmotionScore } from './emotion-map.js'

type Api = typeof FaceApi

export interface FaceOptions {
  /** Hume's prob_threshold: faces whose detection probability is below it are dropped (Hume's default 0.99). */
  probThreshold: number
  /** Hume's min_face_size in pixels: faces whose box is narrower or shorter are dropped (Hume's default 60). */
  minFaceSize: number
  /** Compute the 128-d recognition descriptor (only identify_faces needs it; it costs a ResNet pass per face). */
  descriptors: boolean
}

export interface FaceBox {
  x: number
  y: number
  w: number
  h: number
}

export interface DetectedFace {
  /** The detector's box in image pixels (after EXIF rotation), not the landmark-aligned one. */
  box: FaceBox
  prob: number
  emotions: EmotionScore[]
  descriptor?: Float32Array
}

// face-api's default: more faces than this in one frame are not looked for.
const MAX_FACES = 100
/**
 * Longer side the nets see; larger images are shrunk first and boxes mapped back. SSD only ever
 * looks at a 512 x 512 resize of the whole image, so a face it can find is several times larger
 * than that at 2048 and the landmark, expression and recognition crops (112-150 px) lose little.
 * It keeps a 50-megapixel photo from becoming a 600 MB int32 tensor in the wasm heap.
 */
export const MAX_SIDE = 2048
// Below this the detector's box arithmetic degenerates (NaN boxes; face-api then throws and leaks
// tensors), and no face could be seen in so few pixels anyway.
const MIN_SIDE = 16
const MIN_CONFIDENCE = 1e-6

const require = createRequire(import.meta.url)
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`))

let api: Promise<Api> | undefined
let model: Promise<FaceModel> | undefined
let recognition: Promise<void> | undefined

function toFace(r: { detection: FaceApi.FaceDetection; expressions: FaceApi.FaceExpressions }, sx: number, sy: number) {
  const { x, y, width, height } = r.detection.box
  const face: DetectedFace = {
    box: { x: x * sx, y: y * sy, w: width * sx, h: height * sy },
    prob: r.detection.score,
    // FaceExpressions is a plain object of label -> probability (plus methods on its prototype).
    emotions: toHumeEmotions({ ...r.expressions } as Record<string, number>),
  }
  return face
}

/** The image with its longer side at most maxSide, and the factors that map its pixels back. */
async function fitSide(img: RgbImage, maxSide: number): Promise<{ image: RgbImage; sx: number; sy: number }> {
  const longer = Math.max(img.width, img.height)
  if (longer <= maxSide) return { image: img, sx: 1, sy: 1 }
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize({
      width: img.width >= img.height ? maxSide : undefined,
      height: img.height > img.width ? maxSide : undefined,
    })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const image = { data, width: info.width, height: info.height }
  return { image, sx: img.width / info.width, sy: img.height / info.height }
}

/** tfjs + wasm backend, once per thread. A failed start is not cached, so the next call retries. */
function loadApi(): Promise<Api> {
  api ??= (async () => {
    const faceapi = await import('@vladmandic/face-api/dist/face-api.node-wasm.js')
    // The same module instance face-api requires (no "exports" map, one resolution), typed in full.
    const tf = await import('@tensorflow/tfjs')
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm')
    // The backend would otherwise fetch its .wasm relative to the bundle that loaded it, which is
    // wrong under tsx, vitest and a built dist/ alike; node_modules is the one stable place.
    setWasmPaths(join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + '/')
    if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend did not start')
    await tf.ready()
    return faceapi
  })().catch((err: unknown) => {
    api = undefined
    throw err
  })
  return api
}

const modelDir = () => join(packageDir('@vladmandic/face-api'), 'model')

export class FaceModel {
  private disposed = false

  private constructor(private readonly faceapi: Api) {}

  /** Loads the detector, landmark and expression nets once per thread; every caller shares them. */
  static load(): Promise<FaceModel> {
    model ??= (async () => {
      const faceapi = await loadApi()
      const dir = modelDir()
      const { ssdMobilenetv1, faceLandmark68Net, faceExpressionNet } = faceapi.nets
      await Promise.all([
        ssdMobilenetv1.loadFromDisk(dir),
        faceLandmark68Net.loadFromDisk(dir),
        faceExpressionNet.loadFromDisk(dir),
      ])
      return new FaceModel(faceapi)
    })().catch((err: unknown) => {
      model = undefined
      throw err
    })
    return model
  }

  /**
   * Faces in one image, in the detector's order (by probability). Small and
   * unlikely faces are dropped before the landmark and expression nets run,
   * so they cost nothing beyond detection.
   */
  async detect(img: RgbImage, opts: FaceOptions, signal?: AbortSignal): Promise<DetectedFace[]> {
    if (this.disposed) throw new Error('FaceModel was disposed')
    if (!(img.width >= 1 && img.height >= 1 && img.data.length === img.width * img.height * 3)) {
      throw new RangeError('RgbImage needs width, height >= 1 and width * height * 3 bytes')
    }
    signal?.throwIfAborted()
    if (opts.descriptors) await this.loadRecognition()
    const faceapi = this.faceapi
    const { image, sx, sy } = await fitSide(img, MAX_SIDE)
    signal?.throwIfAborted()
    if (Math.min(image.width, image.height) < MIN_SIDE) return []
    const tensor = faceapi.tf.tensor3d(image.data, [image.height, image.width, 3], 'int32')
    try {
      const found = await faceapi.nets.ssdMobilenetv1.locateFaces(tensor, {
        // face-api wants 0 < minConfidence < 1 and keeps scores above it; Hume keeps prob >= threshold,
        // which the filter below applies exactly (so 0 and 1 work too).
        minConfidence: Math.min(Math.max(opts.probThreshold, MIN_CONFIDENCE), 1 - MIN_CONFIDENCE),
        maxResults: MAX_FACES,
      })
      const kept = found.filter(
        (d) =>
          d.score >= opts.probThreshold &&
          d.box.width * sx >= opts.minFaceSize &&
          d.box.height * sy >= opts.minFaceSize,
      )
      if (kept.length === 0) return []
      signal?.throwIfAborted()
      // face-api's own task chain from here on, so alignment (expressions and descriptors are
      // computed on the landmark-aligned crop) is exactly what face-api does.
      const parents = Promise.resolve(kept.map((detection) => ({ detection })))
      const withExpressions = new faceapi.DetectAllFaceLandmarksTask(parents, tensor, false).withFaceExpressions()
      if (!opts.descriptors) return (await withExpressions).map((r) => toFace(r, sx, sy))
      const described = await withExpressions.withFaceDescriptors()
      return described.map((r) => ({ ...toFace(r, sx, sy), descriptor: r.descriptor }))
    } finally {
      tensor.dispose()
    }
  }

  /** Frees the nets' weights in this thread; the next FaceModel.load() loads them again. */
  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    const { ssdMobilenetv1, faceLandmark68Net, faceExpressionNet, faceRecognitionNet } = this.faceapi.nets
    for (const net of [ssdMobilenetv1, faceLandmark68Net, faceExpressionNet, faceRecognitionNet]) {
      if (net.isLoaded) net.dispose()
    }
    model = undefined
    recognition = undefined
  }

  /** The recognition net (ResNet-34, 6 MB) is loaded only when identify_faces first asks for it. */
  private loadRecognition(): Promise<void> {
    recognition ??= this.faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir()).catch((err: unknown) => {
      recognition = undefined
      throw err
    })
    return recognition
  }
}
