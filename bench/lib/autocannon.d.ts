// The part of autocannon@8's programmatic API the benchmarks use (it ships no types).
declare module 'autocannon' {
  interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p97_5: number
    p99: number
    p99_9: number
  }

  export interface Options {
    url: string
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
    headers?: Record<string, string>
    body?: string
    connections?: number
    /** Requests per second over all connections (paced load rather than as fast as possible). */
    overallRate?: number
    pipelining?: number
    /** Seconds. */
    duration?: number
    /** Worker threads making the requests, so the client does not share the server's event loop. */
    workers?: number
    warmup?: { connections?: number; duration?: number }
    timeout?: number
    title?: string
  }

  export interface Result {
    title?: string
    url: string
    connections: number
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
    statusCodeStats: Record<string, { count: number }>
    /** Milliseconds, 2xx responses only. */
    latency: Histogram
    /** Per-second samples of completed requests. */
    requests: Histogram & { sent: number }
    /** Per-second samples of bytes read. */
    throughput: Histogram
  }

  export default function autocannon(opts: Options): Promise<Result>
}
