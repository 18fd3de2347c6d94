using System.Text.RegularExpressions;
using RadAI.Dicom.IO;
using RadAI.Dicom.Network;
using RadAI.Testing;
using Xunit;
using Xunit.Abstractions;

namespace RadAI.Dicom.Tests.Network;

/// <summary>
/// DCMTK's echoscu, storescu and dcmsend against RadAI's SCP (in process, and <c>radai listen</c> as a process): what
/// the SCP stored is, data set for data set, what DCMTK sent, as dcmdump shows it.
/// </summary>
/// <remarks>
/// DCMTK behaviours accounted for, each explicitly:
/// <list type="bullet">
/// <item>DCMTK re-encodes sequences and items with explicit lengths when it sends (the dump ignores delimitation).</item>
/// <item>DCMTK drops a top-level Data Set Trailing Padding (FFFC,FFFC) when it sends: it is removed from the expected dump.</item>
/// <item>DCMTK converts between uncompressed syntaxes itself when the accepted syntax is not the file's (our SCP prefers
/// explicit VR little endian): the expected data set is then DCMTK's own conversion of the source (<c>dcmconv</c>), so that
/// VRs of private elements that only an explicit VR source carries are compared like for like.</item>
/// </list>
/// </remarks>
public sealed partial class DcmtkToScpTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Echoscu_gets_success()
    {
        await using var scp = await ScpUnderTest.StartAsync();

        var echo = await Dcmtk.RunAsync("echoscu", "-v", "-aet", "DCMTK", "-aec", ScpUnderTest.AeTitle, "127.0.0.1", Port(scp));

        Assert.True(echo.ExitCode == 0, echo.Output + echo.Error);
        Assert.Contains("Received Echo Response (Success)", echo.Output + echo.Error, StringComparison.Ordinal);
        await scp.IdleAsync();
        Assert.True(scp.Log.Contains("released"), scp.Log.ToString());
    }

    /// <summary>
    /// storescu with its default proposal (explicit VR little endian first, plus a context in the file's own syntax
    /// where it differs), with implicit VR only (-xi), and with deflate first (-xd) to an SCP that prefers deflate: each
    /// file is stored in the syntax accepted, equal to the source as DCMTK converts it to that syntax.
    /// </summary>
    [Theory]
    [InlineData("-x=", DicomUids.ExplicitVRLittleEndian, false)]
    [InlineData("-xi", DicomUids.ImplicitVRLittleEndian, true)]
    [InlineData("-xd", DicomUids.DeflatedExplicitVRLittleEndian, false)]
    public async Task Storescu_instances_are_stored_as_sent(string proposal, string ctSyntax, bool allInCtSyntax)
    {
        var preferDeflate = ctSyntax == DicomUids.DeflatedExplicitVRLittleEndian
            ? new DicomServerOptions { TransferSyntaxes = [DicomUids.DeflatedExplicitVRLittleEndian, .. DicomServerOptions.DecodableTransferSyntaxes] }
            : null;
        await using var scp = await ScpUnderTest.StartAsync(preferDeflate);
        using var work = new TemporaryDirectory();
        // Explicit LE with trailing padding, implicit LE, explicit big endian, and an RT plan (sequences).
        string[] sources = [Corpus.CtSmall, Corpus.RtPlan, Corpus.MrSmallBigEndian, Corpus.File("test_files/rtdose_1frame.dcm")];

        var store = await Dcmtk.RunAsync("storescu", ["-v", proposal, "-aet", "DCMTK", "-aec", ScpUnderTest.AeTitle, "127.0.0.1", Port(scp), .. sources]);

        Assert.True(store.ExitCode == 0, store.Output + store.Error);
        Assert.Equal(sources.Length, Regex.Count(store.Output + store.Error, @"Received Store Response \(Success\)"));
        Assert.Equal(sources.Length, scp.StoredFiles().Count);
        foreach (var source in sources)
        {
            var stored = Path.Combine(scp.Output, await Corpus.SopInstanceUidAsync(source) + ".dcm");
            var storedFile = await DicomFile.OpenAsync(stored);
            var sourceFile = await DicomFile.OpenAsync(source);
            Assert.Equal(allInCtSyntax || source == Corpus.CtSmall ? ctSyntax : storedFile.TransferSyntax.Uid, storedFile.TransferSyntax.Uid);
            Assert.Equal("DCMTK", storedFile.FileMetaInformation.GetString(DicomTags.SourceApplicationEntityTitle));
            var reference = storedFile.TransferSyntax.Uid == sourceFile.TransferSyntax.Uid ? source : await ConvertedAsync(source, DcmconvOption(storedFile.TransferSyntax.Uid), work.Path);
            var expected = await DatasetDump.OfAsync(reference, withoutTrailingPadding: true);
            var actual = await DatasetDump.OfAsync(stored);
            Assert.True(expected == actual, $"{source}: {DatasetDump.FirstDifference(expected, actual)}");
        }

        await scp.IdleAsync();
        Assert.Empty(scp.IncomingFiles());
    }

    /// <summary>
    /// dcmsend of a mixed folder of the pydicom corpus, never decompressing (-dn), to an SCP accepting every transfer
    /// syntax (like storescp +xa): every valid instance is stored and equal to its source; the ones refused are the
    /// ones expected, with the status expected.
    /// </summary>
    [Fact]
    public async Task Dcmsend_mixed_corpus_folder_is_stored_equal_to_the_sources()
    {
        // Several corpus files share a SOP Instance UID (MR_small in 8 syntaxes): one file per C-STORE.
        var storeOptions = new DicomFileStoreOptions { RelativePath = r => $"{r.SopInstanceUid}/{r.Peer.AssociationId:N}-{r.MessageId}.dcm" };
        await using var scp = await ScpUnderTest.StartAsync(new DicomServerOptions { TransferSyntaxes = DicomServerOptions.AllTransferSyntaxes }, store: storeOptions);
        using var work = new TemporaryDirectory();
        var folder = Path.Combine(work.Path, "mixed");
        var sources = await MixedFolderAsync(folder);
        Assert.True(sources.Count > 100, $"only {sources.Count} valid instances in the corpus");

        var report = Path.Combine(work.Path, "report.txt");
        var send = await Dcmtk.RunAsync("dcmsend", "-v", "-nh", "-dn", "+sd", "+r", "-aet", "DCMSEND", "-aec", ScpUnderTest.AeTitle, "+crf", report, "127.0.0.1", Port(scp), folder);
        Assert.True(File.Exists(report), send.Output + send.Error);
        var entries = ParseReport(await File.ReadAllTextAsync(report)).ToDictionary(e => Path.GetFileName(e.File), StringComparer.Ordinal);

        var problems = new List<string>();
        var sent = new List<(string Name, string Uid, ReportEntry Entry)>();
        foreach (var (name, uid) in sources)
        {
            if (!entries.TryGetValue(name, out var entry))
            {
                problems.Add($"{name}: not in dcmsend's report");
                continue;
            }

            var expectedStatus = ExpectedRefusals.TryGetValue(name, out var refusal) ? refusal : "0x0000 (Success)";
            if (entry.Status != expectedStatus)
            {
                problems.Add($"{name}: {entry.Status}, expected {expectedStatus}");
            }
            else if (refusal is null)
            {
                sent.Add((name, uid, entry));
            }
        }

        // DCMTK converted when the accepted syntax was not the file's: compare with its own conversion.
        var references = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(sent, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (item, _) =>
        {
            var path = Path.Combine(folder, item.Name);
            references[item.Name] = item.Entry.NetworkSyntax == item.Entry.OriginalSyntax ? path : await ConvertedAsync(path, DcmconvOption(item.Entry.NetworkSyntax), work.Path);
        });
        var referenceDumps = await DatasetDump.OfManyAsync([.. references.Values], withoutTrailingPadding: true);
        var expectedDumps = references.ToDictionary(r => r.Key, r => referenceDumps[r.Value], StringComparer.Ordinal);
        var storedDumps = await DatasetDump.OfManyAsync(scp.StoredFiles());

        foreach (var group in sent.GroupBy(s => s.Uid))
        {
            // Stored as <SOP Instance UID>/<association>-<message id>.dcm: as many as sent, each equal to one source
            // (several sources may share a UID).
            var stored = storedDumps.Where(d => Path.GetFileName(Path.GetDirectoryName(d.Key)) == group.Key).Select(d => d.Value).ToList();
            if (stored.Count != group.Count())
            {
                problems.Add($"{group.Key}: {stored.Count} stored, {group.Count()} sent ({string.Join(", ", group.Select(e => e.Name))})");
                continue;
            }

            foreach (var (name, _, _) in group)
            {
                var match = stored.IndexOf(expectedDumps[name]);
                if (match < 0)
                {
                    problems.Add($"{name}: no stored instance equals it; {DatasetDump.FirstDifference(expectedDumps[name], stored[0])}");
                    continue;
                }

                stored.RemoveAt(match);
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems) + "\n--- dcmsend:\n" + send.Output + send.Error);
        Assert.Equal(sources.Count - ExpectedRefusals.Count, storedDumps.Count);
        output.WriteLine($"{sources.Count} valid corpus instances, {storedDumps.Count} stored and equal ({sent.Count(s => s.Entry.NetworkSyntax != s.Entry.OriginalSyntax)} converted by DCMTK), {ExpectedRefusals.Count} refused as expected");
        await scp.IdleAsync();
        Assert.Empty(scp.IncomingFiles());
    }

    /// <summary>
    /// Valid instances (as RadAI reads them) that are still not stored, and why (dcmsend's report status).
    /// <list type="bullet">
    /// <item>rtdose_rle*.dcm: their SOP Class UID and SOP Instance UID are encoded with VR UN; DCMTK reads them as the
    /// hex dump of their first byte ("31") and puts that in the C-STORE-RQ, which our SCP refuses as a SOP class other
    /// than the presentation context's (0122).</item>
    /// <item>SC_rgb_jpeg.dcm: (0008,0008) has the invalid VR "  "; RadAI tolerates it, DCMTK then misreads the following
    /// element with a 1.3 GB length and does not send the file at all.</item>
    /// </list>
    /// </summary>
    private static readonly Dictionary<string, string> ExpectedRefusals = new(StringComparer.Ordinal)
    {
        ["test_files_SC_rgb_jpeg.dcm"] = "<not sent>",
        ["test_files_rtdose_rle.dcm"] = "0x0122 (Refused: SOPClassNotSupported)",
        ["test_files_rtdose_rle_1frame.dcm"] = "0x0122 (Refused: SOPClassNotSupported)",
    };

    /// <summary><c>radai listen</c> as a process: C-ECHO, C-STORE from storescu, and a graceful stop on SIGTERM.</summary>
    [Fact]
    public async Task Radai_listen_process_receives_from_storescu()
    {
        using var work = new TemporaryDirectory();
        var output = Path.Combine(work.Path, "out");
        await using var listen = ServiceProcess.StartDll(RadaiDll, new Dictionary<string, string?>(), "listen", "0", "--aet", "LISTENER", "--out", output);
        var line = await listen.WaitForLineAsync(l => l.StartsWith("radai listen: LISTENER on port ", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the listening line");
        var port = ListenPort().Match(line).Groups[1].Value;

        var echo = await Dcmtk.RunAsync("echoscu", "-aec", "LISTENER", "127.0.0.1", port);
        Assert.True(echo.ExitCode == 0, echo.Output + echo.Error);
        var store = await Dcmtk.RunAsync("storescu", "-aec", "LISTENER", "127.0.0.1", port, Corpus.CtSmall, Corpus.MrSmall);
        Assert.True(store.ExitCode == 0, store.Output + store.Error);

        foreach (var source in new[] { Corpus.CtSmall, Corpus.MrSmall })
        {
            var stored = Path.Combine(output, await Corpus.SopInstanceUidAsync(source) + ".dcm");
            Assert.Equal(await DatasetDump.OfAsync(source, withoutTrailingPadding: true), await DatasetDump.OfAsync(stored));
        }

        var wrongAe = await Dcmtk.RunAsync("echoscu", "-aec", "SOMEONE-ELSE", "127.0.0.1", port);
        Assert.NotEqual(0, wrongAe.ExitCode);
        Assert.Contains("Called AE Title Not Recognized", wrongAe.Output + wrongAe.Error, StringComparison.Ordinal);

        await listen.StopAsync(TimeSpan.FromSeconds(30));
        Assert.True(listen.HasExited);
        Assert.True(listen.ExitCode == 0, listen.Output);
        Assert.Contains("radai listen: stopped", listen.Output, StringComparison.Ordinal);
    }

    /// <summary>The radai program built with the tests (tools/RadAI.Cli, assembly radai).</summary>
    internal static string RadaiDll => RepositoryPaths.SiblingBuiltAssembly("RadAI.Cli", "radai");

    internal static string Port(ScpUnderTest scp) => scp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>DCMTK's own conversion of <paramref name="source"/> (dcmconv, with <paramref name="syntaxOption"/>).</summary>
    internal static async Task<string> ConvertedAsync(string source, string syntaxOption, string folder)
    {
        var target = Path.Combine(folder, $"{Guid.NewGuid():N}.dcm");
        (await Dcmtk.RunAsync("dcmconv", syntaxOption, source, target)).EnsureSuccess($"dcmconv {syntaxOption} {source}");
        return target;
    }

    internal static string DcmconvOption(string syntaxUid) => syntaxUid switch
    {
        DicomUids.ExplicitVRLittleEndian => "+te",
        DicomUids.ImplicitVRLittleEndian => "+ti",
        DicomUids.ExplicitVRBigEndian => "+tb",
        DicomUids.DeflatedExplicitVRLittleEndian => "+td",
        _ => throw new InvalidOperationException($"DCMTK converted to {syntaxUid}, which dcmsend -dn never should."),
    };

    /// <summary>
    /// Copies into <paramref name="folder"/> (flat, unique names) every corpus file that is a valid storage instance:
    /// RadAI reads it whole, it has a meta group with a transfer syntax, a SOP Class and a SOP Instance UID, and is not a
    /// DICOMDIR. Returns (file name, SOP Instance UID of the data set).
    /// </summary>
    private static async Task<List<(string Name, string Uid)>> MixedFolderAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        var selected = new List<(string, string)>();
        foreach (var file in Conformance.PydicomReference.CorpusFiles())
        {
            var path = Path.Combine(Corpus.Root, file);
            try
            {
                var dicom = await DicomFile.OpenAsync(path);
                if (!dicom.FileMetaInformation.Contains(DicomTags.TransferSyntaxUID)
                    || !dicom.Dataset.TryGetString(DicomTags.SOPClassUID, out var sopClass)
                    || !dicom.Dataset.TryGetString(DicomTags.SOPInstanceUID, out var uid)
                    || sopClass == DicomUids.MediaStorageDirectoryStorage)
                {
                    continue;
                }

                // Pixel data is lazy: make sure the file holds all of it.
                foreach (var element in dicom.Dataset)
                {
                    if (dicom.Dataset.TryGetBulk(element.Tag, out var bulk))
                    {
                        await using var stream = bulk.OpenRead();
                        await stream.CopyToAsync(Stream.Null);
                    }
                }

                var name = file.Replace('/', '_');
                File.Copy(path, Path.Combine(folder, name));
                selected.Add((name, uid));
            }
            catch (Exception e) when (e is DicomFormatException or FormatException or IOException or EndOfStreamException)
            {
                // Not a valid instance: not part of the folder.
            }
        }

        return selected;
    }

    private sealed record ReportEntry(string File, string OriginalSyntax, string NetworkSyntax, string Status);

    /// <summary>The entries of dcmsend's --create-report-file.</summary>
    private static IEnumerable<ReportEntry> ParseReport(string text)
    {
        foreach (var block in text.Split("\n\n"))
        {
            var fields = ReportField().Matches(block).ToDictionary(m => m.Groups[1].Value.Trim(), m => m.Groups[2].Value.Trim(), StringComparer.Ordinal);
            if (fields.TryGetValue("Filename", out var file))
            {
                yield return new ReportEntry(file, Uid(fields.GetValueOrDefault("Original Xfer")), Uid(fields.GetValueOrDefault("Network Xfer")), fields.GetValueOrDefault("DIMSE Status") ?? "?");
            }
        }

        static string Uid(string? value) => value?.Split(' ')[0] ?? "";
    }

    [GeneratedRegex(@"^([A-Za-z][A-Za-z. ]*?)\s*: (.*)$", RegexOptions.Multiline)]
    private static partial Regex ReportField();

    [GeneratedRegex(@"on port (\d+)")]
    private static partial Regex ListenPort();
}
