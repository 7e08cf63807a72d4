# syntax=docker/dockerfile:1
# The follower host: tails a Helioviewer server's own data table and registers each new row's file in the catalog in place. Runtime: chiseled ASP.NET (no shell, non-root).
# Build from the repository root:  docker build -f deploy/docker/follower.Dockerfile -t hvmirror-follower:dev .
# (docker compose builds it the same way; follower.Dockerfile.dockerignore beside this file keeps bin/ and obj/ out.)
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
    dotnet restore services/Follower/HvMirror.Follower.Host/HvMirror.Follower.Host.csproj -a $TARGETARCH
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish services/Follower/HvMirror.Follower.Host/HvMirror.Follower.Host.csproj -c Release -a $TARGETARCH -p:PublishReadyToRun=true --no-restore -o /out -p:UseAppHost=false \
 && mkdir -p /archive-root

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /out ./
# The archive mount point, owned by the app user: Docker gives a new named volume this ownership, so the
# non-root process can write to it (Kubernetes uses fsGroup instead).
COPY --from=build --chown=1654:1654 /archive-root /archive
ENV ASPNETCORE_URLS=http://+:8080 \
    HvMirror__Archive=/archive \
    DOTNET_NOLOGO=1
EXPOSE 8080
# 1654 is the "app" user of Microsoft's .NET images; numeric, so Kubernetes can verify runAsNonRoot.
USER 1654
ENTRYPOINT ["dotnet", "HvMirror.Follower.Host.dll"]
