/**
 * `npx prosodia batch …` and `chats …` against an in-process server whose queue runs jobs: a language job
 * on a local file waited for with --wait, its results as CSV, its artifacts, and a recorded chat's events
 * and reconstructed audio.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tone } from '../helpers/chat-audio.js'
import { createTestApp, listen, type TestApp } from '../helpers/app.js'
import { prosodia, scratch } from './cli-run.js'

describe('the prosodia CLI: batch jobs and chat history', () => {
  let t: TestApp
  let env: Record<string, string>
  const files = scratch()
  const run = (...args: string[]) => prosodia(args, env)

  beforeAll(async () => {
    t = await createTestApp('sqlite', { workers: true, runtime: { worker: { pollMs: 50 } } })
    env = { PROSODIA_BASE_URL: await listen(t.app), HUME_API_KEY: t.alice.api_key }
  })
  afterAll(async () => {
    await t?.close()
    files.remove()
  })

  it('batch submit --wait --json, then results as CSV, status and artifacts', async () => {
    writeFileSync(files.file('note.txt'), 'I am thrilled with the result. This is terrible news.')
    const submit = await run('batch', 'submit', files.file('note.txt'), '--models', 'language', '--wait', '--json')
    expect(submit.code, submit.err).toBe(0)
    const job = JSON.parse(submit.out) as { jobId: string; state: { status: string; numPredictions: number } }
    expect(job.state).toMatchObject({ status: 'COMPLETED', numPredictions: 1 })

    const csv = await run('batch', 'results', job.jobId, '--format', 'csv')
    expect(csv.code, csv.err).toBe(0)
    const [header, ...rows] = csv.out.trimEnd().split('\r\n')
    const columns = header!.split(',')
    expect(columns.slice(0, 10)).toEqual([
      'source',
      'file',
      'model',
      'group',
      'text',
      'position_begin',
      'position_end',
      'time_begin',
      'time_end',
      'frame',
    ])
    const emotions = columns.slice(10)
    expect(emotions.length).toBeGreaterThan(5)
    expect(emotions).toEqual([...emotions].sort())
    // One row per word (language at word granularity), each with a score per emotion.
    expect(rows.length).toBeGreaterThan(5)
    for (const row of rows) {
      const cells = row.split(',')
      expect(cells.slice(0, 3)).toEqual(['note.txt', 'note.txt', 'language'])
      expect(cells).toHaveLength(columns.length)
      for (const score of cells.slice(10)) expect(Number(score)).toBeGreaterThanOrEqual(0)
    }
    expect(rows.map((r) => r.split(',')[4])).toContain('thrilled')

    const status = await run('batch', 'status', job.jobId)
    expect(status.code, status.err).toBe(0)
    expect(status.out).toMatch(/status\s*│\s*COMPLETED/)

    const zip = await run('batch', 'artifacts', job.jobId, '-o', files.file('out.zip'))
    expect(zip.code, zip.err).toBe(0)
    expect(readFileSync(files.file('out.zip')).subarray(0, 2).toString('latin1')).toBe('PK')
  })

  it('batch submit --text prints the job id; a missing file is named; unknown models are a usage error', async () => {
    const started = await run('batch', 'submit', '--text', 'Hello there.', '--models', 'language')
    expect(started.code, started.err).toBe(0)
    const jobId = started.out.trim()
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/)
    expect(await t.rt.expression.batch.get(t.alice.account_id, jobId)).toMatchObject({ job_id: jobId })

    const missing = await run('batch', 'submit', files.file('absent.wav'), '--models', 'prosody')
    expect(missing.code).toBe(1)
    expect(missing.err).toBe(`error: no such file: ${files.file('absent.wav')}\n`)

    const models = await run('batch', 'submit', '--text', 'x', '--models', 'language,smell')
    expect(models.code).toBe(2)
    expect(models.err).toContain('smell')
  })

  it('chats list, events and audio (waiting for the reconstruction)', async () => {
    const h = t.rt.eviHistory.chats
    const alice = t.alice.account_id
    const start = Date.now() - 3000
    const { chatId } = await h.startChat({ accountId: alice, startTimestamp: start })
    await h.appendEvent(alice, chatId, { role: 'USER', type: 'USER_MESSAGE', messageText: 'What is the weather?' })
    await h.appendEvent(alice, chatId, { role: 'AGENT', type: 'AGENT_MESSAGE', messageText: 'Sunny all day.' })
    const rec = h.recorder(alice, chatId)
    rec.user(tone(0.5, 16_000), 200)
    rec.assistant(tone(0.5, 24_000, 880), 24_000, 1200)
    await rec.close()
    await h.endChat(alice, chatId, 'USER_ENDED', start + 3000)

    const list = await run('chats', 'list', '--json')
    expect(list.code, list.err).toBe(0)
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ id: chatId, status: 'USER_ENDED' })])

    const events = await run('chats', 'events', chatId)
    expect(events.code, events.err).toBe(0)
    expect(events.out).toMatch(/USER\s*│\s*USER_MESSAGE\s*│\s*What is the weather\?/)
    expect(events.out).toMatch(/AGENT\s*│\s*AGENT_MESSAGE\s*│\s*Sunny all day\./)

    const audio = await run('chats', 'audio', chatId, '-o', files.file('chat.mp3'), '--wait', '--timeout', '60')
    expect(audio.code, audio.err).toBe(0)
    const mp3 = readFileSync(files.file('chat.mp3'))
    expect(mp3.length).toBeGreaterThan(1000)
    expect(audio.out).toBe(`wrote ${files.file('chat.mp3')} (${mp3.length} bytes)\n`)

    const noOutput = await run('chats', 'audio', chatId)
    expect(noOutput.code).toBe(2)
    expect(noOutput.err).toContain("required option '-o, --output <file>' not specified")
  })
})
