/**
 * The control plane's wire: `ControlPlanePublishEvent` (every chat client message except
 * `audio_input`) with the chat socket's own schemas, so a message means the same on /chat, on
 * /connect and on POST /send, and the `error` messages /connect answers with.
 */
import { Type, type Static } from 'typebox'
import { CHAT_ERRORS, type ChatErrorSpec } from '../chat/chat.codes.js'
import { ClientMessages } from '../chat/chat.messages.js'
import { errors } from '../../../shared/http/errors.js'
import { compileBodyCheck } from '../../../shared/http/validation.js'

const { audio_input: _audio, ...publishable } = ClientMessages
export const PUBLISH_TYPES = Object.keys(publishable) as (keyof typeof publishable)[]
export type PublishType = (typeof PUBLISH_TYPES)[number]

/** For the route's OpenAPI: the union as Hume's definition names it. */
export const ControlPlanePublishEvent = Type.Union(Object.values(publishable), { $id: 'ControlPlanePublishEvent' })
export type ControlPlanePublishEvent = { [K in PublishType]: Static<(typeof publishable)[K]> }[PublishType]

export const ChatIdParams = Type.Object({ chat_id: Type.String({ minLength: 1, maxLength: 128 }) })
export type ChatIdParams = Static<typeof ChatIdParams>

/**
 * Codes the control plane adds to the chat's (chat.codes.ts): E072x, clear of the chat's own range.
 * `audio_input` is refused because the control plane observes and steers a chat; the audio comes
 * only from the client that opened it (controlPlane.yml).
 */
export const CONTROL_ERRORS = {
  audioNotAllowed: { code: 'E0725', slug: 'audio_input_not_allowed' },
} as const satisfies Record<string, ChatErrorSpec>

const checks = Object.fromEntries(
  PUBLISH_TYPES.map((type) => [type, (where: (string | number)[]) => compileBodyCheck(publishable[type], where)]),
) as Record<PublishType, (where: (string | number)[]) => (value: unknown) => ControlPlanePublishEvent>

const compiled = new Map<string, (value: unknown) => ControlPlanePublishEvent>()

/**
 * Checks a publish event against the schema its `type` names, so a bad field is reported as itself
 * rather than as "matches none of seven schemas". Throws the validation ApiError (loc rooted at
 * `where`), which a route answers 422 and /connect turns into an `error` message.
 */
export function checkPublishEvent(value: unknown, where: (string | number)[] = ['body']): ControlPlanePublishEvent {
  const type = (value as { type?: unknown } | null)?.type
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw errors.invalidField(where, 'must be an object', 'model_attributes_type')
  if (typeof type !== 'string' || !(PUBLISH_TYPES as string[]).includes(type))
    throw errors.invalidField(
      [...where, 'type'],
      `must be one of ${PUBLISH_TYPES.join(', ')}${type === 'audio_input' ? ' (audio_input is not accepted here)' : ''}`,
      'literal_error',
    )
  const key = `${type}:${where.join('.')}`
  let check = compiled.get(key)
  if (!check) compiled.set(key, (check = checks[type as PublishType](where)))
  return check(value)
}

/** An `error` message in the shape of the SDK's WebSocketError. */
export function errorMessage(spec: ChatErrorSpec, message: string, requestId?: string): Record<string, unknown> {
  return {
    type: 'error',
    code: spec.code,
    slug: spec.slug,
    message,
    ...(requestId ? { request_id: requestId } : {}),
  }
}

export { CHAT_ERRORS }
