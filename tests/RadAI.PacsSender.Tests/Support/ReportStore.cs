using RadAI.Contracts;
using RadAI.Data;
using RadAI.Dicom;
using RadAI.Dicom.IO;
using RadAI.Testing;

namespace RadAI.PacsSender.Tests.Support;

/// <summary>
/// A test's storage root and database (SQLite file or a fresh PostgreSQL database), and report objects written into its
/// <c>reports</c> store as report-builder would: an SR, a SEG and an encapsulated PDF (reference files of tests/data).
/// </summary>
public sealed class ReportStore : IAsyncDisposable
{
    /// <summary>The sources of the report objects: kind and reference file.</summary>
    public static readonly (string Kind, string File)[] Sources =
    [
        ("SR", "highdicom_sr_document.dcm"),
        ("SEG", "highdicom_seg_image_ct_binary.dcm"),
        ("PDF", "encapsulated_pdf.dcm"),
    ];

    private readonly TemporaryDirectory _root;
    private readonly PostgresTestDatabase? _postgres;

    private ReportStore(TemporaryDirectory root, PostgresTestDatabase? postgres, DatabaseProvider provider)
    {
        _root = root;
        _postgres = postgres;
        Provider = provider;
    }

    public DatabaseProvider Provider { get; }

    public string Root => _root.Path;

    /// <summary>Storage and database settings of the hosts.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Storage:Root"] = Root,
        ["Database:Provider"] = Provider.ToString(),
        ["Database:ConnectionString"] = _postgres?.ConnectionString ?? $"Data Source={Path.Combine(Root, "radai.db")}",
    };

    public static async Task<ReportStore> CreateAsync(DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        var root = new TemporaryDirectory("radai-pacs-sender");
        var postgres = provider == DatabaseProvider.Postgres ? await PostgresTestDatabase.CreateAsync() : null;
        return new ReportStore(root, postgres, provider);
    }

    public static string SourcePath(string file) => Path.Combine(RepositoryPaths.Root, "tests", "data", "dicom-reference", file);

    /// <summary>StudyReceived of a new job from <paramref name="sendingAe"/> (only what pacs-sender reads is meaningful).</summary>
    public static StudyReceived StudyFrom(Guid jobId, string sendingAe) =>
        new(jobId, jobId, DateTimeOffset.UtcNow, StudyUid, sendingAe, "RADAI", "default", [], new StorageReference("instances", jobId.ToString("N")));

    public const string StudyUid = "1.2.826.0.1.3680043.8.498.1";

    /// <summary>Copies the report objects into the job's folder of the reports store; returns the ReportReady report-builder would publish.</summary>
    public async Task<ReportReady> WriteReportAsync(Guid jobId, IEnumerable<(string Kind, string File)>? sources = null)
    {
        var objects = new List<ReportObject>();
        var folder = Directory.CreateDirectory(Path.Combine(Root, "reports", jobId.ToString("N"))).FullName;
        foreach (var (kind, file) in sources ?? Sources)
        {
            var source = SourcePath(file);
            var file10 = await DicomFile.OpenAsync(source, DicomReadOptions.Default with { StopBeforeTag = DicomTags.PixelData });
            var sopInstance = file10.Dataset.GetString(DicomTags.SOPInstanceUID);
            var target = Path.Combine(folder, kind + ".dcm");
            File.Copy(source, target);
            objects.Add(new ReportObject(kind, file10.Dataset.GetString(DicomTags.SOPClassUID), sopInstance, "1.2.826.0.1.3680043.8.498.2",
                new StorageReference("reports", $"{jobId:N}/{kind}.dcm"), new FileInfo(target).Length));
        }

        return new ReportReady(jobId, jobId, DateTimeOffset.UtcNow, StudyUid, objects, "en");
    }

    public async ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        _root.Dispose();
    }
}
