using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using RadAI.Testing;

namespace RadAI.Ingest.Tests.Support;

/// <summary>The Orthanc of the test script as the hospital PACS: studies are uploaded over REST, then pushed by C-STORE.</summary>
public sealed class OrthancPacs : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = TestEnvironment.OrthancHttp, Timeout = TimeSpan.FromSeconds(120) };

    /// <summary>Orthanc's own AE title (the calling AE of its C-STOREs).</summary>
    public static string AeTitle => TestEnvironment.OrthancDicomEndpoint.AeTitle;

    /// <summary>Uploads the files (POST /instances); returns Orthanc's id of their study.</summary>
    public async Task<string> UploadAsync(IEnumerable<string> files)
    {
        string? study = null;
        foreach (var file in files)
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
            using var response = await _http.PostAsync(new Uri("instances", UriKind.Relative), content);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Orthanc refused {file}: {(int)response.StatusCode} {body}");
            }

            using var answer = JsonDocument.Parse(body);
            study = answer.RootElement.GetProperty("ParentStudy").GetString();
        }

        return study ?? throw new InvalidOperationException("No file uploaded.");
    }

    /// <summary>Registers a DICOM modality (PUT /modalities/name).</summary>
    public async Task RegisterModalityAsync(string name, string aeTitle, int port)
    {
        using var response = await _http.PutAsJsonAsync(new Uri($"modalities/{name}", UriKind.Relative), new Dictionary<string, object>
        {
            ["AET"] = aeTitle,
            ["Host"] = "127.0.0.1",
            ["Port"] = port,
        });
        await EnsureAsync(response, $"PUT /modalities/{name}");
    }

    /// <summary>C-STORE of a study to a modality, synchronously (POST /modalities/name/store); returns Orthanc's answer.</summary>
    public async Task<JsonElement> StoreAsync(string modality, string studyId)
    {
        using var response = await _http.PostAsJsonAsync(new Uri($"modalities/{modality}/store", UriKind.Relative), new Dictionary<string, object>
        {
            ["Resources"] = new[] { studyId },
            ["Synchronous"] = true,
        });
        await EnsureAsync(response, $"POST /modalities/{modality}/store");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Removes what a test put there.</summary>
    public async Task CleanUpAsync(string? modality, string? studyId)
    {
        if (studyId is not null)
        {
            using var _ = await _http.DeleteAsync(new Uri($"studies/{studyId}", UriKind.Relative));
        }

        if (modality is not null)
        {
            using var _ = await _http.DeleteAsync(new Uri($"modalities/{modality}", UriKind.Relative));
        }
    }

    public void Dispose() => _http.Dispose();

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Orthanc {what}: {(int)response.StatusCode} {body}"));
        }
    }
}
