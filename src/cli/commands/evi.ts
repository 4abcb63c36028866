import { Option, type Command } from 'commander'
import type { ProsodiaClient } from '../../client/index.js'
import { CliError, type Io } from '../context.js'
import { readJsonFile } from '../files.js'
import { note, printJson, printRecord, printTable, time } from '../output.js'
import { collect, DEFAULT_LIST_ITEMS, MAX_LIST_ITEMS, positiveInt, type Item } from '../paging.js'
import { clientAction } from '../program.js'

interface ListQuery {
  pageNumber?: number
  pageSize?: number
  restrictToMostRecent?: boolean
}

/** One versioned EVI resource as the SDK names its methods. */
interface Kind {
  label: string
  pageKey: string
  list: (c: ProsodiaClient, q: ListQuery) => Promise<unknown>
  create: (c: ProsodiaClient, body: never) => Promise<unknown>
  versions: (c: ProsodiaClient, id: string, q: ListQuery) => Promise<unknown>
  version: (c: ProsodiaClient, id: string, version: number) => Promise<unknown>
}

const KINDS: Record<'configs' | 'prompts' | 'tools', Kind> = {
  configs: {
    label: 'config',
    pageKey: 'configsPage',
    list: (c, q) => c.empathicVoice.configs.listConfigs(q),
    create: (c, body) => c.empathicVoice.configs.createConfig(body),
    versions: (c, id, q) => c.empathicVoice.configs.listConfigVersions(id, q),
    version: (c, id, v) => c.empathicVoice.configs.getConfigVersion(id, v),
  },
  prompts: {
    label: 'prompt',
    pageKey: 'promptsPage',
    list: (c, q) => c.empathicVoice.prompts.listPrompts(q),
    create: (c, body) => c.empathicVoice.prompts.createPrompt(body),
    versions: (c, id, q) => c.empathicVoice.prompts.listPromptVersions(id, q),
    version: (c, id, v) => c.empathicVoice.prompts.getPromptVersion(id, v),
  },
  tools: {
    label: 'tool',
    pageKey: 'toolsPage',
    list: (c, q) => c.empathicVoice.tools.listTools(q),
    create: (c, body) => c.empathicVoice.tools.createTool(body),
    versions: (c, id, q) => c.empathicVoice.tools.listToolVersions(id, q),
    version: (c, id, v) => c.empathicVoice.tools.getToolVersion(id, v),
  },
}

const COLUMNS: [string, (r: Item) => unknown][] = [
  ['id', (r) => r.id],
  ['name', (r) => r.name],
  ['version', (r) => r.version],
  ['description', (r) => r.versionDescription ?? r.description],
  ['modified', (r) => time(r.modifiedOn)],
]

interface ListOptions {
  pageSize?: number
  limit: number
  allVersions?: boolean
}

const listOptions = (cmd: Command) =>
  cmd
    .option('--page-size <n>', 'items per request', positiveInt('--page-size', 100))
    .option('--limit <n>', 'print at most this many', positiveInt('--limit', MAX_LIST_ITEMS), DEFAULT_LIST_ITEMS)

const versionNumber = (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new CliError(`a version is a whole number from 0, not "${value}"`, 2)
  return n
}

/** `prosodia evi configs|prompts|tools list|create|show|versions`. */
export function eviCommand(parent: Command, io: Io): void {
  const evi = parent.command('evi').description('Empathic Voice Interface resources (/v0/evi)')
  for (const [name, kind] of Object.entries(KINDS)) {
    const group = evi.command(name).description(`EVI ${kind.label}s`)

    listOptions(group.command('list').description(`list ${kind.label}s, latest version of each (GET /v0/evi/${name})`))
      .option('--all-versions', 'every version, not only the latest')
      .action(
        clientAction(io, async (ctx, _args, opts: ListOptions) => {
          const q = (pageNumber: number): ListQuery => ({
            ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
            ...(pageNumber ? { pageNumber } : {}),
            ...(opts.allVersions ? { restrictToMostRecent: false } : {}),
          })
          const { items, truncated } = await collect((n) => kind.list(ctx.client, q(n)), kind.pageKey, opts.limit)
          if (ctx.json) return printJson(io, items)
          printTable(io, items, COLUMNS)
          if (truncated) note(io, `(first ${opts.limit}; raise --limit for more)`)
        }),
      )

    group
      .command('create')
      .description(`create a ${kind.label} from a JSON file of the API's request body (POST /v0/evi/${name})`)
      .argument('<file>', `FILE.json, e.g. {"name": "…", …}`)
      .action(
        clientAction(io, async (ctx, [file]) => {
          const body = await readJsonFile(file as string)
          if (body === null || typeof body !== 'object' || Array.isArray(body)) {
            throw new CliError(`${file as string} must hold one JSON object (the ${kind.label} to create)`)
          }
          const created = (await kind.create(ctx.client, body as never)) as Item
          if (ctx.json) return printJson(io, created)
          io.stdout.write(`created ${kind.label} ${String(created.id)} version ${String(created.version)}\n`)
        }),
      )

    group
      .command('show')
      .description(`show one ${kind.label}: its latest version, or --version N`)
      .argument('<id>', `the ${kind.label} id`)
      .addOption(new Option('--version <n>', 'this version').argParser(versionNumber))
      .action(
        clientAction(io, async (ctx, [id], opts: { version?: number }) => {
          let item: Item | undefined
          if (opts.version !== undefined) item = (await kind.version(ctx.client, id as string, opts.version)) as Item
          else {
            const latest = await collect(
              (n) =>
                kind.versions(ctx.client, id as string, {
                  restrictToMostRecent: true,
                  ...(n ? { pageNumber: n } : {}),
                }),
              kind.pageKey,
              MAX_LIST_ITEMS,
            )
            item = latest.items.sort((a, b) => Number(b.version) - Number(a.version))[0]
          }
          if (!item) throw new CliError(`${kind.label} ${id as string} not found`)
          if (ctx.json) printJson(io, item)
          else printRecord(io, item)
        }),
      )

    listOptions(group.command('versions').description(`list every version of one ${kind.label}`))
      .argument('<id>', `the ${kind.label} id`)
      .action(
        clientAction(io, async (ctx, [id], opts: ListOptions) => {
          const { items, truncated } = await collect(
            (n) =>
              kind.versions(ctx.client, id as string, {
                restrictToMostRecent: false,
                ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
                ...(n ? { pageNumber: n } : {}),
              }),
            kind.pageKey,
            opts.limit,
          )
          if (ctx.json) return printJson(io, items)
          printTable(io, items, COLUMNS)
          if (truncated) note(io, `(first ${opts.limit}; raise --limit for more)`)
        }),
      )
  }
}
