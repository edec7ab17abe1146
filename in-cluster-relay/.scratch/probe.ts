import { startTestBed } from '../../local/testbed/index.js';
import { KubeConfig, KubernetesObjectApi, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { EventBridgeClient, CreateEventBusCommand, PutRuleCommand, PutTargetsCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';

const bed = await startTestBed({ log: console.error });
try {
  const kc = new KubeConfig(); kc.loadFromFile(bed.kube!.kubeconfigPath);
  const objs = new KubernetesObjectApi(kc as any);
  const o = kc.makeApiClient(KubernetesObjectApi);
  for (const d of parseAllDocuments(readFileSync('infra/k8s/crd.yaml','utf8'))) await o.create(d.toJSON());
  await new Promise(r=>setTimeout(r,1500));
  const c = kc.makeApiClient(CustomObjectsApi);
  const base = { group: 'instancemgr.keikoproj.io', version: 'v1alpha1', plural: 'instancegroups', namespace: 'default' };
  const ig = (await import('yaml')).parse(readFileSync('test/fixtures/reference/eks-cf.yaml','utf8'));
  ig.metadata.finalizers = ['x/y'];
  const created: any = await c.createNamespacedCustomObject({ ...base, body: ig });
  console.log('created gen', created.metadata.generation, created.metadata.resourceVersion);
  // watch from rv 1 and bookmarks
  const w = new Watch(kc);
  const t0 = Date.now();
  await w.watch('/apis/instancemgr.keikoproj.io/v1alpha1/instancegroups', { resourceVersion: '1', allowWatchBookmarks: true }, (t, obj) => console.log('ev', Date.now()-t0, t, JSON.stringify(obj).slice(0, 200)), (e) => console.log('done', e?.statusCode, e?.message));
  const w2 = new Watch(kc);
  await w2.watch('/apis/instancemgr.keikoproj.io/v1alpha1/instancegroups', { resourceVersion: created.metadata.resourceVersion, allowWatchBookmarks: true }, (t, obj) => console.log('ev2', Date.now()-t0, t, obj.metadata?.resourceVersion, obj.metadata?.generation, obj.metadata?.deletionTimestamp), (e) => console.log('done2', e?.statusCode, e?.message));
  await c.deleteNamespacedCustomObject({ ...base, name: 'hello-world' });
  const after: any = await c.getNamespacedCustomObject({ ...base, name: 'hello-world' });
  console.log('after delete gen', after.metadata.generation, after.metadata.deletionTimestamp);
  // try adding finalizer while deleting
  try { await c.patchNamespacedCustomObject({ ...base, name: 'hello-world', body: [{op:'add', path:'/metadata/finalizers/-', value:'a/b'}] }, (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/json-patch+json')); console.log('add finalizer while deleting OK'); } catch (e: any) { console.log('add fin err', e.code, String(e.body).slice(0,300)); }
  // moto
  const aws = { region: 'us-west-2', endpoint: bed.moto!.url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
  const eb = new EventBridgeClient(aws); const sqs = new SQSClient(aws);
  await eb.send(new CreateEventBusCommand({ Name: 'bus' }));
  const q = await sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  await eb.send(new PutRuleCommand({ Name: 'r', EventBusName: 'bus', EventPattern: JSON.stringify({ source: ['instancemgr.keikoproj.io'] }) }));
  await eb.send(new PutTargetsCommand({ Rule: 'r', EventBusName: 'bus', Targets: [{ Id: 't', Arn: arn }] }));
  const res = await eb.send(new PutEventsCommand({ Entries: [{ Source: 'instancemgr.keikoproj.io', DetailType: 'x', Detail: '{"a":1}', EventBusName: 'bus' }] }));
  console.log('put', JSON.stringify(res.Entries), res.FailedEntryCount);
  const t1 = Date.now();
  const m = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }));
  console.log('recv', Date.now()-t1, m.Messages?.map(x=>x.Body));
  const t2 = Date.now();
  const m2 = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }));
  console.log('recv empty took', Date.now()-t2, m2.Messages?.length);
  await new Promise(r=>setTimeout(r,70000));
} finally { await bed.stop(); }
