using BenchmarkDotNet.Attributes;
using RadAI.Cli.Synthetic;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Dicom.Text;

namespace RadAI.Benchmarks;

/// <summary>Read options of the benchmarks.</summary>
internal static class ReadModes
{
    /// <summary>Stop before Pixel Data: what a header listing (radai dump --header-only) reads.</summary>
    public static readonly DicomReadOptions HeaderOnly = DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData };
}

/// <summary>One 512×512 CT file of the synthetic series (≈ 514 KB, 77 data set elements + 7 meta elements): header and full reads, from memory and from the file.</summary>
[MemoryDiagnoser]
public class SingleCtFileBenchmarks
{
    private readonly byte[] _ioBuffer = new byte[64 * 1024];
    private readonly StreamWriter _nullWriter = new(Stream.Null, new System.Text.UTF8Encoding(false), 64 * 1024);
    private string _path = "";
    private byte[] _bytes = [];

    [GlobalSetup]
    public void Setup()
    {
        var files = CtSeriesFolder.EnsureFiles();
        _path = files[files.Length / 2];
        _bytes = File.ReadAllBytes(_path);
    }

    [GlobalCleanup]
    public void Cleanup() => _nullWriter.Dispose();

    /// <summary>The header of a file already in memory (no I/O): the parser alone.</summary>
    [Benchmark(Baseline = true)]
    public Task<DicomFile> HeaderFromMemory() => DicomFile.ReadAsync(_bytes, ReadModes.HeaderOnly);

    /// <summary>The whole file from memory: Pixel Data becomes a slice of the buffer (not copied).</summary>
    [Benchmark]
    public Task<DicomFile> FullFromMemory() => DicomFile.ReadAsync(_bytes);

    /// <summary>Open the file and read its header (what radai dump --header-only does per file).</summary>
    [Benchmark]
    public Task<DicomFile> HeaderFromFile() => DicomFile.OpenAsync(_path, ReadModes.HeaderOnly);

    /// <summary>
    /// The I/O floor, no parsing: open the file, read its first 64 KiB (what DicomInput's first fill reads), close it.
    /// HeaderFromFile minus this is what RadAI adds to the operating system's own cost.
    /// </summary>
    [Benchmark]
    public int FileOpenRead64KiBClose()
    {
        using var handle = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return RandomAccess.Read(handle, _ioBuffer, 0);
    }

    /// <summary>
    /// Header from memory, then the listing of <c>radai dump --header-only</c> (DicomDumpWriter) written to a
    /// buffered writer over Stream.Null: the cost of formatting the listing, warm.
    /// </summary>
    [Benchmark]
    public async Task ListingFromMemory()
    {
        var file = await DicomFile.ReadAsync(_bytes, ReadModes.HeaderOnly);
        DicomDumpWriter.WriteFile(_nullWriter, file);
        await _nullWriter.FlushAsync();
    }

    /// <summary>
    /// The header through <see cref="SynchronousReadStream"/> (DicomFile.ReadAsync(Stream)): the same parse as
    /// <see cref="HeaderFromFile"/> with synchronous reads instead of thread-pool ones.
    /// </summary>
    [Benchmark]
    public Task<DicomFile> HeaderFromFileSyncReads() => ParseMode.ReadSynchronouslyAsync(_path, ReadModes.HeaderOnly);

    /// <summary>Open the file and read everything, Pixel Data left lazy (a reference to the file, skipped by seeking).</summary>
    [Benchmark]
    public Task<DicomFile> FullFromFileLazyPixels() => DicomFile.OpenAsync(_path);
}

/// <summary>The whole 500-file series, one file after the other. Results are per file (OperationsPerInvoke = 500).</summary>
[MemoryDiagnoser]
public class CtSeriesBenchmarks
{
    private string[] _paths = [];

    [GlobalSetup]
    public void Setup() => _paths = CtSeriesFolder.EnsureFiles();

    [Benchmark(OperationsPerInvoke = CtSeriesFolder.Slices)]
    public async Task<int> SeriesHeadersFromFiles()
    {
        var elements = 0;
        foreach (var path in _paths)
        {
            elements += (await DicomFile.OpenAsync(path, ReadModes.HeaderOnly)).Dataset.Count;
        }

        return elements;
    }

    [Benchmark(OperationsPerInvoke = CtSeriesFolder.Slices)]
    public async Task<int> SeriesFullLazyPixelsFromFiles()
    {
        var elements = 0;
        foreach (var path in _paths)
        {
            elements += (await DicomFile.OpenAsync(path)).Dataset.Count;
        }

        return elements;
    }
}

/// <summary>
/// Headers with more and more elements (the CT header plus N private LO/US elements), parsed from memory:
/// allocated bytes that grow with N mean the read path allocates per element.
/// </summary>
[MemoryDiagnoser]
public class ElementCountBenchmarks
{
    private byte[] _bytes = [];

    [Params(0, 10, 100, 1000)]
    public int ExtraElements { get; set; }

    [GlobalSetup]
    public void Setup() => _bytes = SyntheticHeaders.Create(ExtraElements);

    [Benchmark]
    public Task<DicomFile> HeaderFromMemory() => DicomFile.ReadAsync(_bytes, ReadModes.HeaderOnly);
}

/// <summary>Part 10 files of a CT header (64×64 pixels) with extra private elements, for the element-count measurements.</summary>
internal static class SyntheticHeaders
{
    public static byte[] Create(int extraElements)
    {
        var dataset = new SyntheticCtSeries(new SyntheticCtOptions { Slices = 1, Rows = 64, Columns = 64, Seed = 1 }).CreateInstance(0);
        // Private groups 4001, 4003...: creator (gggg,0010), then up to 256 elements (gggg,10xx), alternately LO and US.
        for (var i = 0; i < extraElements; i++)
        {
            var group = (ushort)(0x4001 + (2 * (i / 256)));
            if (i % 256 == 0)
            {
                dataset.AddOrUpdate(new DicomTag(group, 0x0010), DicomVR.LO, "RADAI BENCH");
            }

            var tag = new DicomTag(group, (ushort)(0x1000 + (i % 256)));
            if (i % 2 == 0)
            {
                dataset.AddOrUpdate(tag, DicomVR.LO, $"VALUE {i}");
            }
            else
            {
                dataset.AddOrUpdate(tag, DicomVR.US, (ushort)i);
            }
        }

        using var stream = new MemoryStream();
        new DicomFile(dataset).SaveAsync(stream).GetAwaiter().GetResult();
        return stream.ToArray();
    }
}
