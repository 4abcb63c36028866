import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { errors } from '../../shared/http/errors.js'
import { pageOffset, toPage, type Page, type PageQuery } from '../../shared/http/pagination.js'
import { monotonicNow } from '../../shared/storage/clock.js'
import type { Database, EviKind, EviVersionRow } from '../../shared/storage/database.js'
import * as repo from './versions.repo.js'

/** The fields every versioned resource returns, in Hume's names; `LATEST` marks an unpinned reference. */
export function versionFields(row: EviVersionRow, versionType: 'FIXED' | 'LATEST' = 'FIXED') {
  return {
    id: row.id,
    version: row.version,
    version_type: versionType,
    version_description: row.version_description,
    name: row.name,
    created_on: row.created_on,
    modified_on: row.modified_on,
  }
}

export interface ListQuery extends PageQuery {
  name?: string
  restrict_to_most_recent?: boolean
}

export interface VersionedOptions<T> {
  kind: EviKind
  /** How the resource is named in error messages, e.g. "Prompt". */
  label: string
  /** Maps stored rows to wire objects; async because configs expand the resources they reference. */
  toReturn: (rows: EviVersionRow[], accountId: string) => Promise<T[]>
}

const UNIQUE_VIOLATION = '23505'
const MAX_VERSION_RACE_RETRIES = 5

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string }
  return e?.code === UNIQUE_VIOLATION || /UNIQUE constraint failed/.test(e?.message ?? '')
}

/**
 * The rules every versioned EVI resource shares: create gives version 0, each new version the next
 * number, versions are immutable but for their description, a rename applies to all versions.
 */
export class VersionedService<T> {
  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly opts: VersionedOptions<T>,
  ) {}

  protected scope(accountId: string): repo.Scope {
    return { accountId, kind: this.opts.kind }
  }

  protected async one(row: EviVersionRow, accountId: string): Promise<T> {
    const [item] = await this.opts.toReturn([row], accountId)
    return item as T
  }

  /** Changes whenever any of the account's EVI resources changes. */
  async generation(accountId: string): Promise<number> {
    return repo.generation(this.db, accountId)
  }

  async list(accountId: string, q: ListQuery): Promise<Page<T>> {
    const { rows, total } = await repo.list(this.db, this.scope(accountId), {
      name: q.name,
      restrictToMostRecent: q.restrict_to_most_recent ?? true,
      limit: q.page_size,
      offset: pageOffset(q),
    })
    return toPage(await this.opts.toReturn(rows, accountId), total, q)
  }

  async listVersions(accountId: string, id: string, q: ListQuery): Promise<Page<T>> {
    const { rows, total } = await repo.list(this.db, this.scope(accountId), {
      id,
      restrictToMostRecent: q.restrict_to_most_recent ?? false,
      limit: q.page_size,
      offset: pageOffset(q),
    })
    if (total === 0) throw errors.notFound(this.opts.label, id)
    return toPage(await this.opts.toReturn(rows, accountId), total, q)
  }

  async create(accountId: string, name: string, description: string | undefined, payload: unknown): Promise<T> {
    const now = monotonicNow()
    const row: EviVersionRow = {
      account_id: accountId,
      kind: this.opts.kind,
      id: randomUUID(),
      version: 0,
      name,
      version_description: description ?? null,
      payload: JSON.stringify(payload),
      created_on: now,
      modified_on: now,
    }
    await repo.insert(this.db, row)
    return this.one(row, accountId)
  }

  async createVersion(accountId: string, id: string, description: string | undefined, payload: unknown): Promise<T> {
    // Two concurrent writers can pick the same next number; the primary key rejects one, which retries.
    for (let attempt = 0; ; attempt++) {
      try {
        const row = await this.db.transaction().execute(async (trx) => {
          const latest = await repo.getLatest(trx, this.scope(accountId), id)
          if (!latest) throw errors.notFound(this.opts.label, id)
          const now = monotonicNow()
          const next: EviVersionRow = {
            ...latest,
            version: latest.version + 1,
            version_description: description ?? null,
            payload: JSON.stringify(payload),
            created_on: now,
            modified_on: now,
          }
          await repo.insert(trx, next)
          return next
        })
        return await this.one(row, accountId)
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= MAX_VERSION_RACE_RETRIES) throw err
      }
    }
  }

  async getVersion(accountId: string, id: string, version: number): Promise<T> {
    const row = await repo.getVersion(this.db, this.scope(accountId), id, version)
    if (!row) throw errors.notFound(this.opts.label, `${id} version ${version}`)
    return this.one(row, accountId)
  }

  async getLatest(accountId: string, id: string): Promise<T> {
    const row = await repo.getLatest(this.db, this.scope(accountId), id)
    if (!row) throw errors.notFound(this.opts.label, id)
    return this.one(row, accountId)
  }

  async rename(accountId: string, id: string, name: string): Promise<void> {
    const n = await repo.rename(this.db, this.scope(accountId), id, name, monotonicNow())
    if (n === 0) throw errors.notFound(this.opts.label, id)
  }

  async updateDescription(accountId: string, id: string, version: number, description: string | undefined): Promise<T> {
    const n = await repo.updateDescription(
      this.db,
      this.scope(accountId),
      id,
      version,
      description ?? null,
      monotonicNow(),
    )
    if (n === 0) throw errors.notFound(this.opts.label, `${id} version ${version}`)
    return this.getVersion(accountId, id, version)
  }

  async delete(accountId: string, id: string): Promise<void> {
    if ((await repo.remove(this.db, this.scope(accountId), id)) === 0) throw errors.notFound(this.opts.label, id)
  }

  async deleteVersion(accountId: string, id: string, version: number): Promise<void> {
    if ((await repo.remove(this.db, this.scope(accountId), id, version)) === 0) {
      throw errors.notFound(this.opts.label, `${id} version ${version}`)
    }
  }
}
