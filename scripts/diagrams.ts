// Diagrams for docs/diagrams: one per state machine (generated from statemachines/*.asl.json) and the architecture.
// Writes a Graphviz DOT file for each and, when `dot` is installed (Debian: apt-get install graphviz), renders an
// SVG next to it. Each SVG carries the sha256 of the DOT it was rendered from, so a test can tell a stale picture
// without Graphviz.
//
//   npm run diagrams            regenerate (DOT always; SVG when `dot` is found)
//   npm run diagrams -- --check exit 1 when a DOT or an SVG is stale (no Graphviz needed)
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const STATE_MACHINES_DIR = path.join(REPO_ROOT, 'statemachines');
export const DIAGRAMS_DIR = path.join(REPO_ROOT, 'docs', 'diagrams');
export const FIX = 'run `npm run diagrams` (Graphviz renders the SVGs: apt-get install graphviz)';

// ---------------------------------------------------------------------------------------------------------------
// ASL → DOT

interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: ChoiceRule[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
  Seconds?: number;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
  Error?: string;
  ErrorPath?: string;
  Branches?: unknown[];
  [key: string]: unknown;
}

export interface Asl {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslState>;
}

type ChoiceRule = Record<string, unknown> & { Next?: string; And?: ChoiceRule[]; Or?: ChoiceRule[]; Not?: ChoiceRule };

const STYLE: Record<string, string> = {
  Task: 'shape=box, style="rounded,filled", fillcolor="#dbeafe", color="#1d4ed8"',
  Choice: 'shape=diamond, style=filled, fillcolor="#fef3c7", color="#b45309"',
  Wait: 'shape=hexagon, style=filled, fillcolor="#ede9fe", color="#6d28d9"',
  Pass: 'shape=box, style=filled, fillcolor="#f3f4f6", color="#6b7280"',
  Succeed: 'shape=box, style="rounded,filled,bold", fillcolor="#dcfce7", color="#15803d", peripheries=2',
  Fail: 'shape=box, style="rounded,filled,bold", fillcolor="#fee2e2", color="#b91c1c", peripheries=2',
  Parallel: 'shape=box3d, style=filled, fillcolor="#e0f2fe", color="#0369a1"',
  Map: 'shape=box3d, style=filled, fillcolor="#e0f2fe", color="#0369a1"',
};

const html = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const id = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** `$.stack.settled` → `stack settled`; `$.group.outcome` → `outcome` (comparisons keep the last segment). */
function pathWords(p: string, segments: number): string {
  const parts = p.replace(/^\$\$?\.?/, '').split('.').filter(Boolean);
  return parts.slice(-segments).join(' ') || p;
}

const OPERATORS: [RegExp, string][] = [
  [/^(String|Numeric|Timestamp|Boolean)Equals(Path)?$/, '='],
  [/^(String|Numeric|Timestamp)LessThan(Path)?$/, '<'],
  [/^(String|Numeric|Timestamp)LessThanEquals(Path)?$/, '≤'],
  [/^(String|Numeric|Timestamp)GreaterThan(Path)?$/, '>'],
  [/^(String|Numeric|Timestamp)GreaterThanEquals(Path)?$/, '≥'],
  [/^StringMatches$/, 'matches'],
];

/** A Choice rule in a few words: `outcome = superseded`, `stack settled`, `not stack gone`. */
export function describeCondition(rule: ChoiceRule): string {
  if (rule.And) return rule.And.map(describeCondition).join(' and ');
  if (rule.Or) return rule.Or.map(describeCondition).join(' or ');
  if (rule.Not) return `not (${describeCondition(rule.Not)})`;
  if (typeof rule.Condition === 'string') return rule.Condition.replace(/^\{%\s*|\s*%\}$/g, '');
  const variable = typeof rule.Variable === 'string' ? rule.Variable : '?';
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Variable' || key === 'Next') continue;
    if (key === 'BooleanEquals') return value ? pathWords(variable, 2) : `not ${pathWords(variable, 2)}`;
    if (key === 'IsPresent') return value ? `${pathWords(variable, 2)} present` : `no ${pathWords(variable, 2)}`;
    if (key === 'IsNull') return value ? `${pathWords(variable, 2)} is null` : `${pathWords(variable, 2)} not null`;
    if (/^Is(String|Numeric|Boolean|Timestamp)$/.test(key)) return `${pathWords(variable, 2)} ${value ? 'is' : 'is not'} ${key.slice(2).toLowerCase()}`;
    const op = OPERATORS.find(([re]) => re.test(key))?.[1];
    if (op) {
      const right = key.endsWith('Path') ? pathWords(String(value), 2) : String(value);
      return `${pathWords(variable, 1)} ${op} ${right}`;
    }
  }
  return 'condition';
}

