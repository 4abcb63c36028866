import { describe, expect, it } from 'vitest'
import { Metrics } from './metrics-registry.js'

describe('Metrics', () => {
  it('keeps one registry per instance, so two apps in one process do not collide', async () => {
    const a = new Metrics()
    const b = new Metrics()
    a.httpRequests.inc({ method: 'GET', route: '/x', status_class: '2xx' })
    expect(await a.scrape()).toMatch(/^http_requests_total\{method="GET",route="\/x",status_class="2xx"\} 1$/m)
    expect(await b.scrape()).not.toMatch(/^http_requests_total\{/m)
  })

  it('reports a queue state that empties as 0, and still answers when the queue cannot be read', async () => {
    const errors: string[] = []
    const m = new Metrics((collector) => errors.push(collector))
    let rows = [{ name: 'job.a', state: 'ready', count: 3 }]
    let down = false
    m.watchQueue(async () => {
      if (down) throw new Error('database down')
      return rows
    })
    expect(await m.scrape()).toMatch(/^prosodia_queue_jobs\{name="job.a",state="ready"\} 3$/m)
    rows = []
    expect(await m.scrape()).toMatch(/^prosodia_queue_jobs\{name="job.a",state="ready"\} 0$/m)
    down = true
    const text = await m.scrape()
    expect(text).not.toMatch(/^prosodia_queue_jobs\{/m)
    expect(text).toMatch(/^prosodia_metrics_collect_errors_total\{collector="queue"\} 1$/m)
    expect(text).toMatch(/^process_cpu_user_seconds_total /m)
    expect(errors).toEqual(['queue'])
  })

  it('reads pool gauges at scrape time and counts job outcomes', async () => {
    const m = new Metrics()
    let queued = 2
    m.watchPools(() => [{ name: 'tts', threads: 2, queued, utilization: 0.25 }])
    m.jobFinished('job.a', 'dead', 1.5)
    expect(await m.scrape()).toMatch(/^prosodia_worker_pool_queued_tasks\{pool="tts"\} 2$/m)
    queued = 0
    const text = await m.scrape()
    expect(text).toMatch(/^prosodia_worker_pool_queued_tasks\{pool="tts"\} 0$/m)
    expect(text).toMatch(/^prosodia_worker_pool_utilization\{pool="tts"\} 0.25$/m)
    expect(text).toMatch(/^prosodia_queue_job_outcomes_total\{name="job.a",outcome="dead"\} 1$/m)
    expect(text).toMatch(/^prosodia_queue_job_duration_seconds_sum\{name="job.a",outcome="dead"\} 1.5$/m)
  })
})
