using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RadAI.Api.Apis;
using RadAI.Api.Jobs;
using RadAI.Api.Security;
using RadAI.Contracts;
using RadAI.Data;
using RadAI.Data.Audit;
using RadAI.Hosting;
using RadAI.Hosting.Messaging;
using RadAI.DicomIngest;
using RadAI.Inference;
using RadAI.PacsSender;
using RadAI.Testing;
using Xunit;

namespace RadAI.Api.Tests.Authorization;

/// <summary>Who calls: nobody, a user of each role (access token), an API key of each role, or refused credentials.</summary>
public enum Caller
{
    Anonymous,

    /// <summary>An administrator's access token, correctly signed, that expired an hour ago.</summary>
    ExpiredAdminToken,

    /// <summary>An administrator API key that was revoked.</summary>
    RevokedAdminKey,

    /// <summary>A well-formed API key this node never issued.</summary>
    UnknownKey,

    Viewer,
    Radiologist,
    Admin,
    ViewerKey,
    RadiologistKey,
    AdminKey,
}

/// <summary>
/// One api node as RadAI.Api.Host wires it (the api module, its health endpoints, the bus), on the real PostgreSQL, with
/// the real pacs-sender module answering the destinations requests on the in-memory bus, a clock the tests own, a user
/// and an API key of each role, and one analysed job with a report whose files hold the patient's identity
/// (<see cref="Patient"/>). Shared by the tests of <see cref="AccessMatrixTests"/> (xUnit runs them one at a time).
/// </summary>
public sealed class ApiNode : IAsyncLifetime, IDisposable
{
    public const string LoginUser = "matrix-login";
    public const string LoginPassword = "matrix login password";

    /// <summary>The patient of the seeded job, as the DICOM files hold it (PN, LO, DA): no api answer, log line, audit entry or event may show it.</summary>
    public static readonly (string Name, string Id, string BirthDate) Patient = ("DUPONT^JEANNE", "PID-73519-X", "19450312");

    public const string TargetUser = "matrix-target";

    private readonly Dictionary<Caller, (string? Bearer, string? ApiKey)> _credentials = [];
    private readonly Dictionary<Caller, string> _actors = [];
    private TemporaryDirectory? _storage;
    private TestDatabase? _database;
    private ApiTestHost? _api;
    private int _counter;

    public ManualClock Clock { get; } = ManualClock.StartingNow();

    public ApiTestHost Api => _api ?? throw new InvalidOperationException("Not started.");

    public TestDatabase Database => _database ?? throw new InvalidOperationException("Not started.");

    public string StoragePath => _storage?.Path ?? throw new InvalidOperationException("Not started.");

    /// <summary>The analysed job with a report (SR, SEG, encapsulated PDF, plain PDF: every file holds <see cref="Patient"/>).</summary>
    public Guid JobId { get; } = Guid.NewGuid();

    public string StudyUid => $"1.2.826.0.1.3680043.10.543.{JobId.GetHashCode() & 0x7fffffff}";

    /// <summary>The route endpoints the app maps, as <c>METHOD pattern</c> (<c>*</c> for every method).</summary>
    public IReadOnlyList<string> MappedEndpoints =>
        [.. Api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().SelectMany(EndpointKeys).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>A number for names that must be unique (users, API keys, destinations created by the rows).</summary>
    public int Next() => Interlocked.Increment(ref _counter);

    public async Task InitializeAsync()
    {
        _storage = new TemporaryDirectory("radai-matrix-storage");
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        _api = await ApiTestHost.StartAsync(_database, new Dictionary<string, string?>
        {
            ["Storage:Root"] = _storage.Path,
            ["Messaging:Transport"] = "InMemory",
            ["PacsSender:EchoOnStart"] = "false",
            ["DicomIngest:Port"] = "0",
            ["DicomIngest:BindAddress"] = "127.0.0.1",
            ["Inference:PackagePaths:0"] = Path.Combine(RepositoryPaths.Root, "models"),
            ["Inference:UseCuda"] = "false",
            ["Inference:WarmUp"] = "false",
            // No console logger from the service defaults: the test host collects the log lines (all levels) to scan them.
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:LogLevel:Default"] = "Trace",
        }, configure: builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(Clock);
            builder.AddServiceDefaults(ApiModule.ServiceName, telemetry: false);
            builder.AddRadAIMessaging(bus =>
            {
                bus.AddApiConsumers();
                bus.AddPacsSenderConsumers();
                bus.AddDicomIngestConsumers();
                bus.AddInferenceConsumers();
            });
            builder.AddPacsSender();
            builder.AddDicomIngest();
            builder.AddInference();
        }, map: app => app.MapDefaultEndpoints());

        var admin = (await Api.LoginAsync("admin", ApiTestHost.AdminPassword)).AccessToken;
        _credentials[Caller.Anonymous] = (null, null);
        _credentials[Caller.Admin] = (admin, null);
        _credentials[Caller.Viewer] = (await Api.CreateUserAndLoginAsync("matrix-viewer", Roles.Viewer), null);
        _credentials[Caller.Radiologist] = (await Api.CreateUserAndLoginAsync("matrix-radiologist", Roles.Radiologist), null);
        await CreateUserAsync(LoginUser, LoginPassword, Roles.Viewer);
        _credentials[Caller.ViewerKey] = (null, (await CreateKeyAsync(Roles.Viewer)).Key);
        _credentials[Caller.RadiologistKey] = (null, (await CreateKeyAsync(Roles.Radiologist)).Key);
        _credentials[Caller.AdminKey] = (null, (await CreateKeyAsync(Roles.Admin)).Key);
        var revoked = await CreateKeyAsync(Roles.Admin);
        using (var revoke = await Api.SendAsync(HttpMethod.Delete, $"/api/api-keys/{revoked.ApiKey.Id}", admin))
        {
            Assert.Equal(System.Net.HttpStatusCode.NoContent, revoke.StatusCode);
        }

        _credentials[Caller.RevokedAdminKey] = (null, revoked.Key);
        _credentials[Caller.UnknownKey] = (null, SecretTokens.New(SecretTokens.ApiKeyPrefix));
        _credentials[Caller.ExpiredAdminToken] = (await ExpiredAdminTokenAsync(admin), null);
        await CreateUserAsync(TargetUser, "target user password", Roles.Viewer);
        foreach (var caller in _credentials.Keys.Where(c => c is not (Caller.Anonymous or Caller.ExpiredAdminToken or Caller.RevokedAdminKey or Caller.UnknownKey)))
        {
            using var request = Request(caller, HttpMethod.Get, "/api/auth/me");
            var (response, body) = await SendAsync(request);
            response.Dispose();
            var who = JsonSerializer.Deserialize<AuthApi.Caller>(body, JsonSerializerOptions.Web)!;
            _actors[caller] = $"{(who.Kind == "apikey" ? "apikey" : "user")}:{who.Id}";
        }

        await SeedJobAsync();
    }

