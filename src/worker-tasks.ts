// The worker-thread entry of every pool: all CPU-heavy tasks of every domain, and the resources
// a thread builds for them on first use (a TTS engine, the language model, a blob store).
import {
  expressionResources,
  expressionTasks,
  type ExpressionThreadData,
} from './domains/expression/expression.tasks.js'
import { streamTasks } from './domains/expression/stream/stream.tasks.js'
import { chatTasks } from './domains/evi/chat/chat.tasks.js'
import { turnTasks } from './domains/evi/chat/turns/turns.tasks.js'
import { historyTasks } from './domains/evi/history/reconstruct.task.js'
import type { EngineChoice } from './domains/tts/engines/engine-select.js'
import { openAiSpeechTasks } from './domains/tts/openai/speech.task.js'
import { ttsResources, ttsTasks } from './domains/tts/tts.tasks.js'
import { hostTasks } from './shared/workers/worker-host.js'

/** What every thread is given (cloned): plain data only. */
export interface ThreadData {
  tts: EngineChoice
  expression: ExpressionThreadData
}

export default hostTasks(
  {
    ...ttsTasks,
    ...openAiSpeechTasks,
    ...expressionTasks,
    ...streamTasks,
    ...chatTasks,
    ...turnTasks,
    ...historyTasks,
  },
  (d: ThreadData) => ({
    tts: ttsResources(d.tts),
    expression: expressionResources(d.expression),
  }),
)
