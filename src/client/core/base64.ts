/**
 * Base64 with `atob`/`btoa`, which browsers, Deno, Bun and Node all have (Node's Buffer is not available in
 * browsers). TTS audio arrives base64-encoded; the expression socket takes files base64-encoded.
 */
export function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

export function bytesToBase64(bytes: Uint8Array): string {
  // btoa takes a "binary string"; build it in slices, since one String.fromCharCode call over a whole
  // file would exceed the engine's argument limit.
  const SLICE = 0x8000
  let binary = ''
  for (let i = 0; i < bytes.length; i += SLICE) {
    binary += String.fromCharCode(...bytes.subarray(i, i + SLICE))
  }
  return btoa(binary)
}

/** UTF-8 text as base64 (btoa alone only takes Latin-1). */
export function textToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text))
}

/** The bytes of a Blob, an ArrayBuffer or a view (a Node Buffer is a Uint8Array). */
export async function toBytes(data: Blob | ArrayBuffer | ArrayBufferView): Promise<Uint8Array> {
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return new Uint8Array(await data.arrayBuffer())
}
