// Issue 14, defect 7: every Task has its own TimeoutSeconds, so a step that hangs fails (States.Timeout, retryable)
// within minutes instead of holding its execution until the machine's timeout hours later.
import { readdirSync } from 'node:fs';
import { loadAsl, STATE_MACHINES_DIR } from '../../../core/workflows/bindings.js';

const LONGEST_LAMBDA_TIMEOUT_SECONDS = 60;

describe.each(readdirSync(STATE_MACHINES_DIR).filter((f) => f.endsWith('.asl.json')))('%s', (file) => {
  it('every Task times out a little after its Lambda would, never hours later', () => {
    const asl = loadAsl(file);
    // A callback Task (.waitForTaskToken) waits for an event, not a Lambda: its TimeoutSeconds is the fallback
    // interval after which one check runs (issue 17), so it is bounded but not tied to the Lambda timeout.
    const isCallback = (s: { Resource?: unknown }) => String(s.Resource).endsWith('.waitForTaskToken');
    for (const [name, state] of Object.entries(asl.States).filter(([, s]) => s.Type === 'Task' && !isCallback(s as { Resource?: unknown }))) {
      const timeout = (state as { TimeoutSeconds?: number }).TimeoutSeconds;
      expect({ name, timeout }).toEqual({ name, timeout: expect.any(Number) });
      expect({ name, ok: timeout! > LONGEST_LAMBDA_TIMEOUT_SECONDS && timeout! <= 300 }).toEqual({ name, ok: true });
    }
    for (const [name, state] of Object.entries(asl.States).filter(([, s]) => s.Type === 'Task' && isCallback(s as { Resource?: unknown }))) {
      const timeout = (state as { TimeoutSeconds?: number }).TimeoutSeconds;
      expect({ name, ok: typeof timeout === 'number' && timeout > 0 && timeout <= 300 }).toEqual({ name, ok: true });
    }
  });
});
