using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace RadAI.Testing;

/// <summary>
/// What the tests do with Orthanc (the hospital PACS stand-in) through its REST API: upload a study, declare a
/// modality, push a study to it, and read back the series, tags and files Orthanc holds.
/// </summary>
public sealed class OrthancClient(Uri address) : IDisposable
{
    /// <summary>The REST client (long timeout: a synchronous push of a study waits for the whole C-STORE).</summary>
    public HttpClient Http { get; } = new() { BaseAddress = address, Timeout = TimeSpan.FromMinutes(3) };

    /// <summary>Uploads every <c>*.dcm</c> of <paramref name="folder"/> (POST /instances) and returns Orthanc's id of their study.</summary>
    public async Task<string> UploadStudyAsync(string folder)
    {
        string? orthancStudy = null;
        foreach (var file in Directory.GetFiles(folder, "*.dcm").Order(StringComparer.Ordinal))
        {
            var study = await UploadAsync(file);
            if (orthancStudy is not null && study != orthancStudy)
            {
                throw new InvalidOperationException($"{folder} holds more than one study ({orthancStudy}, {study}).");
            }

            orthancStudy = study;
        }

        return orthancStudy ?? throw new InvalidOperationException($"{folder} holds no .dcm file.");
    }

    /// <summary>Uploads one Part 10 file (POST /instances) and returns Orthanc's id of its study.</summary>
    public async Task<string> UploadAsync(string file)
    {
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(file));
        using var upload = await Http.PostAsync(new Uri("/instances", UriKind.Relative), content);
        await EnsureSuccessAsync(upload, $"POST /instances {Path.GetFileName(file)}");
        var stored = await upload.Content.ReadFromJsonAsync<JsonElement>();
        return stored.GetProperty("ParentStudy").GetString()!;
    }

    /// <summary>Declares (or replaces) modality <paramref name="id"/> (PUT /modalities/{id}).</summary>
    public async Task PutModalityAsync(string id, string aeTitle, string host, int port)
    {
        using var put = await Http.PutAsync(new Uri($"/modalities/{id}", UriKind.Relative),
            JsonContent.Create(new Dictionary<string, object> { ["AET"] = aeTitle, ["Host"] = host, ["Port"] = port }));
        await EnsureSuccessAsync(put, $"PUT /modalities/{id}");
    }

    /// <summary>Removes modality <paramref name="id"/>; no error if it is not there.</summary>
    public async Task DeleteModalityAsync(string id)
    {
        using var _ = await Http.DeleteAsync(new Uri($"/modalities/{id}", UriKind.Relative));
    }

    /// <summary>
    /// Orthanc sends a study to a modality by C-STORE (POST /modalities/{id}/store, synchronous: returns once sent); returns
    /// Orthanc's answer (<c>InstancesCount</c>, <c>FailedInstancesCount</c>...).
    /// </summary>
    public async Task<JsonElement> StoreToModalityAsync(string modality, string orthancStudy)
    {
        using var store = await Http.PostAsync(new Uri($"/modalities/{modality}/store", UriKind.Relative), new StringContent(orthancStudy, Encoding.UTF8, "text/plain"));
        await EnsureSuccessAsync(store, $"POST /modalities/{modality}/store");
        return await store.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The series of an Orthanc study: modality and Orthanc instance ids of each.</summary>
    public async Task<IReadOnlyList<OrthancSeries>> SeriesAsync(string orthancStudy)
    {
        var series = await Http.GetFromJsonAsync<JsonElement>(new Uri($"/studies/{orthancStudy}/series", UriKind.Relative));
        return [.. series.EnumerateArray().Select(s => new OrthancSeries(
            s.GetProperty("ID").GetString()!,
            s.GetProperty("MainDicomTags").TryGetProperty("Modality", out var m) ? m.GetString() ?? "" : "",
            [.. s.GetProperty("Instances").EnumerateArray().Select(i => i.GetString()!)]))];
    }

    /// <summary>The Study Instance UID of an Orthanc study.</summary>
    public async Task<string> StudyInstanceUidAsync(string orthancStudy)
    {
        var study = await Http.GetFromJsonAsync<JsonElement>(new Uri($"/studies/{orthancStudy}", UriKind.Relative));
        return study.GetProperty("MainDicomTags").GetProperty("StudyInstanceUID").GetString()!;
    }

    /// <summary>Orthanc's ids of the studies with this Study Instance UID (POST /tools/find).</summary>
    public async Task<IReadOnlyList<string>> FindStudiesAsync(string studyInstanceUid)
    {
        using var find = await Http.PostAsync(new Uri("/tools/find", UriKind.Relative), JsonContent.Create(new Dictionary<string, object>
        {
            // Dictionary keys: JsonContent's web defaults would write an anonymous object's properties in camelCase, which Orthanc rejects.
            ["Level"] = "Study",
            ["Query"] = new Dictionary<string, string> { ["StudyInstanceUID"] = studyInstanceUid },
        }));
        await EnsureSuccessAsync(find, "POST /tools/find");
        var studies = await find.Content.ReadFromJsonAsync<JsonElement>();
        return [.. studies.EnumerateArray().Select(s => s.GetString()!)];
    }

    /// <summary>The simplified tags of an instance (GET /instances/{id}/simplified-tags).</summary>
    public Task<JsonElement> SimplifiedTagsAsync(string instance) =>
        Http.GetFromJsonAsync<JsonElement>(new Uri($"/instances/{instance}/simplified-tags", UriKind.Relative));

    /// <summary>Writes the Part 10 file Orthanc stores for an instance to <paramref name="path"/>.</summary>
    public async Task DownloadAsync(string instance, string path) =>
        await File.WriteAllBytesAsync(path, await Http.GetByteArrayAsync(new Uri($"/instances/{instance}/file", UriKind.Relative)));

    /// <summary>Deletes a study; no error if it is not there.</summary>
    public async Task DeleteStudyAsync(string orthancStudy)
    {
        using var _ = await Http.DeleteAsync(new Uri($"/studies/{orthancStudy}", UriKind.Relative));
    }

    public void Dispose() => Http.Dispose();

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Orthanc {what}: {(int)response.StatusCode} {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}

/// <summary>One series of an Orthanc study: Orthanc's id, its modality and Orthanc's ids of its instances.</summary>
public sealed record OrthancSeries(string Id, string Modality, IReadOnlyList<string> Instances);
