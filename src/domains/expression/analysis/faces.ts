/**
 * Faces in an image or in a video's frames → Hume's face predictions, grouped by face identity
 * (`identify_faces`) or all under "unknown", with face crops for `save_faces`.
 */
import type { FacePredictionWire } from '../batch.schemas.js'
import type { RgbImage } from '../face/decode-image.js'
import type { DetectedFace } from '../face/face-model.js'
import type { FaceSelection } from '../batch.selection.js'
import { round3 } from './transcript-text.js'

export type { RgbImage }

export interface FaceModels {
  detect(
    img: RgbImage,
    opts: { probThreshold: number; minFaceSize: number; descriptors: boolean },
  ): Promise<DetectedFace[]>
  identifier(): { assign(descriptor: Float32Array): string }
  crop(img: RgbImage, box: DetectedFace['box']): Promise<Buffer>
}

export interface FaceCrop {
  /** A name inside the file's folder of the artifacts zip. */
  name: string
  png: Buffer
}

/** Collects one file's face predictions frame by frame. */
export class FaceCollector {
  private readonly groups = new Map<string, FacePredictionWire[]>()
  private readonly identifier: { assign(descriptor: Float32Array): string } | undefined
  readonly crops: FaceCrop[] = []
  count = 0

  constructor(
    private readonly models: FaceModels,
    private readonly sel: FaceSelection,
  ) {
    this.identifier = sel.identifyFaces ? models.identifier() : undefined
  }

  async addFrame(img: RgbImage, frame: number, time: number): Promise<void> {
    const faces = await this.models.detect(img, {
      probThreshold: this.sel.probThreshold,
      minFaceSize: this.sel.minFaceSize,
      descriptors: this.sel.identifyFaces,
    })
    for (const f of faces) {
      const id = this.identifier && f.descriptor ? this.identifier.assign(f.descriptor) : 'unknown'
      const list = this.groups.get(id) ?? []
      if (list.length === 0) this.groups.set(id, list)
      list.push({
        frame,
        time: round3(time),
        prob: f.prob,
        box: { x: round3(f.box.x), y: round3(f.box.y), w: round3(f.box.w), h: round3(f.box.h) },
        emotions: f.emotions,
      })
      this.count++
      if (this.sel.saveFaces) {
        this.crops.push({ name: `${id}-frame${frame}-${list.length}.png`, png: await this.models.crop(img, f.box) })
      }
    }
  }

  result() {
    return {
      metadata: null,
      grouped_predictions: [...this.groups].map(([id, predictions]) => ({ id, predictions })),
    }
  }
}
