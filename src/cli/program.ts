import { Command } from 'commander'
import { CliError, makeCtx, type Ctx, type GlobalOptions, type Io } from './context.js'
import { describeError } from './errors.js'

/**
 * A command's action with the client built from the global options (`--base-url`, `--api-key`, `--json` are
 * recognised before or after the command's words) and any failure turned into one `CliError` line.
 * Commander calls actions with the declared arguments, then the options, then the command.
 */
export function clientAction<O>(
  io: Io,
  run: (ctx: Ctx, args: (string | string[] | undefined)[], opts: O) => Promise<void>,
): (...all: unknown[]) => Promise<void> {
  return async (...all) => {
    const cmd = all.at(-1) as Command
    const ctx = makeCtx(io, cmd.optsWithGlobals<GlobalOptions>())
    try {
      await run(ctx, all.slice(0, -2) as (string | string[] | undefined)[], cmd.opts<O & object>())
    } catch (err) {
      const { message, exitCode } = describeError(err, ctx.baseUrl)
      throw new CliError(message, exitCode)
    }
  }
}

/** The root command: global options, output into `io`, and commander's errors thrown (exit codes are ours). */
export function rootCommand(io: Io): Command {
  return (
    new Command('prosodia')
      .description('Prosodia: a self-hosted, Hume-compatible voice AI server, and a client for it')
      .option('--base-url <url>', 'the server (env PROSODIA_BASE_URL; default http://127.0.0.1:8000)')
      .option('--api-key <key>', 'your API key (env PROSODIA_API_KEY or HUME_API_KEY)')
      .option('--json', 'print one JSON document on stdout, for scripts')
      .exitOverride()
      .configureOutput({
        writeOut: (s) => io.stdout.write(s),
        writeErr: (s) => io.stderr.write(s),
      })
      // Every command's --help lists --base-url, --api-key and --json too (subcommands inherit this).
      .configureHelp({ showGlobalOptions: true })
      .showHelpAfterError('(add --help for usage)')
      .showSuggestionAfterError()
  )
}
