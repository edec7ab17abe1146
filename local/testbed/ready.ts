// Readiness: poll an http(s) URL until it answers 200, failing fast when the process exits first.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { ManagedProcess } from './process.js';

export interface ReadyCheck {
  url: string;
  headers?: Record<string, string>;
  /** PEM file to trust for https (read on every attempt: it may not exist yet). */
  caFile?: string;
  /** Extra check on the body of a 200 answer. */
  body?: (text: string) => boolean;
  timeoutMs: number;
  intervalMs?: number;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export function httpRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; ca?: string | Buffer; timeoutMs?: number; body?: string } = {},
): Promise<HttpAnswer> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      { method: opts.method ?? 'GET', headers: opts.headers, ca: opts.ca, timeout: opts.timeoutMs ?? 2000, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 2000}ms`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export async function waitUntilReady(proc: ManagedProcess, check: ReadyCheck): Promise<void> {
  const deadline = Date.now() + check.timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (proc.exitInfo) {
      const { code, signal } = proc.exitInfo;
      throw proc.startupError(`exited (${signal ?? `code ${code}`}) before ${check.url} was ready`);
    }
    try {
      let ca: Buffer | undefined;
      if (check.caFile) ca = fs.existsSync(check.caFile) ? fs.readFileSync(check.caFile) : undefined;
      if (check.caFile && !ca) last = `waiting for ${check.caFile}`;
      else {
        const res = await httpRequest(check.url, { headers: check.headers, ca, timeoutMs: 2000 });
        if (res.status === 200 && (!check.body || check.body(res.body))) return;
        last = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
      }
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() >= deadline) {
      throw proc.startupError(`${check.url} not ready after ${check.timeoutMs} ms (last: ${last})`);
    }
    await new Promise((r) => setTimeout(r, check.intervalMs ?? 100));
  }
}
