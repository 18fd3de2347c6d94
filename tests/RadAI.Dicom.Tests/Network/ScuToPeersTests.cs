using System.Net.Http.Json;
using System.Text.Json;
using RadAI.Dicom.IO;
using RadAI.Dicom.Network;
using RadAI.Testing;
using Xunit;

namespace RadAI.Dicom.Tests.Network;

/// <summary>
/// RadAI's SCU (DicomSender, DicomClient, <c>radai send</c>) to DCMTK's storescp and to Orthanc: per-file statuses,
/// several presentation contexts, and what the peer stored equal to the source data set (as dcmdump shows it).
/// </summary>
/// <remarks>
/// Where the peer accepted another uncompressed syntax than the file's, RadAI transcodes: the expected data set is then
/// DCMTK's own conversion of the source to that syntax (dcmconv). DCMTK (storescp, and Orthanc which receives with
/// DCMTK) stores sequences and items with explicit lengths: the comparison ignores delimitation.
/// </remarks>
public sealed class ScuToPeersTests
{
    /// <summary>Distinct SOP classes and transfer syntaxes (explicit, implicit, big endian, deflated, RLE, JPEG): each needs its own context.</summary>
    private static readonly string[] MixedSources =
    [
        Corpus.CtSmall,
        Corpus.RtPlan,
        Corpus.MrSmallBigEndian,
        Corpus.Deflated,
        Corpus.Rle,
        Corpus.JpegBaseline,
        Corpus.File("test_files/rtdose_1frame.dcm"),
        Corpus.File("test_files/waveform_ecg.dcm"),
        Corpus.File("test_files/reportsi.dcm"),
        Corpus.File("test_files/liver_1frame.dcm"),
    ];

    /// <summary>
    /// A file cut short (inside its pixel data) is copied, not parsed, when sent; its structure is followed as it goes out and the
    /// association is aborted before its last PDV. The peer here is RadAI's SCP without validation, which stores whatever data set
    /// is flagged complete: it stores only the whole file sent before, and nothing of the cut one.
    /// </summary>
    [Fact]
    public async Task DicomSender_never_sends_a_file_cut_short_as_a_whole_data_set()
    {
        using var work = new TemporaryDirectory();
        File.Copy(Corpus.CtSmall, Path.Combine(work.Path, "1-whole.dcm"));
        var bytes = await File.ReadAllBytesAsync(Corpus.CtSmall);
        await File.WriteAllBytesAsync(Path.Combine(work.Path, "2-cut.dcm"), bytes[..^1000]);
        await using var scp = await ScpUnderTest.StartAsync(store: new DicomFileStoreOptions { Validate = false });

        var results = await DicomSender.SendAsync(scp.Client(), [work.Path]);

        Assert.Equal(2, results.Count);
        Assert.True(results[0].Succeeded, results[0].ToString());
        Assert.False(results[1].Succeeded);
        Assert.Contains("Not sent", results[1].Message, StringComparison.Ordinal);
        await scp.IdleAsync();
        Assert.Single(scp.StoredFiles());
        Assert.Empty(scp.IncomingFiles());
    }

    [Fact]
    public async Task DicomSender_to_storescp_accept_all_stores_every_file_equal_to_its_source()
    {
        using var work = new TemporaryDirectory();
        var received = Directory.CreateDirectory(Path.Combine(work.Path, "storescp")).FullName;
        var (storescp, port) = await Dcmtk.StartStorescpAsync(received, ["+xa", "-aet", "STORESCP"]);
        await using var _ = storescp;
        var log = new CapturingLogger();
        var contexts = (await Task.WhenAll(MixedSources.Select(async s =>
        {
            var f = await DicomFile.OpenAsync(s, DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData });
            return (f.Dataset.GetString(DicomTags.SOPClassUID), f.TransferSyntax.Uid);
        }))).Distinct().Count();

        var results = await DicomSender.SendAsync(Options(port, "STORESCP"), MixedSources, logger: log);

