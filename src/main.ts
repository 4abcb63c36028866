// `npm start`: the HTTP API and the queue workers in one process, on the embedded defaults.
import { configOrExit } from './config.js'
import { serve } from './server.js'
import { startOrExit } from './shutdown.js'

const config = configOrExit(process.env)
await startOrExit(() => serve(config, { workers: true }))
