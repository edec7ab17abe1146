// imctl's help: the overview, one page per command, and shell completion scripts.
import { RENDER_COMMAND } from '../core/policy/index.js';

export const COMMANDS = ['status', 'executions', 'replay', 'policy', 'completion', 'version', 'help'];
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const KUBECONFIG = `      --kubeconfig <file>   kubeconfig (default: $KUBECONFIG, a list merged as kubectl does, else ~/.kube/config);
                            tokens, client certificates and exec plugins (aws eks get-token) all work
      --context <name>      kubeconfig context (default: the current context)`;

const CONNECTION = `Cluster:
  -n, --namespace <ns>      namespace (default: the kubeconfig context's, else "default")
${KUBECONFIG}`;

const AWS = `AWS:
      --stage <stage>       the deployed stage: state machines and archive come from the outputs of the
                            CloudFormation stack instance-manager-<stage> (default: $IM_STAGE)
      --region <region>     AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION, us-west-2)
      --state-machine-prefix <p>  without --stage, state machines are found by name, <p>[<stage>-]<provisioner>-<operation>
                            (default: $IM_STATE_MACHINE_PREFIX, else "instance-manager-")
      --limit <n>           executions to look at per state machine, newest first (default 200)`;

const OUTPUT = `Output:
  -o, --output table|json|yaml  output format (default table)`;

export const USAGE = `imctl: inspect and replay instance-manager's InstanceGroups and workflows; render its admission policy

Usage:
  imctl status [-n <namespace> | -A]              InstanceGroups: state, generation lag, last execution
  imctl executions <namespace>/<name>             the group's executions: status, failed state, error, cause
  imctl replay <namespace>/<name> [--wait]        re-run the group's latest failed execution
  imctl replay --since <time> [--until <time>]    replay the EventBridge archive for a window
  imctl policy render [-f <file>]                 the admission policy, rendered from InstanceManagerPolicy "default"
  imctl completion bash|zsh|fish                  shell completion script
  imctl version                                   imctl's version (also --version)

Run imctl <command> --help (or imctl help <command>) for a command's options.

${CONNECTION}

${AWS}

${OUTPUT}

Environment: Step Functions, EventBridge and CloudFormation endpoints follow the AWS SDK (AWS_ENDPOINT_URL_SFN,
AWS_ENDPOINT_URL_EVENTBRIDGE, AWS_ENDPOINT_URL_CLOUDFORMATION, AWS_ENDPOINT_URL); STATE_MACHINE_ARNS /
STATE_MACHINE_ARN_<PROVISIONER>_<OPERATION> override discovery, as for the start-workflow Lambda.

Exit codes: 0 done, 1 failed or refused, 2 usage error.`;

const PAGES: Record<string, string> = {
  status: `imctl status [-n <namespace> | -A]: InstanceGroups with their state, generation, observed generation, lag,
last execution, its result and the Ready condition's reason. Reads the cluster only.

  -A, --all-namespaces      every namespace

${CONNECTION}

${OUTPUT}`,
  executions: `imctl executions <namespace>/<name>: the group's Step Functions executions, newest first: operation,
generation, attempt, status, start, duration, and for a failure the failed state, error, cause and console URL.

${CONNECTION}

${AWS}

${OUTPUT}`,
  replay: `imctl replay <namespace>/<name>: acts on the group's latest failed execution.
  When its generation is still the object's, it is redriven from the step it stopped in (or, when the workflow
  caught the failure and ended in its Fail state, started again as a new attempt of that generation). When the
  object has a newer generation, a fresh execution of the newest generation starts; an older spec is never applied.

      --dry-run             say what would be done, do nothing
      --wait                follow the execution, printing each state as it is entered; exit 1 unless it succeeds
      --timeout <duration>  how long --wait waits (default 30m)
      --cluster-name <name> cluster name for a fresh execution when the failed one does not carry it

imctl replay --since <time> [--until <time>]: replays the EventBridge archive for a window onto the bus. Executions
  already started for an event are not started again; events for older generations end "superseded".

      --since <time>        ISO 8601 time, or a duration back from now: 30m, 2h, 1d, 1h30m
      --until <time>        end of the window (default: now)
      --archive <name>      EventBridge archive (default: the stack's EventArchiveName with --stage, else
                            $IM_EVENT_ARCHIVE, else the one archive named instance-manager[-<stage>-changes])
      --rule <name>         replay to this rule only (repeatable; default: every rule on the bus)
      --wait, --dry-run     as above (--wait prints the replay's state as it changes)

${CONNECTION}

${AWS}

${OUTPUT}`,
  policy: `imctl policy render [-f <file> | --from-cluster]: prints the admission policy (the ValidatingAdmissionPolicy
instance-manager-installation-policy, its binding, and the Warn-only check that tells whoever edits the policy object
that admission still has older values) rendered with the values of InstanceManagerPolicy "default", for kubectl apply.
Render it again after every change of the object:

  ${RENDER_COMMAND}

An object with a field of the wrong type or one the CRD does not know, or values too long for the API server's CEL,
is refused, naming the field; nothing is printed then.

  -f, --filename <file>     the object as YAML or JSON, as kubectl get -o yaml|json prints it; - for stdin
                            (default: stdin)
      --from-cluster        read the object from the cluster instead

Cluster (with --from-cluster):
${KUBECONFIG}`,
  completion: `imctl completion bash|zsh|fish: prints a completion script for the shell.

  bash:  source <(imctl completion bash)            (or save it under /etc/bash_completion.d/imctl)
  zsh:   source <(imctl completion zsh)             (in ~/.zshrc, after compinit)
  fish:  imctl completion fish > ~/.config/fish/completions/imctl.fish

Commands, flags and their values complete; InstanceGroups complete as <namespace>/<name> through kubectl.`,
  version: 'imctl version (or imctl --version): prints the version.',
  help: 'imctl help [<command>]: the overview, or one command\'s options.',
};

