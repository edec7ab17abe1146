// GetExecutionHistory: the recorded events (copies, so callers cannot change the record), in either order, with or
// without the execution data, a page at a time.
import type { GetExecutionHistoryInput, GetExecutionHistoryOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { page } from './api-input.js';
import type { Executions } from './executions.js';

export function getExecutionHistory(executions: Executions, input: GetExecutionHistoryInput): GetExecutionHistoryOutput {
  const e = executions.get(input.executionArn);
  let events: HistoryEvent[] = e.events.map((ev) => ({ ...(JSON.parse(JSON.stringify(ev)) as HistoryEvent), timestamp: ev.timestamp }));
  if (input.reverseOrder) events.reverse();
  if (input.includeExecutionData === false) events = events.map(stripData);
  const { items, nextToken } = page(events, input.maxResults, input.nextToken);
  return { events: items, ...(nextToken ? { nextToken } : {}) };
}

/** includeExecutionData: false drops the input, output and parameters of every event's details. */
function stripData(event: HistoryEvent): HistoryEvent {
  const out: Record<string, unknown> = { ...event };
  for (const [key, value] of Object.entries(out)) {
    if (!key.endsWith('EventDetails') || !value || typeof value !== 'object') continue;
    const { input: _i, output: _o, parameters: _p, ...rest } = value as Record<string, unknown>;
    out[key] = rest;
  }
  return out as unknown as HistoryEvent;
}
