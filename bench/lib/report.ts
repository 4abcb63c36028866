import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (bench/lib/ is two levels down). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BENCHMARKS_FILE = path.join(REPO_ROOT, 'BENCHMARKS.md')

const PREAMBLE = [
  '# Benchmarks',
  '',
  'Figures written by `npm run bench` (every `bench/*.bench.ts` in turn). Each section is replaced',
  'by its own benchmark; run one alone with `npx tsx bench/<name>.bench.ts`.',
  '',
].join('\n')

/** The machine a benchmark ran on, as markdown list items. */
export function machineInfo(now: Date = new Date()): string[] {
  const cpus = os.cpus()
  const model = cpus[0]?.model.trim() ?? 'unknown CPU'
  const gib = (os.totalmem() / 1024 ** 3).toFixed(1)
  return [
    `- CPU: ${model}, ${cpus.length} logical cores (os.availableParallelism: ${os.availableParallelism()})`,
    `- Memory: ${gib} GiB`,
    `- Node ${process.version}, ${os.type()} ${os.release()} (${process.platform}/${process.arch})`,
    `- Date: ${now.toISOString()}`,
  ]
}

export interface SectionReport {
  /** The section's heading without `## `, e.g. "EVI resources". */
  section: string
  /** How to reproduce the figures, e.g. "npx tsx bench/evi.bench.ts". */
  command: string
  /** The figures and notes, in markdown. */
  body: string
}

/** Renders a section: heading, how it was run, the machine, then the body. */
export function renderSection(report: SectionReport, now: Date = new Date()): string {
  return [
    `## ${report.section}`,
    '',
    `Command: \`${report.command}\``,
    '',
    ...machineInfo(now),
    '',
    report.body.trim(),
    '',
  ].join('\n')
}

/**
 * Replaces `## heading` (up to the next `## ` heading, or the end) in `markdown` with `section`,
 * or appends it when there is no such heading yet.
 */
export function replaceSection(markdown: string, heading: string, section: string): string {
  const lines = markdown.split('\n')
  const start = lines.findIndex((l) => l.trimEnd() === `## ${heading}`)
  const block = section.trimEnd().split('\n')
  if (start < 0) {
    const head = markdown.trimEnd()
    return `${head ? `${head}\n\n` : ''}${block.join('\n')}\n`
  }
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '))
  if (end < 0) end = lines.length
  const after = lines.slice(end)
  return [...lines.slice(0, start), ...block, ...(after.length ? ['', ...after] : [])].join('\n').trimEnd() + '\n'
}

/** Writes (or rewrites) this benchmark's section of BENCHMARKS.md, leaving every other section alone. */
export function writeSection(report: SectionReport, file: string = BENCHMARKS_FILE): void {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : PREAMBLE
  const next = replaceSection(current, report.section, renderSection(report))
  fs.writeFileSync(file, next)
  console.log(`wrote "## ${report.section}" to ${path.relative(process.cwd(), file) || file}`)
}
