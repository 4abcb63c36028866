/** The one mapper per resource from its row to Hume's wire shape. */
import type { EviChatEventRow, EviChatGroupRow, EviChatRow } from '../../../shared/storage/database.js'
import type { ReturnChat, ReturnChatAudioReconstruction, ReturnChatEvent, ReturnChatGroup } from './history.schemas.js'
import type { StoredChatEvent } from './history.types.js'

export function toReturnChat(row: EviChatRow): ReturnChat {
  return {
    id: row.id,
    chat_group_id: row.chat_group_id,
    status: row.status,
    start_timestamp: row.start_timestamp,
    end_timestamp: row.end_timestamp,
    event_count: row.event_count,
    metadata: row.metadata,
    config: row.config_id === null ? null : { id: row.config_id, version: row.config_version ?? undefined },
  }
}

export function toReturnChatEvent(row: EviChatEventRow): ReturnChatEvent & StoredChatEvent {
  const event: ReturnChatEvent & StoredChatEvent = {
    id: row.id,
    chat_id: row.chat_id,
    timestamp: row.timestamp,
    role: row.role as StoredChatEvent['role'],
    type: row.type as StoredChatEvent['type'],
    message_text: row.message_text ?? '',
    emotion_features: row.emotion_features ?? '',
    metadata: row.metadata ?? '',
  }
  if (row.related_event_id !== null) event.related_event_id = row.related_event_id
  return event
}

export function toReturnChatGroup(row: EviChatGroupRow & { active: boolean }): ReturnChatGroup {
  return {
    id: row.id,
    first_start_timestamp: row.first_start_timestamp,
    most_recent_start_timestamp: row.most_recent_start_timestamp,
    active: row.active,
    most_recent_chat_id: row.most_recent_chat_id,
    most_recent_config:
      row.most_recent_config_id === null
        ? null
        : { id: row.most_recent_config_id, version: row.most_recent_config_version ?? undefined },
    num_chats: row.num_chats,
  }
}

/** Whether the chat's reconstructed audio is ready to download. */
export const audioComplete = (row: EviChatRow): row is EviChatRow & { audio_blob_key: string } =>
  row.audio_status === 'COMPLETE' && row.audio_blob_key !== null

/**
 * A chat's audio reconstruction. A chat still running has none queued yet; it reports QUEUED, as
 * its job will be once it ends. A finished one carries a fresh signed URL on `origin`.
 */
export function toReturnAudio(
  row: EviChatRow,
  signed: { url: string; expiresAt: number } | undefined,
): ReturnChatAudioReconstruction {
  const complete = audioComplete(row)
  return {
    id: row.id,
    user_id: row.account_id,
    status: row.audio_status ?? 'QUEUED',
    filename: complete ? row.audio_filename : null,
    modified_at: row.audio_modified_at ?? row.start_timestamp,
    signed_audio_url: signed?.url ?? null,
    signed_url_expiration_timestamp_millis: signed?.expiresAt ?? null,
  }
}
