// Validates the rendered manifests (`kubectl kustomize deploy/kubernetes`) offline, object by object:
//
//  1. schema: each object against the JSON schema of its kind, as the npm package kubernetes-models
//     generates it from the Kubernetes API's OpenAPI document (and @kubernetes-models/prometheus-
//     operator from the Prometheus Operator's CRDs): types, required fields, enums, formats, patterns;
//  2. strict: no field that the kind does not have, at any depth (the OpenAPI schemas allow unknown
//     fields; the API server drops or refuses them). The TypeScript compiler checks each object
//     against the kind's type declaration from the same packages, which refuses unknown properties;
//  3. Tern: what these manifests promise about Tern (see checkTern below), and that the PrometheusRule
//     holds exactly the groups of docker/prometheus/alerts.yaml.
//
// Usage: node validate.mjs RENDERED.yaml ALERTS.yaml CONFIGURATION.md
//        node validate.mjs --self-test RENDERED.yaml ALERTS.yaml CONFIGURATION.md
// --self-test breaks copies of the rendered objects in known ways and fails unless every break is
// caught, so that a validator that accepts anything cannot pass.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import YAML from "yaml";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const OPERATOR = "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

// kind's module: kubernetes-models for the Kubernetes API groups, the operator's package for its CRDs.
function moduleOf(apiVersion) {
  if (apiVersion === "monitoring.coreos.com/v1") return OPERATOR;
  return `kubernetes-models/${apiVersion}`;
}

async function modelClass(apiVersion, kind) {
  const path = moduleOf(apiVersion);
  let mod;
  try {
    mod = path === OPERATOR ? await import(path) : require(path);
  } catch (e) {
    throw new Error(`no schemas for apiVersion ${apiVersion}`);
  }
  if (typeof mod[kind] !== "function") throw new Error(`no kind ${kind} in ${apiVersion}`);
  return mod[kind];
}

const label = (o) => `${o?.kind}/${o?.metadata?.name}`;

async function schemaErrors(o) {
  if (!o || typeof o.apiVersion !== "string" || typeof o.kind !== "string") {
    return ["apiVersion and kind must be strings"];
  }
  try {
    const Model = await modelClass(o.apiVersion, o.kind);
    new Model(o).validate();
    return [];
  } catch (e) {
    return [String(e.message ?? e)];
  }
}

// Every object as a typed constant of a TypeScript file in this directory (for node_modules), compiled
// without emitting: excess-property and type errors, mapped back to their objects.
// Objects of a kind without schemas (known[i] false) are left out: the schema check reports them.
function strictErrors(objects, known) {
  const file = join(here, `.strict-check-${process.pid}.ts`);
  const lines = [];
  const ranges = objects.map(() => [-1, -1]);
  objects.forEach((o, i) => {
    if (known[i]) lines.push(`import type { I${o.kind} as T${i} } from "${moduleOf(o.apiVersion)}";`);
  });
  objects.forEach((o, i) => {
    if (!known[i]) return;
    const start = lines.length;
    lines.push(...`export const o${i}: T${i} = ${JSON.stringify(o, null, 2)};`.split("\n"));
    ranges[i] = [start, lines.length - 1];
  });
  writeFileSync(file, lines.join("\n") + "\n");
  const errors = objects.map(() => []);
  try {
    const program = ts.createProgram([file], {
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      types: [],
    });
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const text = ts.flattenDiagnosticMessageText(d.messageText, " ").slice(0, 400);
      if (!d.file) throw new Error(`TypeScript: ${text}`);
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      const i = ranges.findIndex(([a, b]) => line >= a && line <= b);
      if (i < 0) throw new Error(`TypeScript, line ${line + 1}: ${text}`);
      errors[i].push(`line ${line - ranges[i][0] + 1} of the object: ${text}`);
    }
  } finally {
    rmSync(file, { force: true });
  }
  return errors;
}

function seconds(duration) {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(duration ?? "");
  if (!m) return NaN;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2]];
}

