import Table from 'cli-table3'
import type { Io } from './context.js'

/** One JSON document on stdout, for scripts (`--json`). */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n')
}

export type Column<T> = [header: string, cell: (row: T) => unknown]

/** A table on stdout; colours only on a terminal, so piped output stays plain text. */
export function printTable<T>(io: Io, rows: readonly T[], columns: Column<T>[], empty = '(none)'): void {
  if (rows.length === 0) {
    io.stdout.write(`${empty}\n`)
    return
  }
  const colour = io.stdout.isTTY === true
  const table = new Table({
    head: columns.map(([h]) => h),
    style: colour ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
  })
  for (const row of rows) table.push(columns.map(([, cell]) => text(cell(row))))
  io.stdout.write(table.toString() + '\n')
}

/** One object as a two-column table: top-level fields, nested values as compact JSON. */
export function printRecord(io: Io, record: object): void {
  const colour = io.stdout.isTTY === true
  const table = new Table({ style: colour ? { head: [], border: ['grey'] } : { head: [], border: [] } })
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue
    table.push({ [key]: text(value, 400) })
  }
  io.stdout.write(table.toString() + '\n')
}

/** A cell: strings as they are, objects as JSON, long values cut (the full value is one `--json` away). */
export function text(value: unknown, max = 80): string {
  if (value === null || value === undefined) return ''
  const s = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
  const oneLine = s.replace(/\s+/g, ' ')
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine
}

/** Milliseconds since the epoch as an ISO time (the API's timestamps), blank when absent. */
export function time(ms: unknown): string {
  return typeof ms === 'number' ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : ''
}

/** A status line for humans: stderr, so that stdout stays data. */
export function note(io: Io, message: string): void {
  io.stderr.write(`${message}\n`)
}
