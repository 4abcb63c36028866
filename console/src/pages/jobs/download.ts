/**
 * Saves data as a file the browser way: a Blob behind an object URL on an <a download>. The URL is revoked
 * after the click has been handled, so repeated downloads do not keep their blobs alive.
 */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.hidden = true
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
