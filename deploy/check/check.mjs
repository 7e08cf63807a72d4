// Offline checks of HvMirror's deployment files, run by scripts/check-deploy.sh (which renders the overlays first).
//
//   node check.mjs k8s <overlay>=<rendered.yaml>...   schemas (kubernetes-models, @kubernetes-models/keda), structural
//                                                      checks of the operator CRDs, and our invariants
//   node check.mjs compose <docker-compose.yml>       images, build paths, mounts, dependencies, Prometheus, Grafana
//   node check.mjs dockerfiles                        each Dockerfile's project and ENTRYPOINT dll (prints TSV:
//                                                      image, dockerfile, project, dll — the script publishes them)
//
// Every problem is printed as "error: <where>: <what>"; the exit code is 1 when there was any.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const images = JSON.parse(fs.readFileSync(path.join(repo, "deploy/images.json"), "utf8"));
const errors = [];
const fail = (where, what) => errors.push(`${where}: ${what}`);

// The roles we run, and what a Deployment of each must have.
const ROLES = ["poller", "comparer", "fetcher", "server", "helioviewer-writer", "follower"];
// The writer reads the files it writes rows for, the follower hashes them in place: both need the shared archive.
const ARCHIVE_WRITERS = ["fetcher", "server", "helioviewer-writer", "follower"];
// Metric names the code exports (README/issue "Run it like production"); the dashboard must use each.
const METRICS = [
  "hvmirror_files_announced_total", "hvmirror_files_needed_total", "hvmirror_files_ingested_total",
  "hvmirror_files_failed_total", "hvmirror_bytes_fetched_total", "hvmirror_download_duration_seconds",
  "hvmirror_mirror_lag_seconds", "hvmirror_cursor_age_seconds",
  // The audit's, per upstream and dataset (the dashboard's "Audit" row).
  "hvmirror_audit_completeness_ratio", "hvmirror_audit_missing", "hvmirror_audit_stale",
  "hvmirror_audit_oldest_missing_day_seconds", "hvmirror_audit_age_seconds",
];
// Secrets an overlay references but does not render: created by an operator or by whoever runs the cluster.
const EXTERNAL_SECRETS = {
  production: {
    "hvmirror-db-app": "CloudNativePG (Cluster hvmirror-db)",
    "hvmirror-rabbitmq-default-user": "RabbitMQ Cluster Operator (RabbitmqCluster hvmirror-rabbitmq)",
    "hvmirror-keda-rabbitmq": "the cluster's operator (kubectl create secret, see the overlay's kustomization.yaml)",
    "hvmirror-tls": "cert-manager (Ingress annotation)",
    "hvmirror-helioviewer": "the operator of a Helioviewer server (its database connection string; see k8s/README.md)",
  },
};

// ---------------------------------------------------------------------------------------------------- images
function imageProblem(image) {
  if (!image) return "no image";
  if (images.public.includes(image)) return null;
  const at = image.lastIndexOf(":");
  const slash = image.lastIndexOf("/");
  if (at <= slash) return `image ${image} has no tag (pin one)`;
  const repoPart = image.slice(0, at), tag = image.slice(at + 1);
  const name = repoPart.slice(repoPart.lastIndexOf("/") + 1);
  if (!(name in images.built))
    return `image ${image} is neither one we build (${Object.keys(images.built).join(", ")}) nor a pinned public image of deploy/images.json (${images.public.join(", ")})`;
  if (tag === "latest" || tag === "") return `image ${image}: pin a tag, not "${tag}"`;
  return null;
}
const builtName = (image) => {
  const repoPart = image.slice(0, image.lastIndexOf(":") > image.lastIndexOf("/") ? image.lastIndexOf(":") : image.length);
  const name = repoPart.slice(repoPart.lastIndexOf("/") + 1);
  return name in images.built ? name : null;
};

// ---------------------------------------------------------------------------------------------------- k8s
const GROUP_MODULES = {
  "keda.sh/v1alpha1": "@kubernetes-models/keda/keda.sh/v1alpha1",
};
async function modelFor(apiVersion, kind) {
  const mod = GROUP_MODULES[apiVersion] ?? `kubernetes-models/${apiVersion}`;
  try {
    const m = await import(mod);
    return m[kind] ?? null;
  } catch {
    return null;
  }
}

