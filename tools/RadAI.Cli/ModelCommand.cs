using System.CommandLine;
using System.Globalization;
using RadAI.Inference.Packages;

namespace RadAI.Cli;

/// <summary>
/// <c>radai model import-monai BUNDLE --out DIR</c>: a MONAI bundle and its exported ONNX network as a RadAI model
/// package (see <see cref="MonaiBundleImporter"/>); <c>radai model check DIR</c>: a package as the inference service
/// loads it, and its ONNX interface.
/// </summary>
public static class ModelCommand
{
    public static Command Create()
    {
        var command = new Command("model", "Model packages: import a MONAI bundle, check a package.");
        command.Subcommands.Add(CreateImportMonai());
        command.Subcommands.Add(CreateCheck());
        return command;
    }

    private static Command CreateImportMonai()
    {
        var bundle = new Argument<string>("bundle") { Description = "The MONAI bundle: its folder (with configs/metadata.json) or a .zip of it." };
        var onnx = new Option<string?>("--onnx") { Description = "The bundle's network exported to ONNX (default: the only .onnx file under the bundle's models/)." };
        var output = new Option<string>("--out") { Description = "Package folder to write (must not exist, or be empty).", Required = true };
        var id = new Option<string?>("--id") { Description = "Package id (default: monai.<bundle name>)." };
        var status = new Option<string>("--status") { Description = "DEMO or RESEARCH (an import is never CLINICAL).", DefaultValueFactory = _ => "RESEARCH" };
        var labels = new Option<string[]>("--label") { Description = "SEG type code of an output channel, NAME=SCHEME:VALUE:Meaning (repeatable), e.g. \"spleen=SCT:78961009:Spleen\"." };
        var categories = new Option<string[]>("--label-category") { Description = "SEG category of a --label whose code is in no DICOM type group, NAME=SCHEME:VALUE:Meaning (repeatable)." };
        var command = new Command("import-monai", "Import a MONAI bundle (configs/metadata.json, configs/inference.json) and its network exported to ONNX as a RadAI model package. " +
            "Exit 0 when imported, 2 for a wrong command line, 3 when the bundle cannot be imported (each reason is listed) or a file cannot be read or written.")
        {
            bundle,
            onnx,
            output,
            id,
            status,
            labels,
            categories,
        };
        command.SetAction(parseResult =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var written = parseResult.InvocationConfiguration.Output;
            var statusText = parseResult.GetValue(status)!;
            if (statusText is not ("DEMO" or "RESEARCH"))
            {
                error.WriteLine($"radai model import-monai: --status {statusText}: an imported package is DEMO or RESEARCH; CLINICAL status follows a local validation, set by editing radai-model.json.");
                return ExitCodes.Usage;
            }

            if (!TryParseLabels(parseResult.GetValue(labels) ?? [], "--label", error, out var labelCodes)
                || !TryParseLabels(parseResult.GetValue(categories) ?? [], "--label-category", error, out var categoryCodes))
            {
                return ExitCodes.Usage;
            }

            var options = new MonaiImportOptions
            {
                Bundle = parseResult.GetValue(bundle)!,
                Onnx = parseResult.GetValue(onnx),
                Output = parseResult.GetValue(output)!,
                Id = parseResult.GetValue(id),
                Status = Enum.Parse<ModelStatus>(statusText),
                Labels = labelCodes,
                LabelCategories = categoryCodes,
            };
            try
            {
                var result = MonaiBundleImporter.Import(options);
                var manifest = result.Package.Manifest;
                written.WriteLine($"Imported {manifest.Name} as {manifest.Id} {manifest.Version} ({manifest.Status}) into {result.Package.Folder}.");
                written.WriteLine("Mapping:");
                foreach (var line in result.Mapping)
                {
                    written.WriteLine($"  - {line}");
                }

                written.WriteLine("Limitations (in the manifest and README.md):");
                foreach (var line in result.Limitations)
                {
                    written.WriteLine($"  - {line}");
                }

                written.WriteLine($"Check it with: radai model check {result.Package.Folder}");
                return ExitCodes.Success;
            }
            catch (MonaiImportException e)
            {
                error.WriteLine($"radai model import-monai: {options.Bundle} cannot be imported:");
                foreach (var reason in e.Reasons)
                {
                    error.WriteLine($"  - {reason}");
                }

                return ExitCodes.InvalidInput;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"radai model import-monai: {e.Message}");
                return ExitCodes.InvalidInput;
            }
        });
        return command;
    }

    private static Command CreateCheck()
    {
        var package = new Argument<string>("package") { Description = "The package folder (with radai-model.json) or a .zip of it." };
        var command = new Command("check", "Load a model package as the inference service does, check its ONNX file against the manifest, and print its summary. " +
            "Exit 0 when the service would load it, 3 when it would refuse it (the reasons are printed).")
        {
            package,
        };
        command.SetAction(parseResult =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var written = parseResult.InvocationConfiguration.Output;
            var path = parseResult.GetValue(package)!;
            var extractRoot = Path.Combine(Path.GetTempPath(), $"radai-check-{Guid.NewGuid():N}");
            try
            {
                var loaded = ModelPackage.Load(path, extractRoot);
                var problems = OnnxInterfaceCheck.Problems(loaded);
                if (problems.Count > 0)
                {
                    error.WriteLine($"radai model check: {path} is refused: its ONNX file does not match its manifest:");
                    foreach (var problem in problems)
                    {
                        error.WriteLine($"  - {problem}");
                    }

                    return ExitCodes.InvalidInput;
                }

                WriteSummary(written, loaded.Manifest);
                written.WriteLine("OK: the inference service loads this package.");
                return ExitCodes.Success;
            }
            catch (ModelPackageException e)
            {
                error.WriteLine($"radai model check: {path} is refused:");
                foreach (var reason in e.Message.Split("; "))
                {
                    error.WriteLine($"  - {reason}");
                }

                return ExitCodes.InvalidInput;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                error.WriteLine($"radai model check: {path}: {e.Message}");
                return ExitCodes.InvalidInput;
            }
            finally
            {
                if (Directory.Exists(extractRoot))
                {
                    Directory.Delete(extractRoot, recursive: true);
                }
            }
        });
        return command;
    }

    /// <summary>Reads repeated <c>NAME=SCHEME:VALUE:Meaning</c> options.</summary>
    private static bool TryParseLabels(string[] values, string option, TextWriter error, out Dictionary<string, CodeRef> codes)
    {
        codes = new Dictionary<string, CodeRef>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals < 1 || !MonaiBundleImporter.TryParseCode(value[(equals + 1)..], out var code))
            {
                error.WriteLine($"radai model import-monai: {option} '{value}': expected NAME=SCHEME:VALUE:Meaning, e.g. \"spleen=SCT:78961009:Spleen\".");
                return false;
            }

            if (!codes.TryAdd(value[..equals].Trim(), code))
            {
                error.WriteLine($"radai model import-monai: {option} {value[..equals].Trim()} is given twice.");
                return false;
            }
        }

        return true;
    }

    private static void WriteSummary(TextWriter written, ModelManifest manifest)
    {
        static string Numbers<T>(IEnumerable<T>? values) => values is null ? "native" : $"[{string.Join(", ", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))}]";

        var input = manifest.Input;
        var select = manifest.Select;
        var inference = manifest.Inference;
        written.WriteLine($"{manifest.Id} {manifest.Version}: {manifest.Name}");
        written.WriteLine($"Status: {manifest.Status}");
        written.WriteLine($"Intended use: {manifest.IntendedUse}");
        written.WriteLine($"Selects: {string.Join(", ", select.Modalities)}; body parts {(select.BodyParts.Count == 0 ? "any" : string.Join(", ", select.BodyParts))}; " +
            $"at least {select.MinSlices} slice(s){(select.SeriesDescription is { } pattern ? $"; series description matching {pattern}" : "")}");
        written.WriteLine($"Input: {input.Onnx} '{input.Name}', {input.Mode} {input.Layout}, spacing {Numbers(input.SpacingMm)} mm, size {Numbers(input.Size)}, " +
            $"intensity {input.Intensity.Kind}{(input.Intensity.Min is { } min && input.Intensity.Max is { } max ? $" [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]" : "")}");
        written.WriteLine(inference.Mode == "sliding-window"
            ? $"Inference: sliding window {Numbers(inference.RoiSize)}, overlap {inference.Overlap.ToString(CultureInfo.InvariantCulture)}, {inference.Blending} blending"
            : "Inference: whole image");
        foreach (var output in manifest.Outputs)
        {
            var detail = output.Kind switch
            {
                "segmentation" => $"{(output.Postprocess.Argmax ? "argmax" : $"threshold {output.Postprocess.Threshold?.ToString(CultureInfo.InvariantCulture) ?? "none (label values)"}")}; labels " +
                    string.Join(", ", output.Labels.Select(l => $"{l.Value} {l.Name} ({l.Type.Scheme} {l.Type.Value})")),
                "classification" => $"classes {string.Join(", ", output.Classes)}",
                _ => output.Unit is { } unit ? $"unit {unit}" : "",
            };
            written.WriteLine($"Output '{output.Name}': {output.Kind}{(detail.Length > 0 ? $", {detail}" : "")}");
        }

        written.WriteLine($"Analyzer: {manifest.Analyzer ?? "generic"}");
        if (manifest.Limitations.Count > 0)
        {
            written.WriteLine("Limitations:");
            foreach (var limitation in manifest.Limitations)
            {
                written.WriteLine($"  - {limitation}");
            }
        }
    }
}
