/**
 * The client's request and response types, derived from the server's own TypeBox schemas and camelCased as
 * the client hands them out: they cannot drift from what the server validates and serialises.
 */
export type { Camelize, Snakeize } from './core/casing.js'
export type * as tts from './types/tts.js'
export type * as empathicVoice from './types/evi.js'
export type * as expressionMeasurement from './types/expression.js'
