// Worker-thread entry when the server runs from TypeScript sources (npm start, tsx, vitest):
// Node 20 does not apply the parent's tsx loader to worker threads, so register it here, then
// load the real entry module named in workerData and hand piscina its default export.
import { workerData } from 'piscina'
import { register } from 'tsx/esm/api'

register()
const entry = await import(workerData.entry)
export default entry.default
