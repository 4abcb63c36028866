#!/usr/bin/env node
// The CLI is TypeScript; tsx (a runtime dependency) compiles it on the fly, as `npm start` does.
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('../src/cli.ts')
process.exitCode = await runCli(process.argv.slice(2))
