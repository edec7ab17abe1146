// What every Step Functions operation does with its input before the work: required members and nextToken paging,
// with the error codes and messages AWS answers.
import { sfnError } from './errors.js';

const DEFAULT_MAX_RESULTS = 100;
const MAX_RESULTS = 1000;

/** One page of `items`; the token is opaque to callers (an offset, base64url-encoded). */
export function page<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined): { items: T[]; nextToken?: string } {
  const size = Math.min(maxResults || DEFAULT_MAX_RESULTS, MAX_RESULTS);
  let offset = 0;
  if (nextToken) {
    const m = /^offset:(\d+)$/.exec(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!m) throw sfnError('InvalidToken', `Invalid Token: '${nextToken}'`);
    offset = Number(m[1]);
  }
  const slice = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(`offset:${offset + size}`).toString('base64url') : undefined;
  return next ? { items: slice, nextToken: next } : { items: slice };
}

export function required<T>(value: T | undefined | null, field: string): T {
  if (value === undefined || value === null || value === '') {
    throw sfnError('ValidationException', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}
