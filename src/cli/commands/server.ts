/**
 * Commands that act on the server's own database and files rather than through the API: they read the
 * server's environment (PROSODIA_DATA_DIR, DATABASE_URL, …) as `npm start` does.
 */
import type { Command } from 'commander'
import { CliError, type Io } from '../context.js'

// The server's modules (database drivers, migrations, crypto) load only when one of these commands runs:
// the client commands start faster without them.
const load = async () => ({
  ...(await import('../../config.js')),
  ...(await import('../../domains/evi/control/webhooks.js')),
  ...(await import('../../models.cli.js')),
  ...(await import('../../shared/auth/accounts.service.js')),
  ...(await import('../../shared/auth/signing-key.js')),
  ...(await import('../../shared/storage/db.js')),
  ...(await import('../../shared/storage/migrate.js')),
})

/** `prosodia accounts create|webhook-key`. */
export function accountsCommand(parent: Command, io: Io): void {
  const accounts = parent.command('accounts').description("manage accounts in the server's database")
  accounts
    .command('create')
    .description('create an account; prints {"account_id","api_key","secret_key"}')
    .argument('<name>', 'the account name')
    .action(async (name: string) => {
      const { configOrExit, databaseUrlFor, openDb, migrateToLatest, AccountService } = await load()
      const config = configOrExit(io.env)
      const url = databaseUrlFor(config)
      const db = openDb(url)
      try {
        await migrateToLatest(db)
        const created = await new AccountService(db.kysely, config.tokenTtlSeconds).create(name)
        io.stdout.write(JSON.stringify(created) + '\n')
        // The server must use the same database (PROSODIA_DATA_DIR or DATABASE_URL) for these keys to work.
        io.stderr.write(`account ${name} created in ${url.replace(/\/\/[^@/]*@/, '//***@')}\n`)
      } finally {
        await db.close()
      }
    })
  accounts
    .command('webhook-key')
    .description(
      'prints {"account_id","webhook_signing_key"}: the key that verifies the account\'s EVI webhooks ' +
        '(X-Hume-AI-Webhook-Signature)',
    )
    .argument('<account-id>', 'the account')
    .action(async (accountId: string) => {
      const { configOrExit, loadSigningKey, webhookSigningKey, databaseUrlFor, openDb, migrateToLatest } = await load()
      const config = configOrExit(io.env)
      const db = openDb(databaseUrlFor(config))
      try {
        await migrateToLatest(db)
        // The same server key the running server uses (PROSODIA_SIGNING_KEY or the database's).
        const serverKey = await loadSigningKey({
          configured: config.evi.signingKey,
          dataDir: config.dataDir,
          db: db.kysely,
        })
        const key = webhookSigningKey(serverKey, accountId)
        io.stdout.write(JSON.stringify({ account_id: accountId, webhook_signing_key: key }) + '\n')
      } finally {
        await db.close()
      }
    })
}

/** `prosodia models pull kokoro [--fp32]`. */
export function modelsCommand(parent: Command, io: Io): void {
  const models = parent.command('models').description('model weights for the server')
  models
    .command('pull')
    .description(
      'download Kokoro-82M (ONNX, int8; --fp32 for full precision) into PROSODIA_MODELS_DIR/kokoro/model.onnx ' +
        '(host: PROSODIA_MODELS_BASE_URL, default https://huggingface.co)',
    )
    .argument('<model>', 'kokoro')
    .option('--fp32', 'the full-precision file (~326 MB) instead of int8 (~92 MB)')
    .action(async (model: string, opts: { fp32?: boolean }) => {
      const { modelsPull } = await load()
      const code = await modelsPull([model, ...(opts.fp32 ? ['--fp32'] : [])], io.env, io.stderr)
      // modelsPull has already said what went wrong.
      if (code !== 0) throw new CliError('', code === 2 ? 2 : 1)
    })
}
