using System.ComponentModel.DataAnnotations;

namespace RadAI.ReportBuilder.Pipeline;

/// <summary>Configuration section <c>ReportBuilder</c>: the node as the maker of the report objects, and which objects it makes.</summary>
public sealed class ReportNodeOptions
{
    public const string SectionName = "ReportBuilder";

    /// <summary>
    /// Identifies this installation: the Device Serial Number of the objects and the seed of the device (observer) UID,
    /// so that every report of one node names the same device. Set it once per installation and keep it.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "ReportBuilder:InstallationId must be 1 to 64 letters, digits, '.', '_' or '-'.")]
    public string InstallationId { get; set; } = "radai-node";

    /// <summary>Station Name (0008,1010) of the objects, when set (at most 16 characters).</summary>
    [StringLength(16)]
    public string? StationName { get; set; }

    /// <summary>Write Secondary Capture key images with the overlay burned in, for viewers that render neither SR nor SEG.</summary>
    public bool KeyImageSeries { get; set; } = true;

    /// <summary>Write the encapsulated PDF (the plain PDF file is written for the API either way).</summary>
    public bool EncapsulatedPdf { get; set; } = true;
}
