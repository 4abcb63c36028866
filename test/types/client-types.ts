/**
 * Type tests for prosodia/client, compiled by test/client/types.test.ts (tsc). Two promises are checked:
 * 1. No drift: each method's request and response types ARE the server's TypeBox schemas, camelCased.
 * 2. A one-line switch: every public method of the official SDK's resources exists on ours, and the
 *    official SDK's request objects are accepted by our methods.
 */
import type { Static } from 'typebox'
import type { Hume, HumeClient } from 'hume'
import type { HumeClient as LegacyHumeClient } from 'hume-legacy'
import type { Camelize, ProsodiaClient } from '../../src/client/index.js'
import type * as Prompts from '../../src/domains/evi/prompts.schemas.js'
import type * as Tools from '../../src/domains/evi/tools.schemas.js'
import type * as Configs from '../../src/domains/evi/configs.schemas.js'
import type * as Tts from '../../src/domains/tts/tts.schemas.js'
import type * as Batch from '../../src/domains/expression/batch.schemas.js'
import type { Assert, Equals, Missing } from './type-assert.js'

type Wire<S> = Camelize<S>
type Result<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never
type FirstArg<F> = F extends (first: infer A, ...rest: never[]) => unknown ? A : never

type Ours = ProsodiaClient
type Official = HumeClient
type OfficialEm = LegacyHumeClient['expressionMeasurement']

// 1. No drift.
export type NoDrift = [
  Assert<Equals<Result<Ours['empathicVoice']['prompts']['createPrompt']>, Wire<Static<typeof Prompts.ReturnPrompt>>>>,
  Assert<Equals<FirstArg<Ours['empathicVoice']['prompts']['createPrompt']>, Wire<Static<typeof Prompts.PostedPrompt>>>>,
  Assert<
    Equals<Result<Ours['empathicVoice']['tools']['createTool']>, Wire<Static<typeof Tools.ReturnUserDefinedTool>>>
  >,
  Assert<Equals<Result<Ours['empathicVoice']['configs']['createConfig']>, Wire<Static<typeof Configs.ReturnConfig>>>>,
  Assert<Equals<Result<Ours['tts']['synthesizeJson']>, Wire<Static<typeof Tts.ReturnTts>>>>,
  Assert<Equals<FirstArg<Ours['tts']['synthesizeJson']>, Wire<Static<typeof Tts.PostedTts>>>>,
  Assert<Equals<Result<Ours['expressionMeasurement']['batch']['getJobDetails']>, Wire<Static<typeof Batch.UnionJob>>>>,
  Assert<Equals<Result<Ours['expressionMeasurement']['batch']['getJobPredictions']>, Wire<Batch.SourceResult[]>>>,
  Assert<Equals<Result<Ours['expressionMeasurement']['batch']['listJobs']>, Wire<Static<typeof Batch.UnionJob>[]>>>,
  Assert<
    Equals<
      NonNullable<FirstArg<Ours['expressionMeasurement']['batch']['startInferenceJob']>>,
      Wire<Static<typeof Batch.InferenceBaseRequest>>
    >
  >,
]

// 2. Every method of the official resources exists on ours.
export type SameMethods = [
  // The server has no voice conversion (Hume's speech-to-speech), so neither has the client.
  Assert<Equals<Missing<Official['tts'], Ours['tts']>, 'convertVoiceFile' | 'convertVoiceJson'>>,
  Assert<Equals<Missing<Official['tts']['voices'], Ours['tts']['voices']>, never>>,
  Assert<Equals<Missing<Official['empathicVoice']['prompts'], Ours['empathicVoice']['prompts']>, never>>,
  Assert<Equals<Missing<Official['empathicVoice']['tools'], Ours['empathicVoice']['tools']>, never>>,
  Assert<Equals<Missing<Official['empathicVoice']['configs'], Ours['empathicVoice']['configs']>, never>>,
  Assert<Equals<Missing<Official['empathicVoice']['chats'], Ours['empathicVoice']['chats']>, never>>,
  Assert<Equals<Missing<Official['empathicVoice']['chatGroups'], Ours['empathicVoice']['chatGroups']>, never>>,
  Assert<Equals<Missing<Official['empathicVoice']['controlPlane'], Ours['empathicVoice']['controlPlane']>, never>>,
  Assert<Equals<Missing<OfficialEm['batch'], Ours['expressionMeasurement']['batch']>, never>>,
]

// 3. Requests written for the official SDK compile against ours unchanged.
declare const client: ProsodiaClient
declare const postedPrompt: Hume.empathicVoice.PostedPrompt
declare const postedTool: Hume.empathicVoice.PostedUserDefinedTool
declare const postedTts: Hume.tts.PostedTts
export const calls = [
  client.empathicVoice.prompts.createPrompt(postedPrompt),
  client.empathicVoice.tools.createTool(postedTool),
  client.empathicVoice.prompts.listPrompts({ pageSize: 10, restrictToMostRecent: true }),
  client.tts.synthesizeJson(postedTts),
]
