// Builds the web console into dist/console (run by `npm install` through prepare, or `npm run build:console`).
// esbuild bundles the Preact app with the project's own client (src/client) and uPlot: every asset is local.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'

const here = import.meta.dirname
const out = path.resolve(here, '../dist/console')
mkdirSync(out, { recursive: true })
await build({
  entryPoints: { app: path.join(here, 'src/main.tsx') },
  outdir: out,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
})
copyFileSync(path.join(here, 'index.html'), path.join(out, 'index.html'))
