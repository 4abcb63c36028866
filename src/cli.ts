import { configOrExit } from './config.js'
import { modelsPull, MODELS_USAGE } from './models.cli.js'
import { webhookSigningKey } from './domains/evi/control/webhooks.js'
import { AccountService } from './shared/auth/accounts.service.js'
import { loadSigningKey } from './shared/auth/signing-key.js'
import { databaseUrlFor, openDb } from './shared/storage/db.js'
import { migrateToLatest } from './shared/storage/migrate.js'

const USAGE = `usage:
  prosodia accounts create NAME    create an account; prints {"account_id","api_key","secret_key"}
  prosodia accounts webhook-key ACCOUNT_ID
                                   prints {"account_id","webhook_signing_key"}: the key that verifies the
                                   account's EVI webhooks (X-Hume-AI-Webhook-Signature)
${MODELS_USAGE}`

type Command = (args: string[]) => Promise<number>

const commands: Record<string, Command> = {
  'accounts create': async ([name]) => {
    if (!name) {
      process.stderr.write(USAGE)
      return 2
    }
    const config = configOrExit(process.env)
    const url = databaseUrlFor(config)
    const db = openDb(url)
    try {
      await migrateToLatest(db)
      const created = await new AccountService(db.kysely, config.tokenTtlSeconds).create(name)
      process.stdout.write(JSON.stringify(created) + '\n')
      // The server must use the same database (PROSODIA_DATA_DIR or DATABASE_URL) for these keys to work.
      process.stderr.write(`account ${name} created in ${url.replace(/\/\/[^@/]*@/, '//***@')}\n`)
      return 0
    } finally {
      await db.close()
    }
  },
  'accounts webhook-key': async ([accountId]) => {
    if (!accountId) {
      process.stderr.write(USAGE)
      return 2
    }
    const config = configOrExit(process.env)
    // The same server key the running server uses (PROSODIA_SIGNING_KEY or <data dir>/signing.key).
    const serverKey = await loadSigningKey({ configured: config.evi.signingKey, dataDir: config.dataDir })
    const key = webhookSigningKey(serverKey, accountId)
    process.stdout.write(JSON.stringify({ account_id: accountId, webhook_signing_key: key }) + '\n')
    return 0
  },
}

/** Other modules (e.g. model download) add commands here before `runCli` runs. */
export function addCommand(name: string, command: Command): void {
  commands[name] = command
}

addCommand('models pull', (args) => modelsPull(args, process.env, process.stderr))

export async function runCli(argv: string[]): Promise<number> {
  for (const [name, command] of Object.entries(commands)) {
    const words = name.split(' ')
    if (words.every((w, i) => argv[i] === w)) return command(argv.slice(words.length))
  }
  process.stderr.write(USAGE)
  return argv.length === 0 || argv[0] === '--help' ? 0 : 2
}
