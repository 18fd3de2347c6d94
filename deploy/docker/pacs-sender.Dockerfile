# syntax=docker/dockerfile:1
# RadAI pacs-sender (health on 5084): build with the repository root as context, e.g.
#   docker build -f deploy/docker/pacs-sender.Dockerfile -t radai/pacs-sender .
# Runs as the non-root user app (uid 1654) and keeps nothing on its root filesystem, which may be read-only
# (docker-compose.yml and k8s/ mount it so, with a tmpfs /tmp).
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# global.json is left out: the SDK image pins the SDK.
COPY .editorconfig Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY shared/ shared/
COPY services/pacs-sender/ services/pacs-sender/
RUN dotnet restore services/pacs-sender/RadAI.PacsSender.Host/RadAI.PacsSender.Host.csproj -r linux-x64 -p:PublishReadyToRun=true
RUN dotnet publish services/pacs-sender/RadAI.PacsSender.Host/RadAI.PacsSender.Host.csproj --no-restore -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
      -p:ArtifactsPath=/tmp/artifacts -o /app

FROM ${RUNTIME_IMAGE} AS runtime
WORKDIR /app
COPY --from=build /app ./
# The shared stores (Storage:Root): a volume shared by the services.
RUN mkdir -p /var/lib/radai && chown 1654:1654 /var/lib/radai
VOLUME /var/lib/radai
# Urls comes from appsettings.json (http://0.0.0.0:5084); the image's default HTTP port would only add a warning.
ENV ASPNETCORE_HTTP_PORTS= \
    DOTNET_EnableDiagnostics=0
EXPOSE 5084
USER 1654:1654
# No curl in the image: bash asks /health/live over /dev/tcp.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/5084 && printf 'GET /health/live HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "RadAI.PacsSender.Host.dll"]
