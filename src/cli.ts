/**
 * `prosodia`: server administration (accounts, model weights) and, through the `prosodia/client` client, the
 * common API jobs as one command each. Commander parses; exit codes are ours: 0 done, 1 failed, 2 usage.
 */
import { CommanderError } from 'commander'
import { batchCommand } from './cli/commands/batch.js'
import { chatsCommand } from './cli/commands/chats.js'
import { eviCommand } from './cli/commands/evi.js'
import { accountsCommand, modelsCommand } from './cli/commands/server.js'
import { ttsCommand, voicesCommand } from './cli/commands/tts.js'
import { CliError, processIo, type Io } from './cli/context.js'
import { describeError } from './cli/errors.js'
import { rootCommand } from './cli/program.js'

/** The whole command tree, writing into `io`. */
export function buildProgram(io: Io) {
  const program = rootCommand(io)
  accountsCommand(program, io)
  modelsCommand(program, io)
  ttsCommand(program, io)
  voicesCommand(program, io)
  eviCommand(program, io)
  batchCommand(program, io)
  chatsCommand(program, io)
  return program
}

/** Runs one command line (without `node` and the script) and resolves to the process's exit code. */
export async function runCli(argv: string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io)
  if (argv.length === 0) {
    program.outputHelp({ error: true })
    return 0
  }
  try {
    await program.parseAsync(argv, { from: 'user' })
    return 0
  } catch (err) {
    // Commander has already printed its message (or the help) for its own errors.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2
    const { message, exitCode } = err instanceof CliError ? err : describeError(err, undefined)
    if (message) io.stderr.write(`error: ${message}\n`)
    return exitCode
  }
}
