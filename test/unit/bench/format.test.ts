import { checkResult, FORMAT_VERSION, resultStem, roundDeep, type BenchResult } from '../../../bench/lib/format.js';

const s = (median: number, min = median, max = median) => ({ n: 3, median, min, max, p90: max });

/** A complete result of this format version, as `npm run bench` writes it (one of each entry). */
function valid(): BenchResult {
  return {
    formatVersion: FORMAT_VERSION,
    startedAt: '2026-11-27T14:03:15.995Z',
    finishedAt: '2026-11-27T14:06:15.995Z',
    durationS: 180,
    options: { quick: true, runs: 3, relaySizes: [1000], relayChanges: 300, relayRate: 50, bundleRuns: 3, throughputGroups: 200 },
    environment: { node: 'v22.23.3', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'AMD EPYC', memoryGb: 23.4, loadAverage1m: 0.5, git: { commit: 'b4ad4533a0', dirty: true } },
    relay: [
      { groups: 1000, rssAfterStartupMb: 60, rssSettledMb: 58, rssSettledFileMb: 40, rssSettledAnonMb: 18, rssPeakMb: 62, startupS: 0.3, eventsAtStartup: 0, changesForwarded: 300, cpuPerChangeMs: 2.5, cpuPerChangeRawMs: 2.6, overheadP50Ms: 0.1, overheadP95Ms: 16, putEventsP50Ms: 4 },
    ],
    workflows: [
      {
        provisioner: 'eks-cf',
        scenario: 'create',
        change: 'kubectl apply of a new group',
        runs: 3,
        transitions: s(10),
        lambdaInvocations: s(6),
        historyEvents: s(40),
        executions: s(1),
        eventsPut: s(1),
        workflowStarts: s(1),
        awsCalls: s(9),
        awsWrites: s(1),
        wallMs: s(285, 269, 320),
        kubectlMs: s(54, 50, 60),
        controlPlaneMs: s(39, 30, 45),
        emulatorMs: s(185, 170, 200),
        finalToReadyMs: s(14, 13, 16),
        waitStatesMs: s(0),
        invocationsByFunction: { 'eks-cf-read-instance-group': 1, 'report-status': 2 },
        finalCall: 'DescribeStacks → CREATE_COMPLETE',
        samples: [{}, {}, {}] as never,
      },
    ],
    overhead: {
      targetMs: 1000,
      pollIntervalS: 30,
      pollLoops: [{ workflow: 'eks-cf-apply', waitState: 'Wait For CloudFormation', intervalS: 30, transitions: 3, invocations: 1 }],
      worstMedianMs: 35,
      worstMaxMs: 57,
      withinTarget: true,
    },
    cost: {
      prices: { stepFunctionsPerTransition: 0.000025 },
      assumptions: { lambdaBilledMsPerInvocation: 400 },
      per1000Changes: [{ provisioner: 'eks-cf', scenario: 'create', usd: { stepFunctions: 0.25, lambdaRequests: 0.0014, lambdaDuration: 0.0093, eventBridge: 0.001, sqs: 0, logs: 0.0067, xray: 0.04, total: 0.31 } }],
      idleMonth: { alarms: 8, metrics: 14, usd: 1.4 },
      perPollPassPer1000: 0.082,
    },
    bundles: [{ function: 'start-workflow', kubernetes: false, bytes: 322_000, initMs: s(41, 38, 42), meetsTargets: true }],
    throughput: {
      provisioner: 'eks-cf',
      groups: 200,
      allReadyS: 69.6,
      readyS: s(60.5, 5, 69.6),
      kubectlS: 3.9,
      lost: 0,
      duplicated: 0,
      errors: [],
      executions: 200,
      stacks: 200,
      eventsPut: 200,
      eventsByReason: { created: 200 },
      workflowStarts: 200,
      failedLambdaAttempts: 1,
      sdkRetries: {},
      transitions: 2000,
      putEventsBusyS: 55.6,
      handlerCallsBusyS: 65.7,
    },
  };
}

/** As read back from the file. */
const roundTrip = (r: unknown) => JSON.parse(JSON.stringify(r)) as Record<string, any>;

describe('checkResult', () => {
  it('accepts a complete result of this version', () => {
    expect(checkResult(roundTrip(valid()))).toEqual([]);
  });

  it('refuses another formatVersion outright', () => {
    const r = roundTrip(valid());
    r.formatVersion = FORMAT_VERSION + 1;
    expect(checkResult(r)).toEqual([`formatVersion: expected ${FORMAT_VERSION}, got ${FORMAT_VERSION + 1}`]);
    expect(checkResult(null)).toEqual(['the result is not a JSON object']);
  });

  it('names every missing or mistyped field by its path', () => {
    const r = roundTrip(valid());
    delete r.relay[0].rssPeakMb;
    r.workflows[0].wallMs.median = 'fast';
    r.throughput.lost = null;
    delete r.cost.idleMonth;
    expect(checkResult(r)).toEqual([
      '$.relay[0].rssPeakMb: expected a finite number, got undefined',
      '$.workflows[0].wallMs.median: expected a finite number, got "fast"',
      '$.cost.idleMonth: expected an object',
      '$.throughput.lost: expected a finite number, got null',
    ]);
  });

  it('catches a NaN, which JSON writes as null', () => {
    const r = valid();
    r.workflows[0]!.finalToReadyMs = { n: 3, median: NaN, min: NaN, max: NaN, p90: NaN };
    expect(checkResult(roundTrip(r))).toContain('$.workflows[0].finalToReadyMs.median: expected a finite number, got null');
  });

  it('refuses a summary whose median or p90 lies outside min–max', () => {
    const r = roundTrip(valid());
    r.bundles[0].initMs = { n: 3, median: 50, min: 38, max: 42, p90: 42 };
    expect(checkResult(r)).toEqual([expect.stringMatching(/^\$\.bundles\[0\]\.initMs: expected min ≤ median, p90 ≤ max/)]);
  });

  it('wants one sample per run', () => {
    const r = roundTrip(valid());
    r.workflows[0].samples.pop();
    expect(checkResult(r)).toEqual(['$.workflows[0].samples: expected 3 samples, got 2']);
  });

  it('wants dates that parse', () => {
    const r = roundTrip(valid());
    r.finishedAt = 'yesterday';
    expect(checkResult(r)).toEqual(['$.finishedAt: not a date']);
  });
});

describe('resultStem', () => {
  it('is the UTC start time to the second, sortable and without colons', () => {
    expect(resultStem(new Date('2026-11-27T14:03:15.995Z'))).toBe('2026-11-27T14-03-15Z');
  });
});

describe('roundDeep', () => {
  it('rounds to 3 decimals from 1 up and to 6 significant digits below, deeply, leaving integers and strings', () => {
    expect(roundDeep({ a: 285.123456, b: [0.0000133334123, 42], c: { d: 'x', e: 0.31234567 } })).toEqual({
      a: 285.123,
      b: [0.0000133334, 42],
      c: { d: 'x', e: 0.312346 },
    });
  });
  it('keeps a conforming result conforming', () => {
    expect(checkResult(roundTrip(roundDeep(valid())))).toEqual([]);
  });
});