/** `Lambda.ServiceException, …` → `Lambda service errors`; other names as written. */
function errorNames(errors: string[]): string {
  const lambda = errors.filter((e) => e.startsWith('Lambda.'));
  const rest = errors.filter((e) => !e.startsWith('Lambda.'));
  return [...(lambda.length ? ['Lambda service errors'] : []), ...rest].join(', ');
}

function details(state: AslState): string[] {
  const out: string[] = [];
  if (state.Retry?.length) {
    out.push(`retry: ${state.Retry.map((r) => `${errorNames(r.ErrorEquals)} ×${r.MaxAttempts ?? 3}`).join('; ')}`);
  }
  if (state.Type === 'Wait') {
    if (state.Seconds !== undefined) out.push(`wait ${state.Seconds} s`);
    else if (state.SecondsPath) out.push(`wait ${state.SecondsPath} s`);
    else if (state.Timestamp || state.TimestampPath) out.push(`until ${state.Timestamp ?? state.TimestampPath}`);
  }
  if (state.Type === 'Fail') {
    if (state.Error) out.push(`error ${state.Error}`);
    else if (state.ErrorPath) out.push(`error from ${state.ErrorPath}`);
  }
  if (state.Type === 'Parallel') out.push(`${state.Branches?.length ?? 0} branches`);
  if (state.Type === 'Map') out.push('for each item');
  return out;
}

function nodeLabel(name: string, state: AslState): string {
  const lines = [`<B>${html(name)}</B>`, ...details(state).map((d) => `<FONT POINT-SIZE="9">${html(d)}</FONT>`)];
  return `<${lines.join('<BR/>')}>`;
}

