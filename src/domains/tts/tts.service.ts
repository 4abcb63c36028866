// Turns a PostedTts into a plan (voices resolved, generations stored) and renders it as a
// stream of PCM chunks. Encoding for each route lives in tts.output.ts.
import { randomInt, randomUUID } from 'node:crypto'
import type { TtsEngine, VoiceSpec, WordTiming } from '../../shared/engines/tts-engine.js'
import { splitSentences } from '../../shared/engines/tts-text.js'
import { errors, type ValidationIssue } from '../../shared/http/errors.js'
import { monotonicNow } from '../../shared/storage/clock.js'
import { concatSamples, type AudioFormat } from './audio-encoding.js'
import * as repo from './tts.repo.js'
import type { PostedTts, PostedUtterance, Timestamp } from './tts.schemas.js'
import { applyDelivery, designVoice, hashSeed } from './voice-design.js'
import { parseSpec, type VoicesService } from './voices.service.js'

export type Endpoint = 'json' | 'file' | 'stream'

export interface PlannedUtterance {
  index: number
  snippets: { id: string; text: string }[]
  voice: VoiceSpec
  speed: number
  trailingSilence: number
}

export interface PlannedGeneration {
  id: string
  voice: VoiceSpec
  utterances: PlannedUtterance[]
}

export interface Plan {
  format: AudioFormat
  sampleRate: number
  engine: string
  stripHeaders: boolean
  /** Instant mode streams clause-sized chunks; otherwise one chunk per snippet. */
  instant: boolean
  timestampTypes: Set<'word' | 'phoneme'>
  generations: PlannedGeneration[]
}

export interface RenderedChunk {
  generation: PlannedGeneration
  utterance: PlannedUtterance
  snippet: { id: string; text: string }
  chunkIndex: number
  isLastChunk: boolean
  isLastOfGeneration: boolean
  samples: Float32Array
  /** Milliseconds from the start of the generation's audio. */
  timestamps: Timestamp[]
}

const SEED_STRIDE = 0x9e3779b9

export class TtsService {
  constructor(
    private readonly db: repo.TtsDb,
    readonly engine: TtsEngine,
    private readonly voices: VoicesService,
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
      timestampTypes: new Set(body.include_timestamp_types ?? []),
      generations,
    }
  }

  /** Renders every generation in order; stops at the next chunk boundary once `signal` aborts. */
  async *render(plan: Plan, signal: AbortSignal): AsyncGenerator<RenderedChunk> {
    const sr = plan.sampleRate
    const words = plan.timestampTypes.has('word')
    // Only the response's very first chunk decides the first byte; later ones keep whole clauses.
    let quickStart = plan.instant
    for (const generation of plan.generations) {
      let elapsedMs = 0
      const lastU = generation.utterances.length - 1
      for (const utterance of generation.utterances) {
        const lastS = utterance.snippets.length - 1
        for (const [s, snippet] of utterance.snippets.entries()) {
          const isLastSnippetOfUtterance = s === lastS
          const isLastOfGeneration = isLastSnippetOfUtterance && utterance.index === lastU
          const chunks = this.engine.synthesize(
            { text: snippet.text, voice: utterance.voice, speed: utterance.speed, words, quickStart },
            signal,
          )
          quickStart = false
          // Instant mode forwards each engine chunk; otherwise the snippet becomes a single chunk.
          const pending: { samples: Float32Array; stamps: Timestamp[] }[] = []
          let chunkIndex = 0
          const emit = (isLast: boolean): RenderedChunk => {
            const parts = pending.splice(0)
            const silence = isLast && isLastSnippetOfUtterance ? Math.round(utterance.trailingSilence * sr) : 0
            const samples = concatSamples(
              parts.map((p) => p.samples),
              silence,
            )
            return {
              generation,
              utterance,
              snippet,
              chunkIndex: chunkIndex++,
              isLastChunk: isLast,
              isLastOfGeneration: isLast && isLastOfGeneration,
              samples,
              timestamps: parts.flatMap((p) => p.stamps),
            }
          }
          let done = false
          for await (const c of chunks) {
            const stamps = this.stamps(plan, c.words, c.phones, elapsedMs)
            elapsedMs += (c.samples.length / sr) * 1000
            pending.push({ samples: c.samples, stamps })
            if (c.last) done = true
            if (plan.instant || c.last) yield emit(c.last)
          }
          // An engine that ended without flagging its last chunk still closes the snippet.
          if (!done) yield emit(true)
          if (isLastSnippetOfUtterance) elapsedMs += utterance.trailingSilence * 1000
        }
      }
    }
  }

  private stamps(plan: Plan, words: WordTiming[], phones: WordTiming[], offsetMs: number): Timestamp[] {
    const at =
      (type: 'word' | 'phoneme') =>
      (w: WordTiming): Timestamp => ({
        text: w.text,
        time: { begin: Math.round(offsetMs + w.beginMs), end: Math.round(offsetMs + w.endMs) },
        type,
      })
    return [
      ...(plan.timestampTypes.has('word') ? words.map(at('word')) : []),
      ...(plan.timestampTypes.has('phoneme') ? phones.map(at('phoneme')) : []),
    ]
  }
}
