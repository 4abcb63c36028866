import type { ComponentType } from 'preact'
import type { ProsodiaClient } from '../../../../src/client/index.js'
import { ConfigForm } from './config-form.js'
import { PromptForm } from './prompt-form.js'
import { ToolForm } from './tool-form.js'
import { fromWire, parseObject, toWire, withoutNulls, type Wire } from './wire.js'

export interface FormProps {
  /** The request body being edited, in wire form. */
  value: Wire
  onChange: (next: Wire) => void
  /** A new resource has a name; a new version of one does not. */
  mode: 'create' | 'version'
}

export interface Listing {
  items: Wire[]
  totalPages: number
}

/** One of the EVI page's three versioned resources, as the page lists, shows, creates and versions it. */
export interface Kind {
  key: 'configs' | 'prompts' | 'tools'
  /** The tab's label. */
  title: string
  /** "prompt": in button names and headings. */
  noun: string
  list: (client: ProsodiaClient, pageNumber: number) => Promise<Listing>
  versions: (client: ProsodiaClient, id: string, pageNumber: number) => Promise<Listing>
  create: (client: ProsodiaClient, body: Wire) => Promise<Wire>
  createVersion: (client: ProsodiaClient, id: string, body: Wire) => Promise<Wire>
  remove: (client: ProsodiaClient, id: string) => Promise<void>
  /** The empty body of the create form. */
  blank: () => Wire
  /** The version request that would recreate a returned version: what "Save as new version" starts from. */
  toPosted: (version: Wire) => Wire
  /** Checks the API would make anyway, caught before sending; throws with the message to show. */
  validate: (body: Wire) => void
  Form: ComponentType<FormProps>
}

export const PAGE_SIZE = 10

const listing = (page: { data: unknown[]; response: { totalPages: number } }): Listing => ({
  items: page.data.map(toWire),
  totalPages: page.response.totalPages,
})

function pick(version: Wire, keys: string[]): Wire {
  const out: Wire = {}
  for (const key of keys) if (version[key] !== null && version[key] !== undefined) out[key] = version[key]
  return out
}

export const prompts: Kind = {
  key: 'prompts',
  title: 'Prompts',
  noun: 'prompt',
  list: async (c, pageNumber) =>
    listing(await c.empathicVoice.prompts.listPrompts({ pageNumber, pageSize: PAGE_SIZE })),
  versions: async (c, id, pageNumber) => {
    // hume@0.16.0 (and so the client) returns this one listing as a bare page, not a pager.
    const page = await c.empathicVoice.prompts.listPromptVersions(id, { pageNumber, pageSize: PAGE_SIZE })
    return { items: page.promptsPage.map(toWire), totalPages: page.totalPages }
  },
  create: async (c, body) => toWire(await c.empathicVoice.prompts.createPrompt(fromWire(body))),
  createVersion: async (c, id, body) => toWire(await c.empathicVoice.prompts.createPromptVersion(id, fromWire(body))),
  remove: async (c, id) => {
    await c.empathicVoice.prompts.deletePrompt(id)
  },
  blank: () => ({ name: '', text: '' }),
  toPosted: (v) => pick(v, ['text', 'prompt_expansion']),
  validate: (body) => {
    if (typeof body.text !== 'string') throw new Error('A prompt needs its text')
  },
  Form: PromptForm,
}

export const tools: Kind = {
  key: 'tools',
  title: 'Tools',
  noun: 'tool',
  list: async (c, pageNumber) => listing(await c.empathicVoice.tools.listTools({ pageNumber, pageSize: PAGE_SIZE })),
  versions: async (c, id, pageNumber) =>
    listing(await c.empathicVoice.tools.listToolVersions(id, { pageNumber, pageSize: PAGE_SIZE })),
  create: async (c, body) => toWire(await c.empathicVoice.tools.createTool(fromWire(body))),
  createVersion: async (c, id, body) => toWire(await c.empathicVoice.tools.createToolVersion(id, fromWire(body))),
  remove: async (c, id) => {
    await c.empathicVoice.tools.deleteTool(id)
  },
  blank: () => ({ name: '', description: '', parameters: '{\n  "type": "object",\n  "properties": {}\n}' }),
  toPosted: (v) => pick(v, ['description', 'parameters', 'fallback_content']),
  validate: (body) => {
    // The server takes any string of two characters or more; a tool whose schema is not JSON would only
    // fail later, when a chat hands it to the language model.
    if (typeof body.parameters !== 'string') throw new Error('Parameters must be a JSON Schema, as a string')
    parseObject(body.parameters, 'Parameters')
  },
  Form: ToolForm,
}

/** A returned config's references as a request names them: by id and version, voices by name. */
function configToPosted(v: Wire): Wire {
  const out = withoutNulls(
    pick(v, [
      'evi_version',
      'language_model',
      'ellm_model',
      'event_messages',
      'timeouts',
      'nudges',
      'turn_detection',
      'interruption',
      'webhooks',
    ]),
  ) as Wire
  const prompt = v.prompt as Wire | null
  if (prompt) out.prompt = { id: prompt.id, version: prompt.version }
  const voice = v.voice as Wire | null
  if (voice) out.voice = { name: voice.name, provider: voice.provider }
  const tools = ((v.tools as (Wire | null)[] | undefined) ?? []).filter((t): t is Wire => t !== null)
  if (tools.length) out.tools = tools.map((t) => ({ id: t.id, version: t.version }))
  const builtins = (v.builtin_tools as Wire[] | undefined) ?? []
  if (builtins.length)
    out.builtin_tools = builtins.map((t) => withoutNulls({ name: t.name, fallback_content: t.fallback_content }))
  return out
}

export const configs: Kind = {
  key: 'configs',
  title: 'Configs',
  noun: 'config',
  list: async (c, pageNumber) =>
    listing(await c.empathicVoice.configs.listConfigs({ pageNumber, pageSize: PAGE_SIZE })),
  versions: async (c, id, pageNumber) =>
    listing(await c.empathicVoice.configs.listConfigVersions(id, { pageNumber, pageSize: PAGE_SIZE })),
  create: async (c, body) => toWire(await c.empathicVoice.configs.createConfig(fromWire(body))),
  createVersion: async (c, id, body) => toWire(await c.empathicVoice.configs.createConfigVersion(id, fromWire(body))),
  remove: async (c, id) => {
    await c.empathicVoice.configs.deleteConfig(id)
  },
  blank: () => ({ name: '', evi_version: '3' }),
  toPosted: configToPosted,
  validate: (body) => {
    if (typeof body.evi_version !== 'string' || !body.evi_version) throw new Error('A config needs an EVI version')
  },
  Form: ConfigForm,
}

export const kinds: Kind[] = [configs, prompts, tools]