// CRDs without published models: the fields we rely on, checked by hand.
const STRUCTURAL = {
  "rabbitmq.com/v1beta1/RabbitmqCluster": (r, where) => {
    const s = r.spec ?? {};
    if (!Number.isInteger(s.replicas) || s.replicas < 3 || s.replicas % 2 === 0)
      fail(where, `spec.replicas must be an odd integer >= 3 for quorum queues (is ${s.replicas})`);
    if (s.image !== undefined) { const p = imageProblem(s.image); if (p) fail(where, p); }
    for (const k of ["requests", "limits"]) if (!s.resources?.[k]?.cpu || !s.resources?.[k]?.memory) fail(where, `spec.resources.${k} needs cpu and memory`);
    if (!s.persistence?.storage) fail(where, "spec.persistence.storage missing");
    const known = new Set(["replicas", "image", "imagePullSecrets", "service", "persistence", "resources", "affinity", "tolerations",
      "rabbitmq", "tls", "override", "skipPostDeploySteps", "terminationGracePeriodSeconds", "delayStartSeconds", "secretBackend", "autoEnableAllFeatureFlags"]);
    for (const k of Object.keys(s)) if (!known.has(k)) fail(where, `unknown field spec.${k}`);
  },
  "postgresql.cnpg.io/v1/Cluster": (r, where) => {
    const s = r.spec ?? {};
    if (!Number.isInteger(s.instances) || s.instances < 1) fail(where, "spec.instances must be a positive integer");
    if (!s.storage?.size) fail(where, "spec.storage.size missing");
    if (s.imageName !== undefined) { const p = imageProblem(s.imageName); if (p) fail(where, p); }
    if (!s.bootstrap?.initdb?.database || !s.bootstrap?.initdb?.owner) fail(where, "spec.bootstrap.initdb needs database and owner (its app secret <name>-app is what the hosts read)");
    for (const k of ["requests", "limits"]) if (!s.resources?.[k]?.cpu || !s.resources?.[k]?.memory) fail(where, `spec.resources.${k} needs cpu and memory`);
    const params = s.postgresql?.parameters ?? {};
    for (const [k, v] of Object.entries(params)) if (typeof v !== "string") fail(where, `spec.postgresql.parameters.${k} must be a string`);
  },
};

const podSpecOf = (r) => r.kind === "CronJob" ? r.spec?.jobTemplate?.spec?.template?.spec
  : ["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"].includes(r.kind) ? r.spec?.template?.spec : null;

const parseTimeSpan = (s) => {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?$/.exec(String(s ?? ""));
  return m ? (+(m[1] ?? 0)) * 86400 + (+m[2]) * 3600 + (+m[3]) * 60 + (+m[4]) : null;
};

function expectedFetcherQueue() {
  // The README's queue table is the documented contract ("`file-needed` | fetcher"); the .NET test
  // (tests/HvMirror.Deployment.Tests) compares the rendered ScaledObject with the name computed from the code.
  const readme = fs.readFileSync(path.join(repo, "README.md"), "utf8");
  const m = /^\|\s*`([a-z0-9-]+)`\s*\|\s*fetcher\b/m.exec(readme);
  return m ? m[1] : null;
}

