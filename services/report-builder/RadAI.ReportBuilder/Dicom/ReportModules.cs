using RadAI.Contracts.Findings;
using RadAI.Dicom;

namespace RadAI.ReportBuilder.Dicom;

/// <summary>
/// The modules every report object shares: Patient, General Study, Patient Study and Clinical Trial
/// Subject/Study copied from the source, with its Specific Character Set; a new series; General Equipment;
/// SOP Common.
/// </summary>
internal static class ReportModules
{
    /// <summary>UTF-8: used only when the source's character set cannot hold the report's own text.</summary>
    public const string Utf8CharacterSet = "ISO_IR 192";

    // General Study, Patient Study (besides group 0010) and the visit attributes a study carries.
    private static readonly DicomTag[] StudyTags =
    [
        DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.AccessionNumber, DicomTags.IssuerOfAccessionNumberSequence,
        DicomTags.ReferringPhysicianName, DicomTags.ReferringPhysicianIdentificationSequence,
        DicomTags.ConsultingPhysicianName, DicomTags.ConsultingPhysicianIdentificationSequence,
        DicomTags.StudyDescription, DicomTags.ProcedureCodeSequence,
        DicomTags.PhysiciansOfRecord, DicomTags.PhysiciansOfRecordIdentificationSequence,
        DicomTags.NameOfPhysiciansReadingStudy, DicomTags.PhysiciansReadingStudyIdentificationSequence,
        DicomTags.AdmittingDiagnosesDescription, DicomTags.AdmittingDiagnosesCodeSequence, DicomTags.ReferencedStudySequence,
        DicomTags.StudyInstanceUID, DicomTags.StudyID,
        DicomTags.RequestingServiceCodeSequence, DicomTags.ReasonForVisit, DicomTags.ReasonForVisitCodeSequence,
        DicomTags.AdmissionID, DicomTags.IssuerOfAdmissionIDSequence, DicomTags.ServiceEpisodeID,
        DicomTags.ServiceEpisodeDescription, DicomTags.IssuerOfServiceEpisodeIDSequence, DicomTags.PatientState,
        DicomTags.ReasonForPerformedProcedureCodeSequence,
    ];

    // Clinical Trial Series attributes of group 0012: the report objects are a new series.
    private static readonly DicomTag[] ClinicalTrialSeriesTags =
    [
        DicomTags.ClinicalTrialCoordinatingCenterName, DicomTags.ClinicalTrialSeriesID, DicomTags.ClinicalTrialSeriesDescription,
    ];

    // Type 2 attributes of the Patient and General Study modules: present (empty) even when the source lacks them.
    private static readonly DicomTag[] RequiredEmptyTags =
    [
        DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex,
        DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.ReferringPhysicianName, DicomTags.StudyID, DicomTags.AccessionNumber,
    ];

    /// <summary>True for the attributes copied from the source: patient and study level, never series or instance level.</summary>
    public static bool IsPatientOrStudyAttribute(DicomTag tag) =>
        !tag.IsPrivate && !tag.IsGroupLength
        && (tag.Group == 0x0010
            || (tag.Group == 0x0012 && !ClinicalTrialSeriesTags.Contains(tag))
            || StudyTags.Contains(tag));

    /// <summary>
    /// A new dataset holding the source's Specific Character Set and its patient and study attributes, copied
    /// byte for byte. When the character set cannot encode one of <paramref name="texts"/> (the report's own
    /// strings), the dataset is UTF-8 instead and the copied strings are re-encoded (same values).
    /// </summary>
    public static DicomDataset CreateFromSource(SourceStudy source, IEnumerable<string?> texts)
    {
        var template = source.Template;
        var target = new DicomDataset();
        var verbatim = texts.All(t => t is null || CanEncode(template.CharacterSet, t));
        if (verbatim)
        {
            if (template.TryGetElement(DicomTags.SpecificCharacterSet, out var charset))
            {
                target.AddOrUpdateBytes(DicomTags.SpecificCharacterSet, DicomVR.CS, charset.RawValue.Span);
            }
        }
        else
        {
            target.AddOrUpdate(DicomTags.SpecificCharacterSet, Utf8CharacterSet);
        }

        foreach (var element in template)
        {
            if (IsPatientOrStudyAttribute(element.Tag))
            {
                Copy(element, target, verbatim);
            }
        }

        foreach (var tag in RequiredEmptyTags)
        {
            if (!target.Contains(tag))
            {
                target.AddOrUpdate(tag, "");
            }
        }

        return target;
    }

