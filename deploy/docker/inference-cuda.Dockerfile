# syntax=docker/dockerfile:1
# RadAI inference, CUDA variant (health on 5082): build with the repository root as context, e.g.
#   docker build -f deploy/docker/inference-cuda.Dockerfile -t radai/inference:cuda .
# Microsoft.ML.OnnxRuntime.Gpu.Linux 1.31 needs the CUDA 13 runtime and cuDNN 9: the runtime stage is NVIDIA's
# CUDA 13 cuDNN runtime image with the ASP.NET Core runtime copied in. Run it with the NVIDIA container toolkit
# (docker-compose.yml: profile gpu; k8s: the overlay's nvidia.com/gpu resource). Without a usable GPU the service
# logs that CUDA is unavailable and runs on CPU (Inference:UseCuda, Inference:CudaDeviceId).
# Runs as the non-root user app (uid 1654) and keeps nothing on its root filesystem, which may be read-only.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG ASPNET_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
ARG CUDA_IMAGE=nvidia/cuda:13.0.0-cudnn-runtime-ubuntu24.04

FROM ${ASPNET_IMAGE} AS aspnet

FROM ${SDK_IMAGE} AS build
WORKDIR /src
# global.json is left out: the SDK image pins the SDK.
COPY .editorconfig Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY shared/ shared/
COPY services/inference/ services/inference/
# The default model packages, copied next to the service (Inference:PackagePaths, default "models").
COPY models/ models/
RUN dotnet restore services/inference/RadAI.Inference.Host/RadAI.Inference.Host.csproj -r linux-x64 -p:PublishReadyToRun=true
RUN dotnet publish services/inference/RadAI.Inference.Host/RadAI.Inference.Host.csproj --no-restore -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
      -p:ArtifactsPath=/tmp/artifacts -o /app

FROM ${CUDA_IMAGE} AS runtime
# What the .NET runtime needs on Ubuntu 24.04 (InvariantGlobalization: no ICU).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3t64 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 1654 --user-group --no-create-home --home-dir /app --shell /usr/sbin/nologin app
COPY --from=aspnet /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
WORKDIR /app
COPY --from=build /app ./
# The shared stores (Storage:Root): a volume shared by the services.
RUN mkdir -p /var/lib/radai && chown 1654:1654 /var/lib/radai
VOLUME /var/lib/radai
ENV DOTNET_ROOT=/usr/share/dotnet \
    DOTNET_EnableDiagnostics=0 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    Inference__UseCuda=true
EXPOSE 5082
USER 1654:1654
# No curl in the image: bash asks /health/live over /dev/tcp.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/5082 && printf 'GET /health/live HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "RadAI.Inference.Host.dll"]