    /// <summary>How the audit log names a caller: <c>user:{id}</c>, <c>apikey:{id}</c>, or <c>anonymous</c>.</summary>
    public string ActorOf(Caller caller) => _actors.TryGetValue(caller, out var actor) ? actor : AuditActors.Anonymous;

    /// <summary>The request a caller sends: its token or key, and the client address the audit log must show.</summary>
    public HttpRequestMessage Request(Caller caller, HttpMethod method, string path, object? body = null, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        var (bearer, apiKey) = _credentials[caller];
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (apiKey is not null)
        {
            request.Headers.Add(ApiKeyAuthenticationHandler.HeaderName, apiKey);
        }

        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return request;
    }

    /// <summary>
    /// Sends and reads the whole answer, except for an event stream: its headers, then the first chunk (the stream never
    /// ends by itself).
    /// </summary>
    public async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpRequestMessage request)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var response = await Api.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            return (response, "");
        }

        return (response, await response.Content.ReadAsStringAsync(deadline.Token));
    }

    /// <summary>A fresh refresh token of <see cref="LoginUser"/> (each use spends one).</summary>
    public async Task<string> FreshRefreshTokenAsync() => (await Api.LoginAsync(LoginUser, LoginPassword)).RefreshToken;

    /// <summary>The audit entries after <paramref name="sequence"/>, oldest first, read from the table.</summary>
    public async Task<IReadOnlyList<AuditEntry>> AuditAfterAsync(long sequence)
    {
        await using var connection = await Database.Connections.OpenConnectionAsync(CancellationToken.None);
        return [.. (await AuditChain.ListAsync(connection, null, 500, CancellationToken.None)).Where(e => e.Sequence > sequence).OrderBy(e => e.Sequence)];
    }

    public async Task<long> AuditHeadAsync()
    {
        await using var connection = await Database.Connections.OpenConnectionAsync(CancellationToken.None);
        return (await AuditChain.ListAsync(connection, null, 1, CancellationToken.None)).FirstOrDefault()?.Sequence ?? 0;
    }

    /// <summary>The id of a local user (by name), as the users API lists it.</summary>
    public async Task<Guid> UserIdAsync(string username)
    {
        using var list = await Api.SendAsync(HttpMethod.Get, "/api/users", _credentials[Caller.Admin].Bearer);
        return (await list.Content.ReadFromJsonAsync<List<UsersApi.UserView>>())!.Single(u => u.Username == username).Id;
    }

    public string? BearerOf(Caller caller) => _credentials[caller].Bearer;

    public async Task CreateUserAsync(string username, string password, string role)
    {
        using var created = await Api.SendAsync(HttpMethod.Post, "/api/users", _credentials[Caller.Admin].Bearer, new UsersApi.CreateUserRequest(username, password, role));
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
    }

    public async Task<ApiKeysApi.CreatedApiKey> CreateKeyAsync(string role)
    {
        using var created = await Api.SendAsync(HttpMethod.Post, "/api/api-keys", _credentials[Caller.Admin].Bearer, new ApiKeysApi.CreateApiKeyRequest($"matrix-{role}-{Next()}", role));
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<ApiKeysApi.CreatedApiKey>())!;
    }

    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>After <see cref="DisposeAsync"/> (xUnit calls both): the storage folder goes last.</summary>
    public void Dispose() => _storage?.Dispose();

    private static IEnumerable<string> EndpointKeys(RouteEndpoint endpoint)
    {
        var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods;
        var pattern = endpoint.RoutePattern.RawText ?? "";
        return methods is null or { Count: 0 } ? [$"* {pattern}"] : methods.Select(m => $"{m} {pattern}");
    }

    /// <summary>A token this node could have issued to the administrator, signed with its key, expired an hour ago by its clock.</summary>
    private async Task<string> ExpiredAdminTokenAsync(string adminToken)
    {
        using var me = await Api.SendAsync(HttpMethod.Get, "/api/auth/me", adminToken);
        var caller = (await me.Content.ReadFromJsonAsync<AuthApi.Caller>())!;
        var settings = Api.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        var expires = Clock.GetUtcNow().AddHours(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = expires.AddMinutes(-15).UtcDateTime,
            NotBefore = expires.AddMinutes(-15).UtcDateTime,
            Expires = expires.UtcDateTime,
            Subject = new ClaimsIdentity(
            [
                new Claim(SecurityClaims.Subject, caller.Id),
                new Claim(SecurityClaims.Name, "admin"),
                new Claim(SecurityClaims.Role, Roles.Admin),
                new Claim(SecurityClaims.Kind, SecurityClaims.KindUser),
            ]),
            SigningCredentials = new SigningCredentials(Api.Services.GetRequiredService<SigningKeys>().Key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>
    /// The job as the projection records it from the events of the pipeline, and the report files report-builder leaves.
    /// The series description is what a technologist typed at the modality: here the patient's name and id (it happens),
    /// which the events carry (inference routes on the description) and no answer of the api may show.
    /// </summary>
    private async Task SeedJobAsync()
    {
        var start = Clock.GetUtcNow().AddMinutes(-30);
        var seriesUid = StudyUid + ".1";
        var typed = $"THORAX {Patient.Name.Replace('^', ' ')} {Patient.Id}";
        var received = new StudyReceived(JobId, JobId, start, StudyUid, "MODALITY1", "RADAI", "default",
            [new ReceivedSeries(seriesUid, "CT", "1.2.840.10008.5.1.4.1.1.2", 120, 63_000_000, new StorageReference("instances", $"{StudyUid}/{JobId:N}/{seriesUid}"), "CHEST", typed)],
            new StorageReference("instances", $"{StudyUid}/{JobId:N}"));
        var done = new AnalysisDone(JobId, JobId, start.AddMinutes(1), StudyUid,
            [new ModelRun("radai.ct.lung-quant", "1.2.0", "DEMO", seriesUid, 3, 4200, "CPU")],
            new StorageReference("results", $"{JobId:N}/findings.json"), [new RoutingDecision(seriesUid, "radai.ct.lung-quant", true, "modality CT in [CT]")],
            [], received.Series, "MODALITY1");
        var ready = new ReportReady(JobId, JobId, start.AddMinutes(2), StudyUid,
        [
            new ReportObject("SR", "1.2.840.10008.5.1.4.1.1.88.33", StudyUid + ".9.1", StudyUid + ".9", new StorageReference("reports", $"{JobId:N}/sr.dcm"), 100),
            new ReportObject("SEG", "1.2.840.10008.5.1.4.1.1.66.4", StudyUid + ".9.2", StudyUid + ".9", new StorageReference("reports", $"{JobId:N}/seg.dcm"), 100),
            new ReportObject("PDF", "1.2.840.10008.5.1.4.1.1.104.1", StudyUid + ".9.3", StudyUid + ".9", new StorageReference("reports", $"{JobId:N}/pdf.dcm"), 100),
        ], "fr", new StorageReference("reports", $"{JobId:N}/report.pdf"), "MODALITY1");

        var folder = Directory.CreateDirectory(Path.Combine(StoragePath, "reports", JobId.ToString("N"))).FullName;
        var identity = $"(0010,0010) PN {Patient.Name} (0010,0020) LO {Patient.Id} (0010,0030) DA {Patient.BirthDate}";
        foreach (var file in new[] { "sr.dcm", "seg.dcm", "pdf.dcm", "report.pdf" })
        {
            await File.WriteAllTextAsync(Path.Combine(folder, file), $"{file}: {identity}");
        }

        var jobs = Api.Services.GetRequiredService<JobRepository>();
        foreach (var (jobEvent, modalities) in new (IJobEvent, string?)[] { (received, JobModalities.Encode(received.Series)), (done, JobModalities.Encode(done.Series)), (ready, null) })
        {
            var (status, rank) = JobStatus.Of(jobEvent);
            Assert.True(await jobs.RecordAsync(new JobEventRecord(
                Guid.NewGuid(), JobId, JobId, StudyUid, "MODALITY1", jobEvent.GetType().Name, status, rank, jobEvent.OccurredAt, Clock.GetUtcNow(), null,
                JsonSerializer.Serialize(jobEvent, jobEvent.GetType(), JsonSerializerOptions.Web), modalities), CancellationToken.None));
        }
    }
}
