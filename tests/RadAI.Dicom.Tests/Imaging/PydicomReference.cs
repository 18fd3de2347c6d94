using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using RadAI.Dicom.Imaging;
using RadAI.Testing;
using Xunit;

namespace RadAI.Dicom.Tests.Imaging;

/// <summary>
/// What pydicom says of its test corpus (and of tests/data/dicom-reference): produced once per test run by
/// Imaging/pixel_reference.py with Debian's /usr/bin/python3 (python3-pydicom, python3-numpy), in a
/// temporary folder deleted when the process exits.
/// </summary>
internal sealed class PydicomReference
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<PydicomReference> Shared = new(Export, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private PydicomReference(string directory, Manifest manifest)
    {
        Directory = directory;
        Manifest = manifest;
    }

    public static PydicomReference Instance => Shared.Value;

    public string Directory { get; }

    public Manifest Manifest { get; }

    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "Imaging", "pixel_reference.py");

    public ReferenceCase this[string id] => Manifest.Cases.Single(c => c.Id == id);

    /// <summary>One theory row per case of the manifest.</summary>
    public static TheoryData<string> CaseIds(Func<ReferenceCase, bool> filter)
    {
        var data = new TheoryData<string>();
        foreach (var c in Instance.Manifest.Cases.Where(filter))
        {
            data.Add(c.Id);
        }

        return data;
    }

    public byte[] ReadFile(string name) => File.ReadAllBytes(Path.Combine(Directory, name));

    public static double[] ReadFileDoubles(string name) => ReferenceCase.ReadDoubles(Instance.ReadFile(name));

    public static long[] ReadFileIntegers(string name, string dtype) => ReferenceCase.ReadIntegers(Instance.ReadFile(name), dtype);

    /// <summary>Runs the script; fails the test with its output when it does not exit 0.</summary>
    public static string RunScript(params string[] arguments)
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing: the pixel-data tests need Debian's python3 with python3-pydicom and python3-numpy (scripts/test.sh installs them).");
        }

        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ScriptPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pixel_reference.py {string.Join(' ', arguments)} ran for more than 5 minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"pixel_reference.py {string.Join(' ', arguments)} exited {process.ExitCode} (does {Python} have python3-pydicom and python3-numpy?):\n{stdout}\n{stderr.Result}");
        }

        return stdout;
    }

    /// <summary>A temporary folder deleted when the test process exits.</summary>
    public static string CreateTemporaryDirectory(string prefix)
    {
        var directory = new TemporaryDirectory(prefix);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => directory.Dispose();
        return directory.Path;
    }

    public static T ReadJson<T>(string path) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json) ?? throw new InvalidOperationException($"{path} is empty");

    public static void WriteJson<T>(string path, T value) => File.WriteAllText(path, JsonSerializer.Serialize(value, Json));

    private static PydicomReference Export()
    {
        var directory = CreateTemporaryDirectory("radai-pixel-reference");
        RunScript("export", directory, Path.Combine(RepositoryPaths.Root, "tests", "data", "dicom-reference"));
        return new PydicomReference(directory, ReadJson<Manifest>(Path.Combine(directory, "manifest.json")));
    }
}

internal sealed record Manifest(string Pydicom, string Numpy, IReadOnlyList<ReferenceCase> Cases, IReadOnlyList<SkippedFile> Skipped);

internal sealed record SkippedFile(string Path, string Reason);

internal sealed record ReferenceWindow(int Index, double Center, double Width, Dictionary<string, string> Files, Dictionary<string, string> Errors);

internal sealed record ReferenceCase
{
    public required string Id { get; init; }

    public required string Path { get; init; }

    public required string TransferSyntax { get; init; }

    public required string TransferSyntaxName { get; init; }

    public bool BigEndian { get; init; }

    [JsonPropertyName("pixelDataVR")]
    public required string PixelDataVR { get; init; }

    public int Rows { get; init; }

    public int Columns { get; init; }

    public int SamplesPerPixel { get; init; }

    public int BitsAllocated { get; init; }

    public int BitsStored { get; init; }

    public int HighBit { get; init; }

    public int PixelRepresentation { get; init; }

    public required string Photometric { get; init; }

    public int PlanarConfiguration { get; init; }

    public int NumberOfFrames { get; init; }

    public bool Encapsulated { get; init; }

    public string? Dtype { get; init; }

    public IReadOnlyList<int>? Shape { get; init; }

    public double? RescaleSlope { get; init; }

    public double? RescaleIntercept { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public IReadOnlyList<ReferenceWindow> Windows { get; init; } = [];

    public required string ValueFile { get; init; }

    public IReadOnlyList<string>? FrameFiles { get; init; }

    public string? ArrayFile { get; init; }

    public string? ModalityFile { get; init; }

    public string? RgbFile { get; init; }

    public string? PydicomError { get; init; }

    public string FileName => System.IO.Path.GetFileName(Path);

    public PixelDataDescription Description => new(Rows, Columns, SamplesPerPixel, BitsAllocated, BitsStored, HighBit,
        PixelRepresentation, Photometric, PlanarConfiguration, NumberOfFrames);

    public DicomPixelDataValue Value(PydicomReference reference)
    {
        var bytes = reference.ReadFile(ValueFile);
        return Encapsulated
            ? DicomPixelDataValue.FromEncapsulated(EncapsulatedPixelData.Parse(bytes))
            : DicomPixelDataValue.Native(bytes, BigEndian, PixelDataVR == "OW" ? DicomVR.OW : DicomVR.OB);
    }

    /// <summary>pixel_array as 64-bit integers (row-major, frames then rows then columns then samples).</summary>
    public long[] ReadArray(PydicomReference reference) =>
        ReadIntegers(reference.ReadFile(ArrayFile ?? throw new InvalidOperationException($"{Id} has no array")), Dtype!);

    public static long[] ReadIntegers(byte[] bytes, string dtype)
    {
        var size = dtype switch
        {
            "uint8" or "int8" => 1,
            "uint16" or "int16" => 2,
            "uint32" or "int32" => 4,
            "uint64" or "int64" => 8,
            _ => throw new InvalidOperationException($"dtype {dtype}"),
        };
        var values = new long[bytes.Length / size];
        var span = bytes.AsSpan();
        for (var i = 0; i < values.Length; i++)
        {
            var item = span.Slice(i * size, size);
            values[i] = dtype switch
            {
                "uint8" => item[0],
                "int8" => (sbyte)item[0],
                "uint16" => BinaryPrimitives.ReadUInt16LittleEndian(item),
                "int16" => BinaryPrimitives.ReadInt16LittleEndian(item),
                "uint32" => BinaryPrimitives.ReadUInt32LittleEndian(item),
                "int32" => BinaryPrimitives.ReadInt32LittleEndian(item),
                "int64" => BinaryPrimitives.ReadInt64LittleEndian(item),
                _ => (long)BinaryPrimitives.ReadUInt64LittleEndian(item),
            };
        }

        return values;
    }

    public static double[] ReadDoubles(byte[] bytes)
    {
        var values = new double[bytes.Length / 8];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(8 * i));
        }

        return values;
    }

    public override string ToString() => Id;
}
