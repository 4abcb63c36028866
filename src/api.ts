// `npm run api`: the HTTP API without queue workers; jobs it accepts are run by `npm run worker`
// processes on the same database and blob store.
import { configOrExit } from './config.js'
import { serve } from './server.js'
import { startOrExit } from './shutdown.js'

const config = configOrExit(process.env)
await startOrExit(() => serve(config, { workers: false }))
