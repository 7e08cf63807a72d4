#!/usr/bin/env bash
# Checks HvMirror's deployment files offline (no cluster, no Docker engine needed):
#
#   1. renders every Kustomize overlay (k8s/overlays/*) with `kubectl kustomize`;
#   2. validates every rendered resource against the Kubernetes schemas (npm kubernetes-models, and
#      @kubernetes-models/keda for ScaledObject/TriggerAuthentication; RabbitmqCluster and the CloudNativePG Cluster get
#      structural checks) and our invariants: probes (/health/live, /health/ready) and requests+limits on every
#      long-running container, non-root and no capabilities, only our images (deploy/images.json) or pinned public
#      ones, grace period > host shutdown timeout > consumer stop timeout, PodDisruptionBudgets, the shared ReadWriteMany
#      archive, the migration Job, the server's Service/Ingress, every referenced Secret/ConfigMap, and the KEDA
#      ScaledObject: rabbitmq over http on the fetcher's queue (the README's `file-needed`);
#   3. checks docker-compose.yml: images (ours built from existing Dockerfiles, the others pinned), mounts, volumes,
#      dependencies, two fetchers sharing the archive with the server, Prometheus targets, the Grafana dashboard's
#      metrics; and `docker compose config` when a compose client is installed;
#   4. for each Dockerfile: the project it publishes exists, its ENTRYPOINT dll is that project's assembly, and
#      `dotnet publish -c Release <project>` (what the Dockerfile runs) really produces that dll.
#
# Needs: kubectl (Debian: apt-get install kubernetes-client), node >= 20 and npm (deploy/check/package.json pins the
# validators; installed here with `npm ci`), the .NET 10 SDK. Exits non-zero, naming each problem, when anything fails.
# CHECK_DEPLOY_SKIP_PUBLISH=1 skips step 4's publishes (the static Dockerfile checks still run).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { echo "[check-deploy] $*"; }
problems=0
problem() { echo "[check-deploy] FAILED: $*" >&2; problems=$((problems + 1)); }

work="$(mktemp -d /tmp/hvmirror-check-deploy.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# --- Tools ------------------------------------------------------------------------------------------------------
missing=()
command -v kubectl >/dev/null || missing+=("kubectl (Debian: apt-get install kubernetes-client)")
command -v node >/dev/null || missing+=("node >= 20 (Debian: apt-get install nodejs)")
command -v npm >/dev/null || missing+=("npm (Debian: apt-get install npm)")
command -v dotnet >/dev/null || missing+=("the .NET 10 SDK (dotnet)")
if [ ${#missing[@]} -gt 0 ]; then
    for m in "${missing[@]}"; do echo "[check-deploy] error: missing $m" >&2; done
    exit 2
fi

say "installing the validators (deploy/check/package-lock.json)"
if ! (cd deploy/check && npm ci --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1); then
    cat "$work/npm.log" >&2
    echo "[check-deploy] error: npm ci in deploy/check failed (above)" >&2
    exit 2
fi

# --- 1+2. Kubernetes ----------------------------------------------------------------------------------------------
overlays=()
for dir in k8s/overlays/*/; do
    name="$(basename "$dir")"
    if kubectl kustomize "$dir" >"$work/$name.yaml" 2>"$work/$name.err"; then
        say "rendered k8s/overlays/$name: $(grep -c '^kind:' "$work/$name.yaml") resources"
        overlays+=("$name=$work/$name.yaml")
    else
        problem "kubectl kustomize k8s/overlays/$name: $(cat "$work/$name.err")"
    fi
done
[ ${#overlays[@]} -eq 0 ] && problem "no overlay rendered (k8s/overlays/*)"
for required in dev production; do
    [ -d "k8s/overlays/$required" ] || problem "overlay k8s/overlays/$required missing"
done
if [ ${#overlays[@]} -gt 0 ]; then
    if node deploy/check/check.mjs k8s "${overlays[@]}"; then
        say "k8s: schemas and invariants hold for ${overlays[*]%%=*}"
    else
        problem "k8s manifests (errors above)"
    fi
fi

# --- 3. docker compose ------------------------------------------------------------------------------------------
if node deploy/check/check.mjs compose docker-compose.yml; then
    say "docker-compose.yml: images, paths, volumes, dependencies, Prometheus and Grafana hold"
else
    problem "docker-compose.yml (errors above)"
fi
compose_cli=""
if docker compose version >/dev/null 2>&1; then compose_cli="docker compose"
elif command -v docker-compose >/dev/null 2>&1; then compose_cli="docker-compose"; fi
if [ -n "$compose_cli" ]; then
    if $compose_cli -f docker-compose.yml config -q >"$work/compose.log" 2>&1; then
        say "$compose_cli config: valid"
    else
        problem "$compose_cli config: $(cat "$work/compose.log")"
    fi
else
    say "no docker compose client installed: the Compose specification check itself is skipped (the checks above ran)"
fi

# --- 4. Dockerfiles ---------------------------------------------------------------------------------------------
if node deploy/check/check.mjs dockerfiles >"$work/dockerfiles.tsv"; then
    if [ "${CHECK_DEPLOY_SKIP_PUBLISH:-0}" = 1 ]; then
        say "Dockerfiles: static checks hold; publishes skipped (CHECK_DEPLOY_SKIP_PUBLISH=1)"
    else
        # What BuildKit passes the Dockerfiles as TARGETARCH on this machine.
        case $(uname -m) in x86_64) targetarch=amd64 ;; aarch64 | arm64) targetarch=arm64 ;; *) targetarch=$(uname -m) ;; esac
        while IFS=$'\t' read -r image dockerfile project dll; do
            [ -z "$image" ] && continue
            out="$work/publish/$image"
            say "$dockerfile: dotnet publish -c Release -a $targetarch -p:PublishReadyToRun=true $project"
            if ! dotnet publish "$project" -c Release -a "$targetarch" -p:PublishReadyToRun=true -o "$out" -p:UseAppHost=false -v:q -nologo >"$work/$image.publish.log" 2>&1; then
                tail -n 30 "$work/$image.publish.log" >&2
                problem "$dockerfile: dotnet publish $project failed (above)"
            elif [ ! -f "$out/$dll" ]; then
                problem "$dockerfile: ENTRYPOINT runs $dll, but dotnet publish $project did not produce it ($(cd "$out" && ls ./*.dll 2>/dev/null | head -n 5 | tr '\n' ' '))"
            elif [ ! -f "$out/${dll%.dll}.runtimeconfig.json" ]; then
                problem "$dockerfile: $dll is not an application (no ${dll%.dll}.runtimeconfig.json)"
            else
                say "  $image: $dll published"
            fi
        done <"$work/dockerfiles.tsv"
    fi
else
    problem "Dockerfiles (errors above)"
fi

if [ $problems -gt 0 ]; then
    echo "[check-deploy] $problems check(s) FAILED" >&2
    exit 1
fi
say "all deployment checks passed"
