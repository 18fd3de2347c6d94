using System.ComponentModel.DataAnnotations;

namespace RadAI.Inference;

/// <summary>Configuration section <c>Inference</c>.</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    /// <summary>Folders (or .zip files) of model packages, or folders holding several; relative paths are relative to the service's folder. Default <c>models</c>.</summary>
    public List<string> PackagePaths { get; set; } = [];

    /// <summary>
    /// Package ids not to run: written to the database at every start (source <c>config</c>, read-only through the api);
    /// other packages can be enabled or disabled through the api (<c>/api/models</c>).
    /// </summary>
    public List<string> DisabledPackages { get; set; } = [];

    /// <summary>
    /// Routing profiles by name: which packages a sender's studies may run. A profile without packages (or a profile
    /// nobody defined) allows every enabled package. Written to the database at every start (source <c>config</c>,
    /// read-only through the api); more profiles can be administered through the api (<c>/api/routing-profiles</c>).
    /// </summary>
    public Dictionary<string, RoutingProfileOptions> Profiles { get; set; } = [];

    /// <summary>Try the CUDA execution provider first (falls back to CPU with a log line when it is not available).</summary>
    public bool UseCuda { get; set; } = true;

    /// <summary>CUDA device ordinal used when <see cref="UseCuda"/> is on.</summary>
    [Range(0, 64)]
    public int CudaDeviceId { get; set; }

    /// <summary>
    /// Let CUDA run float convolutions and matrix products in TF32 (faster on Ampere and later, ~1e-3 relative error).
    /// Off by default: results on GPU then match the CPU's to float precision, so a study gives the same findings
    /// wherever it runs.
    /// </summary>
    public bool CudaAllowTf32 { get; set; }

    /// <summary>ONNX Runtime intra-op threads; 0: its default (one per core).</summary>
    [Range(0, 256)]
    public int IntraOpThreads { get; set; }

    /// <summary>Studies analysed at once by this replica (more replicas scale out: competing consumers).</summary>
    [Range(1, 64)]
    public int ConcurrentJobs { get; set; } = 1;

    /// <summary>
    /// Longest a model run (model and analyzer) may take; a run that takes longer is terminated and recorded as
    /// failed (model-timeout), so one stuck model does not hold the job, nor the queue behind it. Also bounds warm-up.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan ModelRunTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Run each model once on a tiny input when it is loaded, so that the first study does not pay for it.</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>The package folders in force.</summary>
    public IEnumerable<string> EffectivePackagePaths => PackagePaths.Count > 0 ? PackagePaths : ["models"];
}

/// <summary>One routing profile (configuration <c>Inference:Profiles:&lt;name&gt;</c>).</summary>
public sealed class RoutingProfileOptions
{
    /// <summary>Package ids allowed for this profile; empty: every enabled package.</summary>
    public List<string> Packages { get; set; } = [];
}
