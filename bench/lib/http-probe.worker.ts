// The light probe's loop, in a worker thread so that its timings are the server's and not the
// benchmark's own event loop: GET the URL every `intervalMs` (one request at a time, keep-alive)
// and report each response time, in ms, when told to stop.
import http from 'node:http'
import { parentPort, workerData } from 'node:worker_threads'
import type { ProbeOptions } from './http-probe.js'

const { url, intervalMs, headers } = workerData as ProbeOptions
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
const latencies: number[] = []
let failures = 0
let running = true

function once(): Promise<void> {
  const t0 = performance.now()
  return new Promise((resolve) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.resume()
      res.on('end', () => {
        if (res.statusCode === 200) latencies.push(performance.now() - t0)
        else failures++
        resolve()
      })
    })
    req.setTimeout(10_000, () => req.destroy(new Error('probe timed out')))
    req.on('error', () => {
      failures++
      resolve()
    })
  })
}

async function loop(): Promise<void> {
  while (running) {
    const started = performance.now()
    await once()
    const wait = intervalMs - (performance.now() - started)
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  }
  agent.destroy()
  parentPort!.postMessage({ type: 'result', latencies, failures })
}

parentPort!.on('message', (m: { type?: string }) => {
  if (m.type === 'stop') running = false
})
parentPort!.postMessage({ type: 'ready' })
void loop()