async function checkOverlay(overlay, file) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
  const resources = [];
  for (const d of docs) {
    if (d.errors.length) { fail(`${overlay}`, `YAML: ${d.errors[0].message}`); continue; }
    const r = d.toJS();
    // kustomize wraps long base64 values of Secret data; Go's decoder (the API server's) ignores the newlines.
    if (r?.kind === "Secret" && r.data) for (const k of Object.keys(r.data)) r.data[k] = String(r.data[k]).replace(/\s+/g, "");
    if (r) resources.push(r);
  }
  if (resources.length === 0) { fail(overlay, "renders nothing"); return; }
  const key = (r) => `${overlay}: ${r.kind}/${r.metadata?.name}`;
  const byKind = (kind) => resources.filter((r) => r.kind === kind);
  const find = (kind, name) => resources.find((r) => r.kind === kind && r.metadata?.name === name);

  // Schemas.
  for (const r of resources) {
    const where = key(r);
    const structural = STRUCTURAL[`${r.apiVersion}/${r.kind}`];
    if (structural) { structural(r, where); continue; }
    const Model = await modelFor(r.apiVersion, r.kind);
    if (!Model) { fail(where, `no schema for ${r.apiVersion} ${r.kind} (add a model or a structural check)`); continue; }
    try { new Model(r).validate(); } catch (e) { fail(where, `schema: ${e.message}`); }
  }

  const config = find("ConfigMap", "hvmirror-config");
  if (!config) fail(overlay, "ConfigMap hvmirror-config missing");
  const cfg = config?.data ?? {};
  for (const v of ["ASPNETCORE_URLS", "HvMirror__Archive", "HvMirror__PublicUrl", "HvMirror__Upstreams__0__Name", "HvMirror__Upstreams__0__Url",
    "HvMirror__Upstreams__0__Datasets__0", "HvMirror__Upstreams__0__PollInterval", "HvMirror__Fetcher__ConcurrentDownloads",
    "HvMirror__ConsumerStopTimeout", "OTEL_EXPORTER_OTLP_ENDPOINT"])
    if (!(v in cfg)) fail(`${overlay}: ConfigMap/hvmirror-config`, `${v} missing`);
  if (cfg.HvMirror__Upstreams__0__Url && !/\/hapi$/.test(cfg.HvMirror__Upstreams__0__Url)) fail(`${overlay}: ConfigMap/hvmirror-config`, "HvMirror__Upstreams__0__Url must end with /hapi");
  const consumerStop = parseTimeSpan(cfg.HvMirror__ConsumerStopTimeout);
  const hostShutdown = cfg.shutdownTimeoutSeconds !== undefined ? Number(cfg.shutdownTimeoutSeconds) : null;
  if (cfg.HvMirror__ConsumerStopTimeout && consumerStop === null) fail(`${overlay}: ConfigMap/hvmirror-config`, `HvMirror__ConsumerStopTimeout "${cfg.HvMirror__ConsumerStopTimeout}" is not hh:mm:ss`);
  if (hostShutdown !== null && consumerStop !== null && !(hostShutdown > consumerStop))
    fail(`${overlay}: ConfigMap/hvmirror-config`, `shutdownTimeoutSeconds (${hostShutdown}) must exceed HvMirror__ConsumerStopTimeout (${consumerStop} s)`);

  const secretNames = new Set(byKind("Secret").map((s) => s.metadata.name));
  const configMapNames = new Set(byKind("ConfigMap").map((s) => s.metadata.name));
  const external = EXTERNAL_SECRETS[overlay] ?? {};
  const secretRef = (where, name) => { if (name && !secretNames.has(name) && !(name in external)) fail(where, `references Secret ${name}, which is neither rendered nor a known external secret`); };

  // Workloads.
  for (const r of resources) {
    const pod = podSpecOf(r);
    if (!pod) continue;
    const where = key(r);
    const long = ["Deployment", "StatefulSet", "DaemonSet"].includes(r.kind);
    if (pod.securityContext?.runAsNonRoot !== true) fail(where, "pod securityContext.runAsNonRoot must be true");
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      const cw = `${where} container ${c.name}`;
      const p = imageProblem(c.image); if (p) fail(cw, p);
      if (long && !(pod.initContainers ?? []).includes(c)) {
        if (!c.livenessProbe) fail(cw, "no livenessProbe");
        if (!c.readinessProbe) fail(cw, "no readinessProbe");
      }
      for (const k of ["requests", "limits"]) for (const res of ["cpu", "memory"])
        if (!c.resources?.[k]?.[res]) fail(cw, `no resources.${k}.${res}`);
      const sc = c.securityContext ?? {};
      if (sc.allowPrivilegeEscalation !== false) fail(cw, "securityContext.allowPrivilegeEscalation must be false");
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) fail(cw, "securityContext.capabilities.drop must include ALL");
      if (sc.privileged) fail(cw, "privileged");
      if (builtName(c.image ?? "") && sc.readOnlyRootFilesystem !== true) fail(cw, "our images run with readOnlyRootFilesystem: true");
      for (const e of c.envFrom ?? []) {
        if (e.secretRef) secretRef(cw, e.secretRef.name);
        if (e.configMapRef && !configMapNames.has(e.configMapRef.name)) fail(cw, `references ConfigMap ${e.configMapRef.name}, not rendered`);
      }
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) secretRef(cw, e.valueFrom.secretKeyRef.name);
    }
    for (const v of pod.volumes ?? []) {
      if (v.persistentVolumeClaim && !find("PersistentVolumeClaim", v.persistentVolumeClaim.claimName))
        fail(where, `volume ${v.name}: PersistentVolumeClaim ${v.persistentVolumeClaim.claimName} not rendered`);
      if (v.secret) secretRef(where, v.secret.secretName);
      if (v.configMap && !configMapNames.has(v.configMap.name)) fail(where, `volume ${v.name}: ConfigMap ${v.configMap.name} not rendered`);
    }
  }

  // Our roles.
  for (const role of ROLES) {
    const d = find("Deployment", `hvmirror-${role}`);
    const where = `${overlay}: Deployment/hvmirror-${role}`;
    if (!d) { fail(where, "missing"); continue; }
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    if (builtName(c.image ?? "") !== `hvmirror-${role}`) fail(where, `runs ${c.image}, expected our hvmirror-${role} image`);
    if (c.livenessProbe?.httpGet?.path !== "/health/live") fail(where, "livenessProbe must GET /health/live");
    if (c.readinessProbe?.httpGet?.path !== "/health/ready") fail(where, "readinessProbe must GET /health/ready");
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    if (consumerStop !== null && !(grace > consumerStop)) fail(where, `terminationGracePeriodSeconds (${grace}) must exceed HvMirror__ConsumerStopTimeout (${consumerStop} s)`);
    if (hostShutdown !== null && !(grace > hostShutdown)) fail(where, `terminationGracePeriodSeconds (${grace}) must exceed shutdownTimeoutSeconds (${hostShutdown})`);
    const envNames = new Set((c.env ?? []).map((e) => e.name));
    const fromConfig = (c.envFrom ?? []).some((e) => e.configMapRef?.name === "hvmirror-config");
    if (!fromConfig) fail(where, "does not read ConfigMap hvmirror-config (envFrom)");
    const fromSecret = (c.envFrom ?? []).some((e) => e.secretRef);
    for (const v of ["ConnectionStrings__Catalog", "ConnectionStrings__RabbitMq"])
      if (!envNames.has(v) && !fromSecret) fail(where, `${v} is not set (env or envFrom secretRef)`);
    if (!envNames.has("OTEL_SERVICE_NAME")) fail(where, "OTEL_SERVICE_NAME not set");
    const archiveMount = (c.volumeMounts ?? []).find((m) => m.mountPath === (cfg.HvMirror__Archive ?? "/archive"));
    if (!archiveMount) fail(where, `nothing mounted at the archive path ${cfg.HvMirror__Archive}`);
    if (ARCHIVE_WRITERS.includes(role)) {
      const vol = (pod.volumes ?? []).find((v) => v.name === archiveMount?.name);
      if (vol?.persistentVolumeClaim?.claimName !== "hvmirror-archive") fail(where, "must mount the shared archive PVC hvmirror-archive at the archive path");
    }
    const pdb = byKind("PodDisruptionBudget").find((p) =>
      Object.entries(p.spec?.selector?.matchLabels ?? {}).every(([k, v]) => d.spec.template.metadata.labels?.[k] === v));
    if (!pdb) fail(where, "no PodDisruptionBudget selects its pods");
  }
  const pvc = find("PersistentVolumeClaim", "hvmirror-archive");
  if (!pvc) fail(overlay, "PersistentVolumeClaim hvmirror-archive missing");
  else if (overlay !== "dev" && !(pvc.spec.accessModes ?? []).includes("ReadWriteMany"))
    fail(`${overlay}: PersistentVolumeClaim/hvmirror-archive`, "must be ReadWriteMany (fetchers on many nodes and the server share it)");

  // The migration Job.
  const job = find("Job", "hvmirror-migrate");
  if (!job) fail(overlay, "Job hvmirror-migrate missing");
  else {
    const c = job.spec.template.spec.containers[0];
    if (builtName(c.image ?? "") !== "hvmirror-cli" || !(c.args ?? c.command ?? []).includes("migrate"))
      fail(`${overlay}: Job/hvmirror-migrate`, "must run `hvmirror migrate` from the hvmirror-cli image");
  }

  // The HAPI server's Service (and Ingress).
  const svc = find("Service", "hvmirror-server");
  if (!svc) fail(overlay, "Service hvmirror-server missing");
  for (const ing of byKind("Ingress"))
    for (const rule of ing.spec?.rules ?? []) for (const p of rule.http?.paths ?? [])
      if (!find("Service", p.backend?.service?.name)) fail(key(ing), `backend Service ${p.backend?.service?.name} not rendered`);
  for (const ing of byKind("Ingress")) for (const t of ing.spec?.tls ?? []) secretRef(key(ing), t.secretName);
  if (overlay === "production") {
    if (byKind("Ingress").length === 0) fail(overlay, "no Ingress for the HAPI server");
    if (byKind("RabbitmqCluster").length !== 1) fail(overlay, "expects one RabbitmqCluster");
    if (byKind("Cluster").filter((c) => c.apiVersion.startsWith("postgresql.cnpg.io/")).length !== 1) fail(overlay, "expects one CloudNativePG Cluster");
    if (cfg.HvMirror__Messaging__QuorumQueues !== "true") fail(overlay, "production declares quorum queues (HvMirror__Messaging__QuorumQueues: \"true\")");
  }

  // KEDA.
  const expectedQueue = expectedFetcherQueue();
  if (!expectedQueue) fail("README.md", "no `queue` | fetcher row in the Queues table");
  const scaled = byKind("ScaledObject");
  if (scaled.length !== 1) fail(overlay, `expects one ScaledObject (the fetchers'), found ${scaled.length}`);
  for (const so of scaled) {
    const where = key(so);
    if (so.spec.scaleTargetRef?.name !== "hvmirror-fetcher" || !find("Deployment", so.spec.scaleTargetRef.name))
      fail(where, "must scale the Deployment hvmirror-fetcher");
    if (!(so.spec.minReplicaCount >= 1 && so.spec.maxReplicaCount > so.spec.minReplicaCount))
      fail(where, "needs minReplicaCount >= 1 and maxReplicaCount > minReplicaCount");
    const triggers = so.spec.triggers ?? [];
    if (triggers.length !== 1 || triggers[0].type !== "rabbitmq") fail(where, "expects one trigger of type rabbitmq");
    for (const t of triggers) {
      if (t.metadata?.queueName !== expectedQueue) fail(where, `queueName "${t.metadata?.queueName}" is not the fetcher's queue "${expectedQueue}"`);
      if (t.metadata?.protocol !== "http") fail(where, "protocol must be http (so unacknowledged messages, held by fetchers, count)");
      if (t.metadata?.mode !== "QueueLength") fail(where, "mode must be QueueLength");
      const ta = find("TriggerAuthentication", t.authenticationRef?.name);
      if (!ta) fail(where, `TriggerAuthentication ${t.authenticationRef?.name} not rendered`);
      else {
        const host = (ta.spec.secretTargetRef ?? []).find((s) => s.parameter === "host");
        if (!host) fail(key(ta), "needs a secretTargetRef for parameter host (the management URL)");
        else secretRef(key(ta), host.name);
      }
    }
    const fetcher = find("Deployment", "hvmirror-fetcher");
    if (fetcher && fetcher.spec.replicas !== undefined) fail(`${overlay}: Deployment/hvmirror-fetcher`, "sets spec.replicas, which fights KEDA on every apply");
  }
}

