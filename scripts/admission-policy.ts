// Renders the admission policy (infra/k8s/policy/admission.yaml) with the values of an InstanceManagerPolicy
// "default" object, read from a file or stdin, to stdout. After changing the policy object:
//   kubectl get instancemanagerpolicy default -o yaml | npx tsx scripts/admission-policy.ts | kubectl apply -f -
// Admission carries the values instead of reading the object as params; core/policy/admission.ts says why.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { admissionManifest, policyFromObject, PolicyObjectError } from '../core/policy/index.js';

const file = process.argv[2];
try {
  process.stdout.write(admissionManifest(policyFromObject(parse(readFileSync(file && file !== '-' ? file : 0, 'utf8')))));
} catch (error) {
  if (!(error instanceof PolicyObjectError)) throw error;
  process.stderr.write(`admission-policy: ${error.message}\n`);
  process.exit(1);
}
