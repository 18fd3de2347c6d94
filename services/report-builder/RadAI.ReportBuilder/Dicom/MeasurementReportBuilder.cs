using RadAI.Contracts.Findings;
using RadAI.Dicom;
using RadAI.Dicom.IO;

namespace RadAI.ReportBuilder.Dicom;

/// <summary>What the SR is made from.</summary>
/// <param name="Results">The job's findings document.</param>
/// <param name="Source">The source study (its headers).</param>
/// <param name="Language">Language of the report's text: <c>fr</c> or <c>en</c>.</param>
/// <param name="Conclusion">The narrative conclusion, in <paramref name="Language"/> (empty: none).</param>
/// <param name="Segmentations">The SEG objects written for the runs, to refer to their segments.</param>
/// <param name="Predecessor">The SR an earlier analysis of the same study produced, when there is one.</param>
/// <param name="Partial">True when some model runs of the job failed: Completion Flag PARTIAL instead of COMPLETE.</param>
public sealed record MeasurementReportRequest(
    AnalysisResults Results,
    SourceStudy Source,
    string Language,
    string Conclusion,
    IReadOnlyList<SegmentationReference> Segmentations,
    InstanceReference? Predecessor = null,
    bool Partial = false);

/// <summary>
/// Builds the DICOM SR of a job: a TID 1500 Imaging Measurement Report, as Enhanced SR, or as Comprehensive 3D
/// SR when a finding carries 3D coordinates (SCOORD3D). One measurement group per finding: TID 1411 when the
/// finding has a segment in a SEG, TID 1410 when it has an image region only, TID 1501 otherwise.
/// Classification findings and the conclusion go to the Qualitative Evaluations container.
/// </summary>
public static class MeasurementReportBuilder
{
    private static readonly DicomCode SourceImage = new("DCM", "121324", "Source Image");
    private static readonly DicomCode FrameOfReferenceUid = new("DCM", "112227", "Frame of Reference UID");
    private static readonly DicomCode ModalityConcept = new("DCM", "121139", "Modality");

    /// <summary>Concepts of measurements whose two end points (DiameterStart/End) are written as a 3D path.</summary>
    private static readonly string[] LinearMeasurements = ["103339001", "81827009", "410668003"];