// ---------------------------------------------------------------------------------------------------- dockerfiles
function assemblyName(csproj) {
  const text = fs.readFileSync(path.join(repo, csproj), "utf8");
  const m = /<AssemblyName>([^<]+)<\/AssemblyName>/.exec(text);
  return m ? m[1].trim() : path.basename(csproj, ".csproj");
}

function checkDockerfiles() {
  const rows = [];
  for (const [image, dockerfile] of Object.entries(images.built)) {
    const where = dockerfile;
    const full = path.join(repo, dockerfile);
    if (!fs.existsSync(full)) { fail(where, "missing"); continue; }
    const text = fs.readFileSync(full, "utf8").replace(/\\\n/g, " ");
    const froms = [...text.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => m[1]);
    if (!/^mcr\.microsoft\.com\/dotnet\/sdk:10\.0/.test(froms[0] ?? "")) fail(where, `build stage must be mcr.microsoft.com/dotnet/sdk:10.0, is ${froms[0]}`);
    const runtime = froms.at(-1) ?? "";
    if (froms.length < 2) fail(where, "must be multi-stage (sdk build, aspnet runtime)");
    if (!/^mcr\.microsoft\.com\/dotnet\/aspnet:10\.0(-[a-z0-9.-]+)?$/.test(runtime)) fail(where, `runtime stage must be mcr.microsoft.com/dotnet/aspnet:10.0[-variant], is ${runtime}`);
    const users = [...text.matchAll(/^USER\s+(\S+)/gim)].map((m) => m[1]);
    const user = users.at(-1);
    if (!user || user === "root" || user === "0" || user.startsWith("0:")) fail(where, `must end as a non-root USER (is ${user ?? "unset"})`);
    else if (!/^\d+$/.test(user) && user !== "$APP_UID") fail(where, `USER ${user}: use a numeric uid so that Kubernetes can verify runAsNonRoot`);
    for (const m of text.matchAll(/^COPY\s+(?!--from)(.*)$/gim)) {
      const parts = m[1].trim().split(/\s+/).filter((p) => !p.startsWith("--"));
      for (const src of parts.slice(0, -1)) if (!fs.existsSync(path.join(repo, src))) fail(where, `COPY source ${src} does not exist (build context: the repository root)`);
    }
    const publish = /dotnet\s+publish\s+(\S+\.csproj)/.exec(text);
    if (!publish) { fail(where, "no `dotnet publish <project>.csproj`"); continue; }
    const project = publish[1];
    if (!fs.existsSync(path.join(repo, project))) { fail(where, `publishes ${project}, which does not exist`); continue; }
    const entry = /^ENTRYPOINT\s+\[\s*"dotnet"\s*,\s*"([^"]+\.dll)"/im.exec(text);
    if (!entry) { fail(where, 'no ENTRYPOINT ["dotnet", "<assembly>.dll"]'); continue; }
    const expected = `${assemblyName(project)}.dll`;
    if (entry[1] !== expected) fail(where, `ENTRYPOINT runs ${entry[1]}, but ${project} builds ${expected}`);
    if (!fs.existsSync(full + ".dockerignore")) fail(where, `no ${path.basename(dockerfile)}.dockerignore beside it (bin/ and obj/ of the host would enter the build)`);
    rows.push([image, dockerfile, project, entry[1]].join("\t"));
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------- compose
function checkCompose(file) {
  const where = path.relative(repo, file);
  const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"), { merge: true });
  if (doc.errors.length) { fail(where, `YAML: ${doc.errors.map((e) => e.message).join("; ")}`); return; }
  const compose = doc.toJS({ maxAliasCount: -1 });
  const services = compose.services ?? {};
  const names = Object.keys(services);
  for (const required of ["rabbitmq", "postgres", "jaeger", "prometheus", "grafana", "demo-primary", ...ROLES])
    if (!names.includes(required)) fail(where, `no service ${required}`);
  const volumes = new Set(Object.keys(compose.volumes ?? {}));
  for (const [name, s] of Object.entries(services)) {
    const sw = `${where}: services.${name}`;
    if (!s.image) { fail(sw, "no image"); continue; }
    const built = builtName(s.image);
    if (s.build) {
      if (!built) fail(sw, `builds ${s.image}, which is not one of deploy/images.json's built images`);
      const context = path.resolve(path.dirname(file), s.build.context ?? ".");
      if (!fs.existsSync(context)) fail(sw, `build.context ${s.build.context} does not exist`);
      const dockerfile = path.resolve(context, s.build.dockerfile ?? "Dockerfile");
      if (!fs.existsSync(dockerfile)) fail(sw, `build.dockerfile ${s.build.dockerfile} does not exist`);
      else if (built && path.resolve(repo, images.built[built]) !== dockerfile) fail(sw, `${built} is built from ${images.built[built]}, not ${s.build.dockerfile}`);
      const p = imageProblem(s.image); if (p) fail(sw, p);
    } else {
      if (built) fail(sw, `uses our image ${s.image} without a build section`);
      else if (!images.public.includes(s.image)) fail(sw, `image ${s.image} is not a pinned public image of deploy/images.json`);
    }
    for (const v of s.volumes ?? []) {
      const spec = typeof v === "string" ? v : `${v.source}:${v.target}`;
      const src = spec.split(":")[0];
      if (src.startsWith(".") || src.startsWith("/")) { if (!fs.existsSync(path.resolve(path.dirname(file), src))) fail(sw, `mounts ${src}, which does not exist`); }
      else if (!volumes.has(src)) fail(sw, `named volume ${src} is not declared under volumes:`);
    }
    const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
    for (const d of deps) if (!names.includes(d)) fail(sw, `depends_on ${d}, which is not a service`);
    for (const [d, c] of Object.entries(Array.isArray(s.depends_on) ? {} : s.depends_on ?? {}))
      if (c?.condition === "service_healthy" && !services[d]?.healthcheck) fail(sw, `waits for ${d} to be healthy, but ${d} has no healthcheck`);
  }
  for (const role of ROLES) {
    const s = services[role]; if (!s) continue;
    const env = s.environment ?? {};
    for (const v of ["ConnectionStrings__Catalog", "ConnectionStrings__RabbitMq", "HvMirror__Archive", "HvMirror__Upstreams__0__Url", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME"])
      if (!(v in env)) fail(`${where}: services.${role}`, `environment ${v} missing`);
    if (builtName(s.image ?? "") !== `hvmirror-${role}`) fail(`${where}: services.${role}`, `must run hvmirror-${role}`);
  }
  if ((services.fetcher?.deploy?.replicas ?? 1) < 2) fail(`${where}: services.fetcher`, "run two fetchers (deploy.replicas: 2)");
  const archiveOf = (s) => (s?.volumes ?? []).map((v) => typeof v === "string" ? v : `${v.source}:${v.target}`).find((v) => v.split(":")[1] === "/archive")?.split(":")[0];
  if (!archiveOf(services.fetcher) || archiveOf(services.fetcher) !== archiveOf(services.server)) fail(where, "fetcher and server must share one archive volume at /archive");

  // Prometheus and Grafana.
  const prom = YAML.parse(fs.readFileSync(path.join(repo, "deploy/prometheus/prometheus.yml"), "utf8"));
  const promText = JSON.stringify(prom);
  for (const role of ROLES) if (!promText.includes(`"${role}"`)) fail("deploy/prometheus/prometheus.yml", `does not scrape ${role}`);
  if (!promText.includes("rabbitmq:15692")) fail("deploy/prometheus/prometheus.yml", "does not scrape rabbitmq_prometheus (rabbitmq:15692)");
  const dashDir = path.join(repo, "deploy/grafana/dashboards");
  const dashboards = fs.existsSync(dashDir) ? fs.readdirSync(dashDir).filter((f) => f.endsWith(".json")) : [];
  if (dashboards.length === 0) fail("deploy/grafana/dashboards", "no dashboard");
  let exprs = "";
  for (const f of dashboards) {
    try {
      const d = JSON.parse(fs.readFileSync(path.join(dashDir, f), "utf8"));
      for (const p of d.panels ?? []) for (const t of p.targets ?? []) exprs += `${t.expr}\n`;
    } catch (e) { fail(`deploy/grafana/dashboards/${f}`, `not JSON: ${e.message}`); }
  }
  for (const m of METRICS) if (!exprs.includes(m)) fail("deploy/grafana/dashboards", `no panel uses ${m}`);
  for (const q of ["rabbitmq_detailed_queue_messages_ready", "rabbitmq_detailed_queue_messages_unacked"]) if (!exprs.includes(q)) fail("deploy/grafana/dashboards", `no panel shows queue depth (${q})`);
  for (const p of ["deploy/grafana/provisioning/datasources/prometheus.yml", "deploy/grafana/provisioning/dashboards/hvmirror.yml"])
    try { YAML.parse(fs.readFileSync(path.join(repo, p), "utf8")); } catch (e) { fail(p, e.message); }
}

// ---------------------------------------------------------------------------------------------------- main
const [command, ...args] = process.argv.slice(2);
for (const p of images.public) if (!/:[^/]+$/.test(p) || p.endsWith(":latest")) fail("deploy/images.json", `public image ${p} must have a pinned tag`);
if (command === "k8s") {
  for (const a of args) { const [overlay, file] = a.split("="); await checkOverlay(overlay, file); }
} else if (command === "compose") {
  checkCompose(path.resolve(args[0] ?? path.join(repo, "docker-compose.yml")));
} else if (command === "dockerfiles") {
  const rows = checkDockerfiles();
  if (errors.length === 0) console.log(rows.join("\n"));
} else {
  console.error("usage: node check.mjs k8s <overlay>=<file>... | compose <file> | dockerfiles");
  process.exit(2);
}
for (const e of errors) console.error(`error: ${e}`);
process.exit(errors.length ? 1 : 0);
