/**
 * The server's signing secret (signed audio URLs, webhook signatures): PROSODIA_SIGNING_KEY, or a
 * random key generated once and kept in `<dataDir>/signing.key` (mode 0600). The API process and
 * every queue worker must sign alike, so a generated key lives in the data directory they share,
 * never only in memory.
 */
import { randomBytes } from 'node:crypto'
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'

export const SIGNING_KEY_FILE = 'signing.key'
/** A shorter key (a truncated or hand-edited file) would make every signature guessable. */
const MIN_KEY_CHARS = 32

export class SigningKeyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'SigningKeyError'
  }
}

async function readKey(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new SigningKeyError(`cannot read the signing key ${file}: ${(err as Error).message}`, { cause: err })
  }
}

/**
 * The configured key, else the one in the data dir, created on first use. Two processes starting
 * at once agree: the key is written to a private temporary file and linked into place, which fails
 * (EEXIST) for all but one, so nobody ever reads a half-written key.
 */
export async function loadSigningKey(o: { configured: string | undefined; dataDir: string }): Promise<string> {
  if (o.configured) {
    if (o.configured.length < MIN_KEY_CHARS)
      throw new SigningKeyError(`PROSODIA_SIGNING_KEY must be at least ${MIN_KEY_CHARS} characters`)
    return o.configured
  }
  const file = path.join(o.dataDir, SIGNING_KEY_FILE)
  let key = await readKey(file)
  if (key === undefined) {
    await mkdir(o.dataDir, { recursive: true })
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
    await writeFile(tmp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' })
    try {
      await link(tmp, file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    } finally {
      await unlink(tmp).catch(() => {})
    }
    key = await readKey(file)
  }
  if (!key || key.length < MIN_KEY_CHARS)
    throw new SigningKeyError(
      `the signing key in ${file} is shorter than ${MIN_KEY_CHARS} characters; delete it to generate a new one`,
    )
  return key
}
