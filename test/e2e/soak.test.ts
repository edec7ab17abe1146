// The short form of `npm run soak` (issue 14): a few seeded operations over groups of every provisioner while the
// steps suffer injected faults; afterwards everything converges with no one stepping in, and the audit against moto
// finds no lost change, no leaked or duplicate resource and nothing stuck Running.
import { clean, formatReport, soak } from '../../bench/soak.js';

test('SoakShort: random operations under injected faults converge to exactly what the specs say', async () => {
  const report = await soak({ seed: 14, ops: 18, groups: 6, faultProbability: 0.1, faultWindowMs: 20_000, convergeTimeoutMs: 240_000 });
  const summary = formatReport(report);
  console.log(summary);
  expect({ clean: clean(report), summary }).toEqual({ clean: true, summary });
  expect(Object.values(report.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
}, 600_000);
