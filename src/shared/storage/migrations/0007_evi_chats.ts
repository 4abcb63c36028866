import type { Kysely } from 'kysely'

/**
 * EVI chat history: chat groups (a conversation resumed across chats), chats (one socket session
 * each, with the state of its audio reconstruction) and chat events in order. What a group's lists
 * show (num_chats, the most recent chat and config) is kept on the group row, written with each new
 * chat, so listing groups reads one row per group.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('evi_chat_groups')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('first_start_timestamp', 'bigint', (c) => c.notNull())
    .addColumn('most_recent_start_timestamp', 'bigint', (c) => c.notNull())
    .addColumn('most_recent_chat_id', 'varchar(36)')
    .addColumn('most_recent_config_id', 'varchar(36)')
    .addColumn('most_recent_config_version', 'integer')
    .addColumn('num_chats', 'integer', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('evi_chat_groups_list_idx')
    .on('evi_chat_groups')
    .columns(['account_id', 'first_start_timestamp'])
    .execute()
  await db.schema
    .createIndex('evi_chat_groups_config_idx')
    .on('evi_chat_groups')
    .columns(['account_id', 'most_recent_config_id', 'first_start_timestamp'])
    .execute()

  await db.schema
    .createTable('evi_chats')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('account_id', 'varchar(36)', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('chat_group_id', 'varchar(36)', (c) => c.notNull().references('evi_chat_groups.id').onDelete('cascade'))
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    .addColumn('start_timestamp', 'bigint', (c) => c.notNull())
    .addColumn('end_timestamp', 'bigint')
    .addColumn('config_id', 'varchar(36)')
    .addColumn('config_version', 'integer')
    .addColumn('metadata', 'text')
    // Also the sequence counter of the chat's events: an event takes the value it raises this to.
    .addColumn('event_count', 'integer', (c) => c.notNull())
    // Audio reconstruction: null until the chat ends, then QUEUED, IN_PROGRESS, COMPLETE or ERROR.
    .addColumn('audio_status', 'varchar(16)')
    .addColumn('audio_blob_key', 'text')
    .addColumn('audio_filename', 'text')
    .addColumn('audio_modified_at', 'bigint')
    .execute()
  await db.schema.createIndex('evi_chats_list_idx').on('evi_chats').columns(['account_id', 'start_timestamp']).execute()
  await db.schema
    .createIndex('evi_chats_config_idx')
    .on('evi_chats')
    .columns(['account_id', 'config_id', 'start_timestamp'])
    .execute()
  await db.schema
    .createIndex('evi_chats_group_idx')
    .on('evi_chats')
    .columns(['chat_group_id', 'start_timestamp'])
    .execute()

  await db.schema
    .createTable('evi_chat_events')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('chat_id', 'varchar(36)', (c) => c.notNull().references('evi_chats.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('type', 'varchar(40)', (c) => c.notNull())
    .addColumn('message_text', 'text')
    .addColumn('emotion_features', 'text')
    .addColumn('metadata', 'text')
    .addColumn('related_event_id', 'varchar(36)')
    .execute()
  // Pages of a chat's events, in either direction; unique, so two writers can never share a place.
  await db.schema
    .createIndex('evi_chat_events_order_idx')
    .on('evi_chat_events')
    .columns(['chat_id', 'seq'])
    .unique()
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('evi_chat_events').execute()
  await db.schema.dropTable('evi_chats').execute()
  await db.schema.dropTable('evi_chat_groups').execute()
}
