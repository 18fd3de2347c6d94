using System.CommandLine;
using System.Globalization;
using System.Text;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Dicom.Network;

namespace RadAI.Cli;

/// <summary>
/// <c>radai scan PATH...</c>: what a set of DICOM files holds, by study and series, read from their headers only (the
/// check to run on a folder before <c>radai send</c> or an import: unreadable files, duplicate instances, studies mixed).
/// </summary>
public static class ScanCommand
{
    private const string None = "(none)";

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Files or folders (walked recursively).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("scan", "Read the header of every DICOM file given (folders walked recursively) and print one line per study and per series " +
            "(modality, SOP classes, instances), the unreadable files with the reason and the duplicate SOP Instance UIDs. " +
            "Exit 0 when every file was read, 1 when some were not, 3 when none was.")
        {
            paths,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var options = DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData };
            var inventory = new Inventory();
            var files = 0;
            var failures = 0;
            foreach (var path in DicomSender.Expand(parseResult.GetValue(paths)!))
            {
                files++;
                try
                {
                    var file = await DicomFile.OpenAsync(path, options, cancellationToken);
                    inventory.Add(file.Dataset, file.FileMetaInformation);
                }
                catch (Exception e) when (e is DicomFormatException or IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
                {
                    failures++;
                    error.WriteLine($"radai scan: {path}: {e.Message}");
                }
            }

            output.Write(inventory.Describe(files, failures));
            return failures == 0 && files > 0 ? ExitCodes.Success : failures == files ? ExitCodes.InvalidInput : ExitCodes.PartialFailure;
        });
        return command;
    }

    /// <summary>The studies and series read so far, in the order first met.</summary>
    private sealed class Inventory
    {
        private readonly Dictionary<string, Study> studies = new(StringComparer.Ordinal);

        public void Add(DicomDataset dataset, DicomDataset meta)
        {
            var studyUid = Read(dataset, DicomTags.StudyInstanceUID);
            if (!studies.TryGetValue(studyUid, out var study))
            {
                study = new Study(studyUid, studies.Count);
                studies.Add(studyUid, study);
            }

            var seriesUid = Read(dataset, DicomTags.SeriesInstanceUID);
            if (!study.Series.TryGetValue(seriesUid, out var series))
            {
                series = new Series(seriesUid, Read(dataset, DicomTags.Modality), study.Series.Count);
                study.Series.Add(seriesUid, series);
            }

            series.Files++;
            // The data set's SOP Class UID, else the meta group's (a file whose data set lacks it is still worth listing).
            series.SopClasses.Add(Read(dataset, DicomTags.SOPClassUID) is var sopClass and not None ? sopClass : Read(meta, DicomTags.MediaStorageSOPClassUID));
            if (dataset.TryGetString(DicomTags.SOPInstanceUID, out var instance) && !series.Instances.Add(instance))
            {
                series.Duplicates++;
            }
        }

        public string Describe(int files, int failures)
        {
            var text = new StringBuilder();
            var seriesCount = 0;
            var duplicates = 0;
            foreach (var study in studies.Values.OrderBy(s => s.Order))
            {
                text.Append(CultureInfo.InvariantCulture, $"study {study.Uid}\n");
                foreach (var series in study.Series.Values.OrderBy(s => s.Order))
                {
                    seriesCount++;
                    duplicates += series.Duplicates;
                    text.Append(CultureInfo.InvariantCulture, $"  series {series.Uid} {series.Modality} {series.Files} {(series.Files == 1 ? "file" : "files")}");
                    if (series.Duplicates > 0)
                    {
                        text.Append(CultureInfo.InvariantCulture, $" ({series.Duplicates} with a SOP Instance UID already met)");
                    }

                    text.Append(" [").AppendJoin(", ", series.SopClasses.Order(StringComparer.Ordinal).Select(uid => uid == None ? uid : DicomUids.NameOf(uid))).Append("]\n");
                }
            }

            text.Append(CultureInfo.InvariantCulture,
                $"{files - failures} of {files} files read: {studies.Count} {(studies.Count == 1 ? "study" : "studies")}, {seriesCount} series, {duplicates} duplicate instances, {failures} unreadable\n");
            return text.ToString();
        }

        private static string Read(DicomDataset dataset, DicomTag tag) => dataset.TryGetString(tag, out var value) && value.Length > 0 ? value : None;

        private sealed class Study(string uid, int order)
        {
            public string Uid { get; } = uid;

            public int Order { get; } = order;

            public Dictionary<string, Series> Series { get; } = new(StringComparer.Ordinal);
        }

        private sealed class Series(string uid, string modality, int order)
        {
            public string Uid { get; } = uid;

            public string Modality { get; } = modality;

            public int Order { get; } = order;

            public int Files { get; set; }

            public int Duplicates { get; set; }

            public HashSet<string> SopClasses { get; } = new(StringComparer.Ordinal);

            public HashSet<string> Instances { get; } = new(StringComparer.Ordinal);
        }
    }
}
