/**
 * Scale-out (issue 12): two `npm run api` and two `npm run worker` processes, each with a data
 * directory of its own as separate machines would have, share one PostgreSQL database, one Redis
 * (the BullMQ queue) and one S3 bucket, and serve the whole API through either node: jobs run once
 * whichever node took them, a SIGKILLed worker or API node loses nothing, resources cross nodes,
 * and nothing stays on local disk.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  client,
  completionsLogged,
  filesUnder,
  startCluster,
  waitForJobs,
  type Cluster,
  type ClusterNode,
} from '../helpers/cluster.js'
import { ROOT } from '../helpers/server.js'
import { sharedPath } from '../helpers/shared-data.js'

const RAVDESS = sharedPath('data', 'ravdess-samples')
const EMODB = sharedPath('data', 'emodb', 'wav')
const wav = (dir: string, name: string) => ({ name, data: readFileSync(path.join(dir, name)) })
const ravdess = readdirSync(RAVDESS)
  .filter((f) => f.endsWith('.wav'))
  .sort()
  .map((f) => wav(RAVDESS, f))
const emodb = readdirSync(EMODB)
  .filter((f) => f.endsWith('.wav'))
  .sort()
  .slice(0, 4)
  .map((f) => wav(EMODB, f))
/** Generous: several agents share this machine's two cores, and a deadline only bounds a hang. */
const SLOW = 240_000

const SENTENCES = [
  'I am so happy this finally worked.',
  'This is the worst delay we have had all year.',
  'Thank you, that was really kind of you.',
  'I am worried the results will be lost.',
]

interface SourcePredictions {
  results: { predictions: { file: string }[]; errors: { file: string; message: string }[] }
}

