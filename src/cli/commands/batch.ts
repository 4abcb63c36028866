import { openAsBlob } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { InvalidArgumentError, Option, type Command } from 'commander'
import type { expressionMeasurement as E } from '../../client/index.js'
import { CliError, usageError, type Ctx, type Io } from '../context.js'
import { predictionsCsv } from '../csv.js'
import { writeStreamToFile } from '../files.js'
import { note, printJson, printRecord, printTable, time } from '../output.js'
import { positiveInt } from '../paging.js'
import { clientAction } from '../program.js'
import { jobProgress } from '../progress.js'

/** The models a job can name (Hume's batch model keys). */
export const MODELS = ['language', 'prosody', 'face', 'ner', 'burst', 'facemesh'] as const
/** `--wait`'s default deadline (`--timeout`), and its ceiling. */
const WAIT_SECONDS = 600
const MAX_WAIT_SECONDS = 86_400
/** Inputs one submit may name; the server's own limits (files, URLs) are lower and answer for themselves. */
const MAX_INPUTS = 1000

/** `--models language,prosody` → `{ language: {}, prosody: {} }` (each model with its defaults). */
export function parseModels(list: string): E.Models {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const unknown = names.filter((n) => !(MODELS as readonly string[]).includes(n))
  if (names.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(
      `--models takes a comma-separated list of ${MODELS.join(', ')}; not ${unknown.join(', ') || '""'}`,
    )
  }
  return Object.fromEntries(names.map((n) => [n, {}])) as E.Models
}

const isUrl = (s: string) => /^https?:\/\//i.test(s)

/** A local file as an upload, read lazily by Node; a missing path is named. */
async function upload(path: string): Promise<File> {
  const info = await stat(path)
  if (!info.isFile()) throw new CliError(`not a file: ${path}`)
  return new File([await openAsBlob(path)], basename(path))
}

interface SubmitOptions {
  models?: E.Models
  text?: string[]
  wait?: boolean
  timeout: number
}

function summary(job: E.UnionJob): Record<string, unknown> {
  const { state } = job
  return {
    job: job.jobId,
    status: state.status,
    created: time(state.createdTimestampMs),
    started: time(state.startedTimestampMs),
    ended: time(state.endedTimestampMs),
    predictions: state.numPredictions,
    errors: state.numErrors,
    message: state.message,
    models: Object.keys(job.request.models).join(', '),
    inputs: job.request.files.length + job.request.urls.length + job.request.text.length,
  }
}

async function waitFor(ctx: Ctx, jobId: string, seconds: number): Promise<E.UnionJob> {
  const bar = jobProgress(ctx.io, jobId)
  try {
    return await ctx.client.expressionMeasurement.batch.awaitCompletion(jobId, {
      onProgress: (job) => bar.update(job),
      timeoutMs: seconds * 1000,
    })
  } finally {
    bar.stop()
  }
}

