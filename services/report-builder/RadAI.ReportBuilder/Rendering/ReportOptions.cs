using System.ComponentModel.DataAnnotations;

namespace RadAI.ReportBuilder.Rendering;

/// <summary>Configuration section <c>Report</c>: how the human-readable report looks.</summary>
public sealed class ReportOptions : IValidatableObject
{
    public const string SectionName = "Report";

    /// <summary>Language of the PDF, the narrative conclusion and the key image captions: <c>fr</c> (default) or <c>en</c>.</summary>
    [Required]
    [RegularExpression("^(fr|en)$", ErrorMessage = "Report:Language must be 'fr' or 'en'.")]
    public string Language { get; set; } = ReportLanguage.French;

    /// <summary>Name printed at the top of every report (the site running RadAI).</summary>
    [Required]
    [StringLength(120, MinimumLength = 1)]
    public string InstitutionName { get; set; } = "RadAI";

    /// <summary>PNG or JPEG logo printed beside the institution name; none when empty.</summary>
    public string? LogoPath { get; set; }

    /// <summary>Most key images rendered per report (each finding with a region gives one, the same slice only once).</summary>
    [Range(0, 12)]
    public int MaxKeyImages { get; set; } = 4;

    /// <summary>Quality of the JPEG key images (1–100) where JPEG is asked for; the PDF itself embeds lossless PNG.</summary>
    [Range(1, 100)]
    public int JpegQuality { get; set; } = 90;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(LogoPath) && !File.Exists(LogoPath))
        {
            yield return new ValidationResult($"Report:LogoPath '{LogoPath}' does not exist.", [nameof(LogoPath)]);
        }
    }
}
