// Worker-thread side of turn detection: the early end-of-turn check tracks pitch over the last two
// seconds of a turn (~5–15 ms of CPU), too much to run on the event loop at every pause of every chat.
import type { Task } from '../../../../shared/workers/worker-host.js'
import { endOfTurnLikely } from './end-of-turn.js'

export interface EndOfTurnInput {
  /** The turn's 16 kHz audio (the `pause` event's), transferred. */
  audio: Float32Array
  transcript: string
}

const endOfTurn: Task<unknown> = async (input: EndOfTurnInput) => endOfTurnLikely(input.audio, input.transcript)

export const turnTasks = { 'evi.end_of_turn': endOfTurn }
