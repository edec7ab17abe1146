// The run as a picture (SVG, no dependency): per provisioner and scenario, the median local wall time from
// `kubectl apply` to Ready split into kubectl, control plane and emulator, with the min–max of the total as a
// whisker; beside it the state transitions and the cost per 1,000 changes.
import type { BenchResult } from './format.js';
import { SCENARIO_LABELS } from './manifests.js';

const COLORS = { kubectl: '#9e9e9e', controlPlane: '#1f77b4', emulator: '#ff7f0e', transitions: '#2ca02c' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A round axis maximum at least `v`: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × a power of ten. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * p).find((m) => m >= v) ?? 10 * p;
}

export function renderSvg(r: BenchResult): string {
  const rows = r.workflows;
  const rowH = 22;
  const top = 70;
  const labelW = 190;
  const timeW = 520;
  const gap = 40;
  const transW = 170;
  const costW = 110;
  const width = labelW + timeW + gap + transW + gap + costW + 20;
  const height = top + rows.length * rowH + 70;
  const tMax = niceMax(Math.max(1, ...rows.map((w) => w.wallMs.max)));
  const nMax = niceMax(Math.max(1, ...rows.map((w) => w.transitions.max)));
  const x = (ms: number) => labelW + (ms / tMax) * timeW;
  const transX = labelW + timeW + gap;
  const costX = transX + transW + gap;
  const cost = new Map(r.cost.per1000Changes.map((c) => [`${c.provisioner}/${c.scenario}`, c.usd.total]));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  out.push(`<text x="10" y="20" font-size="15" font-weight="bold">instance-manager: kubectl apply → Ready on the local control plane</text>`);
  out.push(`<text x="10" y="38" fill="#555">${esc(`${r.startedAt} · node ${r.environment.node} · ${r.environment.cpuModel} ×${r.environment.cpus} · git ${r.environment.git.commit.slice(0, 10)}${r.environment.git.dirty ? '+dirty' : ''}`)}</text>`);
  // Legend
  let lx = labelW;
  for (const [key, label] of [['kubectl', 'kubectl'], ['controlPlane', 'control plane'], ['emulator', 'emulator (moto)']] as const) {
    out.push(`<rect x="${lx}" y="48" width="10" height="10" fill="${COLORS[key]}"/><text x="${lx + 14}" y="57">${label}</text>`);
    lx += 24 + label.length * 7;
  }
  out.push(`<text x="${transX}" y="57" font-weight="bold">state transitions</text>`);
  out.push(`<text x="${costX}" y="57" font-weight="bold">$ / 1,000 changes</text>`);
  // Grid
  for (let i = 0; i <= 5; i++) {
    const v = (tMax * i) / 5;
    const gx = x(v);
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + rows.length * rowH}" stroke="#ddd"/>`);
    out.push(`<text x="${gx}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#555">${Math.round(v)} ms</text>`);
  }
  rows.forEach((w, i) => {
    const y = top + i * rowH;
    const h = rowH - 8;
    if (i > 0 && rows[i - 1]!.provisioner !== w.provisioner) out.push(`<line x1="10" y1="${y - 4}" x2="${width - 10}" y2="${y - 4}" stroke="#bbb"/>`);
    out.push(`<text x="${labelW - 8}" y="${y + h - 2}" text-anchor="end">${esc(`${w.provisioner} ${SCENARIO_LABELS[w.scenario]}`)}</text>`);
    let at = 0;
    for (const [key, value] of [['kubectl', w.kubectlMs.median], ['controlPlane', w.controlPlaneMs.median], ['emulator', w.emulatorMs.median]] as const) {
      const v = Math.max(0, value);
      out.push(`<rect x="${x(at).toFixed(1)}" y="${y}" width="${(x(at + v) - x(at)).toFixed(1)}" height="${h}" fill="${COLORS[key]}"><title>${key}: ${Math.round(v)} ms</title></rect>`);
      at += v;
    }
    const cy = y + h / 2;
    out.push(`<line x1="${x(w.wallMs.min).toFixed(1)}" y1="${cy}" x2="${x(w.wallMs.max).toFixed(1)}" y2="${cy}" stroke="black"/>`);
    for (const v of [w.wallMs.min, w.wallMs.max]) out.push(`<line x1="${x(v).toFixed(1)}" y1="${cy - 4}" x2="${x(v).toFixed(1)}" y2="${cy + 4}" stroke="black"/>`);
    out.push(`<text x="${(x(w.wallMs.max) + 6).toFixed(1)}" y="${y + h - 2}" fill="#333">${Math.round(w.wallMs.median)} ms</text>`);
    const tw = (w.transitions.median / nMax) * (transW - 30);
    out.push(`<rect x="${transX}" y="${y}" width="${tw.toFixed(1)}" height="${h}" fill="${COLORS.transitions}"/>`);
    out.push(`<text x="${(transX + tw + 4).toFixed(1)}" y="${y + h - 2}">${w.transitions.median}</text>`);
    const c = cost.get(`${w.provisioner}/${w.scenario}`);
    if (c !== undefined) out.push(`<text x="${costX}" y="${y + h - 2}">$${c.toFixed(c >= 0.1 ? 2 : 3)}</text>`);
  });
  const t = r.throughput;
  const foot = top + rows.length * rowH + 40;
  out.push(
    `<text x="10" y="${foot}">${esc(
      `Throughput: ${t.groups} ${t.provisioner} groups at once, ${t.groups - t.lost} Ready after ${t.allReadyS.toFixed(1)} s (${t.lost} lost, ${t.duplicated} duplicated). ` +
        `Idle month: $${r.cost.idleMonth.usd.toFixed(2)}. Relay: ${r.relay.map((x) => `${x.groups.toLocaleString('en-US')} groups ${x.rssPeakMb.toFixed(0)} MB`).join(', ')}.`,
    )}</text>`,
  );
  out.push(
    `<text x="10" y="${foot + 18}" fill="#555">Bars: median of each part over ${r.options.runs} runs; whisker: min–max of the total. ` +
      'Local wall time is not AWS time: moto settles at once and Wait states are shortened.</text>',
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
