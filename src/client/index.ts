export { ProsodiaClient, HumeClient } from './client.js'
export type { ClientOptions, RequestOptions, WebSocketConstructor } from './core/options.js'
export * from './core/errors.js'
export { Page } from './core/pager.js'
export { BinaryResponse, JsonStream } from './core/binary.js'
export { ProsodiaSocket } from './core/socket.js'
export type { ApiPromise, WithRawResponse } from './core/http.js'
export { toCamel, toSnake } from './core/casing.js'
export type * from './types.js'
export {
  ChatSocket,
  ControlPlaneSocket,
  type ChatConnectArgs,
  type ControlPlaneConnectArgs,
} from './resources/evi/index.js'
export { TtsClient, VoicesClient, StreamInputClient, StreamInputSocket } from './resources/tts/index.js'
export { decodeBase64, bytesToBase64 } from './core/base64.js'
export { BatchClient, Job, StreamClient, StreamError, StreamSocket } from './resources/expression/index.js'
export type {
  AwaitCompletionOptions,
  BatchStartInferenceJobFromLocalFileRequest,
  FileLike,
  Uploadable,
  StreamAnswer,
  StreamConnectArgs,
} from './resources/expression/index.js'
