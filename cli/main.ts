// imctl: the operator's CLI. Parses the command line, runs one command, prints errors with their fix.
// Exit codes: 0 done, 1 failed or refused, 2 usage error.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, type Command } from './args.js';
import { realDeps, type Deps } from './clients.js';
import { executions } from './commands/executions.js';
import { policyRender } from './commands/policy-render.js';
import { replayArchive } from './commands/replay-archive.js';
import { replayGroup } from './commands/replay.js';
import { status } from './commands/status.js';
import { CliError, UsageError } from './errors.js';
import { completionScript, helpFor } from './help.js';
import { version } from './version.js';

/** The commands that talk to a cluster or to AWS, or read input. */
export type ClientCommand = Exclude<Command, { command: 'help' | 'version' | 'completion' }>;

function dispatch(cmd: ClientCommand, deps: Deps): Promise<number> {
  switch (cmd.command) {
    case 'status':
      return status(deps, cmd.allNamespaces, cmd.options);
    case 'executions':
      return executions(deps, cmd.group, cmd.options);
    case 'replay-group':
      return replayGroup(deps, cmd.group, cmd, cmd.options);
    case 'replay-archive':
      return replayArchive(deps, cmd, cmd.options);
    case 'policy-render':
      return policyRender(deps, cmd.source);
  }
}

/** Runs imctl with these arguments; `makeDeps` replaces the real clients (tests). */
export async function run(argv: string[], makeDeps: (cmd: ClientCommand) => Deps = (cmd) => realDeps(cmd.options)): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`imctl: ${(error as Error).message}\nRun imctl --help for usage.\n`);
    return 2;
  }
  if (cmd.command === 'help') {
    process.stdout.write(`${helpFor(cmd.topic)}\n`);
    return 0;
  }
  if (cmd.command === 'version') {
    process.stdout.write(`imctl ${version()}\n`);
    return 0;
  }
  if (cmd.command === 'completion') {
    process.stdout.write(completionScript(cmd.shell));
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

// Run when this file is the program: `tsx cli/main.ts`, or the packaged bundle through its bin symlink.
const isMain = () => {
  try {
    return !!process.argv[1] && realpathSync(path.resolve(process.argv[1])) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
};
if (isMain()) {
  process.exitCode = await run(process.argv.slice(2));
}
