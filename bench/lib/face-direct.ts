// face-api alone, for the face benchmark: its documented one-call pipeline
// (detectAllFaces -> withFaceLandmarks -> withFaceExpressions [-> withFaceDescriptors]) with the
// same detector options as FaceModel.detect, then the same size and probability filter, and no
// emotion mapping. What the server's face throughput is compared against. Runs in-process or as a
// worker-pool entry (task `detect`, input { img, opts }, result: the number of faces).
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm'
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js'
import { decodeImage, type RgbImage } from '../../src/domains/expression/face/decode-image.js'
import type { FaceOptions } from '../../src/domains/expression/face/face-model.js'
import { hostTasks } from '../../src/shared/workers/worker-host.js'

const require = createRequire(import.meta.url)
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`))

let ready: Promise<void> | undefined

function load(): Promise<void> {
  ready ??= (async () => {
    if (tf.getBackend() !== 'wasm') {
      setWasmPaths(join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + '/')
      await tf.setBackend('wasm')
      await tf.ready()
    }
    const dir = join(packageDir('@vladmandic/face-api'), 'model')
    const n = faceapi.nets
    for (const net of [n.ssdMobilenetv1, n.faceLandmark68Net, n.faceExpressionNet, n.faceRecognitionNet]) {
      if (!net.isLoaded) await net.loadFromDisk(dir)
    }
  })()
  return ready
}

export interface DirectFace {
  box: { x: number; y: number; w: number; h: number }
  prob: number
  expressions: Record<string, number>
  descriptor?: Float32Array
}

export async function detectDirect(img: RgbImage, opts: FaceOptions): Promise<DirectFace[]> {
  await load()
  const tensor = faceapi.tf.tensor3d(img.data, [img.height, img.width, 3], 'int32')
  try {
    const detector = new faceapi.SsdMobilenetv1Options({ minConfidence: opts.probThreshold, maxResults: 100 })
    const task = faceapi.detectAllFaces(tensor, detector).withFaceLandmarks().withFaceExpressions()
    const results = opts.descriptors ? await task.withFaceDescriptors() : await task
    return results
      .filter((r) => r.detection.box.width >= opts.minFaceSize && r.detection.box.height >= opts.minFaceSize)
      .map((r) => ({
        box: { x: r.detection.box.x, y: r.detection.box.y, w: r.detection.box.width, h: r.detection.box.height },
        prob: r.detection.score,
        expressions: { ...r.expressions } as Record<string, number>,
        ...('descriptor' in r ? { descriptor: r.descriptor as Float32Array } : {}),
      }))
  } finally {
    tensor.dispose()
  }
}

export default hostTasks(
  {
    detect: async (input: { img: RgbImage; opts: FaceOptions }) => (await detectDirect(input.img, input.opts)).length,
    // A JPEG has to be decoded before face-api can look at it (tfjs-node's decoder cannot install
    // here): sharp to RGB, as the server does, then the same pipeline.
    detectJpeg: async (input: { jpeg: Uint8Array; opts: FaceOptions }) =>
      (await detectDirect(await decodeImage(Buffer.from(input.jpeg)), input.opts)).length,
  },
  () => ({}),
)