    /// <summary>Builds the SR (not yet written).</summary>
    public static DicomFile Build(MeasurementReportRequest request, ReportContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var results = request.Results;
        if (results.StudyInstanceUid != request.Source.StudyInstanceUid)
        {
            throw new ArgumentException("The findings and the source belong to different studies.", nameof(request));
        }

        var language = LanguageCode(request.Language);
        var uses3D = results.Runs.Any(run => run.FrameOfReferenceUid.Length > 0 && run.Findings.Any(f => PathMeasurement(f) is not null));
        var sopClass = uses3D ? DicomUids.Comprehensive3DSRStorage : DicomUids.EnhancedSRStorage;

        var dataset = ReportModules.CreateFromSource(request.Source, TextsOf(request, context.Device));
        var encoding = new ReportEncoding(dataset.CharacterSet);
        var content = new SrContent(encoding);
        ReportModules.AddNewInstance(dataset, context.Device, new NewInstance(
            sopClass,
            context.Uids.MeasurementReport,
            "SR",
            context.Uids.MeasurementReportSeries,
            ReportSeries.MeasurementReportNumber,
            ReportSeries.MeasurementReportDescription,
            1,
            context.CreatedAt));

        // SR Document Series and SR Document General.
        dataset.AddOrUpdate(DicomTags.ReferencedPerformedProcedureStepSequence, new DicomSequence());
        dataset.AddOrUpdate(DicomTags.CompletionFlag, request.Partial ? "PARTIAL" : "COMPLETE");
        dataset.AddOrUpdate(DicomTags.VerificationFlag, "UNVERIFIED");
        dataset.AddOrUpdate(DicomTags.PerformedProcedureCodeSequence, new DicomSequence());

        var evidence = new List<InstanceReference>();
        var imageLibrary = ImageLibrary(request, content, evidence);
        var measurements = new List<DicomDataset>();
        var qualitative = new List<DicomDataset>();
        foreach (var run in results.Runs)
        {
            var segmentation = request.Segmentations.FirstOrDefault(s => s.RunId == run.RunId);
            if (segmentation is not null)
            {
                evidence.Add(segmentation.Instance);
            }

            foreach (var finding in run.Findings)
            {
                if (finding.Kind == "classification" && finding.Measurements.Count == 0)
                {
                    qualitative.Add(content.Code(SrRelationship.Contains, SrCodes.Group.Finding, finding.Type));
                    continue;
                }

                measurements.Add(MeasurementGroup(run, finding, segmentation, request.Source, context, content, evidence));
            }
        }

        if (request.Conclusion.Length > 0)
        {
            qualitative.Add(content.Text(SrRelationship.Contains, SrCodes.Text.Conclusion, request.Conclusion));
        }

        var root = content.Container(
            null,
            SrCodes.Report.ImagingMeasurementReport,
            [
                content.Code(SrRelationship.HasConceptModifier, SrCodes.Report.LanguageOfContentItemAndDescendants, language),
                .. ObserverContext(context.Device, content),
                .. ProcedureReported(results, content),
                imageLibrary,
                content.Container(SrRelationship.Contains, SrCodes.Report.ImagingMeasurements, [.. measurements]),
                qualitative.Count > 0 ? content.Container(SrRelationship.Contains, SrCodes.Report.QualitativeEvaluations, [.. qualitative]) : null,
            ]);

        // The root content item is the dataset itself.
        foreach (var element in root)
        {
            if (element.Sequence is { } sequence)
            {
                dataset.AddOrUpdate(element.Tag, new DicomSequence(sequence.ToList()));
            }
            else
            {
                dataset.AddOrUpdateBytes(element.Tag, element.VR, element.RawValue.Span);
            }
        }

        dataset.AddOrUpdate(DicomTags.ContentTemplateSequence, new DicomDataset()
            .AddOrUpdate(DicomTags.MappingResource, "DCMR")
            .AddOrUpdate(DicomTags.TemplateIdentifier, "1500"));
        dataset.AddOrUpdate(DicomTags.CurrentRequestedProcedureEvidenceSequence, ReportModules.HierarchicalReferences(evidence));
        if (request.Predecessor is { } predecessor)
        {
            dataset.AddOrUpdate(DicomTags.PredecessorDocumentsSequence, ReportModules.HierarchicalReferences([predecessor]));
        }

        RadAICodingScheme.DeclareWhereUsed(dataset);
        return new DicomFile(dataset, DicomTransferSyntax.ExplicitVRLittleEndian);
    }

    /// <summary>TID 1204: the RFC 5646 code of the report's language.</summary>
    private static Code LanguageCode(string language) => language switch
    {
        "fr" => new Code("RFC5646", "fr", "French"),
        "en" => new Code("RFC5646", "en", "English"),
        _ => throw new ArgumentException($"Language '{language}' is not supported (fr, en).", nameof(language)),
    };

    /// <summary>TID 1001/1002/1004: the RadAI node is the (device) observer.</summary>
    private static IEnumerable<DicomDataset> ObserverContext(ReportDevice device, SrContent content)
    {
        yield return content.Code(SrRelationship.HasObservationContext, SrCodes.Report.ObserverType, SrCodes.Report.Device);
        yield return content.UidRef(SrRelationship.HasObservationContext, SrCodes.Report.DeviceObserverUID, device.DeviceUid);
        yield return content.Text(SrRelationship.HasObservationContext, SrCodes.Report.DeviceObserverName, device.Manufacturer);
        yield return content.Text(SrRelationship.HasObservationContext, SrCodes.Report.DeviceObserverManufacturer, device.Manufacturer);
        yield return content.Text(SrRelationship.HasObservationContext, SrCodes.Report.DeviceObserverModelName, device.ModelName);
        if (device.DeviceSerialNumber.Length > 0)
        {
            yield return content.Text(SrRelationship.HasObservationContext, SrCodes.Report.DeviceObserverSerialNumber, device.DeviceSerialNumber);
        }
    }

    /// <summary>TID 1500 row 4: one "Procedure reported" per modality analysed (CID 100).</summary>
    private static IEnumerable<DicomDataset> ProcedureReported(AnalysisResults results, SrContent content)
    {
        var modalities = results.Runs.Select(r => r.Modality).Distinct(StringComparer.Ordinal).ToList();
        foreach (var procedure in modalities.Select(ProcedureOf).DistinctBy(c => c.Value).DefaultIfEmpty(ProcedureOf("")))
        {
            yield return content.Code(SrRelationship.HasConceptModifier, SrCodes.Report.ProcedureReported, procedure);
        }
    }

