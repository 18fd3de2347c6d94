# syntax=docker/dockerfile:1
# RadAI gateway (the public HTTP entry on 8080): build with the repository root as context, e.g.
#   docker build -f deploy/docker/gateway.Dockerfile -t radai/gateway .
# Runs as the non-root user app (uid 1654) and keeps nothing on its root filesystem, which may be read-only
# (docker-compose.yml and k8s/ mount it so, with a tmpfs /tmp).
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
ARG NODE_IMAGE=node:22-bookworm-slim

# The web dashboard (React + Vite): built here, so that the .NET SDK image needs no Node.js.
FROM ${NODE_IMAGE} AS dashboard
WORKDIR /src/gateway/dashboard
COPY gateway/dashboard/package.json gateway/dashboard/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY gateway/dashboard/ ./
RUN npm run build

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# global.json is left out: the SDK image pins the SDK.
COPY .editorconfig Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY shared/ shared/
COPY gateway/ gateway/
RUN dotnet restore gateway/RadAI.Gateway.Host/RadAI.Gateway.Host.csproj -r linux-x64 -p:PublishReadyToRun=true
RUN dotnet publish gateway/RadAI.Gateway.Host/RadAI.Gateway.Host.csproj --no-restore -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
      -p:ArtifactsPath=/tmp/artifacts -p:RadAIDashboard=false -o /app
COPY --from=dashboard /src/gateway/dashboard/dist/ /app/dashboard/

FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
COPY --from=build /app ./
# Urls comes from appsettings.json (http://0.0.0.0:8080); the image's default HTTP port would only add a warning.
ENV ASPNETCORE_HTTP_PORTS= \
    DOTNET_EnableDiagnostics=0
EXPOSE 8080
USER 1654:1654
# No curl in the image: bash asks /health/live over /dev/tcp.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "RadAI.Gateway.Host.dll"]
