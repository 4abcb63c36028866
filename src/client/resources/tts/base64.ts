/**
 * Base64 → bytes with `atob`, which browsers, Deno, Bun and Node ≥ 16 all have (no `Buffer`: the client runs
 * outside Node too). TTS audio arrives base64-encoded in JSON bodies, stream lines and socket messages.
 */
export function decodeBase64(base64: string): Uint8Array {
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
