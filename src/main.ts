// `npm start`: the HTTP API and the queue workers in one process, on the embedded defaults.
import { configOrExit } from './config.js'
import { serve } from './server.js'

await serve(configOrExit(process.env), { workers: true })