    private static bool CanEncode(DicomCharacterSet characterSet, string text)
    {
        try
        {
            characterSet.Encode(text, DicomVR.UT);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Copy(DicomElement element, DicomDataset target, bool verbatim)
    {
        if (element.Sequence is { } sequence)
        {
            var items = new DicomSequence();
            foreach (var item in sequence)
            {
                var copy = new DicomDataset();
                foreach (var child in item)
                {
                    Copy(child, copy, verbatim);
                }

                items.Add(copy);
            }

            target.AddOrUpdate(element.Tag, items);
        }
        else if (element.Bulk is { } bulk)
        {
            target.AddOrUpdate(element.Tag, element.VR, bulk);
        }
        else if (element.Fragments is null)
        {
            if (!verbatim && element.VR.UsesSpecificCharacterSet() && element.TryGetString(out var text))
            {
                target.AddOrUpdate(element.Tag, element.VR, text);
            }
            else
            {
                target.AddOrUpdateBytes(element.Tag, element.VR, element.RawValue.Span);
            }
        }
    }

    /// <summary>SOP Common, General Series (or its specialisations), General Equipment and the content date and time.</summary>
    public static void AddNewInstance(DicomDataset dataset, ReportDevice device, NewInstance instance)
    {
        var created = instance.CreatedAt.ToLocalTime();
        var date = DateOnly.FromDateTime(created.DateTime);
        var time = TimeOnly.FromDateTime(created.DateTime);

        // SOP Common.
        dataset.AddOrUpdate(DicomTags.SOPClassUID, instance.SopClassUid);
        dataset.AddOrUpdate(DicomTags.SOPInstanceUID, instance.SopInstanceUid);
        dataset.AddOrUpdate(DicomTags.InstanceCreationDate, date);
        dataset.AddOrUpdate(DicomTags.InstanceCreationTime, time);
        dataset.AddOrUpdate(DicomTags.InstanceCreatorUID, device.DeviceUid);
        dataset.AddOrUpdate(DicomTags.InstanceNumber, instance.InstanceNumber);

        // Series: new, in the source study.
        dataset.AddOrUpdate(DicomTags.Modality, instance.Modality);
        dataset.AddOrUpdate(DicomTags.SeriesInstanceUID, instance.SeriesInstanceUid);
        dataset.AddOrUpdate(DicomTags.SeriesNumber, instance.SeriesNumber);
        dataset.AddOrUpdate(DicomTags.SeriesDescription, instance.SeriesDescription);
        dataset.AddOrUpdate(DicomTags.ContentDate, date);
        dataset.AddOrUpdate(DicomTags.ContentTime, time);

        // General Equipment (and the Enhanced General Equipment attributes, which the SEG needs).
        dataset.AddOrUpdate(DicomTags.Manufacturer, device.Manufacturer);
        dataset.AddOrUpdate(DicomTags.ManufacturerModelName, device.ModelName);
        dataset.AddOrUpdate(DicomTags.DeviceSerialNumber, device.DeviceSerialNumber);
        dataset.AddOrUpdate(DicomTags.SoftwareVersions, device.SoftwareVersion);
        dataset.AddOrUpdate(DicomTags.DeviceUID, device.DeviceUid);
        if (!string.IsNullOrEmpty(device.InstitutionName))
        {
            dataset.AddOrUpdate(DicomTags.InstitutionName, device.InstitutionName);
        }

        if (!string.IsNullOrEmpty(device.StationName))
        {
            dataset.AddOrUpdate(DicomTags.StationName, device.StationName);
        }
    }

    /// <summary>A reference to an instance (SOP Instance Reference Macro), with a frame number for a frame of a multi-frame image.</summary>
    public static DicomDataset InstanceItem(string sopClassUid, string sopInstanceUid, int? frame = null)
    {
        var item = new DicomDataset()
            .AddOrUpdate(DicomTags.ReferencedSOPClassUID, sopClassUid)
            .AddOrUpdate(DicomTags.ReferencedSOPInstanceUID, sopInstanceUid);
        if (frame is { } number)
        {
            item.AddOrUpdate(DicomTags.ReferencedFrameNumber, number);
        }

        return item;
    }

    /// <summary>
    /// The Hierarchical SOP Instance Reference Macro items of <paramref name="references"/>, one per study,
    /// with their series and instances (each instance once, in the order first met).
    /// </summary>
    public static DicomSequence HierarchicalReferences(IEnumerable<InstanceReference> references)
    {
        var studies = new DicomSequence();
        foreach (var study in references.DistinctBy(r => r.SopInstanceUid).GroupBy(r => r.StudyInstanceUid))
        {
            var seriesItems = new DicomSequence();
            foreach (var series in study.GroupBy(r => r.SeriesInstanceUid))
            {
                var instances = new DicomSequence(series.Select(r => InstanceItem(r.SopClassUid, r.SopInstanceUid)));
                seriesItems.Add(new DicomDataset()
                    .AddOrUpdate(DicomTags.ReferencedSOPSequence, instances)
                    .AddOrUpdate(DicomTags.SeriesInstanceUID, series.Key));
            }

            studies.Add(new DicomDataset()
                .AddOrUpdate(DicomTags.ReferencedSeriesSequence, seriesItems)
                .AddOrUpdate(DicomTags.StudyInstanceUID, study.Key));
        }

        return studies;
    }
}

/// <summary>What identifies a new report instance in its series.</summary>
internal sealed record NewInstance(
    string SopClassUid,
    string SopInstanceUid,
    string Modality,
    string SeriesInstanceUid,
    int SeriesNumber,
    string SeriesDescription,
    int InstanceNumber,
    DateTimeOffset CreatedAt);
