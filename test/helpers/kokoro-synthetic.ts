// A tiny ONNX model with Kokoro-82M's exact interface (input_ids int64 [1, n], style float32
// [1, 256], speed float32 [1] -> waveform float32 [m]), encoded by hand as ModelProto bytes so
// the real Kokoro code path runs offline. The waveform echoes its inputs so tests can read back
// what the engine fed the model:
//
//   waveform = [ 0.001 * shape(input_ids) (2 values),
//                0.001 * input_ids (n values),
//                0.5 * style (256 values),
//                0.25 * speed (1 value; speed is at most 4 and samples are clamped to [-1, 1]),
//                0.001 * input_ids repeated floor(600 / speed) times ]   <- the "speech" body
//
// so the output length grows with the token count and shrinks with speed, like the real model.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const STYLE_DIM = 256
export const SAMPLES_PER_TOKEN = 600
export const ID_SCALE = 0.001
export const STYLE_SCALE = 0.5
export const SPEED_SCALE = 0.25

// Protobuf wire format: varints, length-delimited fields (2) and fixed32 (5).
function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n))
  const out: number[] = []
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v !== 0n) b |= 0x80
    out.push(b)
  } while (v !== 0n)
  return out
}
const key = (field: number, wire: number) => varint((field << 3) | wire)
const int = (field: number, n: number | bigint) => [...key(field, 0), ...varint(n)]
const bytes = (field: number, b: ArrayLike<number>) => [...key(field, 2), ...varint(b.length), ...Array.from(b)]
const str = (field: number, s: string) => bytes(field, new TextEncoder().encode(s))
const msg = (field: number, parts: number[][]) => bytes(field, parts.flat())

const FLOAT = 1
const INT64 = 7

function tensor(field: number, dataType: number, dims: number[], raw: Uint8Array) {
  return msg(field, [...dims.map((d) => int(1, d)), int(2, dataType), bytes(9, raw)])
}
const floats = (xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer)
const int64s = (xs: number[]) => new Uint8Array(BigInt64Array.from(xs.map(BigInt)).buffer)

interface Attr {
  name: string
  int?: number
  tensor?: { type: number; dims: number[]; raw: Uint8Array }
}
function node(op: string, inputs: string[], output: string, attrs: Attr[] = []) {
  return msg(1, [
    ...inputs.map((i) => str(1, i)),
    str(2, output),
    str(3, output),
    str(4, op),
    ...attrs.map((a) =>
      msg(5, [
        str(1, a.name),
        ...(a.int !== undefined ? [int(20, 2), int(3, a.int)] : []),
        ...(a.tensor ? [int(20, 4), tensor(5, a.tensor.type, a.tensor.dims, a.tensor.raw)] : []),
      ]),
    ),
  ])
}
function constant(name: string, type: number, dims: number[], raw: Uint8Array) {
  return node('Constant', [], name, [{ name: 'value', tensor: { type, dims, raw } }])
}
/** ValueInfoProto; a string dim is symbolic. */
function valueInfo(field: number, name: string, elemType: number, dims: (number | string)[]) {
  const shape = dims.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]))
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, elemType), msg(2, shape)])])])
}

/**
 * The model's bytes (ModelProto, IR version 8, opset 13). `styleInput` renames the style input
 * (early Kokoro exports called it "ref_s"), to test that the engine rejects foreign models.
 */
export function syntheticKokoroModel({ styleInput = 'style' } = {}): Uint8Array {
  const nodes = [
    constant('id_scale', FLOAT, [], floats([ID_SCALE])),
    constant('style_scale', FLOAT, [], floats([STYLE_SCALE])),
    constant('speed_scale', FLOAT, [], floats([SPEED_SCALE])),
    constant('per_token', FLOAT, [1], floats([SAMPLES_PER_TOKEN])),
    constant('flat', INT64, [1], int64s([-1])),
    node('Shape', ['input_ids'], 'ids_shape'),
    node('Cast', ['ids_shape'], 'ids_shape_f', [{ name: 'to', int: FLOAT }]),
    node('Mul', ['ids_shape_f', 'id_scale'], 'header'),
    node('Cast', ['input_ids'], 'ids_f', [{ name: 'to', int: FLOAT }]),
    node('Reshape', ['ids_f', 'flat'], 'ids_flat'),
    node('Mul', ['ids_flat', 'id_scale'], 'ids_scaled'),
    node('Reshape', [styleInput, 'flat'], 'style_flat'),
    node('Mul', ['style_flat', 'style_scale'], 'style_scaled'),
    node('Mul', ['speed', 'speed_scale'], 'speed_scaled'),
    node('Div', ['per_token', 'speed'], 'reps_f'),
    node('Floor', ['reps_f'], 'reps_floor'),
    node('Cast', ['reps_floor'], 'reps', [{ name: 'to', int: INT64 }]),
    node('Tile', ['ids_scaled', 'reps'], 'body'),
    node('Concat', ['header', 'ids_scaled', 'style_scaled', 'speed_scaled', 'body'], 'waveform', [
      { name: 'axis', int: 0 },
    ]),
  ]
  const graph = [
    ...nodes,
    str(2, 'synthetic_kokoro'),
    valueInfo(11, 'input_ids', INT64, [1, 'tokens']),
    valueInfo(11, styleInput, FLOAT, [1, STYLE_DIM]),
    valueInfo(11, 'speed', FLOAT, [1]),
    valueInfo(12, 'waveform', FLOAT, ['samples']),
  ]
  return Uint8Array.from([
    ...int(1, 8),
    ...str(2, 'prosodia-test'),
    ...msg(7, graph),
    ...msg(8, [str(1, ''), int(2, 13)]),
  ])
}

/** Writes the model where `models pull kokoro` would (`<modelsDir>/kokoro/model.onnx`). */
export function writeSyntheticKokoro(modelsDir: string, options?: { styleInput?: string }): string {
  mkdirSync(join(modelsDir, 'kokoro'), { recursive: true })
  const path = join(modelsDir, 'kokoro', 'model.onnx')
  writeFileSync(path, syntheticKokoroModel(options))
  return path
}

export interface DecodedRun {
  /** input_ids as fed, pads included. */
  ids: number[]
  style: Float32Array
  speed: number
  /** Samples after the echo header: SAMPLES_PER_TOKEN/speed copies of the scaled ids. */
  bodyLength: number
}

/** Reads the model inputs back out of one run's waveform (engine gain 1, no pitch shift). */
export function decodeRun(samples: Float32Array): DecodedRun {
  const n = Math.round(samples[1]! / ID_SCALE)
  const ids = Array.from(samples.subarray(2, 2 + n), (x) => Math.round(x / ID_SCALE))
  const style = samples.subarray(2 + n, 2 + n + STYLE_DIM).map((x) => x / STYLE_SCALE)
  const speed = samples[2 + n + STYLE_DIM]! / SPEED_SCALE
  return { ids, style, speed, bodyLength: samples.length - (3 + n + STYLE_DIM) }
}
