/**
 * The pool's interface without threads: tasks run on the calling thread through the same host and
 * port protocol. For `threads = 0` (debugging, profiling) and tests that inject fakes.
 */
import type { WorkerPool } from './pool.js'
import { poolOver } from './task-channel.js'
import type { Host } from './worker-host.js'

export function createInlinePool(name: string, host: Host): WorkerPool {
  return poolOver(name, 0, (task, input, port) => host({ task, input, port }), {
    stats: () => ({ name, threads: 0, queued: 0, utilization: 0 }),
    close: async () => {},
  })
}
