// imctl: the operator's CLI. Parses the command line, runs one command, prints errors with their fix.
// Exit codes: 0 done, 1 failed or refused, 2 usage error.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, USAGE, type Command } from './args.js';
import { realDeps, type Deps } from './clients.js';
import { executions } from './commands/executions.js';
import { replayArchive } from './commands/replay-archive.js';
import { replayGroup } from './commands/replay.js';
import { status } from './commands/status.js';
import { CliError, UsageError } from './errors.js';

function dispatch(cmd: Exclude<Command, { command: 'help' }>, deps: Deps): Promise<number> {
  switch (cmd.command) {
    case 'status':
      return status(deps, cmd.allNamespaces, cmd.options);
    case 'executions':
      return executions(deps, cmd.group, cmd.options);
    case 'replay-group':
      return replayGroup(deps, cmd.group, cmd, cmd.options);
    case 'replay-archive':
      return replayArchive(deps, cmd, cmd.options);
  }
}

/** Runs imctl with these arguments; `makeDeps` replaces the real clients (tests). */
export async function run(argv: string[], makeDeps: (cmd: Exclude<Command, { command: 'help' }>) => Deps = (cmd) => realDeps(cmd.options)): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`imctl: ${(error as Error).message}\nRun imctl --help for usage.\n`);
    return 2;
  }
  if (cmd.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let deps: Deps | undefined;
  try {
    deps = makeDeps(cmd);
    return await dispatch(cmd, deps);
  } catch (error) {
    const write = deps?.err ?? ((text: string) => process.stderr.write(`${text}\n`));
    if (error instanceof UsageError) {
      write(`imctl: ${error.message}`);
      return 2;
    }
    if (error instanceof CliError) {
      write(`imctl: ${error.message}${error.fix ? `\n  fix: ${error.fix}` : ''}`);
      return 1;
    }
    write(`imctl: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return 1;
  } finally {
    deps?.close?.();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await run(process.argv.slice(2));
}
