// Which engine speaks: Kokoro when its weights are in PROSODIA_MODELS_DIR, else the embedded
// flite engine. The choice is made once, at start-up, by the runtime; each worker thread then
// builds its own instance from it (engines hold wasm instances or ONNX sessions, which threads
// cannot share). Nothing here caches: whoever creates an engine owns and closes it.
import type { EngineName, TtsEngine } from './engine.js'
import type { FakeEngineChoice } from './fake-engine.js'
import { FliteEngine } from './flite-engine.js'
import { KokoroEngine, kokoroModelPath } from './kokoro-engine.js'

/** A serialisable engine choice: crosses into worker threads as workerData. */
export type EngineChoice = { name: 'flite' } | { name: 'kokoro'; modelPath: string } | FakeEngineChoice

/** What the main thread knows about the engine without loading it. */
export interface EngineInfo {
  name: EngineName
  sampleRate: number
}

export const SAMPLE_RATES: Record<EngineName, number> = { flite: 16000, kokoro: 24000, fake: 16000 }

export function chooseEngine(opts: { prefer?: 'auto' | 'flite' | 'kokoro'; modelsDir: string }): EngineChoice {
  const prefer = opts.prefer ?? 'auto'
  const modelPath = kokoroModelPath(opts.modelsDir)
  if (prefer === 'flite' || (prefer === 'auto' && !modelPath)) return { name: 'flite' }
  if (!modelPath)
    throw new Error(`Kokoro weights not found in ${opts.modelsDir}; run \`npx prosodia models pull kokoro\``)
  return { name: 'kokoro', modelPath }
}

export function engineInfo(choice: EngineChoice): EngineInfo {
  return { name: choice.name, sampleRate: SAMPLE_RATES[choice.name] }
}

/** A new, loaded engine instance for the choice. */
export async function createEngine(choice: EngineChoice): Promise<TtsEngine> {
  const engine: TtsEngine =
    choice.name === 'kokoro'
      ? new KokoroEngine(choice.modelPath)
      : choice.name === 'fake'
        ? new (await import('./fake-engine.js')).FakeEngine(choice) // tests only; never chosen by chooseEngine
        : new FliteEngine()
  await engine.load()
  return engine
}