export function helpFor(topic?: string): string {
  return topic ? PAGES[topic] ?? USAGE : USAGE;
}

const FLAGS = [
  '--namespace', '--all-namespaces', '--output', '--kubeconfig', '--context', '--stage', '--region', '--state-machine-prefix',
  '--limit', '--dry-run', '--wait', '--timeout', '--cluster-name', '--since', '--until', '--archive', '--rule', '--filename',
  '--from-cluster', '--help', '--version',
];
const VERBS = COMMANDS;

/** A completion script; groups complete through kubectl (no imctl process per keystroke). */
export function completionScript(shell: Shell): string {
  const groups = `kubectl get instancegroups.instancemgr.keikoproj.io -A -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}' 2>/dev/null`;
  if (shell === 'fish') {
    return [
      '# imctl completion for fish',
      `complete -c imctl -f -n '__fish_use_subcommand' -a '${VERBS.join(' ')}'`,
      ...FLAGS.map((f) => `complete -c imctl -l ${f.slice(2)}`),
      "complete -c imctl -s o -l output -x -a 'table json yaml'",
      "complete -c imctl -n '__fish_seen_subcommand_from completion' -x -a 'bash zsh fish'",
      "complete -c imctl -n '__fish_seen_subcommand_from policy; and not __fish_seen_subcommand_from render' -x -a 'render'",
      'complete -c imctl -s f -l filename -r -F',
      `complete -c imctl -n '__fish_seen_subcommand_from executions replay' -x -a "(${groups.replace(/"/g, '\\"')})"`,
      "complete -c imctl -l kubeconfig -r -F",
      '',
    ].join('\n');
  }
  const bash = `# imctl completion for ${shell}
_imctl() {
  local cur prev verb
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  verb="\${COMP_WORDS[1]}"
  case "$prev" in
    -o|--output) COMPREPLY=( $(compgen -W "table json yaml" -- "$cur") ); return ;;
    --kubeconfig|-f|--filename) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
    --context) COMPREPLY=( $(compgen -W "$(kubectl config get-contexts -o name 2>/dev/null)" -- "$cur") ); return ;;
    -n|--namespace) COMPREPLY=( $(compgen -W "$(kubectl get namespaces -o name 2>/dev/null | sed 's#^namespace/##')" -- "$cur") ); return ;;
  esac
  if [[ $COMP_CWORD -eq 1 ]]; then COMPREPLY=( $(compgen -W "${VERBS.join(' ')}" -- "$cur") ); return; fi
  if [[ "$verb" == completion ]]; then COMPREPLY=( $(compgen -W "bash zsh fish" -- "$cur") ); return; fi
  if [[ "$verb" == policy && $COMP_CWORD -eq 2 ]]; then COMPREPLY=( $(compgen -W "render" -- "$cur") ); return; fi
  if [[ "$cur" == -* ]]; then COMPREPLY=( $(compgen -W "${FLAGS.join(' ')}" -- "$cur") ); return; fi
  if [[ "$verb" == executions || "$verb" == replay ]]; then
    COMPREPLY=( $(compgen -W "$(${groups})" -- "$cur") )
  fi
}
complete -F _imctl imctl
`;
  return shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${bash}` : bash;
}
