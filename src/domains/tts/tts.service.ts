// Turns a PostedTts into a plan (voices resolved, generations stored); the synthesizer renders
// and encodes it in the TTS worker pool.
import { randomInt, randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { errors, type ValidationIssue } from '../../shared/http/errors.js'
import { monotonicNow } from '../../shared/storage/clock.js'
import type { Database } from '../../shared/storage/database.js'
import type { VoiceSpec } from './engines/engine.js'
import type { EngineInfo } from './engines/engine-select.js'
import { splitSentences } from './engines/text.js'
import * as repo from './tts.repo.js'
import type { Plan, PlannedGeneration, PlannedUtterance } from './tts.plan.js'
import type { PostedTts, PostedUtterance } from './tts.schemas.js'
import { applyDelivery, designVoice, hashSeed } from './voice-design.js'
import { parseSpec, type VoicesService } from './voices.service.js'

export type Endpoint = 'json' | 'file' | 'stream'

/** How trailing silence counts against character limits: about as many characters as a second of speech. */
export const SILENCE_CHARS_PER_SECOND = 15

/** The characters of speech some utterances ask for, their trailing silence included. */
export function speechChars(utterances: readonly { text: string; trailing_silence?: number }[]): number {
  return utterances.reduce(
    (n, u) => n + u.text.length + Math.ceil((u.trailing_silence ?? 0) * SILENCE_CHARS_PER_SECOND),
    0,
  )
}

const SEED_STRIDE = 0x9e3779b9

export class TtsService {
  constructor(
    private readonly db: Kysely<Database>,
    /** The engine the pool's threads run: plans carry its sample rate and name. */
    readonly engine: EngineInfo,
    private readonly voices: VoicesService,
    private readonly limits: { maxRequestChars: number },
  ) {}

  private async resolveVoice(
    accountId: string,
    u: PostedUtterance,
    loc: (string | number)[],
  ): Promise<VoiceSpec | undefined> {
    if (!u.voice) return undefined
    const spec = await this.voices.resolve(accountId, u.voice)
    if (!spec) {
      const what = 'id' in u.voice ? `id "${u.voice.id}"` : `name "${u.voice.name}"`
      throw errors.invalidField([...loc, 'voice'], `No ${u.voice.provider ?? 'CUSTOM_VOICE'} voice with ${what}`)
    }
    return spec
  }

  /** The voice a context carries: a stored generation's, or the last one its utterances establish. */
  private async contextVoice(accountId: string, body: PostedTts): Promise<VoiceSpec | undefined> {
    const ctx = body.context
    if (!ctx) return undefined
    if ('generation_id' in ctx) {
      const gen = await repo.getGeneration(this.db, accountId, ctx.generation_id)
      if (!gen)
        throw errors.invalidField(['body', 'context', 'generation_id'], `Generation ${ctx.generation_id} not found`)
      return parseSpec(gen.spec)
    }
    let voice: VoiceSpec | undefined
    for (const [i, u] of ctx.utterances.entries()) {
      voice = (await this.resolveVoice(accountId, u, ['body', 'context', 'utterances', i])) ?? voice
      // A described, unvoiced context utterance must map to the same voice on every request.
      if (!voice && u.description) voice = designVoice(u.description, hashSeed(u.description))
    }
    return voice
  }

  private check(body: PostedTts, endpoint: Endpoint, voiced: boolean): void {
    const issues: ValidationIssue[] = []
    body.utterances.forEach((u, i) => {
      if (u.text.trim() === '')
        issues.push({ loc: ['body', 'utterances', i, 'text'], msg: 'Text must not be empty', type: 'string_too_short' })
    })
    if (body.instant_mode === true) {
      if (endpoint !== 'stream')
        issues.push({
          loc: ['body', 'instant_mode'],
          msg: 'instant_mode is only supported by the streaming endpoints',
          type: 'value_error',
        })
      if (!voiced)
        issues.push({
          loc: ['body', 'utterances', 0, 'voice'],
          msg: 'A voice must be specified when instant_mode is enabled',
          type: 'value_error',
        })
      if ((body.num_generations ?? 1) !== 1)
        issues.push({
          loc: ['body', 'num_generations'],
          msg: 'instant_mode requires num_generations to be 1',
          type: 'value_error',
        })
    }
    if (body.version === '2' && !voiced)
      issues.push({ loc: ['body', 'version'], msg: 'Octave 2 requests must specify a voice', type: 'value_error' })
    // Every generation renders all the text: bound the audio one request can make (and hold).
    // Silence is audio too (50 utterances of "a." with 5 s each would otherwise be free).
    const chars = speechChars(body.utterances) * (body.num_generations ?? 1)
    if (chars > this.limits.maxRequestChars)
      issues.push({
        loc: ['body', 'utterances'],
        msg: `The request asks for ${chars} characters of speech (text and trailing silence × num_generations); the limit is ${this.limits.maxRequestChars}`,
        type: 'value_error',
      })
    if (issues.length > 0) throw errors.invalid(issues)
  }

  async plan(accountId: string, body: PostedTts, endpoint: Endpoint): Promise<Plan> {
    const first = body.utterances[0]
    this.check(body, endpoint, Boolean(first?.voice))
    const context = await this.contextVoice(accountId, body)
    const resolved = await Promise.all(
      body.utterances.map((u, i) => this.resolveVoice(accountId, u, ['body', 'utterances', i])),
    )
    const n = body.num_generations ?? 1
    const baseSeed = randomInt(0, 2 ** 32 - 1)
    const generations: PlannedGeneration[] = []
    for (let g = 0; g < n; g++) {
      const seed = (baseSeed + g * SEED_STRIDE) >>> 0
      let current = context
      let generationVoice: VoiceSpec | undefined
      const utterances = body.utterances.map((u, i): PlannedUtterance => {
        let voice: VoiceSpec
        const named = resolved[i]
        if (named) {
          current = named
          voice = applyDelivery(named, u.description)
        } else if (current) {
          voice = applyDelivery(current, u.description)
        } else {
          // No voice anywhere yet: the description designs one (it is a voice prompt, not direction).
          current = designVoice(u.description ?? '', seed, body.temperature ?? 1)
          voice = current
        }
        generationVoice ??= current
        const texts = body.split_utterances === false ? [u.text.trim()] : splitSentences(u.text)
        return {
          index: i,
          snippets: texts.map((text) => ({ id: randomUUID(), text })),
          voice,
          speed: u.speed ?? 1,
          trailingSilence: u.trailing_silence ?? 0,
        }
      })
      generations.push({ id: randomUUID(), voice: generationVoice!, utterances })
    }
    const now = monotonicNow()
    const text = body.utterances.map((u) => u.text).join('\n')
    await repo.insertGenerations(
      this.db,
      generations.map((g) => ({
        id: g.id,
        account_id: accountId,
        spec: JSON.stringify(g.voice),
        text,
        created_at: now,
      })),
    )
    return {
      format: body.format?.type ?? 'mp3',
      sampleRate: this.engine.sampleRate,
      engine: this.engine.name,
      stripHeaders: body.strip_headers ?? false,
      instant: endpoint === 'stream' && body.instant_mode !== false && Boolean(first?.voice) && n === 1,
      timestampTypes: [...new Set(body.include_timestamp_types ?? [])],
      generations,
    }
  }
}
