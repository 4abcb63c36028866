// Chooses the engine at start-up: Kokoro when its weights are in PROSODIA_MODELS_DIR, else the
// embedded flite engine. Engines are cached per process: they hold immutable compiled code or
// ONNX sessions, and every app instance (tests build many) can share them.
import { FliteEngine } from './tts-flite-engine.js'
import type { TtsEngine } from './tts-engine.js'
import { KokoroEngine, kokoroModelPath } from './tts-kokoro-engine.js'

const cache = new Map<string, Promise<TtsEngine>>()

export interface EngineChoice {
  /** 'auto' (default) picks Kokoro when its model file exists. */
  prefer?: 'auto' | 'flite' | 'kokoro'
  modelsDir: string
}

export function selectTtsEngine({ prefer = 'auto', modelsDir }: EngineChoice): Promise<TtsEngine> {
  const modelPath = kokoroModelPath(modelsDir)
  const kind = prefer === 'auto' ? (modelPath ? 'kokoro' : 'flite') : prefer
  const key = kind === 'kokoro' ? `kokoro:${modelPath ?? modelsDir}` : 'flite'
  let engine = cache.get(key)
  if (!engine) {
    engine = (async () => {
      if (kind === 'kokoro' && !modelPath)
        throw new Error(`Kokoro weights not found in ${modelsDir}; run \`npx prosodia models pull kokoro\``)
      const e: TtsEngine = kind === 'kokoro' ? new KokoroEngine(modelPath!) : new FliteEngine()
      await e.load()
      return e
    })()
    // A failed load must not poison the cache for the next attempt.
    engine.catch(() => cache.delete(key))
    cache.set(key, engine)
  }
  return engine
}
