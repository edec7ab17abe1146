// Output helpers: aligned tables like kubectl's, JSON and YAML, times and durations.
import { stringify } from 'yaml';

/** Columns separated by three spaces, no trailing blanks. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** 2026-11-27T13:20:01Z: second precision, UTC. */
export function formatTime(date: Date | undefined): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

/** 4s, 2m05s, 1h02m, 3d04h. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Label: value lines, labels aligned. */
export function fields(entries: [string, string | undefined][], indent = '  '): string {
  const shown = entries.filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  const width = Math.max(0, ...shown.map(([k]) => k.length + 1));
  return shown.map(([k, v]) => `${indent}${`${k}:`.padEnd(width)}  ${v.replace(/\n/g, `\n${indent}${' '.repeat(width + 2)}`)}`).join('\n');
}

export const json = (value: unknown) => JSON.stringify(value, null, 2);

/** Dates as ISO strings, undefined dropped: what JSON.stringify would give, for YAML too. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));

/** -o json or -o yaml; undefined for -o table (the command renders its own). */
export function structured(output: string, value: unknown): string | undefined {
  if (output === 'json') return json(value);
  if (output === 'yaml') return stringify(plain(value), { lineWidth: 0 }).trimEnd();
  return undefined;
}