// What deploy/kubernetes promises about Tern, checked on the rendered objects.
function ternErrors(o, ctx) {
  const errors = [];
  const check = (ok, message) => ok || errors.push(message);
  if (o.kind === "StatefulSet") {
    const pod = o.spec?.template?.spec ?? {};
    const c = (pod.containers ?? []).find((x) => x.name === "tern") ?? {};
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    for (const name of Object.keys(env).filter((n) => n.startsWith("TERN_"))) {
      check(ctx.envNames.has(name), `env ${name} is no configuration key of docs/configuration.md`);
    }
    check(pod.enableServiceLinks === false,
      "enableServiceLinks must be false: a Service named tern would put TERN_* variables that Tern refuses into the environment");
    const grace = seconds(env.TERN_SHUTDOWN_GRACE);
    const preStop = Number(c.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
    check(Number.isFinite(grace), "TERN_SHUTDOWN_GRACE must be set to a duration");
    check(pod.terminationGracePeriodSeconds > grace + preStop + 5,
      `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} must exceed preStop ${preStop} s + shutdown-grace ${grace} s + 5 s`);
    const probe = (p) => `${p?.httpGet?.path} on ${p?.httpGet?.port}`;
    check(probe(c.livenessProbe) === "/health/live on management", "liveness must be /health/live on management");
    check(probe(c.startupProbe) === "/health/live on management", "startup must be /health/live on management");
    check(probe(c.readinessProbe) === "/health/ready on management", "readiness must be /health/ready on management");
    const ports = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    for (const [name, key] of [["mx", "MX"], ["submission", "SUBMISSION"], ["smtps", "SMTPS"]]) {
      check(ports[name] > 1024 && String(ports[name]) === env[`TERN_LISTENERS_${key}_PORT`],
        `port ${name} must be above 1024 and match TERN_LISTENERS_${key}_PORT`);
    }
    check(pod.securityContext?.runAsNonRoot === true && pod.securityContext?.runAsUser > 0, "the pod must run as a non-root user");
    check(c.securityContext?.readOnlyRootFilesystem === true, "the root file system must be read-only");
    check(c.securityContext?.allowPrivilegeEscalation === false, "privilege escalation must be off");
    check(isDeepStrictEqual(c.securityContext?.capabilities?.drop, ["ALL"]), "every capability must be dropped");
    const mounts = new Set((c.volumeMounts ?? []).map((m) => m.mountPath));
    check(mounts.has("/var/lib/tern") && mounts.has("/tmp"), "the data directory and /tmp must be mounted");
    check((o.spec?.volumeClaimTemplates ?? []).some((t) => t.metadata?.name === "data"), "each pod needs its volume claim data");
    for (const r of ["requests", "limits"]) {
      check(c.resources?.[r]?.cpu && c.resources?.[r]?.memory, `resources.${r} needs cpu and memory`);
    }
  }
  if (o.kind === "Service" && o.spec?.type === "LoadBalancer") {
    check(o.spec.externalTrafficPolicy === "Local", "the LoadBalancer Service must keep client addresses (externalTrafficPolicy: Local)");
    check(!(o.spec.ports ?? []).some((p) => p.targetPort === "management" || p.port === 9465),
      "the management listener (admin API) must not be behind the load balancer");
  }
  if (o.kind === "PrometheusRule") {
    check(isDeepStrictEqual(o.spec?.groups, ctx.alerts.groups),
      "spec.groups differ from docker/prometheus/alerts.yaml: run deploy/kubernetes/generate-prometheusrule.sh");
  }
  return errors;
}

async function validate(objects, ctx) {
  const schema = [];
  for (const o of objects) schema.push(await schemaErrors(o));
  const known = await Promise.all(objects.map((o) => modelClass(o?.apiVersion, o?.kind).then(() => true, () => false)));
  const strict = strictErrors(objects, known);
  const results = [];
  for (const [i, o] of objects.entries()) {
    const errors = [...schema[i], ...strict[i], ...ternErrors(o, ctx)];
    results.push({ name: label(o), errors });
  }
  const kinds = new Set(objects.map((o) => o.kind));
  const missing = ["StatefulSet", "Service", "PodDisruptionBudget", "ConfigMap", "ServiceMonitor", "PrometheusRule"]
    .filter((k) => !kinds.has(k));
  if (missing.length) results.push({ name: "the manifests", errors: [`no ${missing.join(", ")}`] });
  return results;
}

// Breaks that the validator must catch, each on a fresh copy of the rendered objects.
const BREAKS = {
  "an unknown field deep in the pod": (os) => { sts(os).spec.template.spec.containers[0].securityContext.runAsNonRot = true; },
  "an unknown field in a ServiceMonitor endpoint": (os) => { find(os, "ServiceMonitor").spec.endpoints[0].intervall = "15s"; },
  "a port number as a string": (os) => { sts(os).spec.template.spec.containers[0].ports[0].containerPort = "2525"; },
  "a StatefulSet without selector": (os) => { delete sts(os).spec.selector; },
  "a bad duration in a PrometheusRule": (os) => { find(os, "PrometheusRule").spec.groups[0].rules[0].for = "2 minutes"; },
  "an unknown apiVersion": (os) => { find(os, "PodDisruptionBudget").apiVersion = "policy/v9"; },
  "a rule out of step with alerts.yaml": (os) => { find(os, "PrometheusRule").spec.groups[0].rules[0].expr = "up == 0"; },
  "a TERN_ variable Tern does not know": (os) => { sts(os).spec.template.spec.containers[0].env.push({ name: "TERN_LISTENER_MX_PORT", value: "2525" }); },
  "a termination grace shorter than shutdown-grace": (os) => { sts(os).spec.template.spec.terminationGracePeriodSeconds = 30; },
  "service links on": (os) => { sts(os).spec.template.spec.enableServiceLinks = true; },
  "a writable root file system": (os) => { sts(os).spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false; },
  "the admin API behind the load balancer": (os) => { lb(os).spec.ports.push({ name: "admin", port: 9465, targetPort: "management" }); },
};
const find = (os, kind) => os.find((o) => o.kind === kind);
const sts = (os) => find(os, "StatefulSet");
const lb = (os) => os.find((o) => o.kind === "Service" && o.spec?.type === "LoadBalancer");

async function main(argv) {
  const selfTest = argv[0] === "--self-test";
  const [rendered, alertsFile, configurationMd] = selfTest ? argv.slice(1) : argv;
  if (!rendered || !alertsFile || !configurationMd) {
    console.error("usage: node validate.mjs [--self-test] RENDERED.yaml ALERTS.yaml CONFIGURATION.md");
    return 2;
  }
  const docs = YAML.parseAllDocuments(readFileSync(rendered, "utf8"));
  const bad = docs.find((d) => d.errors.length);
  if (bad) throw new Error(`${rendered}: ${bad.errors[0].message}`);
  const objects = docs.map((d) => d.toJS()).filter((o) => o !== null);
  const ctx = {
    alerts: YAML.parse(readFileSync(alertsFile, "utf8")),
    envNames: new Set(readFileSync(configurationMd, "utf8").match(/TERN_[A-Z0-9_]+/g) ?? []),
  };

  if (!selfTest) {
    const results = await validate(objects, ctx);
    for (const r of results) {
      console.log(r.errors.length ? `FAIL ${r.name}` : `ok   ${r.name}`);
      for (const e of r.errors) console.log(`     ${e}`);
    }
    const failed = results.filter((r) => r.errors.length).length;
    console.log(`kubernetes: ${results.length - failed} passed, ${failed} failed`);
    return failed ? 1 : 0;
  }

  let failed = 0;
  const clean = await validate(structuredClone(objects), ctx);
  if (clean.some((r) => r.errors.length)) {
    console.log("FAIL the unbroken manifests do not validate: run without --self-test");
    failed++;
  }
  for (const [name, breakIt] of Object.entries(BREAKS)) {
    const copy = structuredClone(objects);
    breakIt(copy);
    const caught = (await validate(copy, ctx)).flatMap((r) => r.errors.map((e) => `${r.name}: ${e}`));
    console.log(caught.length ? `ok   caught ${name}: ${caught[0].slice(0, 160)}` : `FAIL missed ${name}`);
    if (!caught.length) failed++;
  }
  const total = Object.keys(BREAKS).length + 1;
  console.log(`kubernetes self-test: ${total - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => { console.error(`validate.mjs: ${e.stack ?? e}`); process.exit(2); },
);
