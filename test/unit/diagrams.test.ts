import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  FIX,
  aslToDot,
  architectureDot,
  describeCondition,
  embeddedHash,
  expectedDiagrams,
  sha256,
  staleDiagrams,
  withHash,
  type Asl,
} from '../../scripts/diagrams.js';

const SAMPLE: Asl = {
  Comment: 'a small machine',
  StartAt: 'Begin',
  States: {
    Begin: { Type: 'Pass', Next: 'Work' },
    Work: {
      Type: 'Task',
      Resource: '${WorkFunctionArn}',
      Retry: [
        { ErrorEquals: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException'], MaxAttempts: 6 },
        { ErrorEquals: ['RetryableError'], MaxAttempts: 5 },
      ],
      Catch: [{ ErrorEquals: ['MissingReferenceError', 'States.Timeout'], Next: 'Broken' }],
      Next: 'Done?',
    },
    'Done?': {
      Type: 'Choice',
      Choices: [
        { Variable: '$.work.settled', BooleanEquals: true, Next: 'Finished' },
        { Variable: '$.work.outcome', StringEquals: 'gone', Next: 'Finished' },
      ],
      Default: 'Pause',
    },
    Pause: { Type: 'Wait', Seconds: 30, Next: 'Work' },
    Finished: { Type: 'Succeed' },
    Broken: { Type: 'Fail', Error: 'WorkFailed' },
  },
};

describe('committed diagrams', () => {
  test('every DOT matches its ASL and every SVG was rendered from its DOT', () => {
    const problems = staleDiagrams();
    expect(problems.length ? `${problems.join('\n')}\n→ ${FIX}` : 'fresh').toBe('fresh');
  });

  test('there is one diagram per state machine plus the architecture', () => {
    const names = expectedDiagrams().map((d) => d.name);
    expect(names[0]).toBe('architecture');
    expect(names).toEqual(expect.arrayContaining(['eks-cf-apply', 'eks-cf-delete']));
  });
});

describe('aslToDot', () => {
  const dot = aslToDot('sample', SAMPLE);

  test('each state is a node labelled with its name, shaped by its type', () => {
    expect(dot).toMatch(/"Work" \[shape=box, style="rounded,filled"[^\n]*<B>Work<\/B>/);
    expect(dot).toMatch(/"Done\?" \[shape=diamond/);
    expect(dot).toMatch(/"Pause" \[shape=hexagon[^\n]*wait 30 s/);
    expect(dot).toMatch(/"Begin" \[shape=box, style=filled/);
    expect(dot).toMatch(/"Finished" \[[^\n]*peripheries=2/);
    expect(dot).toMatch(/"Broken" \[[^\n]*#fee2e2[^\n]*error WorkFailed/);
  });

  test('Retry is noted on the node, Lambda service errors summarised', () => {
    expect(dot).toContain('retry: Lambda service errors ×6; RetryableError ×5');
  });

  test('Next, Choice (with its condition), Default and Catch (dashed, with the error names) become edges', () => {
    expect(dot).toContain('"__start__" -> "Begin";');
    expect(dot).toContain('"Begin" -> "Work";');
    expect(dot).toContain('"Done?" -> "Finished" [label="work settled"');
    expect(dot).toContain('"Done?" -> "Finished" [label="outcome = gone"');
    expect(dot).toContain('"Done?" -> "Pause" [label="otherwise"');
    expect(dot).toMatch(/"Work" -> "Broken" \[style=dashed[^\n]*label="catch MissingReferenceError, States.Timeout"/);
  });

  test('is deterministic and escapes names for DOT and HTML labels', () => {
    expect(aslToDot('sample', SAMPLE)).toBe(dot);
    const odd = aslToDot('odd', { StartAt: 'Say "<hi>" & go', States: { 'Say "<hi>" & go': { Type: 'Succeed' } } });
    expect(odd).toContain('"Say \\"<hi>\\" & go" [');
    expect(odd).toContain('<B>Say &quot;&lt;hi&gt;&quot; &amp; go</B>');
  });
});

describe('describeCondition', () => {
  test.each([
    [{ Variable: '$.stack.gone', BooleanEquals: false }, 'not stack gone'],
    [{ Variable: '$.size', NumericGreaterThanEquals: 3 }, 'size ≥ 3'],
    [{ Variable: '$.a.b', StringEqualsPath: '$.c.d' }, 'b = c d'],
    [{ Variable: '$.x', IsPresent: true }, 'x present'],
    [{ And: [{ Variable: '$.a', BooleanEquals: true }, { Not: { Variable: '$.b', StringEquals: 'z' } }] }, 'a and not (b = z)'],
    [{ Condition: '{% $states.input.ok %}' }, '$states.input.ok'],
  ])('%j → %s', (rule, words) => {
    expect(describeCondition(rule as never)).toBe(words);
  });
});

describe('architectureDot', () => {
  test('draws the path of a change and the status callback', () => {
    const dot = architectureDot();
    for (const edge of ['kubectl -> api', 'api -> relay', 'relay -> bus', 'bus -> start', 'start -> sfn', 'sfn -> steps', 'steps -> resources', 'report -> api']) {
      expect(dot).toContain(edge);
    }
  });
});

describe('staleness', () => {
  let dir: string;
  let machines: string;
  let diagrams: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'diagrams-'));
    machines = path.join(dir, 'statemachines');
    diagrams = path.join(dir, 'diagrams');
    mkdirSync(machines);
    mkdirSync(diagrams);
    writeFileSync(path.join(machines, 'sample.asl.json'), JSON.stringify(SAMPLE));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, dot: string, svgFrom = dot) => {
    writeFileSync(path.join(diagrams, `${name}.dot`), dot);
    writeFileSync(path.join(diagrams, `${name}.svg`), withHash('<?xml version="1.0"?>\n<svg></svg>\n', svgFrom));
  };

  test('fresh files pass', () => {
    const expected = expectedDiagrams(machines, diagrams);
    for (const d of expected) write(d.name, d.dot);
    expect(staleDiagrams(expected, diagrams)).toEqual([]);
  });

  test('a DOT that no longer matches its ASL, a re-rendered-from-elsewhere SVG, missing and orphan files are reported', () => {
    const expected = expectedDiagrams(machines, diagrams);
    write('architecture', architectureDot(), 'something else');
    write('sample', aslToDot('sample', { ...SAMPLE, StartAt: 'Work' }));
    writeFileSync(path.join(diagrams, 'removed.dot'), 'digraph {}');
    const problems = staleDiagrams(expected, diagrams).join('\n');
    expect(problems).toMatch(/architecture\.svg was not rendered from the current architecture\.dot/);
    expect(problems).toMatch(/sample\.dot is stale/);
    expect(problems).toMatch(/removed\.dot has no source any more/);
    rmSync(path.join(diagrams, 'sample.svg'));
    expect(staleDiagrams(expected, diagrams).join('\n')).toMatch(/sample\.svg is missing/);
  });

  test('the SVG hash comment sits before <svg> and is replaced, not duplicated, on re-render', () => {
    const once = withHash('<?xml version="1.0"?>\n<svg></svg>', 'a');
    const twice = withHash(once, 'b');
    expect(embeddedHash(once)).toBe(sha256('a'));
    expect(embeddedHash(twice)).toBe(sha256('b'));
    expect(twice.match(/dot-sha256/g)).toHaveLength(1);
    expect(twice.indexOf('dot-sha256')).toBeLessThan(twice.indexOf('<svg'));
    expect(readFileSync(path.join(machines, 'sample.asl.json'), 'utf8')).toContain('Begin');
  });
});
