// The TTS engine alone, in a worker thread: render a plan and encode it as one file, with no HTTP,
// database, voice resolution or request bookkeeping. What the server's time is compared against.
import { createEngine } from '../../src/domains/tts/engines/engine-select.js'
import type { TtsEngine } from '../../src/domains/tts/engines/engine.js'
import { collectFile } from '../../src/domains/tts/tts.output.js'
import type { Plan } from '../../src/domains/tts/tts.plan.js'
import { renderPlan } from '../../src/domains/tts/tts.render.js'
import { hostTasks } from '../../src/shared/workers/worker-host.js'

let engine: Promise<TtsEngine> | undefined

export default hostTasks(
  {
    file: async (plan: Plan, ctx) => {
      const e = await (engine ??= createEngine({ name: 'flite' }))
      return (await collectFile(plan, renderPlan(e, plan, ctx.signal))).length
    },
  },
  () => ({}),
)
