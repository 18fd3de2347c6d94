using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.ReportBuilder.Dicom;
using RadAI.Testing;
using Xunit;
using Xunit.Abstractions;

namespace RadAI.ReportBuilder.Tests.Dicom;

/// <summary>The SR, SEG, encapsulated PDF and key image of a synthetic job, checked by the real peers (dicom3tools, DCMTK, pydicom).</summary>
public sealed class ReportObjectsTests(ReportObjectsFixture fixture, ITestOutputHelper output) : IClassFixture<ReportObjectsFixture>
{
    public static TheoryData<string, string> Objects() => new()
    {
        { "sr", "Comprehensive3DSR" },
        { "seg", "Segmentation" },
        { "pdf", "EncapsulatedPDF" },
        { "key", "SCImage" },
    };

    private string PathOf(string kind) => kind switch
    {
        "sr" => fixture.SrPath,
        "seg" => fixture.SegPath,
        "pdf" => fixture.PdfPath,
        "key" => fixture.KeyImagePath,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public async Task Dciodvfy_recognises_each_object_and_reports_no_error(string kind, string iod)
    {
        var (recognised, errors, warnings) = await ReportObjectsFixture.DciodvfyAsync(PathOf(kind));
        foreach (var warning in warnings)
        {
            output.WriteLine(warning);
        }

        Assert.Equal(iod, recognised);
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Fact]
    public async Task Pydicom_reads_every_element_of_every_object()
    {
        var result = (await ExternalTool.RunAsync("/usr/bin/python3", ReportObjectsFixture.CheckScript, "read",
            fixture.SrPath, fixture.SegPath, fixture.PdfPath, fixture.KeyImagePath)).EnsureSuccess("pydicom");
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                $"{DicomUids.Comprehensive3DSRStorage} SR {DicomUids.ExplicitVRLittleEndian}",
                $"{DicomUids.SegmentationStorage} SEG {DicomUids.ExplicitVRLittleEndian}",
                $"{DicomUids.EncapsulatedPDFStorage} DOC {DicomUids.ExplicitVRLittleEndian}",
                $"{DicomUids.SecondaryCaptureImageStorage} OT {DicomUids.ExplicitVRLittleEndian}",
            ],
            lines);
    }

    [Fact]
    public async Task Dsrdump_prints_the_sr_tree_without_errors()
    {
        var result = await ExternalTool.RunAsync("dsrdump", "+Pc", fixture.SrPath);
        var problems = (result.Output + "\n" + result.Error).Split('\n').Where(l => l.StartsWith("E:", StringComparison.Ordinal) || l.StartsWith("W:", StringComparison.Ordinal) || l.StartsWith("F:", StringComparison.Ordinal)).ToList();
        Assert.True(result.ExitCode == 0 && problems.Count == 0, $"exit {result.ExitCode}\n{string.Join('\n', problems)}");
        var tree = DsrNode.Parse(result.Output);
        Assert.Equal("CONTAINER:DCM/126000", tree.Shape.Trim());
        // One measurement group per finding with measurements: lung, nodule 1 (TID 1411), nodule 2 (TID 1410), %LAA-950 (TID 1501).
        var measurements = tree.Children.Single(c => c.Concept == "DCM/126010");
        Assert.Equal(4, measurements.Children.Count(c => c.Concept == "DCM/125007"));
        Assert.Contains(tree.Descendants(), n => n.ValueType == "SCOORD3D");
        // The conclusion, in the report's character set (Latin-1 here), read back as UTF-8 text.
        var utf8 = DsrNode.Parse((await ExternalTool.RunAsync("dsrdump", "+Pc", "+Pl", "+U8", fixture.SrPath)).EnsureSuccess("dsrdump +U8").Output);
        Assert.Contains(utf8.Descendants(), n => n.Concept == "DCM/121077" && n.Value == $"=\"{ReportObjectsFixture.Conclusion}\"");
    }

    [Fact]
    public async Task The_sr_measurement_group_has_the_structure_of_the_reference_tid1500_for_an_equivalent_finding()
    {
        var reference = DsrNode.Parse((await ExternalTool.RunAsync("dsrdump", "+Pc", Path.Combine(ReportObjectsFixture.ReferenceFolder, "tid1500_sct.dcm"))).EnsureSuccess("dsrdump").Output);
        var ours = DsrNode.Parse((await ExternalTool.RunAsync("dsrdump", "+Pc", fixture.SrPath)).EnsureSuccess("dsrdump").Output);

        // Document level: the reference's rows (its person observer aside: ours is a device) in the same order.
        Assert.Equal(reference.Shape, ours.Shape);
        var referenceRows = WithoutPersonObserver(reference.Children).Select(n => n.Shape).ToList();
        AssertOrderedSubsequence(referenceRows, ours.Children.Select(n => n.Shape).ToList(), "document");

        // The reference's finding is a planar region on an image with an area (TID 1410): ours for nodule 2 is the same kind.
        var referenceGroup = reference.Descendants().Single(n => n.Concept == "DCM/125007");
        var ourGroup = ours.Descendants().Single(n => n.Concept == "DCM/125007" && n.Children.Any(c => c.Concept == "DCM/112039" && c.Value.Contains("nodule-2", StringComparison.Ordinal)));
        AssertOrderedSubsequence(Skeleton(referenceGroup), Skeleton(ourGroup), "measurement group");

        // And the segmented findings follow TID 1411: a Referenced Segment with the source series, where TID 1410 has its region.
        var segmented = ours.Descendants().Single(n => n.Concept == "DCM/125007" && n.Children.Any(c => c.Value.Contains("nodule-1", StringComparison.Ordinal)));
        var rows = segmented.Children.Select(c => c.Shape).ToList();
        Assert.True(rows.IndexOf("contains CODE:DCM/121071") < rows.IndexOf("contains IMAGE:DCM/121191"), string.Join('\n', rows));
        Assert.True(rows.IndexOf("contains IMAGE:DCM/121191") + 1 == rows.IndexOf("contains UIDREF:DCM/121232"), string.Join('\n', rows));
    }

    /// <summary>A group's items, codes aside: the shape of each child (values and measured concepts left out), with its own children's relationships and value types.</summary>
    private static List<string> Skeleton(DsrNode group) =>
        [.. group.Children.Select(c => (c.ValueType == "NUM" ? $"{c.Relationship} NUM" : c.Shape)
            + (c.ValueType == "NUM" ? "" : " {" + string.Join(", ", c.Children.Select(g => $"{g.Relationship} {g.ValueType}")) + "}"))];

    private static IEnumerable<DsrNode> WithoutPersonObserver(IEnumerable<DsrNode> rows)
    {
        var inPerson = false;
        foreach (var row in rows)
        {
            if (row.Concept == "DCM/121005")
            {
                inPerson = row.Value.Contains("121006", StringComparison.Ordinal);
            }
            else if (!row.Relationship.Equals("has obs context", StringComparison.Ordinal))
            {
                inPerson = false;
            }

            if (!inPerson && row.Concept is not ("DCM/121008"))
            {
                yield return row;
            }
        }
    }

    private static void AssertOrderedSubsequence(List<string> expected, List<string> actual, string what)
    {
        var at = 0;
        foreach (var row in expected)
        {
            var found = actual.FindIndex(at, r => r == row);
            Assert.True(found >= 0, $"{what}: '{row}' missing or out of order.\nreference:\n  {string.Join("\n  ", expected)}\nours:\n  {string.Join("\n  ", actual)}");
            at = found + 1;
        }
    }

    [Fact]
    public async Task Sr_header_says_what_an_unverified_ai_report_must_say()
    {
        var sr = (await DicomFile.OpenAsync(fixture.SrPath)).Dataset;
        Assert.Equal("SR", sr.GetString(DicomTags.Modality));
        Assert.Equal("COMPLETE", sr.GetString(DicomTags.CompletionFlag));
        Assert.Equal("UNVERIFIED", sr.GetString(DicomTags.VerificationFlag));
        var template = sr.GetSequence(DicomTags.ContentTemplateSequence).Single();
        Assert.Equal(("DCMR", "1500"), (template.GetString(DicomTags.MappingResource), template.GetString(DicomTags.TemplateIdentifier)));
        Assert.Equal(fixture.Study.StudyInstanceUid, sr.GetString(DicomTags.StudyInstanceUID));
        Assert.NotEqual(fixture.Study.SeriesInstanceUid, sr.GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal("SEPARATE", sr.GetString(DicomTags.ContinuityOfContent));

        // Predecessor: the earlier SR, as given.
        var predecessor = sr.GetSequence(DicomTags.PredecessorDocumentsSequence).Single();
        Assert.Equal(fixture.Predecessor.StudyInstanceUid, predecessor.GetString(DicomTags.StudyInstanceUID));
        var predecessorSeries = predecessor.GetSequence(DicomTags.ReferencedSeriesSequence).Single();
        Assert.Equal(fixture.Predecessor.SeriesInstanceUid, predecessorSeries.GetString(DicomTags.SeriesInstanceUID));
        var predecessorInstance = predecessorSeries.GetSequence(DicomTags.ReferencedSOPSequence).Single();
        Assert.Equal(fixture.Predecessor.SopInstanceUid, predecessorInstance.GetString(DicomTags.ReferencedSOPInstanceUID));

        // Evidence: every source slice and the SEG.
        var evidence = sr.GetSequence(DicomTags.CurrentRequestedProcedureEvidenceSequence).Single();
        var referenced = evidence.GetSequence(DicomTags.ReferencedSeriesSequence)
            .SelectMany(s => s.GetSequence(DicomTags.ReferencedSOPSequence)).Select(i => i.GetString(DicomTags.ReferencedSOPInstanceUID)).ToHashSet();
        Assert.Subset(referenced, fixture.Study.SliceUids.ToHashSet());
        Assert.Contains(fixture.Segmentation.Reference.Instance.SopInstanceUid, referenced);

        // The private scheme is declared.
        var scheme = sr.GetSequence(DicomTags.CodingSchemeIdentificationSequence).Single();
        Assert.Equal(RadAICodes.Scheme, scheme.GetString(DicomTags.CodingSchemeDesignator));
    }

    [Fact]
    public async Task Every_code_of_the_sr_and_seg_comes_from_the_reference_tables_or_the_documented_private_scheme()
    {
        var known = await KnownCodesAsync();
        foreach (var path in new[] { fixture.SrPath, fixture.SegPath, fixture.PdfPath, fixture.KeyImagePath })
        {
            var codes = CodesIn((await DicomFile.OpenAsync(path)).Dataset).ToList();
            Assert.NotEmpty(codes);
            foreach (var (scheme, value) in codes)
            {
                var ok = known.Contains((scheme, value))
                    || RadAICodes.IsDefined(new Code(scheme, value, ""))
                    || (scheme == "RFC5646" && value is "fr" or "en")
                    // The source study's own procedure code, copied with the study module.
                    || scheme == "99SYNTH";
                Assert.True(ok, $"{Path.GetFileName(path)}: ({value}, {scheme}) is in no table");
            }
        }
    }

    private static async Task<HashSet<(string, string)>> KnownCodesAsync()
    {
        var known = new HashSet<(string, string)>();
        foreach (var line in (await File.ReadAllLinesAsync(Path.Combine(ReportObjectsFixture.TablesFolder, "dicom_dcm_codes.tsv"))).Skip(1))
        {
            known.Add(("DCM", line.Split('\t')[0]));
        }

        foreach (var line in (await File.ReadAllLinesAsync(Path.Combine(ReportObjectsFixture.TablesFolder, "dicom_cid_members.tsv"))).Skip(1))
        {
            var f = line.Split('\t');
            if (f[1] == "code")
            {
                known.Add((f[2], f[3]));
            }
        }

        foreach (var line in (await File.ReadAllLinesAsync(Path.Combine(ReportObjectsFixture.TablesFolder, "sr_common_codes.tsv"))).Skip(1))
        {
            var f = line.Split('\t');
            known.Add((f[1], f[2]));
        }

        return known;
    }

    private static IEnumerable<(string Scheme, string Value)> CodesIn(DicomDataset dataset)
    {
        if (dataset.TryGetString(DicomTags.CodingSchemeDesignator, out var scheme)
            && (dataset.TryGetString(DicomTags.CodeValue, out var value) || dataset.TryGetString(DicomTags.LongCodeValue, out value)))
        {
            yield return (scheme, value);
        }

        foreach (var element in dataset)
        {
            if (element.Sequence is { } sequence)
            {
                foreach (var code in sequence.SelectMany(CodesIn))
                {
                    yield return code;
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Objects))]
    public async Task Patient_and_study_modules_and_character_set_are_the_sources_byte_for_byte(string kind, string iod)
    {
        _ = iod;
        var source = (await DicomFile.OpenAsync(Path.Combine(fixture.SourceFolder, "CT0001.dcm"), new DicomReadOptions { StopBeforeTag = DicomTags.PixelData })).Dataset;
        var ours = (await DicomFile.OpenAsync(PathOf(kind), new DicomReadOptions { StopBeforeTag = DicomTags.PixelData })).Dataset;
        var copied = new[]
        {
            DicomTags.SpecificCharacterSet, DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex,
            DicomTags.PatientAge, DicomTags.PatientIdentityRemoved, DicomTags.DeidentificationMethod, DicomTags.StudyInstanceUID,
            DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.AccessionNumber, DicomTags.ReferringPhysicianName,
            DicomTags.StudyDescription, DicomTags.StudyID,
        };
        foreach (var tag in copied)
        {
            Assert.True(ours.TryGetElement(tag, out var element), $"{tag} missing");
            Assert.Equal(source.GetElement(tag).RawValue.ToArray(), element.RawValue.ToArray());
        }

        Assert.Equal(fixture.Study.PatientName, ours.GetString(DicomTags.PatientName));
        var procedure = ours.GetSequence(DicomTags.ProcedureCodeSequence).Single();
        Assert.Equal("Scanner thoracique", procedure.GetString(DicomTags.CodeMeaning));
        // Series level attributes are the report's own.
        Assert.NotEqual(source.GetString(DicomTags.SeriesInstanceUID), ours.GetString(DicomTags.SeriesInstanceUID));
        Assert.False(ours.Contains(DicomTags.KVP));
    }

    [Fact]
    public async Task Seg_frames_decoded_by_pydicom_equal_the_masks()
    {
        var result = (await ExternalTool.RunAsync("/usr/bin/python3", ReportObjectsFixture.CheckScript, "seg",
            fixture.SegPath, fixture.LabelsPath, fixture.LabelsMetaPath)).EnsureSuccess("pydicom seg check");
        output.WriteLine(result.Output);
        // Segment 1 in slices 1-6, segment 2 in slices 3-4; segment 3 has no voxel and is left out.
        Assert.Contains("frames=8 segments=[1, 2] ok", result.Output, StringComparison.Ordinal);
        Assert.Equal([1, 2], fixture.Segmentation.Reference.SegmentNumbers);
        Assert.Equal(8, fixture.Segmentation.FrameCount);
    }

    [Fact]
    public async Task Seg_segments_say_automatic_with_the_model_and_share_the_srs_tracking_uids()
    {
        var seg = (await DicomFile.OpenAsync(fixture.SegPath)).Dataset;
        Assert.Equal("BINARY", seg.GetString(DicomTags.SegmentationType));
        Assert.Equal(fixture.Study.FrameOfReferenceUid, seg.GetString(DicomTags.FrameOfReferenceUID));
        var segments = seg.GetSequence(DicomTags.SegmentSequence);
        Assert.All(segments, s =>
        {
            Assert.Equal("AUTOMATIC", s.GetString(DicomTags.SegmentAlgorithmType));
            Assert.Equal("RadAI Lung CT", s.GetString(DicomTags.SegmentAlgorithmName));
            var algorithm = s.GetSequence(DicomTags.SegmentationAlgorithmIdentificationSequence).Single();
            Assert.Equal("1.4.2", algorithm.GetString(DicomTags.AlgorithmVersion));
        });
        var nodule = segments.Single(s => s.GetValue<int>(DicomTags.SegmentNumber) == 2);
        Assert.Equal("27925004", nodule.GetSequence(DicomTags.SegmentedPropertyTypeCodeSequence).Single().GetString(DicomTags.CodeValue));
        Assert.Equal(fixture.Context.Uids.Tracking("run-1", "nodule-1"), nodule.GetString(DicomTags.TrackingUID));

        var dump = (await ExternalTool.RunAsync("dsrdump", fixture.SrPath)).EnsureSuccess("dsrdump").Output;
        Assert.Contains(fixture.Context.Uids.Tracking("run-1", "nodule-1"), dump, StringComparison.Ordinal);

        // Positions are the source slices': frame 1 is segment 1 on slice 1.
        var first = seg.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence)[0];
        var position = first.GetSequence(DicomTags.PlanePositionSequence).Single().GetValues<double>(DicomTags.ImagePositionPatient);
        Assert.Equal(fixture.Study.Origin.Z + SyntheticStudy.SliceSpacing, position[2], 6);
    }

    [Fact]
    public async Task Dcm2pdf_extracts_the_pdf_byte_identical()
    {
        Assert.Equal(1, fixture.Pdf.Length % 2);
        var extracted = Path.Combine(fixture.Folder, "extracted.pdf");
        (await ExternalTool.RunAsync("dcm2pdf", fixture.PdfPath, extracted)).EnsureSuccess("dcm2pdf");
        Assert.Equal(fixture.Pdf, await File.ReadAllBytesAsync(extracted));

        var pdf = (await DicomFile.OpenAsync(fixture.PdfPath)).Dataset;
        Assert.Equal((uint)fixture.Pdf.Length, pdf.GetValue<uint>(DicomTags.EncapsulatedDocumentLength));
        Assert.Equal(fixture.Pdf.Length + 1, pdf.GetElement(DicomTags.EncapsulatedDocument).Length);
        Assert.Equal("application/pdf", pdf.GetString(DicomTags.MIMETypeOfEncapsulatedDocument));
        Assert.Equal("Compte rendu IA (non vérifié)", pdf.GetString(DicomTags.DocumentTitle));
    }

    [Fact]
    public async Task Key_image_pixels_decoded_by_pydicom_equal_the_rendered_pixels()
    {
        var result = (await ExternalTool.RunAsync("/usr/bin/python3", ReportObjectsFixture.CheckScript, "rgb", fixture.KeyImagePath, fixture.RgbPath)).EnsureSuccess("pydicom rgb check");
        Assert.Contains($"{ReportObjectsFixture.KeyWidth}x{ReportObjectsFixture.KeyHeight} ok", result.Output, StringComparison.Ordinal);
        var key = (await DicomFile.OpenAsync(fixture.KeyImagePath)).Dataset;
        Assert.Equal("YES", key.GetString(DicomTags.BurnedInAnnotation));
        Assert.Contains("IA / AI", key.GetString(DicomTags.SeriesDescription), StringComparison.Ordinal);
    }

    [Fact]
    public void Building_the_same_job_again_gives_the_same_uids()
    {
        var context = fixture.Context with { CreatedAt = ReportObjectsFixture.CreatedAt.AddHours(1) };
        var seg = SegmentationBuilder.Build(fixture.Results.Runs[0], fixture.Labels, fixture.Source, context)!;
        var sr = MeasurementReportBuilder.Build(new MeasurementReportRequest(fixture.Results, fixture.Source, "fr", "x", [seg.Reference]), context);
        Assert.Equal(fixture.Segmentation.File.SopInstanceUid(), seg.File.SopInstanceUid());
        Assert.Equal(fixture.Segmentation.File.SeriesInstanceUid(), seg.File.SeriesInstanceUid());
        Assert.Equal(fixture.Sr.SopInstanceUid(), sr.SopInstanceUid());

        // A job where some runs failed: the same SR, marked PARTIAL.
        var partial = MeasurementReportBuilder.Build(new MeasurementReportRequest(fixture.Results, fixture.Source, "fr", "x", [seg.Reference], Partial: true), context);
        Assert.Equal(("PARTIAL", "UNVERIFIED"), (partial.Dataset.GetString(DicomTags.CompletionFlag), partial.Dataset.GetString(DicomTags.VerificationFlag)));

        var other = new ReportContext(new ReportUids(Guid.NewGuid()), ReportObjectsFixture.Device, ReportObjectsFixture.CreatedAt);
        Assert.NotEqual(fixture.Sr.SopInstanceUid(), MeasurementReportBuilder.Build(new MeasurementReportRequest(fixture.Results, fixture.Source, "fr", "x", [seg.Reference]), other).SopInstanceUid());
    }

    [Fact]
    public async Task Without_3d_coordinates_the_sr_is_an_enhanced_sr_that_dciodvfy_and_dsrdump_accept()
    {
        var results = fixture.Study.Results(fixture.JobId, withDiameterEndPoints: false);
        var sr = MeasurementReportBuilder.Build(new MeasurementReportRequest(results, fixture.Source, "en", "Right lung nodule.", [fixture.Segmentation.Reference]), fixture.Context);
        var path = Path.Combine(fixture.Folder, "enhanced-sr.dcm");
        await ReportDicomFiles.WriteAsync(sr, path);

        var (iod, errors, _) = await ReportObjectsFixture.DciodvfyAsync(path);
        Assert.Equal("EnhancedSR", iod);
        Assert.True(errors.Count == 0, string.Join('\n', errors));
        var dump = await ExternalTool.RunAsync("dsrdump", path);
        Assert.Equal(0, dump.ExitCode);
        Assert.DoesNotContain(DsrNode.Parse(dump.Output).Descendants(), n => n.ValueType == "SCOORD3D");
    }

    [Fact]
    public async Task Text_the_source_character_set_cannot_hold_switches_the_object_to_utf8_with_the_same_patient_values()
    {
        var sr = MeasurementReportBuilder.Build(
            new MeasurementReportRequest(fixture.Results, fixture.Source, "en", "Nodule ≥ 3 mm — follow-up", [fixture.Segmentation.Reference]),
            fixture.Context);
        Assert.Equal("ISO_IR 192", sr.Dataset.GetString(DicomTags.SpecificCharacterSet));
        var path = Path.Combine(fixture.Folder, "utf8-sr.dcm");
        await ReportDicomFiles.WriteAsync(sr, path);
        var read = (await DicomFile.OpenAsync(path)).Dataset;
        Assert.Equal(fixture.Study.PatientName, read.GetString(DicomTags.PatientName));
        Assert.Equal("Médecin^Référent", read.GetString(DicomTags.ReferringPhysicianName));
        var (_, errors, _) = await ReportObjectsFixture.DciodvfyAsync(path);
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    [Fact]
    public void The_source_series_indexes_its_dicom_files_and_skips_the_others()
    {
        var series = fixture.Source.GetSeries(fixture.Study.SeriesInstanceUid);
        Assert.Equal(fixture.Study.SliceUids.Order(StringComparer.Ordinal), series.Instances.Keys.Order(StringComparer.Ordinal));
        Assert.All(series.Instances.Values, i => Assert.Equal((DicomUids.CTImageStorage, 1), (i.SopClassUid, i.NumberOfFrames)));
        Assert.Equal("CT", series.Modality);
        Assert.Throws<KeyNotFoundException>(() => fixture.Source.GetInstance("1.2.3"));
    }

    [Fact]
    public async Task From_a_multi_frame_source_the_seg_and_sr_refer_to_frames_and_the_seg_takes_its_geometry_from_the_volume_grid()
    {
        using var folder = new TemporaryDirectory("radai-report-multiframe");
        var study = new SyntheticStudy(multiFrame: true);
        var sourceFolder = Path.Combine(folder.Path, "source");
        await study.WriteAsync(sourceFolder);
        var source = await SourceStudy.LoadAsync(study.StudyInstanceUid, [(study.SeriesInstanceUid, sourceFolder)]);
        Assert.Equal(SyntheticStudy.Slices, source.GetInstance(study.SliceUids[0]).NumberOfFrames);
        var results = study.Results(fixture.JobId);
        var seg = SegmentationBuilder.Build(results.Runs[0], fixture.Labels, source, fixture.Context)!;
        var segPath = Path.Combine(folder.Path, "seg.dcm");
        await ReportDicomFiles.WriteAsync(seg.File, segPath);
        var sr = MeasurementReportBuilder.Build(new MeasurementReportRequest(results, source, "en", "Right lung nodule.", [seg.Reference]), fixture.Context);
        var srPath = Path.Combine(folder.Path, "sr.dcm");
        await ReportDicomFiles.WriteAsync(sr, srPath);

        foreach (var (path, iod) in new[] { (segPath, "Segmentation"), (srPath, "Comprehensive3DSR") })
        {
            var (recognised, errors, _) = await ReportObjectsFixture.DciodvfyAsync(path);
            Assert.Equal(iod, recognised);
            Assert.True(errors.Count == 0, string.Join('\n', errors));
        }

        var labels = Path.Combine(folder.Path, "labels.raw");
        var meta = Path.Combine(folder.Path, "labels.json");
        await File.WriteAllBytesAsync(labels, fixture.Labels);
        await File.WriteAllTextAsync(meta, System.Text.Json.JsonSerializer.Serialize(new
        {
            sizeX = SyntheticStudy.Size,
            sizeY = SyntheticStudy.Size,
            sizeZ = SyntheticStudy.Slices,
            slices = results.Runs[0].Geometry.Slices.Select(s => $"{s.SopInstanceUid}#{s.Frame}"),
        }));
        var check = (await ExternalTool.RunAsync("/usr/bin/python3", ReportObjectsFixture.CheckScript, "seg", segPath, labels, meta)).EnsureSuccess("pydicom seg check");
        Assert.Contains("frames=8 segments=[1, 2] ok", check.Output, StringComparison.Ordinal);

        // Frame 1 is segment 1 on slice 1: frame 2 of the source, positioned by the grid (origin + 1 slice along the normal).
        var first = seg.File.Dataset.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence)[0];
        var sourceImage = first.GetSequence(DicomTags.DerivationImageSequence).Single().GetSequence(DicomTags.SourceImageSequence).Single();
        Assert.Equal(2, sourceImage.GetValue<int>(DicomTags.ReferencedFrameNumber));
        var position = first.GetSequence(DicomTags.PlanePositionSequence).Single().GetValues<double>(DicomTags.ImagePositionPatient);
        Assert.Equal([study.Origin.X, study.Origin.Y, study.Origin.Z + SyntheticStudy.SliceSpacing], position);
        var measures = seg.File.Dataset.GetSequence(DicomTags.SharedFunctionalGroupsSequence).Single().GetSequence(DicomTags.PixelMeasuresSequence).Single();
        Assert.Equal([SyntheticStudy.PixelSpacing, SyntheticStudy.PixelSpacing], measures.GetValues<double>(DicomTags.PixelSpacing));

        // The SR's image library names the frames.
        var dump = (await ExternalTool.RunAsync("dsrdump", srPath)).EnsureSuccess("dsrdump").Output;
        var images = DsrNode.Parse(dump).Descendants().Where(n => n.ValueType == "IMAGE").Select(n => n.Value).ToList();
        Assert.True(images.Any(v => v.EndsWith(",8)", StringComparison.Ordinal)), string.Join('\n', images));
    }

    [Fact]
    public void A_run_whose_label_map_holds_no_segment_makes_no_seg()
    {
        var empty = new byte[fixture.Labels.Length];
        Assert.Null(SegmentationBuilder.Build(fixture.Results.Runs[0], empty, fixture.Source, fixture.Context));
        Assert.Throws<ArgumentException>(() => SegmentationBuilder.Build(fixture.Results.Runs[0], new byte[10], fixture.Source, fixture.Context));
    }
}
