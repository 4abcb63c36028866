import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LanguageModel } from './language-model.js'

/** The committed weights, resolved relative to this file so tsx, tests and workers all find them. */
export const LANGUAGE_MODEL_PATH = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../models/language-goemotions.json',
)

let cached: LanguageModel | undefined

/** Loads the model once per thread (parsing ~5 MB of JSON costs ~200 ms). */
export function loadLanguageModel(): LanguageModel {
  cached ??= LanguageModel.fromPath(LANGUAGE_MODEL_PATH)
  return cached
}