        Assert.Equal(MixedSources.Length, results.Count);
        Assert.All(results, r => Assert.True(r.Status == DimseStatus.Success, r.ToString()));
        Assert.True(log.Contains($"{contexts}/{contexts} presentation contexts accepted"), log.ToString());
        await AssertStoredEqualAsync(MixedSources, await StoredBySopInstanceAsync(received), work.Path);
    }

    /// <summary>
    /// A peer that accepts only uncompressed syntaxes (storescp's default): the JPEG file is reported as not sent,
    /// with the reason, and nothing is transcoded; the other files are stored.
    /// </summary>
    [Fact]
    public async Task Compressed_file_to_an_uncompressed_only_peer_is_reported_not_sent()
    {
        using var work = new TemporaryDirectory();
        var received = Directory.CreateDirectory(Path.Combine(work.Path, "storescp")).FullName;
        var (storescp, port) = await Dcmtk.StartStorescpAsync(received, ["-aet", "STORESCP"]);
        await using var _ = storescp;

        var results = await DicomSender.SendAsync(Options(port, "STORESCP"), [Corpus.CtSmall, Corpus.JpegBaseline, Corpus.RtPlan]);

        var jpeg = Assert.Single(results, r => r.Path == Corpus.JpegBaseline);
        Assert.Null(jpeg.Status);
        Assert.False(jpeg.Succeeded);
        Assert.Contains("No accepted presentation context can carry", jpeg.Message, StringComparison.Ordinal);
        Assert.Contains("JPEG Baseline", jpeg.Message, StringComparison.Ordinal);
        Assert.All(results.Where(r => r != jpeg), r => Assert.True(r.Status == DimseStatus.Success, r.ToString()));
        var stored = await StoredBySopInstanceAsync(received);
        Assert.Equal(2, stored.Count);
        await AssertStoredEqualAsync([Corpus.CtSmall, Corpus.RtPlan], stored, work.Path);
    }

    /// <summary><c>radai send</c> as a process: per-file lines, the summary and the exit codes (0 all stored, 1 some not).</summary>
    [Fact]
    public async Task Radai_send_process_reports_each_file_and_exits_by_outcome()
    {
        using var work = new TemporaryDirectory();
        var folder = Directory.CreateDirectory(Path.Combine(work.Path, "in")).FullName;
        File.Copy(Corpus.CtSmall, Path.Combine(folder, "ct.dcm"));
        File.Copy(Corpus.JpegBaseline, Path.Combine(folder, "jpeg.dcm"));
        File.Copy(Corpus.RtPlan, Path.Combine(folder, "rtplan.dcm"));
        var all = Directory.CreateDirectory(Path.Combine(work.Path, "all")).FullName;
        var uncompressed = Directory.CreateDirectory(Path.Combine(work.Path, "uncompressed")).FullName;
        var (acceptAll, acceptAllPort) = await Dcmtk.StartStorescpAsync(all, ["+xa"]);
        await using var _ = acceptAll;
        var (onlyUncompressed, onlyUncompressedPort) = await Dcmtk.StartStorescpAsync(uncompressed, []);
        await using var __ = onlyUncompressed;

        var sent = await ExternalTool.RunAsync("dotnet", [DcmtkToScpTests.RadaiDll, "send", "127.0.0.1", acceptAllPort.ToString(System.Globalization.CultureInfo.InvariantCulture), folder, "--aec", "STORESCP"]);
        Assert.True(sent.ExitCode == 0, sent.Output + sent.Error);
        Assert.Contains("ct.dcm: 0000 Success", sent.Output, StringComparison.Ordinal);
        Assert.Contains("jpeg.dcm: 0000 Success", sent.Output, StringComparison.Ordinal);
        Assert.Contains("3 of 3 files stored at STORESCP@127.0.0.1", sent.Output, StringComparison.Ordinal);
        await AssertStoredEqualAsync([Corpus.CtSmall, Corpus.JpegBaseline, Corpus.RtPlan], await StoredBySopInstanceAsync(all), work.Path);

        var partial = await ExternalTool.RunAsync("dotnet", [DcmtkToScpTests.RadaiDll, "send", "127.0.0.1", onlyUncompressedPort.ToString(System.Globalization.CultureInfo.InvariantCulture), folder]);
        Assert.True(partial.ExitCode == 1, partial.Output + partial.Error);
        Assert.Contains("jpeg.dcm: not sent — No accepted presentation context can carry", partial.Output, StringComparison.Ordinal);
        Assert.Contains("2 of 3 files stored", partial.Output, StringComparison.Ordinal);

        var nobody = await ExternalTool.RunAsync("dotnet", [DcmtkToScpTests.RadaiDll, "send", "127.0.0.1", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), folder]);
        Assert.True(nobody.ExitCode == 4, nobody.Output + nobody.Error);
        Assert.Contains("Cannot connect", nobody.Output, StringComparison.Ordinal);
    }

    /// <summary>DicomSender to Orthanc (scripts/test.sh starts it): Orthanc's copy of each instance, read back through its REST API, equals the source.</summary>
    [Fact]
    public async Task DicomSender_to_orthanc_stores_every_file_equal_to_its_source()
    {
        var (aet, host, port) = TestEnvironment.OrthancDicomEndpoint;
        using var http = new HttpClient { BaseAddress = TestEnvironment.OrthancHttp, Timeout = TimeSpan.FromSeconds(60) };
        using var work = new TemporaryDirectory();
        // Fresh Study/Series/SOP Instance UIDs: Orthanc keeps the first copy of an instance, other tests may send the same corpus files.
        var sources = new List<string>();
        foreach (var source in new[] { Corpus.CtSmall, Corpus.RtPlan, Corpus.JpegBaseline, Corpus.Rle, Corpus.MrSmallBigEndian })
        {
            var copy = Path.Combine(work.Path, Path.GetFileName(source));
            File.Copy(source, copy);
            (await Dcmtk.RunAsync("dcmodify", "-nb", "-gst", "-gse", "-gin", copy)).EnsureSuccess("dcmodify");
            sources.Add(copy);
        }

        var results = await DicomSender.SendAsync(Options(port, aet) with { Host = host }, sources);

        Assert.All(results, r => Assert.True(r.Status == DimseStatus.Success, r.ToString()));
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            var uid = await Corpus.SopInstanceUidAsync(source);
            using var lookup = await http.PostAsync(new Uri("/tools/lookup", UriKind.Relative), new StringContent(uid));
            lookup.EnsureSuccessStatusCode();
            var found = await lookup.Content.ReadFromJsonAsync<JsonElement>();
            var instance = found.EnumerateArray().Single(e => e.GetProperty("Type").GetString() == "Instance").GetProperty("ID").GetString();
            var file = Path.Combine(work.Path, uid + ".orthanc.dcm");
            await File.WriteAllBytesAsync(file, await http.GetByteArrayAsync(new Uri($"/instances/{instance}/file", UriKind.Relative)));
            stored[uid] = file;
        }

        await AssertStoredEqualAsync(sources, stored, work.Path);
    }

    internal static DicomClientOptions Options(int port, string calledAe) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        CallingAeTitle = "RADAI-SCU",
        CalledAeTitle = calledAe,
        ResponseTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>The files a peer wrote into a folder, by the SOP Instance UID of their data set.</summary>
    internal static async Task<Dictionary<string, string>> StoredBySopInstanceAsync(string folder)
    {
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            var uid = await Corpus.SopInstanceUidAsync(file);
            Assert.True(stored.TryAdd(uid, file), $"{uid} stored twice");
        }

        return stored;
    }

    /// <summary>
    /// Each source has a stored copy whose data set equals it as dcmdump shows it; when the copy is in another
    /// (uncompressed) syntax, it equals DCMTK's own conversion of the source to that syntax.
    /// </summary>
    internal static async Task AssertStoredEqualAsync(IReadOnlyList<string> sources, IReadOnlyDictionary<string, string> stored, string scratch)
    {
        var problems = new List<string>();
        foreach (var source in sources)
        {
            var uid = await Corpus.SopInstanceUidAsync(source);
            if (!stored.TryGetValue(uid, out var copy))
            {
                problems.Add($"{source}: not stored");
                continue;
            }

            var sourceSyntax = (await DicomFile.OpenAsync(source, DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData })).TransferSyntax;
            var storedSyntax = (await DicomFile.OpenAsync(copy, DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData })).TransferSyntax;
            if (sourceSyntax.IsEncapsulated && storedSyntax.Uid != sourceSyntax.Uid)
            {
                problems.Add($"{source}: {sourceSyntax.Name} stored as {storedSyntax.Name}: compressed data must travel as it is");
                continue;
            }

            var reference = storedSyntax.Uid == sourceSyntax.Uid ? source : await DcmtkToScpTests.ConvertedAsync(source, DcmtkToScpTests.DcmconvOption(storedSyntax.Uid), scratch);
            var expected = await DatasetDump.OfAsync(reference, withoutTrailingPadding: true);
            var actual = await DatasetDump.OfAsync(copy, withoutTrailingPadding: true);
            if (expected != actual)
            {
                problems.Add($"{Path.GetFileName(source)} ({sourceSyntax.Name} -> {storedSyntax.Name}): {DatasetDump.FirstDifference(expected, actual)}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }
}