    private static DicomCode ProcedureOf(string modality) => modality switch
    {
        "CT" => SrCodes.Procedure.CTUnspecifiedBodyRegion,
        "MR" => new DicomCode("LN", "25056-3", "MRI unspecified body region"),
        "PT" => new DicomCode("LN", "44136-0", "PET unspecified body region"),
        "NM" => new DicomCode("LN", "49118-3", "NM unspecified body region"),
        "CR" or "DX" or "DR" => new DicomCode("LN", "43468-8", "XR unspecified body region"),
        _ => new DicomCode("SCT", "363679005", "Imaging procedure"),
    };

    /// <summary>TID 1600: one Image Library Group per analysed series, with every image of its volume.</summary>
    private static DicomDataset ImageLibrary(MeasurementReportRequest request, SrContent content, List<InstanceReference> evidence)
    {
        var groups = new List<DicomDataset>();
        foreach (var series in request.Results.Runs.GroupBy(r => r.SeriesInstanceUid, StringComparer.Ordinal))
        {
            var run = series.First();
            var entries = new List<DicomDataset?>
            {
                ModalityCode(run.Modality) is { } modality ? content.Code(SrRelationship.HasAcquisitionContext, ModalityConcept, modality) : null,
                run.FrameOfReferenceUid.Length > 0 ? content.UidRef(SrRelationship.HasAcquisitionContext, FrameOfReferenceUid, run.FrameOfReferenceUid) : null,
            };
            foreach (var image in series.SelectMany(r => r.Geometry.Slices).DistinctBy(i => (i.SopInstanceUid, i.Frame)))
            {
                entries.Add(content.Image(SrRelationship.Contains, null, image.SopClassUid, image.SopInstanceUid, FrameNumber(image, request.Source)));
                evidence.Add(new InstanceReference(request.Results.StudyInstanceUid, series.Key, image.SopClassUid, image.SopInstanceUid));
            }

            groups.Add(content.Container(SrRelationship.Contains, SrCodes.Report.ImageLibraryGroup, [.. entries]));
        }

        return content.Container(SrRelationship.Contains, SrCodes.Report.ImageLibrary, [.. groups]);
    }

    /// <summary>The modality as a CID 29 code, when the table knows it.</summary>
    private static DicomCode? ModalityCode(string modality) =>
        DicomContextGroups.TryGet(29, out var group) ? group.Codes.FirstOrDefault(c => c.Value == modality) : null;

    /// <summary>The frame number to write: only for a frame of a multi-frame source image.</summary>
    private static int? FrameNumber(ImageReference image, SourceStudy source)
    {
        try
        {
            return source.GetInstance(image.SopInstanceUid).NumberOfFrames > 1 ? image.Frame : null;
        }
        catch (KeyNotFoundException)
        {
            return image.Frame > 1 ? image.Frame : null;
        }
    }

