/** Worker thread: loads the language model once and answers predictText requests. */
import { parentPort } from 'node:worker_threads'
import { loadLanguageModel } from './language/model-path.js'
import { predictText, type ModelSelection } from './batch.predict.js'

interface Request {
  id: number
  text: string
  sel: ModelSelection
}

const model = loadLanguageModel()
parentPort?.on('message', (req: Request) => {
  try {
    parentPort?.postMessage({ id: req.id, result: predictText(model, req.text, req.sel) })
  } catch (err) {
    parentPort?.postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) })
  }
})
