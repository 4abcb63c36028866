import { extname } from 'node:path'
import { Option, type Command } from 'commander'
import { usageError, type Io } from '../context.js'
import { writeStreamToFile, writeStreamToStdout } from '../files.js'
import { note, printJson, printRecord, printTable } from '../output.js'
import { collect, DEFAULT_LIST_ITEMS, MAX_LIST_ITEMS, positiveInt } from '../paging.js'
import { clientAction } from '../program.js'

const FORMATS = ['wav', 'mp3', 'pcm'] as const
type Format = (typeof FORMATS)[number]
const PROVIDERS = ['CUSTOM_VOICE', 'HUME_AI'] as const

/** `--format`, else the output file's extension; only stdout may leave it to the server (mp3, as Hume's). */
export function audioFormat(format: string | undefined, output: string | undefined): Format | undefined {
  if (format !== undefined) return format as Format
  if (output === undefined) return undefined
  const ext = extname(output).slice(1).toLowerCase()
  if ((FORMATS as readonly string[]).includes(ext)) return ext as Format
  throw usageError(`cannot tell the audio format from "${output}": name it .wav, .mp3 or .pcm, or pass --format`)
}

interface SayOptions {
  description?: string
  voice?: string
  provider?: (typeof PROVIDERS)[number]
  speed?: number
  format?: Format
  output?: string
}

/** `prosodia tts say`. */
export function ttsCommand(parent: Command, io: Io): void {
  const tts = parent.command('tts').description('text-to-speech (Octave-compatible)')
  tts
    .command('say')
    .description('synthesize TEXT into an audio file (-o FILE) or onto stdout (POST /v0/tts/file)')
    .argument('<text>', 'what to say')
    .option('--description <text>', 'how to say it (acting instructions, or a voice to design)')
    .option('--voice <name>', 'a voice by name (see `prosodia voices list`)')
    .addOption(new Option('--provider <provider>', "the voice's library").choices(PROVIDERS))
    .option('--speed <factor>', 'speaking rate, 0.5–2', parseFloat)
    .addOption(new Option('--format <format>', 'audio format (default: from the -o extension)').choices(FORMATS))
    .option('-o, --output <file>', 'write the audio here (default: stdout, when it is not a terminal)')
    .action(
      clientAction(io, async (ctx, [text], opts: SayOptions) => {
        const format = audioFormat(opts.format, opts.output)
        if (opts.output === undefined && io.stdout.isTTY && !ctx.json) {
          throw usageError('refusing to write audio to a terminal: pass -o FILE or redirect stdout')
        }
        const voice = opts.voice
          ? { name: opts.voice, ...(opts.provider ? { provider: opts.provider } : {}) }
          : undefined
        const request = {
          utterances: [
            {
              text: text as string,
              ...(opts.description ? { description: opts.description } : {}),
              ...(voice ? { voice } : {}),
              ...(opts.speed !== undefined ? { speed: opts.speed } : {}),
            },
          ],
          ...(format ? { format: { type: format } } : {}),
        }
        if (ctx.json && opts.output === undefined) {
          printJson(io, await ctx.client.tts.synthesizeJson(request))
          return
        }
        const audio = await ctx.client.tts.synthesizeFile(request)
        const generationIds = (audio.rawResponse.headers.get('x-generation-ids') ?? '').split(',').filter(Boolean)
        const type = audio.contentType ?? ''
        if (opts.output === undefined) {
          const bytes = await writeStreamToStdout(io, audio.stream())
          note(io, `wrote ${bytes} bytes of ${type} to stdout; generation ${generationIds.join(', ')}`)
          return
        }
        const bytes = await writeStreamToFile(audio.stream(), opts.output)
        if (ctx.json) printJson(io, { file: opts.output, bytes, contentType: type, generationIds })
        else
          io.stdout.write(
            `wrote ${opts.output} (${bytes} bytes, ${type}); generation ${generationIds.join(', ')}\n` +
              `keep this voice: prosodia voices save ${generationIds[0] ?? 'GENERATION_ID'} NAME\n`,
          )
      }),
    )
}

/** `prosodia voices list|save|delete`. */
export function voicesCommand(parent: Command, io: Io): void {
  const voices = parent.command('voices').description('the TTS voice library (/v0/tts/voices)')
  voices
    .command('list')
    .description('list voices: your saved ones (CUSTOM_VOICE, the default) or the shared library (HUME_AI)')
    .addOption(new Option('--provider <provider>', 'which library').choices(PROVIDERS).default('CUSTOM_VOICE'))
    .option('--page-size <n>', 'voices per request', positiveInt('--page-size', 100))
    .option('--limit <n>', 'print at most this many', positiveInt('--limit', MAX_LIST_ITEMS), DEFAULT_LIST_ITEMS)
    .action(
      clientAction(
        io,
        async (ctx, _args, opts: { provider: (typeof PROVIDERS)[number]; pageSize?: number; limit: number }) => {
          const { items, truncated } = await collect(
            (pageNumber) =>
              ctx.client.tts.voices.list({
                provider: opts.provider,
                ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
                ...(pageNumber ? { pageNumber } : {}),
              }),
            'voicesPage',
            opts.limit,
          )
          if (ctx.json) return printJson(io, items)
          printTable(io, items, [
            ['name', (v) => v.name],
            ['id', (v) => v.id],
            ['provider', (v) => v.provider],
          ])
          if (truncated) note(io, `(first ${opts.limit}; raise --limit for more)`)
        },
      ),
    )
  voices
    .command('save')
    .description('save the voice of a generation (from `tts say`) under NAME (POST /v0/tts/voices)')
    .argument('<generation-id>', 'the generation whose voice to keep')
    .argument('<name>', 'the new voice name')
    .action(
      clientAction(io, async (ctx, [generationId, name]) => {
        const voice = await ctx.client.tts.voices.create({ generationId: generationId as string, name: name as string })
        if (ctx.json) printJson(io, voice)
        else printRecord(io, voice)
      }),
    )
  voices
    .command('delete')
    .description('delete one of your voices by name (DELETE /v0/tts/voices)')
    .argument('<name>', 'the voice name')
    .action(
      clientAction(io, async (ctx, [name]) => {
        await ctx.client.tts.voices.delete({ name: name as string })
        if (ctx.json) printJson(io, { deleted: name })
        else io.stdout.write(`deleted voice ${name as string}\n`)
      }),
    )
}