    /// <summary>One measurement group (TID 1411, 1410 or 1501) for a finding.</summary>
    private static DicomDataset MeasurementGroup(
        RunResults run,
        Finding finding,
        SegmentationReference? segmentation,
        SourceStudy source,
        ReportContext context,
        SrContent content,
        List<InstanceReference> evidence)
    {
        var items = new List<DicomDataset?>
        {
            content.Text(SrRelationship.HasObservationContext, SrCodes.Group.TrackingIdentifier, finding.Id),
            content.UidRef(SrRelationship.HasObservationContext, SrCodes.Group.TrackingUniqueIdentifier, context.Uids.Tracking(run.RunId, finding.Id)),
            content.Code(SrRelationship.Contains, SrCodes.Group.Finding, finding.Type),
        };

        if (finding.SegmentNumber is { } segment && segmentation is not null && segmentation.SegmentNumbers.Contains(segment))
        {
            // TID 1411: the segment in the SEG, and the series it was made from.
            items.Add(content.Image(SrRelationship.Contains, SrCodes.Group.ReferencedSegment, segmentation.Instance.SopClassUid, segmentation.Instance.SopInstanceUid, segmentNumber: segment));
            items.Add(content.UidRef(SrRelationship.Contains, SrCodes.Group.SourceSeriesForSegmentation, run.SeriesInstanceUid));
        }
        else if (finding.Region is { } region)
        {
            // TID 1410: the region's bounding box on its key image.
            var key = region.KeyImage;
            var selectedFrom = content.Image(SrRelationship.SelectedFrom, SourceImage, key.SopClassUid, key.SopInstanceUid, FrameNumber(key, source));
            items.Add(content.Scoord(SrRelationship.Contains, SrCodes.Group.ImageRegion, "POLYLINE", BoundingBoxOutline(region), selectedFrom));
            evidence.Add(new InstanceReference(source.StudyInstanceUid, run.SeriesInstanceUid, key.SopClassUid, key.SopInstanceUid));
        }

        var site = finding.Site ?? SegmentOf(run, finding)?.AnatomicRegion;
        if (site is not null)
        {
            var laterality = finding.Laterality is { } side ? content.Code(SrRelationship.HasConceptModifier, SrCodes.Group.Laterality, side) : null;
            items.Add(SrContent.WithChildren(content.Code(SrRelationship.HasConceptModifier, SrCodes.Group.FindingSite, site), laterality));
        }

        // TID 4019 Algorithm Identification.
        items.Add(content.Text(SrRelationship.HasObservationContext, SrCodes.Group.AlgorithmName, run.Model.Name));
        items.Add(content.Text(SrRelationship.HasObservationContext, SrCodes.Group.AlgorithmVersion, run.Model.Version));

        var path = PathMeasurement(finding);
        foreach (var measurement in finding.Measurements)
        {
            var unit = new DicomCode("UCUM", measurement.Unit, measurement.UnitMeaning);
            var num = content.Num(SrRelationship.Contains, measurement.Concept, measurement.Value, unit);
            var derivation = measurement.Derivation is { } d ? content.Code(SrRelationship.HasConceptModifier, SrCodes.Group.Derivation, d) : null;
            var inferredFrom = ReferenceEquals(measurement, path) && run.FrameOfReferenceUid.Length > 0
                ? content.Scoord3D(SrRelationship.InferredFrom, null, "POLYLINE", DiameterPath(finding.Region!), run.FrameOfReferenceUid)
                : null;
            items.Add(SrContent.WithChildren(num, derivation, inferredFrom));
        }

        return content.Container(SrRelationship.Contains, SrCodes.Group.MeasurementGroup, [.. items]);
    }

    private static SegmentInfo? SegmentOf(RunResults run, Finding finding) =>
        finding.SegmentNumber is { } number ? run.Segments.FirstOrDefault(s => s.Number == number) : null;

    /// <summary>The linear measurement (long axis, diameter...) whose end points are known, if any.</summary>
    private static Measurement? PathMeasurement(Finding finding) =>
        finding.Region is { DiameterStart: not null, DiameterEnd: not null }
            ? finding.Measurements.FirstOrDefault(m => m.Concept.Scheme == "SCT" && LinearMeasurements.Contains(m.Concept.Value))
            : null;

    /// <summary>
    /// The closed outline of the region's bounding box on its key image, in image coordinates (column, row;
    /// (0,0) is the top left corner of the top left pixel, so voxel x spans [x, x + 1]).
    /// </summary>
    private static float[] BoundingBoxOutline(FindingRegion region)
    {
        var left = (float)region.BoundingBoxMin.X;
        var top = (float)region.BoundingBoxMin.Y;
        var right = (float)region.BoundingBoxMax.X + 1;
        var bottom = (float)region.BoundingBoxMax.Y + 1;
        return [left, top, right, top, right, bottom, left, bottom, left, top];
    }

    private static float[] DiameterPath(FindingRegion region)
    {
        var a = region.DiameterStart!;
        var b = region.DiameterEnd!;
        return [(float)a.X, (float)a.Y, (float)a.Z, (float)b.X, (float)b.Y, (float)b.Z];
    }

    /// <summary>The report's own strings, to choose a character set that holds them.</summary>
    private static IEnumerable<string?> TextsOf(MeasurementReportRequest request, ReportDevice device)
    {
        yield return request.Conclusion;
        yield return ReportSeries.MeasurementReportDescription;
        yield return device.Manufacturer;
        yield return device.ModelName;
        yield return device.DeviceSerialNumber;
        yield return device.InstitutionName;
        yield return device.StationName;
        foreach (var run in request.Results.Runs)
        {
            yield return run.Model.Name;
            yield return run.Model.Version;
            foreach (var finding in run.Findings)
            {
                yield return finding.Id;
                foreach (var code in new[] { finding.Type, finding.Site, finding.Laterality }.OfType<Code>())
                {
                    yield return code.Meaning;
                }

                foreach (var measurement in finding.Measurements)
                {
                    yield return measurement.Concept.Meaning;
                    yield return measurement.UnitMeaning;
                    yield return measurement.Derivation?.Meaning;
                }
            }
        }
    }
}
