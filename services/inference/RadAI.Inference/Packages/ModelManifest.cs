using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace RadAI.Inference.Packages;

/// <summary>Release status of a package, shown prominently wherever its results appear.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelStatus>))]
public enum ModelStatus
{
    DEMO,
    RESEARCH,
    CLINICAL,
}

/// <summary>The manifest of a model package (<c>radai-model.json</c>); see docs/model-packages.md.</summary>
public sealed record ModelManifest
{
    public required string Id { get; init; }

    public required string Version { get; init; }

    public required string Name { get; init; }

    public required ModelStatus Status { get; init; }

    public required string IntendedUse { get; init; }

    public IReadOnlyList<string> Limitations { get; set; } = [];

    public required SelectionRules Select { get; init; }

    public required ModelInput Input { get; init; }

    public InferenceSettings Inference { get; set; } = new();

    public required IReadOnlyList<ModelOutput> Outputs { get; init; }

    /// <summary>Domain analysis run after the generic one, by name.</summary>
    public string? Analyzer { get; init; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        // Generated metadata, no reflection: radai (model import-monai, model check) publishes as Native AOT.
        TypeInfoResolver = ModelManifestJsonContext.Default,
    };

    /// <summary>The manifest's JSON metadata for <paramref name="options"/> (<see cref="Json"/> or a copy of it).</summary>
    public static JsonTypeInfo<ModelManifest> JsonTypeInfo(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (JsonTypeInfo<ModelManifest>)options.GetTypeInfo(typeof(ModelManifest));
    }
}

/// <summary>
/// Generated JSON metadata of the manifest (the options are <see cref="ModelManifest.Json"/>'s). The manifest's
/// properties that have a default value have setters, not init accessors: generated code builds a type with required
/// members in one object initializer that sets every init-only property, to its default (null) when the JSON lacks it,
/// which would lose the default value (reflection-based deserialisation set only the properties present).
/// </summary>
[JsonSerializable(typeof(ModelManifest))]
internal sealed partial class ModelManifestJsonContext : JsonSerializerContext;

/// <summary>Which series a package applies to.</summary>
public sealed record SelectionRules
{
    public IReadOnlyList<string> Modalities { get; set; } = [];

    public IReadOnlyList<string> BodyParts { get; set; } = [];

    public bool AllowMissingBodyPart { get; set; } = true;

    public IReadOnlyList<string> SopClasses { get; set; } = [];

    /// <summary>.NET regular expression on Series Description; null: any.</summary>
    public string? SeriesDescription { get; init; }

    public int MinSlices { get; set; } = 1;

    public NumberRange? SliceThicknessMm { get; init; }

    /// <summary><c>any</c>, <c>with</c> or <c>without</c> contrast (Contrast/Bolus Agent).</summary>
    public string Contrast { get; set; } = "any";
}

/// <summary>An inclusive range; either bound may be absent.</summary>
public sealed record NumberRange(double? Min, double? Max)
{
    public bool Contains(double value) => (Min is null || value >= Min) && (Max is null || value <= Max);

    public override string ToString() => $"[{Min?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-inf"}, {Max?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "+inf"}]";
}

/// <summary>What the model is fed.</summary>
public sealed record ModelInput
{
    public string Onnx { get; set; } = "model.onnx";

    public required string Name { get; init; }

    /// <summary><c>volume3d</c>, <c>slice2d</c>, <c>slices25d</c> or <c>image2d</c>.</summary>
    public required string Mode { get; init; }

    /// <summary><c>NCDHW</c> or <c>NCHW</c>.</summary>
    public string Layout { get; set; } = "NCDHW";

    /// <summary>Spacing to resample to (<c>[z,y,x]</c> or <c>[y,x]</c>), null: native.</summary>
    public IReadOnlyList<double>? SpacingMm { get; init; }

    /// <summary>Fixed size, null: any.</summary>
    public IReadOnlyList<int>? Size { get; init; }

    /// <summary>Neighbouring slices on each side (2.5D).</summary>
    public int ContextSlices { get; init; }

    /// <summary>Spatial sizes must be multiples of this (padding is added at the end of each axis, then cropped); 1: any.</summary>
    [JsonPropertyName("sizeMultipleOf")]
    public int SizeMultiple { get; set; } = 1;

    /// <summary>
    /// <c>image2d</c>: <c>MONOCHROME2</c> when the model expects larger values brighter (denser); a MONOCHROME1
    /// image is then inverted on its stored values, x' = (2^BitsStored − 1) − x, before the Modality LUT. Null: as stored.
    /// </summary>
    public string? Photometric { get; init; }

    public IntensityTransform Intensity { get; set; } = new();
}

/// <summary>Intensity preprocessing: <c>none</c>, <c>hu-window</c> (clip to [min,max], scale to 0..1), <c>clip</c>, <c>zscore</c>.</summary>
public sealed record IntensityTransform
{
    public string Kind { get; set; } = "none";

    public double? Min { get; init; }

    public double? Max { get; init; }

    /// <summary>For z-score: statistics over values above this (the body), all values when null.</summary>
    public double? Threshold { get; init; }
}

/// <summary>How the model runs over the input.</summary>
public sealed record InferenceSettings
{
    /// <summary><c>whole</c> or <c>sliding-window</c>.</summary>
    public string Mode { get; set; } = "whole";

    public IReadOnlyList<int>? RoiSize { get; init; }

    public double Overlap { get; set; } = 0.25;

    /// <summary><c>gaussian</c> or <c>constant</c>.</summary>
    public string Blending { get; set; } = "gaussian";

    public int BatchSize { get; set; } = 1;
}

/// <summary>One output of the model.</summary>
public sealed record ModelOutput
{
    public required string Name { get; init; }

    /// <summary><c>segmentation</c>, <c>classification</c>, <c>measurement</c>, or <c>intermediate</c> (a map only the package's analyzer reads); <c>detection</c> (boxes) is refused for now.</summary>
    public required string Kind { get; init; }

    public IReadOnlyList<SegmentLabel> Labels { get; set; } = [];

    public IReadOnlyList<string> Classes { get; set; } = [];

    /// <summary>For a scalar measurement: UCUM unit.</summary>
    public string? Unit { get; init; }

    public Postprocess Postprocess { get; set; } = new();
}

/// <summary>A segmentation label and its SEG codes.</summary>
public sealed record SegmentLabel(int Value, string Name, CodeRef Category, CodeRef Type);

/// <summary>A coded concept in a manifest.</summary>
public sealed record CodeRef(string Scheme, string Value, string Meaning);

/// <summary>Output post-processing.</summary>
public sealed record Postprocess
{
    public double? Threshold { get; set; } = 0.5;

    public bool Argmax { get; init; }

    public bool ConnectedComponents { get; init; }

    public double MinComponentMm3 { get; init; }
}
