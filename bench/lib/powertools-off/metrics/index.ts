// @aws-lambda-powertools/metrics switched off (bench/lib/powertools-off/README.md): metrics are dropped.
export const MetricUnit = { Count: 'Count', Milliseconds: 'Milliseconds', Seconds: 'Seconds' } as const;

export class Metrics {
  constructor(_options?: unknown) {}
  addDimensions(_dimensions: Record<string, string>): void {}
  addMetric(_name: string, _unit: string, _value: number): void {}
  singleMetric(): Metrics {
    return this;
  }
}
