/**
 * What every logger of the server leaves out. ioredis errors carry the command that failed, and a
 * failed AUTH carries the password as its argument (a wrong REDIS_URL password would otherwise be
 * logged at every reconnect); API keys and bearer tokens travel in request headers.
 */
export const REDACTED_LOG_PATHS = [
  'req.headers["x-hume-api-key"]',
  'req.headers.authorization',
  'err.command.args',
  'err.previousErrors[*].command.args',
]
