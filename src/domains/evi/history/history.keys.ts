/** Where a chat's audio lives in the blob store: both recorded sides, then the mixed file. */
export type TrackSide = 'user' | 'assistant'

export const RECONSTRUCTED_AUDIO_NAME = 'reconstructed_audio.mp3'

export const historyKeys = {
  /** Everything of one chat (deleted with it). */
  chat: (chatId: string) => `evi/chats/${chatId}`,
  /** One side as recorded: a 16-bit mono WAV, silence where that side was quiet. */
  track: (chatId: string, side: TrackSide) => `evi/chats/${chatId}/${side}.wav`,
  audio: (chatId: string) => `evi/chats/${chatId}/${RECONSTRUCTED_AUDIO_NAME}`,
}

/** ReturnChatAudioReconstruction.filename: Hume names it `<user_id>/<chat_id>/reconstructed_audio.<ext>`. */
export function audioFilename(accountId: string, chatId: string): string {
  return `${accountId}/${chatId}/${RECONSTRUCTED_AUDIO_NAME}`
}
