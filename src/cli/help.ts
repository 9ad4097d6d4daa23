import { snapshotCommand } from '../live/live-gaps.ts';

export const MAIN_HELP = `fsm-gitops: review and apply Flomesh Service Mesh changes from a Git repository

Usage:
  fsm-gitops <command> [options]

Commands:
  plan      Validate an environment's files and show what would change in the cluster
  apply     Apply an environment's files to its cluster (after showing the plan)

Run 'fsm-gitops <command> --help' for a command's options.

Options:
  -h, --help      Show this help
  -v, --version   Print the version
`;

export const PLAN_HELP = `Usage:
  fsm-gitops plan --repo DIR [--env NAME ...] (--cluster SNAPSHOT.yaml | --kubeconfig PATH [--context [ENV=]NAME ...])
                  [--format text|markdown|json] [--output FILE] [--detailed-exitcode] [--no-color] [-q|--quiet]

Validates the MeshConfig, Helm values and Plugin / PluginChain / PluginConfig manifests of each
environment in DIR/.github/fsm-gitops.yml against the cluster's own schemas and FSM's rules, and
diffs them against the live state. Nothing in the cluster is changed.

Options:
  --repo DIR              Repository checkout to read (default: the current directory)
  --env NAME              Environment to plan; repeat for several (default: all)
  --cluster SNAPSHOT      Live state from a file of objects as 'kubectl get -o yaml --show-managed-fields'
                          prints them (without managedFields a field removed from the repository is not
                          shown removed). One file for every environment, or ENV=FILE, repeated
  --kubeconfig PATH       Live state from an API server (read only: plan never changes the cluster); at
                          most FSM_GITOPS_KUBE_CONCURRENCY requests to it at once (default 16)
  --context [ENV=]NAME    kubeconfig context; it must be for the environment's cluster: (named so, or its
                          cluster is). ENV=NAME says NAME serves environment ENV, whatever its name.
                          Default: the current-context if it is for the cluster, else the one that is
  --format FORMAT         text (default; colored on a terminal), markdown (the PR comment), json:
                          { summary: { environments, changes: {create, update, delete, unchanged, pending},
                            findings: {error, warning, notice}, restarts, exitCode, exitMeaning },
                            environments: [{ name, path, liveSource, summary, changes, restarts, findings }] }
                          Each change: action, kind, apiVersion, name, namespace, file, line, pending, rollout
                          (a chart workload whose pods the upgrade replaces), fields (path, before, after:
                          redacted; a named list item by name: containers[name=x]); a create also its
                          object as applied ('after')
  -o, --output FILE       Write the plan to FILE (all or nothing: a temporary file renamed over it) and
                          print only each environment's summary line. The format: --format, else by
                          FILE's extension: .json json, .md markdown, anything else text (never colored)
  --detailed-exitcode     Exit 2 when the plan is valid and has changes
  --no-color              Plain text even on a terminal (NO_COLOR is honored too)
  -q, --quiet             No progress messages on stderr
  -h, --help              Show this help

Exit codes:
  0  valid, no changes (or changes, without --detailed-exitcode)
  1  at least one finding of severity error
  2  valid with changes to apply (with --detailed-exitcode; a pending change is not one)
  3  could not run: bad flags, unreadable config, unreadable cluster state

Examples:
  fsm-gitops plan --repo . --env staging --cluster staging-snapshot.yaml
  fsm-gitops plan --repo . --cluster staging=staging.yaml --cluster production=prod.yaml --format json

Taking a snapshot (only the Helm release Secrets of the mesh, never all Secrets; a snapshot without
the CRDs or the release Secret cannot be validated against, and plan says so; kubectl version gives
the cluster's version, which a chart upgrade checks the chart's kubeVersion against):
${snapshotCommand({ name: 'fsm', namespace: 'fsm-system' }).replace(/^/gm, '  ')}
`;

export const APPLY_HELP = `Usage:
  fsm-gitops apply --repo DIR --env NAME --kubeconfig PATH [--context [ENV=]NAME] [--yes] [--output FILE]
                   [--timeout SECONDS] [--lock-timeout SECONDS] [--commit SHA] [--actor NAME] [--no-color] [-q|--quiet]

Plans the environment against its cluster (with a server-side dry run), shows the plan, asks, and
applies it: MeshConfig, Plugins, PluginChains, PluginConfigs in that order (server-side apply, field
manager fsm-gitops, taking over the fields the repository sets), then deletes the objects fsm-gitops
created for this environment that the repository no longer has. A plan with errors is never applied.

One apply at a time per environment: a Lease fsm-gitops-<env> in the mesh namespace names the holder
and the commit, renewed while the apply runs; if it cannot be renewed, the apply stops writing. If a
step fails, what this apply wrote is restored (never over a later write by someone else) and it says
what it could not undo. Each apply is recorded in the ConfigMap fsm-gitops-history-<env> (the last 20);
when the cluster cannot take the record, it is kept in ~/.local/state/fsm-gitops/pending-history/ and
written by the next apply. With chart: { upgrade: true }, a values.yaml or chart.version change is applied
first, by helm upgrade with the chart and values the plan rendered (waiting for the rollout up to
chart.wait.timeoutSeconds, cut to --timeout); if it or a later step fails, the release is rolled back to the
revision before (helm rollback). Without it, values changes are listed as pending and never applied.

Options:
  --repo DIR              Repository checkout (default: the current directory)
  --env NAME              Environment to apply (required)
  --kubeconfig PATH       The cluster's kubeconfig (required); at most FSM_GITOPS_KUBE_CONCURRENCY
                          requests to the API server at once (default 16)
  --context [ENV=]NAME    kubeconfig context; as for plan, it must be for the environment's cluster:
                          unless given as ENV=NAME (default: the context for that cluster)
  -y, --yes               Do not ask; needed when not run on a terminal
  --commit SHA            Commit recorded on each object and in the history (default: git HEAD of --repo,
                          "-dirty" added when the working tree has changes; "unknown", with a warning,
                          outside a git checkout)
  --actor NAME            Who applies, for the lock and the history (default: user@host)
  --lock-timeout SECONDS  How long to wait for another apply of the environment (default: 120)
  --timeout SECONDS       Time limit of the whole apply, lock wait included (default: 300); when it is
                          up, nothing more is written and what was written is rolled back (up to 60 s more)
  -o, --output FILE       After the run, write the plan with its outcome to FILE (all or nothing), as JSON
                          for .json (its summary's exitCode and exitMeaning say how the apply ended),
                          Markdown for .md, else text. The plan is still shown on the terminal
  --no-color              Plain text even on a terminal
  -q, --quiet             No progress on stderr (the context, the lock, the steps as they run); the steps
                          done are listed on stdout at the end, and warnings and failures still go to stderr
  -h, --help              Show this help

Exit codes:
  0  applied, or nothing to apply
  1  the plan has errors: nothing applied
  3  could not run, or the apply failed: the message says what was written, whether it was rolled
     back, and what could not be undone
  4  declined at the question (any answer but 'yes', or Ctrl-D): nothing applied
  130, 143  stopped by Ctrl-C (SIGINT) or SIGTERM: before the writes nothing was applied; during them no
     further write started and what was written was rolled back (the message says how that ended). A
     second Ctrl-C quits at once, leaving that undone
`;