/** `prosodia batch submit|status|results|artifacts|list`. */
export function batchCommand(parent: Command, io: Io): void {
  const batch = parent.command('batch').description('Expression Measurement batch jobs (/v0/batch/jobs)')
  batch
    .command('submit')
    .description('start a job on local files and/or URLs and/or --text (POST /v0/batch/jobs)')
    .argument('[inputs...]', 'files to upload, or http(s) URLs for the server to fetch')
    .option('--models <list>', `comma-separated: ${MODELS.join(', ')} (default: every model that applies)`, parseModels)
    .option('--text <string>', 'a text to analyse (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--wait', 'wait for the job to finish, with a progress bar on a terminal')
    .option('--timeout <seconds>', `how long --wait waits`, positiveInt('--timeout', MAX_WAIT_SECONDS), WAIT_SECONDS)
    .action(
      clientAction(io, async (ctx, [inputs], opts: SubmitOptions) => {
        const all = (inputs as string[] | undefined) ?? []
        if (all.length === 0 && !opts.text?.length) throw usageError('give files, URLs or --text to analyse')
        if (all.length > MAX_INPUTS) throw usageError(`at most ${MAX_INPUTS} files and URLs per job`)
        const urls = all.filter(isUrl)
        const files = await Promise.all(all.filter((s) => !isUrl(s)).map(upload))
        const request: E.InferenceBaseRequest = {
          ...(opts.models ? { models: opts.models } : {}),
          ...(urls.length ? { urls } : {}),
          ...(opts.text?.length ? { text: opts.text } : {}),
        }
        const b = ctx.client.expressionMeasurement.batch
        const { jobId } = files.length
          ? await b.startInferenceJobFromLocalFile({ file: files, json: request })
          : await b.startInferenceJob(request)
        if (!opts.wait) {
          if (ctx.json) return printJson(io, { jobId })
          io.stdout.write(`${jobId}\n`)
          note(io, `job ${jobId} started; follow it with: prosodia batch status ${jobId}`)
          return
        }
        const job = await waitFor(ctx, jobId, opts.timeout)
        if (ctx.json) printJson(io, job)
        else printRecord(io, summary(job))
        if (job.state.status === 'FAILED') {
          throw new CliError(`job ${jobId} failed: ${job.state.message ?? 'no message'}`)
        }
      }),
    )
  batch
    .command('status')
    .description("a job's state (GET /v0/batch/jobs/JOB)")
    .argument('<job>', 'the job id')
    .action(
      clientAction(io, async (ctx, [jobId]) => {
        const job = await ctx.client.expressionMeasurement.batch.getJobDetails(jobId as string)
        if (ctx.json) printJson(io, job)
        else printRecord(io, summary(job))
      }),
    )
  batch
    .command('results')
    .description("a completed job's predictions as JSON or CSV (GET /v0/batch/jobs/JOB/predictions)")
    .argument('<job>', 'the job id')
    .addOption(
      new Option('--format <format>', 'json, or csv: a row per prediction, a column per emotion')
        .choices(['json', 'csv'])
        .default('json'),
    )
    .action(
      clientAction(io, async (ctx, [jobId], opts: { format: 'json' | 'csv' }) => {
        const results = await ctx.client.expressionMeasurement.batch.getJobPredictions(jobId as string)
        if (opts.format === 'csv') io.stdout.write(predictionsCsv(results))
        else printJson(io, results)
        const errors = results.flatMap((r) => [
          ...(r.error ? [{ file: r.source.url ?? r.source.filename ?? r.source.type, message: r.error }] : []),
          ...r.results.errors,
        ])
        for (const e of errors) note(io, `warning: ${e.file}: ${e.message}`)
      }),
    )
  batch
    .command('artifacts')
    .description("download a completed job's artifacts zip (GET /v0/batch/jobs/JOB/artifacts)")
    .argument('<job>', 'the job id')
    .option('-o, --output <file>', 'where to write the zip (default: JOB.zip)')
    .action(
      clientAction(io, async (ctx, [jobId], opts: { output?: string }) => {
        const output = opts.output ?? `${jobId as string}.zip`
        const zip = await ctx.client.expressionMeasurement.batch.getJobArtifacts(jobId as string)
        const bytes = await writeStreamToFile(zip.stream(), output)
        if (ctx.json) return printJson(io, { file: output, bytes, jobId })
        io.stdout.write(`wrote ${output} (${bytes} bytes)\n`)
      }),
    )
  batch
    .command('list')
    .description('your jobs, newest first (GET /v0/batch/jobs)')
    .option('--limit <n>', 'at most this many', positiveInt('--limit', 10_000), 50)
    .action(
      clientAction(io, async (ctx, _args, opts: { limit: number }) => {
        const jobs = await ctx.client.expressionMeasurement.batch.listJobs({ limit: opts.limit, direction: 'desc' })
        if (ctx.json) return printJson(io, jobs)
        printTable(io, jobs, [
          ['job', (j) => j.jobId],
          ['status', (j) => j.state.status],
          ['created', (j) => time(j.state.createdTimestampMs)],
          ['predictions', (j) => j.state.numPredictions],
          ['models', (j) => Object.keys(j.request.models).join(', ')],
        ])
      }),
    )
}
