using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RadAI.Data;
using RadAI.Hosting.Database;
using RadAI.Inference;
using RadAI.Inference.Packages;
using RadAI.Inference.Runtime;
using RadAI.Inference.Tests.Models;
using RadAI.Inference.Volumes;

namespace RadAI.Benchmarks.Inference;

/// <summary>
/// What the inference benchmarks share: the model packages of the checkout (<c>models/</c>), the volume size,
/// the synthetic chest volume, and the inference module's own services (the same registrations as the service:
/// <see cref="InferenceModule.AddInference"/>), on CPU.
/// </summary>
internal static class InferenceEnvironment
{
    /// <summary>The CT packages benchmarked (folder names under models/).</summary>
    public static readonly string[] CtPackages = ["ct-lung-quant", "ct-nodule-demo"];

    /// <summary>Field of view of the synthetic volumes (mm): pixel spacing 0.68 mm at 512, as radai synth-ct.</summary>
    public const double FieldOfViewMm = 350;

    /// <summary>Slice thickness and spacing of the synthetic volumes (mm).</summary>
    public const double SliceMm = 1;

    private static readonly Lazy<Volume> SharedChest = new(() => ChestVolume(Size));

    private static readonly Lazy<string> Models = new(FindModels);

    /// <summary>
    /// The models folder: RADAI_BENCH_MODELS, else <c>models/</c> of the checkout found above the current directory or
    /// the executable (the folder holding RadAI.sln). Looked up on first use (BenchmarkDotNet reads the parameters of
    /// every class, even those its filter leaves out).
    /// </summary>
    public static string ModelsFolder => Models.Value;

    /// <summary>
    /// Volume size, slices × rows × columns: RADAI_BENCH_INFERENCE_SIZE (e.g. <c>300x512x512</c>), else 300×512×512,
    /// or 48×256×256 with --quick (a smoke run).
    /// </summary>
    public static (int Slices, int Rows, int Columns) Size => ParseSize(Environment.GetEnvironmentVariable("RADAI_BENCH_INFERENCE_SIZE"))
        ?? (BenchmarkSettings.Quick ? (48, 256, 256) : (300, 512, 512));

    /// <summary>The synthetic chest of <see cref="Size"/>, generated once per process.</summary>
    public static Volume Chest => SharedChest.Value;

    public static (int Slices, int Rows, int Columns)? ParseSize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var parts = text.Split('x');
        return parts.Length == 3 && parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0)
            ? (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture))
            : throw new ArgumentException($"'{text}' is not a volume size SLICESxROWSxCOLUMNS (e.g. 300x512x512).");
    }

    public static string FormatSize((int Slices, int Rows, int Columns) size) =>
        string.Create(CultureInfo.InvariantCulture, $"{size.Slices}x{size.Rows}x{size.Columns}");

    /// <summary>
    /// The inference module's services over <paramref name="storageRoot"/> (instances and results stores), the checkout's
    /// packages, CPU only (UseCuda false; RADAI_BENCH_CUDA=1 tries CUDA first, as the service does by default).
    /// The host is built, not started: models load on first use (<see cref="WarmUp"/> loads them as ModelLoader does).
    /// <paramref name="useCuda"/> overrides RADAI_BENCH_CUDA.
    /// </summary>
    public static IHost BuildHost(string storageRoot, int intraOpThreads = 0, bool? useCuda = null)
    {
        Directory.CreateDirectory(storageRoot);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Root"] = storageRoot,
            // The package settings (none: every package enabled) in a SQLite file beside the store.
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={Path.Combine(storageRoot, "inference.db")}",
            ["Inference:PackagePaths:0"] = ModelsFolder,
            ["Inference:UseCuda"] = (useCuda ?? Environment.GetEnvironmentVariable("RADAI_BENCH_CUDA") == "1") ? "true" : "false",
            ["Inference:IntraOpThreads"] = intraOpThreads.ToString(CultureInfo.InvariantCulture),
            ["Inference:WarmUp"] = "true",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.AddRadAIDatabase();
        builder.AddInference();
        var host = builder.Build();
        // Not started: the schema the service would migrate at start is created here.
        host.Services.GetRequiredService<MigrationRunner>().MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        return host;
    }

    /// <summary>What ModelLoader does at service start: every enabled package's ONNX session created and warmed up (none is disabled here).</summary>
    public static void WarmUp(IServiceProvider services)
    {
        var sessions = services.GetRequiredService<OnnxSessions>();
        foreach (var package in services.GetRequiredService<ModelCatalog>().All)
        {
            sessions.Get(package.OnnxPath());
        }
    }

    /// <summary>A package of the checkout by folder name (ct-lung-quant...), as the catalog loaded it.</summary>
    public static ModelPackage Package(IServiceProvider services, string folderName)
    {
        var folder = Path.GetFullPath(Path.Combine(ModelsFolder, folderName));
        return services.GetRequiredService<ModelCatalog>().All.FirstOrDefault(p => Path.GetFullPath(p.Folder) == folder)
            ?? throw new InvalidOperationException($"No model package in {folder} (catalog: {string.Join(", ", services.GetRequiredService<ModelCatalog>().All.Select(p => p.Id))}).");
    }

    /// <summary>
    /// <see cref="SyntheticChest"/> (seed 7) as an axial CT volume: pixel spacing <see cref="FieldOfViewMm"/> / columns,
    /// <see cref="SliceMm"/> between slices, identity orientation.
    /// </summary>
    public static Volume ChestVolume((int Slices, int Rows, int Columns) size)
    {
        var (slices, rows, columns) = size;
        var data = SyntheticChest.Generate(slices, rows, columns, seed: 7);
        var spacing = new Vector3((float)(FieldOfViewMm / columns), (float)(FieldOfViewMm / rows), (float)SliceMm);
        return new Volume(columns, rows, slices, spacing, Vector3.Zero, Vector3.UnitX, Vector3.UnitY, data)
        {
            Modality = "CT",
            SeriesInstanceUid = "2.25.1000",
            FrameOfReferenceUid = "2.25.1001",
            Slices = [.. Enumerable.Range(0, slices).Select(z => new SliceSource($"2.25.1002.{z + 1}", "1.2.840.10008.5.1.4.1.1.2", 1))],
            Attributes = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["BodyPartExamined"] = "CHEST",
                ["PhotometricInterpretation"] = "MONOCHROME2",
                ["SliceThickness"] = SliceMm.ToString(CultureInfo.InvariantCulture),
            },
        };
    }

    private static string FindModels()
    {
        if (Environment.GetEnvironmentVariable("RADAI_BENCH_MODELS") is { Length: > 0 } configured)
        {
            return Directory.Exists(configured) ? Path.GetFullPath(configured) : throw new DirectoryNotFoundException($"RADAI_BENCH_MODELS={configured}: no such folder.");
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "RadAI.sln")) && Directory.Exists(Path.Combine(folder.FullName, "models")))
                {
                    return Path.Combine(folder.FullName, "models");
                }
            }
        }

        throw new DirectoryNotFoundException("The checkout's models/ folder was not found above the current directory or the executable: set RADAI_BENCH_MODELS.");
    }
}
