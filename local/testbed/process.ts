// Child processes of the test bed: each in its own process group, logging to a file, registered in a pid file
// under its run directory, and killed (whole group) on stop, on parent exit/signals, by a watchdog when the
// parent is SIGKILLed, and by the reaper of the next run if all else failed.
// Over 350 lines on purpose: those four ways to end a child share one registry and must agree on it; split apart,
// the watchdog and the reaper would each need to re-learn its format.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PIDS_DIR = 'pids';
const OWNER_FILE = 'owner';
const WATCHDOG = 'watchdog';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  runDir: string;
  /** Defaults to <runDir>/<name>.log */
  logPath?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How long stop() waits after SIGTERM before SIGKILL (default 5000 ms). */
  stopGraceMs?: number;
}

// ---------------------------------------------------------------------------------------------- liveness helpers

/** Start time of a process (clock ticks since boot, from /proc), so that a recycled pid is not taken for ours. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** True when pid exists and is not a zombie (exited, waiting to be reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return !fs.existsSync('/proc/self'); // no /proc: trust kill(pid, 0)
  }
}

function isSameProcess(pid: number, startTime: string | undefined): boolean {
  if (!isAlive(pid)) return false;
  if (!startTime || startTime === '-') return true;
  const now = processStartTime(pid);
  return now === undefined || now === startTime;
}

export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True while the group has a member that is not a zombie. Orphans of a killed group are reparented to init, and
 * an init that reaps slowly (some sandboxes) would keep them in the group as zombies, which kill(-pgid, 0) counts.
 */
export function hasLiveGroupMembers(pgid: number): boolean {
  if (!isGroupAlive(pgid)) return false;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
    } catch {
      // exited meanwhile
    }
  }
  return false;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function readIdLine(file: string): { pid: number; startTime: string | undefined } | undefined {
  try {
    const [pid, startTime] = fs.readFileSync(file, 'utf8').trim().split(/\s+/);
    const n = Number(pid);
    return Number.isInteger(n) && n > 1 ? { pid: n, startTime } : undefined;
  } catch {
    return undefined;
  }
}

/** True when the node process that created runDir's processes is still running. */
export function isRunDirOwnerAlive(runDir: string): boolean {
  const owner = readIdLine(path.join(runDir, OWNER_FILE));
  return owner !== undefined && isSameProcess(owner.pid, owner.startTime);
}

// ---------------------------------------------------------------------------------------------- registry + handlers

const live = new Set<ManagedProcess>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let handlersInstalled = false;

function killAllNow(): void {
  for (const p of live) {
    signalGroup(p.pid, 'SIGKILL');
    fs.rmSync(p.pidFile, { force: true });
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // When someone else handles this signal (e.g. the CLI, which stops the bed cleanly), leave it to them.
  if (process.listenerCount(signal) > 1) return;
  killAllNow();
  process.exit(128 + (os.constants.signals[signal] ?? 1));
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllNow);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function removeHandlersIfIdle(): void {
  if (!handlersInstalled || live.size > 0) return;
  handlersInstalled = false;
  process.off('exit', killAllNow);
  for (const s of SIGNALS) process.off(s, onSignal);
}

// ---------------------------------------------------------------------------------------------- managed process

export class ManagedProcess {
  exitInfo: ExitInfo | undefined;
  readonly exited: Promise<ExitInfo>;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly pid: number,
    readonly runDir: string,
    readonly logPath: string,
    readonly pidFile: string,
    exited: Promise<ExitInfo>,
    readonly stopGraceMs = 5000,
  ) {
    this.exited = exited.then((info) => (this.exitInfo = info));
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Last lines of the process's log. */
  logTail(lines = 40): string {
    try {
      const fd = fs.openSync(this.logPath, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const len = Math.min(size, 64 * 1024);
        const buf = Buffer.alloc(len);
        fs.readSync(fd, buf, 0, len, size - len);
        return buf.toString('utf8').split('\n').slice(-lines - 1).join('\n').trimEnd();
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return '(no log)';
    }
  }

  /** An Error naming the process, the reason, the log path and the log's tail. */
  startupError(reason: string): Error {
    return new Error(
      `${this.name} failed to start: ${reason}\n` +
        `log: ${this.logPath}\n--- last lines of ${this.name} log ---\n${this.logTail(30)}\n--- end of ${this.name} log ---`,
    );
  }

  private async waitGone(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.exitInfo && !hasLiveGroupMembers(this.pid)) return true;
      if (Date.now() >= deadline) return false;
      await sleep(20);
    }
  }

  /** SIGTERM to the whole group, SIGKILL after graceMs. Idempotent. */
  stop(graceMs = this.stopGraceMs): Promise<void> {
    this.stopping ??= (async () => {
      signalGroup(this.pid, 'SIGTERM');
      if (!(await this.waitGone(graceMs))) {
        signalGroup(this.pid, 'SIGKILL');
        if (!(await this.waitGone(5000))) throw new Error(`${this.name} (pgid ${this.pid}) survived SIGKILL`);
      }
      fs.rmSync(this.pidFile, { force: true });
      live.delete(this);
      removeHandlersIfIdle();
      await afterStop(this);
    })();
    return this.stopping;
  }
}

