import { startTestBed } from '../../local/testbed/index.js';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { observeBus } from '../testing/bus-observer.js';
const bed = await startTestBed({ kube: false });
try {
  const withObserver = process.argv[2] === 'obs';
  const obs = await observeBus({ endpoint: bed.moto!.url, region: 'us-west-2', busName: 'b' });
  if (!withObserver) await obs.stop();
  const eb = new EventBridgeClient({ region: 'us-west-2', endpoint: bed.moto!.url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  for (const n of [1, 1, 1, 10, 10, 10]) {
    const t = performance.now();
    const entries = Array.from({ length: n }, (_, i) => ({ Source: 'instancemgr.keikoproj.io', DetailType: 'InstanceGroup Change', Detail: JSON.stringify({ i, pad: 'x'.repeat(1500) }), EventBusName: 'b' }));
    await eb.send(new PutEventsCommand({ Entries: entries }));
    console.log(n, (performance.now() - t).toFixed(1), 'ms');
  }
  if (withObserver) await obs.stop();
} finally { await bed.stop(); }