/** The DOT text for one state machine. Deterministic: the same ASL always gives the same text. */
export function aslToDot(name: string, asl: Asl, source = `statemachines/${name}.asl.json`): string {
  const lines = [
    `// Generated by scripts/diagrams.ts from ${source}; do not edit. Regenerate: npm run diagrams`,
    `digraph ${id(name)} {`,
    `  graph [rankdir=TB, fontname="Helvetica", fontsize=16, labelloc=t, nodesep=0.35, ranksep=0.45,`,
    `         label=<<B>${html(name)}</B><BR/><FONT POINT-SIZE="10">${wrap(asl.Comment ?? '', 110).map(html).join('<BR/>')}</FONT>>];`,
    `  node [fontname="Helvetica", fontsize=11, margin="0.15,0.06"];`,
    `  edge [fontname="Helvetica", fontsize=9, color="#374151", arrowsize=0.7];`,
    `  "__start__" [shape=circle, label="", width=0.22, style=filled, fillcolor="#111827"];`,
  ];
  for (const [stateName, state] of Object.entries(asl.States)) {
    lines.push(`  ${id(stateName)} [${STYLE[state.Type] ?? 'shape=box'}, label=${nodeLabel(stateName, state)}];`);
  }
  lines.push(`  "__start__" -> ${id(asl.StartAt)};`);
  for (const [stateName, state] of Object.entries(asl.States)) {
    const from = id(stateName);
    if (state.Next) lines.push(`  ${from} -> ${id(state.Next)};`);
    for (const rule of state.Choices ?? []) {
      if (rule.Next) lines.push(`  ${from} -> ${id(rule.Next)} [label=${id(describeCondition(rule))}, fontcolor="#92400e"];`);
    }
    if (state.Default) lines.push(`  ${from} -> ${id(state.Default)} [label="otherwise", fontcolor="#6b7280"];`);
    for (const c of state.Catch ?? []) {
      lines.push(`  ${from} -> ${id(c.Next)} [style=dashed, color="#b91c1c", fontcolor="#b91c1c", label=${id(`catch ${c.ErrorEquals.join(', ')}`)}];`);
    }
  }
  lines.push('}', '');
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Architecture

/** kubectl → API server → relay → EventBridge → start-workflow → Step Functions → Lambda steps → AWS; report-status → API server. */
export function architectureDot(): string {
  return [
    '// Generated by scripts/diagrams.ts; do not edit. Regenerate: npm run diagrams',
    'digraph "architecture" {',
    '  graph [rankdir=TB, fontname="Helvetica", fontsize=16, labelloc=t, nodesep=0.6, ranksep=0.5, newrank=true,',
    '         label=<<B>instance-manager</B><BR/><FONT POINT-SIZE="10">An InstanceGroup change travels from the cluster to AWS and its status comes back.</FONT>>];',
    '  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled", fillcolor="#f9fafb", color="#374151"];',
    '  edge [fontname="Helvetica", fontsize=9, color="#374151", arrowsize=0.7];',
    '  kubectl [label=<<B>kubectl apply</B><BR/><FONT POINT-SIZE="9">the user</FONT>>, shape=oval, fillcolor="#ffffff"];',
    '  subgraph cluster_k8s {',
    '    label=<<B>Kubernetes cluster</B>>; style="rounded,dashed"; color="#1d4ed8"; fontcolor="#1d4ed8";',
    '    api [label=<<B>API server</B><BR/><FONT POINT-SIZE="9">InstanceGroup objects</FONT>>, shape=cylinder, fillcolor="#dbeafe"];',
    '    relay [label=<<B>relay</B><BR/><FONT POINT-SIZE="9">in-cluster-relay/: watch, finalizer</FONT>>, fillcolor="#dbeafe"];',
    '  }',
    '  subgraph cluster_aws {',
    '    label=<<B>AWS account</B>>; style="rounded,dashed"; color="#b45309"; fontcolor="#b45309";',
    '    bus [label=<<B>EventBridge bus</B><BR/><FONT POINT-SIZE="9">one rule per provisioner and operation</FONT>>, shape=hexagon, fillcolor="#fef3c7"];',
    '    start [label=<<B>start-workflow</B><BR/><FONT POINT-SIZE="9">Lambda: deterministic execution name</FONT>>, fillcolor="#fef3c7"];',
    '    sfn [label=<<B>Step Functions</B><BR/><FONT POINT-SIZE="9">statemachines/*.asl.json</FONT>>, shape=box3d, fillcolor="#ede9fe"];',
    '    steps [label=<<B>Lambda steps</B><BR/><FONT POINT-SIZE="9">functions/: read, check, apply, wait</FONT>>, fillcolor="#ede9fe"];',
    '    report [label=<<B>report-status</B><BR/><FONT POINT-SIZE="9">Lambda: status, events, finalizer</FONT>>, fillcolor="#ede9fe"];',
    '    resources [label=<<B>AWS resources</B><BR/><FONT POINT-SIZE="9">CloudFormation, EKS, IAM, EC2</FONT>>, shape=cylinder, fillcolor="#dcfce7"];',
    '  }',
    '  { rank=same; kubectl; api; relay; }',
    '  { rank=same; bus; start; sfn; }',
    '  { rank=same; report; steps; }',
    '  kubectl -> api [label="InstanceGroup"];',
    '  api -> relay [label="watch"];',
    '  relay -> bus [label="PutEvents"];',
    '  bus -> start [label="rule match"];',
    '  start -> sfn [label="StartExecution"];',
    '  sfn -> steps [label="Task states"];',
    '  steps -> resources [label="create, update, delete"];',
    '  sfn -> report [label="progress, result"];',
    '  report -> api [label="status, events", style=dashed, constraint=false];',
    '}',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Files

export interface Diagram {
  /** Base name: eks-cf-apply, architecture. */
  name: string;
  dotPath: string;
  svgPath: string;
  dot: string;
}

/** Every diagram as it should be, from the ASL files on disk. */
export function expectedDiagrams(stateMachinesDir = STATE_MACHINES_DIR, diagramsDir = DIAGRAMS_DIR): Diagram[] {
  const at = (name: string, dot: string): Diagram => ({ name, dot, dotPath: path.join(diagramsDir, `${name}.dot`), svgPath: path.join(diagramsDir, `${name}.svg`) });
  const machines = readdirSync(stateMachinesDir)
    .filter((f) => f.endsWith('.asl.json'))
    .sort()
    .map((file) => {
      const name = file.replace(/\.asl\.json$/, '');
      return at(name, aslToDot(name, JSON.parse(readFileSync(path.join(stateMachinesDir, file), 'utf8')) as Asl));
    });
  return [at('architecture', architectureDot()), ...machines];
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const HASH_COMMENT = /<!-- dot-sha256: ([0-9a-f]{64})[ \-]/;

/** The hash of the DOT an SVG was rendered from, or undefined. */
export function embeddedHash(svg: string): string | undefined {
  return HASH_COMMENT.exec(svg)?.[1];
}

/** Puts the DOT's hash in a comment right before the <svg> element. */
export function withHash(svg: string, dot: string): string {
  const comment = `<!-- dot-sha256: ${sha256(dot)} (generated by scripts/diagrams.ts; regenerate: npm run diagrams) -->\n`;
  const cleaned = svg.replace(/<!-- dot-sha256: [^>]*-->\n?/, '');
  const at = cleaned.indexOf('<svg');
  return at < 0 ? comment + cleaned : cleaned.slice(0, at) + comment + cleaned.slice(at);
}

/** What is out of date on disk: a DOT that differs from its ASL, an SVG missing or rendered from another DOT, leftovers. */
export function staleDiagrams(diagrams = expectedDiagrams(), diagramsDir = DIAGRAMS_DIR): string[] {
  const problems: string[] = [];
  const rel = (p: string) => path.relative(REPO_ROOT, p);
  for (const d of diagrams) {
    const dot = existsSync(d.dotPath) ? readFileSync(d.dotPath, 'utf8') : undefined;
    if (dot === undefined) problems.push(`${rel(d.dotPath)} is missing`);
    else if (dot !== d.dot) problems.push(`${rel(d.dotPath)} is stale (its source changed)`);
    const svg = existsSync(d.svgPath) ? readFileSync(d.svgPath, 'utf8') : undefined;
    if (svg === undefined) problems.push(`${rel(d.svgPath)} is missing`);
    else if (embeddedHash(svg) !== sha256(d.dot)) problems.push(`${rel(d.svgPath)} was not rendered from the current ${path.basename(d.dotPath)}`);
  }
  const wanted = new Set(diagrams.flatMap((d) => [d.dotPath, d.svgPath]));
  if (existsSync(diagramsDir)) {
    for (const f of readdirSync(diagramsDir).filter((f) => /\.(dot|svg)$/.test(f))) {
      if (!wanted.has(path.join(diagramsDir, f))) problems.push(`${rel(path.join(diagramsDir, f))} has no source any more (delete it)`);
    }
  }
  return problems;
}

function hasDot(): boolean {
  try {
    execFileSync('dot', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function render(dot: string): string {
  return execFileSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

export function main(argv = process.argv.slice(2)): number {
  if (argv.includes('--check')) {
    const problems = staleDiagrams();
    for (const p of problems) console.error(`stale: ${p}`);
    if (problems.length) console.error(`diagrams are out of date: ${FIX}`);
    return problems.length ? 1 : 0;
  }
  mkdirSync(DIAGRAMS_DIR, { recursive: true });
  const diagrams = expectedDiagrams();
  const canRender = hasDot();
  for (const d of diagrams) {
    const current = existsSync(d.dotPath) ? readFileSync(d.dotPath, 'utf8') : undefined;
    if (current !== d.dot) {
      writeFileSync(d.dotPath, d.dot);
      console.log(`wrote ${path.relative(REPO_ROOT, d.dotPath)}`);
    }
    const svg = existsSync(d.svgPath) ? readFileSync(d.svgPath, 'utf8') : undefined;
    if (canRender && (svg === undefined || embeddedHash(svg) !== sha256(d.dot))) {
      writeFileSync(d.svgPath, withHash(render(d.dot), d.dot));
      console.log(`wrote ${path.relative(REPO_ROOT, d.svgPath)}`);
    }
  }
  const problems = staleDiagrams(diagrams);
  if (problems.length) {
    for (const p of problems) console.error(`still stale: ${p}`);
    if (!canRender) console.error('Graphviz `dot` was not found, so the SVGs were not rendered: apt-get install graphviz, then npm run diagrams');
    return 1;
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main();
}