/** Waits (briefly) for log lines to arrive through the pipe: a process logs just after it commits. */
async function eventually<T>(read: () => T, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = read()
    if (ok(v) || Date.now() > deadline) return v
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('two API and two worker processes on PostgreSQL, Redis and S3', () => {
  let c: Cluster
  let api1: ReturnType<typeof client>
  let api2: ReturnType<typeof client>
  /** Every job submitted, with the node that took it. */
  const submitted: { id: string; via: ClusterNode }[] = []

  beforeAll(async () => {
    // Speech recognition (pocketsphinx, when installed) would only slow the audio jobs down here.
    c = await startCluster({ leaseMs: 4000, env: { PROSODIA_ASR: 'none' } })
    api1 = client(c, c.apis[0]!)
    api2 = client(c, c.apis[1]!)
  })
  afterAll(async () => {
    await c?.close()
  })

  /** How many times each worker process (current and killed ones) logged the job's completion. */
  const completions = (id: string) => c.workers.flatMap((w) => w.history.map((p) => completionsLogged(p).get(id) ?? 0))
  const totalCompletions = (id: string) => completions(id).reduce((a, b) => a + b, 0)
  /** Completions logged for the job once the lines have come through (at least one is awaited). */
  const completionCount = (id: string) =>
    eventually(
      () => totalCompletions(id),
      (n) => n > 0,
    )

  it(
    'runs every job submitted to either API exactly once, and both workers take a share',
    async () => {
      const jobs: { id: string; via: ClusterNode }[] = []
      for (let i = 0; i < 12; i++) {
        const via = c.apis[i % 2]!
        const id = await client(c, via).submit({ models: { language: {} }, text: [SENTENCES[i % SENTENCES.length]!] })
        jobs.push({ id, via })
      }
      for (const [i, file] of ravdess.slice(0, 2).entries()) {
        const via = c.apis[i % 2]!
        jobs.push({ id: await client(c, via).submit({ models: { prosody: {} } }, [file]), via })
      }
      submitted.push(...jobs)
      const done = await waitForJobs(
        api1,
        jobs.map((j) => j.id),
        { timeoutMs: SLOW },
      )
      for (const { id, via } of jobs) {
        expect(done.get(id)!.state, `${id}: ${await api1.predictions(id)}`).toMatchObject({
          status: 'COMPLETED',
          num_errors: 0,
        })
        const other = c.apis.find((n) => n !== via)!
        const mine = await client(c, via).predictions(id)
        expect(await client(c, other).predictions(id)).toBe(mine)
        expect((JSON.parse(mine) as SourcePredictions[])[0]!.results.predictions.length).toBeGreaterThan(0)
        expect(await completionCount(id)).toBe(1)
      }
      const byWorker = c.workers.map((w) => completionsLogged(w.proc).size)
      expect(
        byWorker.every((n) => n >= 1),
        `jobs completed per worker: ${byWorker.join(', ')}`,
      ).toBe(true)
      expect(byWorker.reduce((a, b) => a + b, 0)).toBe(jobs.length)
    },
    SLOW,
  )

  it(
    'completes on the other worker a job whose worker was SIGKILLed mid-job',
    async () => {
      const files = ravdess.slice(0, 5)
      const id = await api2.submit({ models: { prosody: {} } }, files)
      submitted.push({ id, via: c.apis[1]! })
      // The worker analysing a file holds an S3 scratch copy of it in its own <dataDir>/tmp: that
      // names the holder exactly (no log line marks a job's start).
      let holder: ClusterNode | undefined
      const deadline = Date.now() + 30_000
      while (!holder) {
        if (Date.now() > deadline) throw new Error(`job ${id} never seen in progress on a worker`)
        const busy = []
        for (const w of c.workers) if ((await filesUnder(path.join(w.dataDir, 'tmp'))).length > 0) busy.push(w)
        if (busy.length === 1 && (await api1.job(id)).state.status === 'IN_PROGRESS') holder = busy[0]
        else await new Promise((r) => setTimeout(r, 20))
      }
      await holder.proc.stop('SIGKILL')
      const killedAt = Date.now()
      expect((await api1.job(id)).state.status).toBe('IN_PROGRESS')

      const job = (await waitForJobs(api1, [id], { timeoutMs: SLOW })).get(id)!
      // Not before the dead worker's lease (4 s, renewed every 4/3 s) ran out.
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(2500)
      expect(job.state).toMatchObject({ status: 'COMPLETED', num_errors: 0 })
      const sources = JSON.parse(await api1.predictions(id)) as SourcePredictions[]
      const names = sources.flatMap((s) => s.results.predictions.map((p) => p.file))
      expect(names.sort()).toEqual(files.map((f) => f.name).sort())
      expect(sources.flatMap((s) => s.results.errors)).toEqual([])
      expect(await api2.predictions(id)).toBe(await api1.predictions(id))
      const survivor = c.workers.find((w) => w !== holder)!
      expect(
        await eventually(
          () => completionsLogged(survivor.proc).get(id) ?? 0,
          (n) => n > 0,
        ),
      ).toBe(1)
      expect(completionsLogged(holder.proc).get(id)).toBeUndefined()

      // Its supervisor starts it again, on the same machine (data dir).
      await c.restart(holder)
    },
    SLOW,
  )

  it(
    'loses nothing when an API node is SIGKILLed mid-run and started again',
    async () => {
      const before: string[] = []
      before.push(await api1.submit({ models: { prosody: {} } }, emodb.slice(0, 2)))
      before.push(await api2.submit({ models: { prosody: {} } }, emodb.slice(2, 4)))
      for (let i = 0; i < 4; i++) before.push(await client(c, c.apis[i % 2]!).submit({ text: [SENTENCES[i]!] }))
      const inFlight = await Promise.all(before.map(async (id) => (await api2.job(id)).state.status))
      expect(inFlight.filter((st) => st !== 'COMPLETED').length, inFlight.join()).toBeGreaterThan(0)

      await c.apis[0]!.proc.stop('SIGKILL')
      const after: string[] = []
      for (let i = 0; i < 3; i++) after.push(await api2.submit({ text: [SENTENCES[(i + 1) % SENTENCES.length]!] }))
      after.push(await api2.submit({ models: { prosody: {} } }, ravdess.slice(2, 4)))
      await c.restart(c.apis[0]!)
      after.push(await api1.submit({ text: ['The node came back as if nothing happened.'] }))
      submitted.push(...[...before, ...after].map((id) => ({ id, via: c.apis[0]! })))

      const ids = [...before, ...after]
      const done = await waitForJobs(api1, ids, { timeoutMs: SLOW })
      for (const id of ids) {
        expect(done.get(id)!.state, `${id}: ${await api1.predictions(id)}`).toMatchObject({
          status: 'COMPLETED',
          num_errors: 0,
        })
        expect((await api2.job(id)).state.status).toBe('COMPLETED')
        expect(await api2.predictions(id)).toBe(await api1.predictions(id))
        expect(await completionCount(id)).toBe(1)
      }
    },
    SLOW,
  )

  it('shares voices, EVI prompts and OAuth tokens across API nodes', async () => {
    // A voice designed and saved on API #1 is listed and spoken on API #2.
    const tts = await api1.post<{ generations: { generation_id: string }[] }>('/v0/tts', {
      utterances: [{ text: 'Hello from the first node.', description: 'a calm, low voice' }],
      format: { type: 'wav' },
    })
    const name = `cluster-voice-${Date.now()}`
    await api1.post('/v0/tts/voices', { name, generation_id: tts.generations[0]!.generation_id })
    const listed = await api2.json<{ voices_page: { name: string }[] }>('/v0/tts/voices?provider=CUSTOM_VOICE')
    expect(listed.voices_page.map((v) => v.name)).toContain(name)
    const spoken = await api2.post<{ generations: { audio: string }[] }>('/v0/tts', {
      utterances: [{ text: 'And hello from the second.', voice: { name, provider: 'CUSTOM_VOICE' } }],
      format: { type: 'wav' },
    })
    expect(Buffer.from(spoken.generations[0]!.audio, 'base64').subarray(0, 4).toString()).toBe('RIFF')

    // A prompt created on #2 is read on #1, even by a list #1 answered (and may have cached) before.
    await api1.json('/v0/evi/prompts')
    const prompt = await api2.post<{ id: string }>('/v0/evi/prompts', { name: 'Cluster', text: 'Be brief.' })
    const versions = await api1.json<{ prompts_page: { text: string }[] }>(`/v0/evi/prompts/${prompt.id}`)
    expect(versions.prompts_page.map((p) => p.text)).toEqual(['Be brief.'])
    const page = await api1.json<{ prompts_page: { id: string }[] }>('/v0/evi/prompts')
    expect(page.prompts_page.map((p) => p.id)).toContain(prompt.id)

    // An account made by the CLI on the shared database; its token, issued by #1, works on #2.
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'bin/prosodia.js'), 'accounts', 'create', 'cluster'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: c.databaseUrl, PROSODIA_DATA_DIR: c.apis[0]!.dataDir },
      encoding: 'utf8',
    })
    expect(cli.status, cli.stderr).toBe(0)
    const account = JSON.parse(cli.stdout) as { api_key: string; secret_key: string }
    const token = await fetch(`${c.apis[0]!.proc.url}/oauth2-cc/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${account.api_key}:${account.secret_key}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    })
    expect(token.status).toBe(200)
    const { access_token } = (await token.json()) as { access_token: string }
    const bearer = { authorization: `Bearer ${access_token}` }
    const own = await fetch(`${c.apis[1]!.proc.url}/v0/evi/prompts`, { headers: bearer })
    expect(own.status).toBe(200)
    expect(((await own.json()) as { prompts_page: unknown[] }).prompts_page).toEqual([])
    // The other account's prompt stays the other account's, on every node.
    expect((await fetch(`${c.apis[1]!.proc.url}/v0/evi/prompts/${prompt.id}`, { headers: bearer })).status).toBe(404)
  })

  it('keeps every blob in the bucket', async () => {
    const keys = new Set(await c.s3.keys())
    for (const { id } of submitted) expect(keys, id).toContain(`${c.s3Prefix}/batch/${id}/predictions.json`)
    // Uploads went to the bucket, from both API nodes (and were deleted there once their job completed).
    for (const media of [submitted[12]!.id, submitted[13]!.id])
      expect(c.s3.seen.puts).toContain(`prosodia-test/${c.s3Prefix}/batch/${media}/uploads/0`)
    expect([...keys].filter((k) => k.includes('/uploads/'))).toEqual([])
  })

  it('keeps nothing on local disk, not even after a SIGKILL', async () => {
    // Directories may stay (blobs/, tmp/), empty; a file is local state another machine cannot see.
    // The killed worker (restarted on its data dir) and the killed API node count too: a process
    // that died mid-job must not leave anything behind for good.
    const left: Record<string, string[]> = {}
    for (const node of [...c.apis, ...c.workers]) {
      const files = await filesUnder(node.dataDir)
      if (files.length > 0) left[`${node.role} #${node.index} (${node.dataDir})`] = files
    }
    expect(left).toEqual({})
  })
})
