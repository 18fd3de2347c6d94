using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RadAI.Inference.Runtime;

/// <summary>
/// One ONNX Runtime session per model file, created once and shared (sessions are thread-safe for Run).
/// CUDA is tried first when configured; when it is not available (no GPU, no CUDA 13 libraries) the
/// session runs on CPU and a log line says so.
/// </summary>
public sealed partial class OnnxSessions(IOptions<InferenceOptions> options, ILogger<OnnxSessions> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<LoadedModel>> _sessions = new(StringComparer.Ordinal);

    /// <summary>A session and the execution provider it runs on.</summary>
    public sealed record LoadedModel(InferenceSession Session, string ExecutionProvider) : IDisposable
    {
        public void Dispose() => Session.Dispose();
    }

    /// <summary>The session of a model file (created on first use, then cached).</summary>
    public LoadedModel Get(string onnxPath) =>
        _sessions.GetOrAdd(Path.GetFullPath(onnxPath), path => new Lazy<LoadedModel>(() => Create(path))).Value;

    private LoadedModel Create(string path)
    {
        var settings = options.Value;
        if (settings.UseCuda)
        {
            var cudaOptions = BaseOptions(settings);
            try
            {
                using (var provider = new OrtCUDAProviderOptions())
                {
                    provider.UpdateOptions(new Dictionary<string, string>
                    {
                        ["device_id"] = settings.CudaDeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["use_tf32"] = settings.CudaAllowTf32 ? "1" : "0",
                    });
                    cudaOptions.AppendExecutionProvider_CUDA(provider);
                }

                var session = new InferenceSession(path, cudaOptions);
                LogLoaded(DisplayName(path), "CUDA");
                return WarmUp(new LoadedModel(session, "CUDA"), settings);
            }
            catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
            {
                LogCudaUnavailable(DisplayName(path), e.Message.Split('\n')[0]);
            }
            finally
            {
                cudaOptions.Dispose();
            }
        }

        using var cpuOptions = BaseOptions(settings);
        var cpu = new InferenceSession(path, cpuOptions);
        LogLoaded(DisplayName(path), "CPU");
        return WarmUp(new LoadedModel(cpu, "CPU"), settings);
    }

    private static SessionOptions BaseOptions(InferenceOptions settings)
    {
        var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (settings.IntraOpThreads > 0)
        {
            sessionOptions.IntraOpNumThreads = settings.IntraOpThreads;
        }

        return sessionOptions;
    }

    /// <summary>One tiny run, so that the first study does not pay for lazy initialisation (kernels, CUDA context).</summary>
    private LoadedModel WarmUp(LoadedModel model, InferenceOptions settings)
    {
        if (!settings.WarmUp)
        {
            return model;
        }

        try
        {
            var input = model.Session.InputMetadata.First();
            var shape = input.Value.Dimensions.Select(d => d > 0 ? (long)d : 16L).ToArray();
            if (input.Value.ElementDataType != TensorElementType.Float || shape.Aggregate(1L, (a, b) => a * b) > 64L * 1024 * 1024)
            {
                return model;
            }

            using var value = OrtValue.CreateTensorValueFromMemory(new float[shape.Aggregate(1L, (a, b) => a * b)], shape);
            using var runOptions = new RunOptions();
            using var timeout = new CancellationTokenSource(settings.ModelRunTimeout);
            using var registration = timeout.Token.Register(static o => ((RunOptions)o!).Terminate = true, runOptions);
            using var outputs = model.Session.Run(runOptions, [input.Key], [value], model.Session.OutputNames);
        }
        catch (OnnxRuntimeException e)
        {
            // A model with constraints the dummy input does not meet: it is simply not warmed up.
            LogWarmUpSkipped(e.Message.Split('\n')[0]);
        }

        return model;
    }

    public void Dispose()
    {
        foreach (var session in _sessions.Values.Where(s => s.IsValueCreated))
        {
            session.Value.Dispose();
        }
    }

    // Every package names its file model.onnx: the package folder tells them apart in the log.
    private static string DisplayName(string path) =>
        Path.Combine(Path.GetFileName(Path.GetDirectoryName(path)) ?? "", Path.GetFileName(path));

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Model {File} loaded on {ExecutionProvider}")]
    private partial void LogLoaded(string file, string executionProvider);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "CUDA is not available for {File} ({Reason}): running on CPU")]
    private partial void LogCudaUnavailable(string file, string reason);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Debug, Message = "Warm-up skipped: {Reason}")]
    private partial void LogWarmUpSkipped(string reason);
}
