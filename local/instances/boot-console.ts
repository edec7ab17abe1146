// A per-instance "boot console": what the instance's boot agent and kubelet would have printed, one file per
// instance (<dir>/<instance-id>.log), so that a person or a test can read why an instance did or did not join.
import fs from 'node:fs';
import path from 'node:path';

export class BootConsole {
  readonly path: string;
  private last = '';

  constructor(dir: string, readonly instanceId: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.path = path.join(dir, `${instanceId}.log`);
  }

  print(line: string): void {
    this.last = line;
    fs.appendFileSync(this.path, `${new Date().toISOString()} ${line}\n`);
  }

  /** Prints only when the line differs from the last one (a kubelet retrying prints the same error again and again). */
  printOnce(line: string): void {
    if (line !== this.last) this.print(line);
  }

  text(): string {
    try {
      return fs.readFileSync(this.path, 'utf8');
    } catch {
      return '';
    }
  }
}
