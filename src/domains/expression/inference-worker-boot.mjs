// Worker-thread entry when running from TypeScript sources (npm start, tsx): Node 20 does not
// apply the parent's tsx loader to worker threads, so register it here, then load the worker.
import { register } from 'tsx/esm/api'

register()
await import('./inference.worker.ts')
