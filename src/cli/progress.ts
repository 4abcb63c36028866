import cliProgress from 'cli-progress'
import type { Io } from './context.js'

export interface Progress<S> {
  update(state: S): void
  stop(): void
}

const none: Progress<never> = { update: () => undefined, stop: () => undefined }

/**
 * A status line redrawn in place while something waits (a chat's audio being mixed). Only on a terminal:
 * redirected stderr (CI, scripts) gets no control characters.
 */
export function spinner(io: Io, label: string): Progress<string> {
  if (!io.stderr.isTTY) return none
  const bar = new cliProgress.SingleBar({
    stream: io.stderr,
    format: `${label}: {status} ({duration}s)`,
    hideCursor: true,
    clearOnComplete: true,
    fps: 5,
  })
  bar.start(1, 0, { status: 'waiting' })
  return { update: (status) => bar.update(0, { status }), stop: () => bar.stop() }
}

/** The steps a batch job passes through, as a bar: a job reports no finer progress than its status. */
const STEPS: Record<string, number> = { QUEUED: 0, IN_PROGRESS: 1, COMPLETED: 2, FAILED: 2 }

/** `batch submit --wait`: a bar over QUEUED → IN_PROGRESS → COMPLETED, with the status and elapsed time. */
export function jobProgress(io: Io, jobId: string): Progress<{ state: { status: string } }> {
  if (!io.stderr.isTTY) return none
  const bar = new cliProgress.SingleBar({
    stream: io.stderr,
    format: `job ${jobId} [{bar}] {status} ({duration}s)`,
    barCompleteChar: '#',
    barIncompleteChar: '.',
    hideCursor: true,
    fps: 5,
  })
  bar.start(2, 0, { status: 'QUEUED' })
  return {
    update: (job) => bar.update(STEPS[job.state.status] ?? 0, { status: job.state.status }),
    stop: () => bar.stop(),
  }
}
