// imctl policy render: the admission policy (core/policy/admission.ts) rendered with the values of InstanceManagerPolicy
// "default", read from a file, stdin or the cluster, as YAML for kubectl apply. Admission carries the values instead of
// reading the object as params; core/policy/admission.ts says why.
import { parseAllDocuments } from 'yaml';
import { admissionManifest, policyFromObject, PolicyObjectError, POLICY_KIND, POLICY_NAME, POLICY_REF, RENDER_COMMAND } from '../../core/policy/index.js';
import type { PolicySource } from '../args.js';
import type { Deps } from '../clients.js';
import { CliError } from '../errors.js';

const GET = `kubectl get ${POLICY_KIND.toLowerCase()} ${POLICY_NAME} -o yaml`;
const PIPE_FIX = `pipe the object in: ${RENDER_COMMAND} (or read it with --from-cluster, or from a file with -f)`;

type Item = { kind?: unknown; metadata?: { name?: unknown } };
const isPolicy = (item: Item | undefined) => item?.kind === POLICY_KIND && item.metadata?.name === POLICY_NAME;

/** The one document of the input; a List (kubectl get without a name) gives its "default" item. */
function documentOf(text: string, source: string): unknown {
  const documents = parseAllDocuments(text);
  const error = documents.flatMap((d) => d.errors)[0];
  if (error) throw new CliError(`${source} is not YAML or JSON: ${error.message.split('\n')[0]!.replace(/:$/, '')}`, `give it the object as kubectl prints it: ${GET}`);
  const values = documents.map((d) => d.toJS() as unknown).filter((v) => v !== null && v !== undefined);
  if (!values.length) throw new CliError(`${source} is empty: there is no ${POLICY_REF} to render`, `${PIPE_FIX}; if kubectl failed, its error is above`);
  if (values.length > 1) {
    throw new CliError(`${source} holds ${values.length} YAML documents; expected the one ${POLICY_REF} object`, `give it that object alone: ${GET}`);
  }
  const value = values[0] as Item & { items?: Item[] };
  if (value.kind !== 'List' || !Array.isArray(value.items)) return value;
  const found = value.items.filter(isPolicy);
  if (found.length !== 1) throw new CliError(`${source} is a List without a ${POLICY_REF} item`, `give it that object: ${GET}`);
  return found[0];
}

export async function policyRender(deps: Deps, source: PolicySource): Promise<number> {
  let object: unknown;
  if (source.kind === 'cluster') {
    object = await deps.policyObject();
  } else {
    const text = await deps.readInput(source.file);
    if (text === undefined) throw new CliError(`policy render reads ${POLICY_REF} from stdin, and nothing is piped in`, PIPE_FIX);
    object = documentOf(text, source.file === '-' ? 'stdin' : source.file);
  }
  try {
    deps.out(admissionManifest(policyFromObject(object)).trimEnd());
  } catch (error) {
    if (error instanceof PolicyObjectError) throw new CliError(error.message, error.fix);
    throw error;
  }
  return 0;
}
