/**
 * One run of an external media tool (ffmpeg, ffprobe): spawned with an argument array (never a
 * shell), killed on abort or when the caller gives up, stderr kept only up to a bound so a
 * chatty or hostile input cannot grow memory, and exit awaited so no child outlives the call.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import type { Readable } from 'node:stream'

const STDERR_LIMIT = 16 * 1024

export interface ToolRun {
  child: ChildProcessByStdio<null, Readable, Readable>
  /** Resolves when the process has exited and its pipes are closed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** The last STDERR_LIMIT bytes of stderr. */
  stderr(): string
  /** SIGKILLs the process (if still running) and waits for it to be gone. */
  kill(): Promise<void>
}

export function startTool(bin: string, args: string[], signal?: AbortSignal): ToolRun {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true })
  let err = Buffer.alloc(0)
  child.stderr.on('data', (chunk: Buffer) => {
    err = Buffer.concat([err, chunk])
    if (err.length > STDERR_LIMIT) err = err.subarray(err.length - STDERR_LIMIT)
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, sig) => resolve({ code, signal: sig }))
  })
  // Callers attach their own handling; an unobserved spawn error must not crash the process.
  exited.catch(() => undefined)
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited.catch(() => undefined)
  }
  const onAbort = () => void kill()
  if (signal) {
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    void exited.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => undefined)
  }
  return { child, exited, stderr: () => err.toString('utf8'), kill }
}

/**
 * The most telling line of a tool's stderr for a user-facing message: the last non-empty one,
 * with the input path removed (the user never sees server paths) and its length capped.
 */
export function stderrReason(stderr: string, file: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.split(file).join('input').trim())
    .filter((l) => l.length > 0)
  const last = lines.at(-1) ?? ''
  return last.length > 200 ? `${last.slice(0, 200)}…` : last
}
