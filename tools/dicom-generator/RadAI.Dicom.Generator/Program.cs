using System.Text;

namespace RadAI.Dicom.Generator;

/// <summary>
/// Generates shared/RadAI.Dicom/Generated/*.g.cs from the tables in tools/dicom-generator/tables.
/// Usage: <c>RadAI.Dicom.Generator [--check] [repository-root]</c>. Without a root, the folder holding
/// RadAI.sln above the current directory. <c>--check</c> writes nothing: it compares what it would write
/// with the files on disk and exits with 1 when any differs.
/// </summary>
internal static class Program
{
    private const string Usage = """
        Usage: RadAI.Dicom.Generator [--check] [repository-root]
          Generates shared/RadAI.Dicom/Generated/*.g.cs from tools/dicom-generator/tables/*.tsv.
          repository-root  the folder holding RadAI.sln (default: found above the current directory)
          --check          write nothing; exit 1 if a generated file is missing or differs, 0 otherwise
        Exit codes: 0 done (or up to date), 1 out of date (--check), 2 bad arguments or bad tables.
        """;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static int Main(string[] args)
    {
        var check = false;
        string? root = null;
        foreach (var arg in args)
        {
            switch (arg)
            {
                case "--check":
                    check = true;
                    break;
                case "-h" or "--help" or "-?":
                    Console.WriteLine(Usage);
                    return 0;
                case var option when option.StartsWith('-'):
                    Console.Error.WriteLine($"Unknown option '{option}'.");
                    Console.Error.WriteLine(Usage);
                    return 2;
                default:
                    if (root is not null)
                    {
                        Console.Error.WriteLine("Only one repository root may be given.");
                        Console.Error.WriteLine(Usage);
                        return 2;
                    }

                    root = arg;
                    break;
            }
        }

        try
        {
            root = root is null ? FindRoot() : Path.GetFullPath(root);
            if (!File.Exists(Path.Combine(root, "RadAI.sln")))
            {
                throw new GeneratorException($"{root} does not hold RadAI.sln.");
            }

            var files = Generate(Path.Combine(root, "tools", "dicom-generator", "tables"));
            var outputFolder = Path.Combine(root, "shared", "RadAI.Dicom", "Generated");
            return check ? Check(outputFolder, files) : Write(outputFolder, files);
        }
        catch (GeneratorException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            return 2;
        }
    }

    /// <summary>Every generated file, in memory.</summary>
    public static IReadOnlyList<GeneratedFile> Generate(string tablesFolder)
    {
        var elements = ElementsGenerator.Read(tablesFolder);
        return
        [
            ElementsGenerator.Dictionary(elements),
            ElementsGenerator.Tags(elements),
            UidsGenerator.Uids(tablesFolder),
            UidsGenerator.TransferSyntaxes(tablesFolder),
            CodesGenerator.DcmCodes(tablesFolder),
            CodesGenerator.ContextGroups(tablesFolder, message => Console.Error.WriteLine("warning: " + message)),
            CodesGenerator.SrCodes(tablesFolder),
        ];
    }

    private static int Write(string outputFolder, IReadOnlyList<GeneratedFile> files)
    {
        Directory.CreateDirectory(outputFolder);
        foreach (var file in files)
        {
            var path = Path.Combine(outputFolder, file.FileName);
            var bytes = Utf8.GetBytes(file.Content);
            if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            {
                Console.WriteLine($"unchanged {path}");
                continue;
            }

            // Written only when changed, so that an unchanged file does not trigger a rebuild.
            File.WriteAllBytes(path, bytes);
            Console.WriteLine($"wrote     {path}");
        }

        return 0;
    }

    private static int Check(string outputFolder, IReadOnlyList<GeneratedFile> files)
    {
        var outOfDate = 0;
        foreach (var file in files)
        {
            var path = Path.Combine(outputFolder, file.FileName);
            if (!File.Exists(path))
            {
                Console.WriteLine($"missing: {path}");
                outOfDate++;
            }
            else if (!File.ReadAllBytes(path).AsSpan().SequenceEqual(Utf8.GetBytes(file.Content)))
            {
                Console.WriteLine($"differs: {path}");
                outOfDate++;
            }
        }

        if (outOfDate == 0)
        {
            Console.WriteLine($"{files.Count} generated files are up to date.");
            return 0;
        }

        Console.WriteLine($"{outOfDate} of {files.Count} generated files are out of date: run dotnet run --project tools/dicom-generator/RadAI.Dicom.Generator");
        return 1;
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "RadAI.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new GeneratorException("RadAI.sln not found above the current directory: give the repository root as an argument.");
    }
}
