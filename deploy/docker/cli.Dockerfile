# syntax=docker/dockerfile:1
# The hvmirror command (migrate, ingest, serve, sample, …): the Kubernetes migration Job and the compose demo primary. Runtime: the Debian-family ASP.NET image, which has /bin/sh for the demo primary's script; still non-root.
# Build from the repository root:  docker build -f deploy/docker/cli.Dockerfile -t hvmirror-cli:dev .
# (docker compose builds it the same way; cli.Dockerfile.dockerignore beside this file keeps bin/ and obj/ out.)
# scripts/check-deploy.sh publishes the same project the same way and checks that the ENTRYPOINT dll is in the output.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# The image's architecture (BuildKit sets it). The publish is ReadyToRun (precompiled): a process that starts often
# (a KEDA-scaled fetcher, the CLI job) otherwise spends much of its first seconds in the JIT.
ARG TARGETARCH
WORKDIR /src
# Restore in its own step; the BuildKit cache mount keeps NuGet packages between builds.
COPY Directory.Build.props Directory.Packages.props ./
COPY shared/ shared/
COPY services/ services/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet restore services/Cli/HvMirror.Cli/HvMirror.Cli.csproj -a $TARGETARCH
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish services/Cli/HvMirror.Cli/HvMirror.Cli.csproj -c Release -a $TARGETARCH -p:PublishReadyToRun=true --no-restore -o /out -p:UseAppHost=false \
 && mkdir -p /archive-root

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /out ./
# The archive mount point, owned by the app user: Docker gives a new named volume this ownership, so the
# non-root process can write to it (Kubernetes uses fsGroup instead).
COPY --from=build --chown=1654:1654 /archive-root /archive
# The demo primary of docker-compose.yml and the dev overlay (not used in production).
COPY deploy/demo/primary.sh /app/demo-primary.sh
ENV HvMirror__Archive=/archive \
    DOTNET_NOLOGO=1
# 1654 is the "app" user of Microsoft's .NET images; numeric, so Kubernetes can verify runAsNonRoot.
USER 1654
ENTRYPOINT ["dotnet", "hvmirror.dll"]
