#!/usr/bin/env bash
# Renders deploy/kubernetes and validates every object offline (validate/validate.mjs says how), with
# no cluster: .ci/run runs it. Needs kubectl (any version from 1.20, for `kubectl kustomize`), Node.js
# and npm (the validator's packages come from the npm registry, pinned by validate/package-lock.json).
# KUBECTL=path picks another kubectl. Prints the rendered manifests' path on success.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
kubectl=${KUBECTL:-kubectl}

"$here/generate-prometheusrule.sh" --check

out=$(mktemp -d "${TMPDIR:-/tmp}/tern-k8s.XXXXXX")
trap 'rm -rf "$out"' EXIT
"$kubectl" kustomize "$here" >"$out/rendered.yaml"
echo "rendered $(grep -c '^kind:' "$out/rendered.yaml") objects with $("$kubectl" version --client 2>/dev/null | head -1)"

if [ ! -d "$here/validate/node_modules" ] || [ "$here/validate/package-lock.json" -nt "$here/validate/node_modules" ]; then
  (cd "$here/validate" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
node "$here/validate/validate.mjs" "$out/rendered.yaml" "$root/docker/prometheus/alerts.yaml" "$root/docs/configuration.md"
node "$here/validate/validate.mjs" --self-test "$out/rendered.yaml" "$root/docker/prometheus/alerts.yaml" "$root/docs/configuration.md"
