import type { Command } from 'commander'
import { CliError, type Ctx, type Io } from '../context.js'
import { writeStreamToFile } from '../files.js'
import { note, printJson, printTable, time } from '../output.js'
import { collect, DEFAULT_LIST_ITEMS, MAX_LIST_ITEMS, positiveInt } from '../paging.js'
import { clientAction } from '../program.js'
import { spinner } from '../progress.js'

/** How long `chats audio --wait` waits by default, and at most: reconstruction is a queued job. */
export const AUDIO_WAIT_SECONDS = 300
const MAX_AUDIO_WAIT_SECONDS = 3600
const POLL_MS = 1000

interface AudioState {
  status: string
  signedAudioUrl?: string | null
}

/** `chats audio`: the reconstruction's state, polled until it settles when `wait` is set. */
async function audioWhenReady(ctx: Ctx, id: string, waitSeconds: number | undefined): Promise<AudioState> {
  let state = (await ctx.client.empathicVoice.chats.getAudio(id)) as AudioState
  if (waitSeconds === undefined || state.status === 'COMPLETE') return state
  const deadline = Date.now() + waitSeconds * 1000
  const spin = spinner(ctx.io, `audio of chat ${id}`)
  try {
    while (state.status === 'QUEUED' || state.status === 'IN_PROGRESS') {
      spin.update(state.status)
      if (Date.now() > deadline) throw new CliError(`audio of chat ${id} still ${state.status} after ${waitSeconds} s`)
      await new Promise((r) => setTimeout(r, POLL_MS))
      state = (await ctx.client.empathicVoice.chats.getAudio(id)) as AudioState
    }
  } finally {
    spin.stop()
  }
  return state
}

/** `prosodia chats list|events|audio`. */
export function chatsCommand(parent: Command, io: Io): void {
  const chats = parent.command('chats').description('EVI chat history (/v0/evi/chats)')
  chats
    .command('list')
    .description('list your chats, newest first (GET /v0/evi/chats)')
    .option('--page-size <n>', 'chats per request', positiveInt('--page-size', 100))
    .option('--limit <n>', 'print at most this many', positiveInt('--limit', MAX_LIST_ITEMS), DEFAULT_LIST_ITEMS)
    .action(
      clientAction(io, async (ctx, _args, opts: { pageSize?: number; limit: number }) => {
        const { items, truncated } = await collect(
          (n) =>
            ctx.client.empathicVoice.chats.listChats({
              ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
              ...(n ? { pageNumber: n } : {}),
            }),
          'chatsPage',
          opts.limit,
        )
        if (ctx.json) return printJson(io, items)
        printTable(io, items, [
          ['id', (c) => c.id],
          ['status', (c) => c.status],
          ['started', (c) => time(c.startTimestamp)],
          ['ended', (c) => time(c.endTimestamp)],
          ['events', (c) => c.eventCount],
          ['chat group', (c) => c.chatGroupId],
        ])
        if (truncated) note(io, `(first ${opts.limit}; raise --limit for more)`)
      }),
    )
  chats
    .command('events')
    .description("a chat's events, in order (GET /v0/evi/chats/ID)")
    .argument('<id>', 'the chat id')
    .option('--page-size <n>', 'events per request', positiveInt('--page-size', 100))
    .option('--limit <n>', 'print at most this many', positiveInt('--limit', MAX_LIST_ITEMS), DEFAULT_LIST_ITEMS)
    .action(
      clientAction(io, async (ctx, [id], opts: { pageSize?: number; limit: number }) => {
        const { items, truncated } = await collect(
          (n) =>
            ctx.client.empathicVoice.chats.listChatEvents(id as string, {
              ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
              ...(n ? { pageNumber: n } : {}),
            }),
          'eventsPage',
          opts.limit,
        )
        if (ctx.json) return printJson(io, items)
        printTable(io, items, [
          ['time', (e) => time(e.timestamp)],
          ['role', (e) => e.role],
          ['type', (e) => e.type],
          ['text', (e) => e.messageText],
        ])
        if (truncated) note(io, `(first ${opts.limit}; raise --limit for more)`)
      }),
    )
  chats
    .command('audio')
    .description("download a chat's reconstructed audio (GET /v0/evi/chats/ID/audio, then its signed URL)")
    .argument('<id>', 'the chat id')
    .requiredOption('-o, --output <file>', 'write the audio here (MP3)')
    .option('--wait', 'wait while the audio is still being put together')
    .option(
      '--timeout <seconds>',
      'how long --wait waits',
      positiveInt('--timeout', MAX_AUDIO_WAIT_SECONDS),
      AUDIO_WAIT_SECONDS,
    )
    .action(
      clientAction(io, async (ctx, [id], opts: { output: string; wait?: boolean; timeout: number }) => {
        const state = await audioWhenReady(ctx, id as string, opts.wait ? opts.timeout : undefined)
        if (state.status !== 'COMPLETE' || !state.signedAudioUrl) {
          const hint = state.status === 'QUEUED' || state.status === 'IN_PROGRESS' ? '; try again, or pass --wait' : ''
          throw new CliError(`the audio of chat ${id as string} is ${state.status}, not ready to download${hint}`)
        }
        // The signed URL is its own credential (no API key), and it points at the server we just asked.
        const url = state.signedAudioUrl
        const res = await fetch(url).catch((err: unknown) => {
          const cause = (err as { cause?: { message?: string } }).cause?.message ?? String(err)
          throw new CliError(`cannot download the audio from ${url.split('?')[0] ?? url}: ${cause}`)
        })
        if (!res.ok || !res.body)
          throw new CliError(`downloading the audio of chat ${id as string} answered ${res.status}`)
        const bytes = await writeStreamToFile(res.body, opts.output)
        if (ctx.json) return printJson(io, { file: opts.output, bytes, chatId: id })
        io.stdout.write(`wrote ${opts.output} (${bytes} bytes)\n`)
      }),
    )
}
