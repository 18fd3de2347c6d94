using RadAI.Contracts.Findings;
using RadAI.Dicom;

namespace RadAI.ReportBuilder.Dicom;

/// <summary>Relationship types of SR content items (PS3.3 C.17.3.2.4).</summary>
internal static class SrRelationship
{
    public const string Contains = "CONTAINS";
    public const string HasConceptModifier = "HAS CONCEPT MOD";
    public const string HasObservationContext = "HAS OBS CONTEXT";
    public const string HasAcquisitionContext = "HAS ACQ CONTEXT";
    public const string HasProperties = "HAS PROPERTIES";
    public const string InferredFrom = "INFERRED FROM";
    public const string SelectedFrom = "SELECTED FROM";
}

/// <summary>
/// SR content items (Document Content Module): each a dataset with its Relationship Type, Value Type, Concept
/// Name and value; children are added with <see cref="WithChildren"/> into the Content Sequence.
/// </summary>
internal sealed class SrContent(ReportEncoding encoding)
{
    public DicomDataset Container(string? relationship, DicomCode concept, params DicomDataset?[] children)
    {
        var item = Item(relationship, "CONTAINER", concept);
        item.AddOrUpdate(DicomTags.ContinuityOfContent, "SEPARATE");
        return WithChildren(item, children);
    }

    public DicomDataset Text(string relationship, DicomCode concept, string text) =>
        encoding.Set(Item(relationship, "TEXT", concept), DicomTags.TextValue, text);

    public DicomDataset Code(string relationship, DicomCode concept, Code value) =>
        Item(relationship, "CODE", concept).AddOrUpdate(DicomTags.ConceptCodeSequence, encoding.CodeItem(value));

    public DicomDataset Code(string relationship, DicomCode concept, DicomCode value) =>
        Item(relationship, "CODE", concept).AddOrUpdate(DicomTags.ConceptCodeSequence, encoding.CodeItem(value));

    public DicomDataset UidRef(string relationship, DicomCode concept, string uid) =>
        Item(relationship, "UIDREF", concept).AddOrUpdate(DicomTags.UID, uid);

    /// <summary>A NUM item (Numeric Measurement Macro) with its UCUM unit.</summary>
    public DicomDataset Num(string relationship, Code concept, double value, DicomCode unit)
    {
        var measured = new DicomDataset()
            .AddOrUpdate(DicomTags.MeasurementUnitsCodeSequence, encoding.CodeItem(unit))
            .AddOrUpdate(DicomTags.NumericValue, DicomVR.DS, value);
        var item = Item(relationship, "NUM", ToDicom(concept));
        return item.AddOrUpdate(DicomTags.MeasuredValueSequence, measured);
    }

    /// <summary>An IMAGE item referring to an instance (with a frame, or a segment of a SEG).</summary>
    public DicomDataset Image(string relationship, DicomCode? concept, string sopClassUid, string sopInstanceUid, int? frame = null, int? segmentNumber = null)
    {
        var reference = ReportModules.InstanceItem(sopClassUid, sopInstanceUid, frame);
        if (segmentNumber is { } segment)
        {
            reference.AddOrUpdate(DicomTags.ReferencedSegmentNumber, DicomVR.US, segment);
        }

        return Item(relationship, "IMAGE", concept).AddOrUpdate(DicomTags.ReferencedSOPSequence, reference);
    }

    /// <summary>A SCOORD item: 2D image coordinates (column, row pairs) of the image it is selected from.</summary>
    public DicomDataset Scoord(string relationship, DicomCode concept, string graphicType, float[] points, DicomDataset selectedFrom)
    {
        var item = Item(relationship, "SCOORD", concept)
            .AddOrUpdate(DicomTags.GraphicData, DicomVR.FL, points)
            .AddOrUpdate(DicomTags.GraphicType, graphicType);
        return WithChildren(item, selectedFrom);
    }

    /// <summary>A SCOORD3D item: patient coordinates (x, y, z triplets, mm) in a Frame of Reference.</summary>
    public DicomDataset Scoord3D(string relationship, DicomCode? concept, string graphicType, float[] points, string frameOfReferenceUid) =>
        Item(relationship, "SCOORD3D", concept)
            .AddOrUpdate(DicomTags.GraphicData, DicomVR.FL, points)
            .AddOrUpdate(DicomTags.GraphicType, graphicType)
            .AddOrUpdate(DicomTags.ReferencedFrameOfReferenceUID, frameOfReferenceUid);

    /// <summary>Adds children (nulls skipped) as the item's Content Sequence.</summary>
    public static DicomDataset WithChildren(DicomDataset item, params IEnumerable<DicomDataset?> children)
    {
        var present = children.OfType<DicomDataset>().ToList();
        if (present.Count > 0)
        {
            item.AddOrUpdate(DicomTags.ContentSequence, new DicomSequence(present));
        }

        return item;
    }

    public static DicomCode ToDicom(Code code) => new(code.Scheme, code.Value, code.Meaning);

    private DicomDataset Item(string? relationship, string valueType, DicomCode? concept)
    {
        var item = new DicomDataset();
        if (relationship is not null)
        {
            item.AddOrUpdate(DicomTags.RelationshipType, relationship);
        }

        item.AddOrUpdate(DicomTags.ValueType, valueType);
        if (concept is not null)
        {
            item.AddOrUpdate(DicomTags.ConceptNameCodeSequence, encoding.CodeItem(concept));
        }

        return item;
    }
}