async function spawnRaw(opts: SpawnOptions, pidsDir: string): Promise<ManagedProcess> {
  const logPath = opts.logPath ?? path.join(opts.runDir, `${opts.name}.log`);
  fs.mkdirSync(path.dirname(logPath), { recursive: true });
  fs.appendFileSync(logPath, `# ${new Date().toISOString()} ${opts.command} ${opts.args.join(' ')}\n`);
  const fd = fs.openSync(logPath, 'a');
  let child;
  try {
    child = spawn(opts.command, opts.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
  } finally {
    fs.closeSync(fd);
  }
  const exited = new Promise<ExitInfo>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(new Error(`${opts.name}: cannot run ${opts.command}: ${err.message}`)));
  });
  child.unref();
  const pid = child.pid!;
  const pidFile = path.join(pidsDir, `${opts.name}.pid`);
  fs.writeFileSync(pidFile, `${pid} ${processStartTime(pid) ?? '-'}\n`);
  const proc = new ManagedProcess(opts.name, pid, opts.runDir, logPath, pidFile, exited, opts.stopGraceMs);
  installHandlers();
  live.add(proc);
  return proc;
}

// ---------------------------------------------------------------------------------------------- run dir ownership + watchdog

// Waits until its parent (our node process) is gone (reparented), then SIGKILLs every group in the pids dir.
const WATCHDOG_SCRIPT = `
owner=$1; dir=$2
parent_alive() {
  if [ -r /proc/$$/stat ]; then read -r s < /proc/$$/stat; set -- $s; [ "$4" = "$owner" ]; else kill -0 "$owner" 2>/dev/null; fi
}
while parent_alive; do sleep 1; done
for f in "$dir"/*.pid; do
  case "$f" in */${WATCHDOG}.pid) continue ;; esac
  [ -f "$f" ] && read -r pid _ < "$f" && kill -s KILL -- "-$pid" 2>/dev/null
done
`;
// (The pid files stay: the next run's reaper checks them again and removes them.)

interface RunDirState {
  watchdog: Promise<ManagedProcess>;
  members: number;
}
const runDirs = new Map<string, RunDirState>();

function claimRunDir(runDir: string): RunDirState {
  let state = runDirs.get(runDir);
  if (!state) {
    const pidsDir = path.join(runDir, PIDS_DIR);
    fs.mkdirSync(pidsDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, OWNER_FILE), `${process.pid} ${processStartTime(process.pid) ?? '-'}\n`);
    const watchdog = spawnRaw(
      { name: WATCHDOG, command: '/bin/sh', args: ['-c', WATCHDOG_SCRIPT, 'testbed-watchdog', String(process.pid), pidsDir], runDir },
      pidsDir,
    );
    state = { watchdog, members: 0 };
    runDirs.set(runDir, state);
  }
  return state;
}

async function afterStop(proc: ManagedProcess): Promise<void> {
  if (proc.name === WATCHDOG) return;
  const state = runDirs.get(proc.runDir);
  if (!state || --state.members > 0) return;
  runDirs.delete(proc.runDir);
  await (await state.watchdog).stop(1000);
}

/** Spawns a child in its own process group, stdout/stderr appended to a log file, pid registered under runDir/pids. */
export async function spawnManaged(opts: SpawnOptions): Promise<ManagedProcess> {
  if (opts.name === WATCHDOG) throw new Error(`process name "${WATCHDOG}" is reserved`);
  const state = claimRunDir(opts.runDir);
  state.members++;
  await state.watchdog;
  try {
    return await spawnRaw(opts, path.join(opts.runDir, PIDS_DIR));
  } catch (err) {
    state.members--;
    if (state.members === 0) {
      runDirs.delete(opts.runDir);
      await (await state.watchdog).stop(1000);
    }
    throw err;
  }
}

/** Processes (including the watchdog) still registered for runDir in this node process. */
export function liveProcesses(runDir?: string): ManagedProcess[] {
  return [...live].filter((p) => runDir === undefined || p.runDir === runDir);
}

/** Stops everything still registered for runDir (watchdog last). */
export async function stopRunDir(runDir: string): Promise<void> {
  const procs = liveProcesses(runDir);
  await Promise.all(procs.filter((p) => p.name !== WATCHDOG).map((p) => p.stop()));
  await Promise.all(liveProcesses(runDir).map((p) => p.stop()));
}

// ---------------------------------------------------------------------------------------------- reaper

export interface Reaped {
  runDir: string;
  name: string;
  pid: number;
}

/** Kills process groups left by earlier runs (under runsRoot/<run>/pids) whose owning node process is gone. */
export function reapLeftovers(runsRoot: string): Reaped[] {
  const reaped: Reaped[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(runsRoot);
  } catch {
    return reaped;
  }
  for (const entry of entries) {
    const runDir = path.join(runsRoot, entry);
    const pidsDir = path.join(runDir, PIDS_DIR);
    if (!fs.existsSync(pidsDir) || isRunDirOwnerAlive(runDir)) continue;
    for (const file of fs.readdirSync(pidsDir)) {
      if (!file.endsWith('.pid')) continue;
      const id = readIdLine(path.join(pidsDir, file));
      if (id && isSameProcess(id.pid, id.startTime)) {
        signalGroup(id.pid, 'SIGKILL');
        reaped.push({ runDir, name: file.slice(0, -4), pid: id.pid });
      }
      fs.rmSync(path.join(pidsDir, file), { force: true });
    }
  }
  return reaped;
}
